"""The hotline demo: calls of every kind on the two demo hotlines.

Over the last 30 days, the counsellors of 青岛市总工会心理健康服务基地 (read from the database,
``demo-counsellor`` 刘心理 among them) log 36 calls and those of 莱西市职工心理服务中心 14: every
channel, every kind of caller, every topic and risk level, durations like the documents' (about
70 minutes on average, 120 at most). Among them:

- a high-risk call taken by 刘心理 yesterday, whose caller left a number: it opened a crisis case
  (the supervisors were told) with a crisis callback due at once;
- two calls arranged a callback (in the queues, due within the setting's hours), one for the
  same counsellor again;
- a repeat caller of the city base who consented twice (the form shows the earlier contact);
- a referral to the mental-health centre, and, when the city base's organisation has a worker
  with a mobile in the register, a call linked to them and referred to the union's care work
  (a difficulty with the summary the caller agreed to share).

Everything goes through ``services.calls`` and ``services.referrals`` as the system, for the
counsellor who took the call. Idempotent: a hotline that has calls is left as it is.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.choices import (
    AgeBand,
    CallerKind,
    CallOutcome,
    Channel,
    Gender,
    Intervention,
    MemberKind,
    ReferralTarget,
    RiskLevel,
    Topic,
)
from nuanxin.hotline.models import Call, Hotline, HotlineMember
from nuanxin.hotline.services import calls as services
from nuanxin.hotline.services import referrals as referral_services
from nuanxin.registry.models import Worker

CITY = "青岛市总工会心理健康服务基地"
LAIXI = "莱西市职工心理服务中心"
COUNTS = {CITY: 36, LAIXI: 14}
DAYS = 30

NOTES = [
    "丈夫在武汉支援，每天担心他的安全，夜里睡不着。倾听后情绪平稳。",
    "刚从一线轮换回来，反复梦到病房，做了放松训练。",
    "孩子网课与家务压力大，和家人争吵，讨论了沟通方法。",
    "担心自己被感染，反复测体温，讲解了防护知识。",
    "同事离世，悲伤难以平复，约定一周后回访。",
    "连续加班，感到疲惫、易怒，建议调整作息。",
]
TECHNIQUES = ["正念呼吸", "蝴蝶拍", "着陆技术", "认知重构"]


def _counsellors(hotline: Hotline) -> list[Any]:
    members = HotlineMember.objects.filter(
        hotline=hotline, kind=MemberKind.COUNSELLOR, active=True
    ).select_related("user")
    return [m.user for m in members.order_by("user__username")]


def _minutes(rng: random.Random) -> int:
    """About 70 minutes on average, 120 at most, 20 at least."""
    return max(20, min(120, round(rng.gauss(73, 22))))


def _plain_call(rng: random.Random, index: int, lines: list[Any]) -> dict[str, Any]:
    channel = [Channel.PHONE, Channel.PHONE, Channel.PHONE, Channel.ONLINE, Channel.VIDEO][index % 5]
    line = next((line for line in lines if line.channel == channel), lines[0] if lines else None)
    interventions = [Intervention.LISTENING]
    technique = ""
    if index % 3 == 0:
        interventions.append(Intervention.PSYCHOEDUCATION)
    if index % 4 == 1:
        interventions.append(Intervention.RELAXATION)
    if index % 5 == 2:
        technique = TECHNIQUES[index % len(TECHNIQUES)]
        interventions.append(Intervention.TECHNIQUE)
    topic_values = list(Topic.values)
    topics = sorted({topic_values[index % len(topic_values)], topic_values[(index * 3 + 1) % len(topic_values)]})
    return {
        "line": line,
        "channel": channel,
        "caller_kind": list(CallerKind.values)[index % len(CallerKind.values)],
        "gender": list(Gender.values)[index % len(Gender.values)],
        "age_band": list(AgeBand.values)[(index * 2) % len(AgeBand.values)],
        "topics": topics,
        "topic_note": "孩子复学适应" if Topic.OTHER in topics else "",
        "interventions": interventions,
        "technique": technique,
        "risk": [RiskLevel.NONE, RiskLevel.LOW, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.NONE][index % 5],
        "outcome": [CallOutcome.SUPPORTED, CallOutcome.SUPPORTED, CallOutcome.REFERRED, CallOutcome.DROPPED][
            index % 4
        ],
        "notes": NOTES[index % len(NOTES)],
    }


def _log(hotline: Hotline, counsellor: Any, start, minutes: int, values: dict[str, Any]) -> Call:
    return services.record_call(
        actor=SYSTEM,
        hotline=hotline,
        counsellor=counsellor,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        **values,
    )


def _special_calls(hotline: Hotline, counsellors: list[Any], lines: list[Any], now) -> int:
    """The city base's calls that set something going (crisis, callbacks, repeat caller, referrals)."""
    first = next((u for u in counsellors if u.username == "demo-counsellor"), counsellors[0])
    other = next((u for u in counsellors if u != first), first)
    phone = next((line for line in lines if line.channel == Channel.PHONE), None)
    common = {"line": phone, "channel": Channel.PHONE, "interventions": [Intervention.LISTENING]}
    # The high-risk call of yesterday: a crisis case and a crisis callback.
    _log(hotline, first, now - timedelta(days=1, hours=3), 95, {
        **common, "caller_kind": CallerKind.WORKER, "gender": Gender.FEMALE, "age_band": AgeBand.A30,
        "topics": [Topic.WORK_STRESS, Topic.GRIEF], "risk": RiskLevel.HIGH, "callback_consent": True,
        "callback_number": "13905320001", "outcome": CallOutcome.CRISIS,
        "notes": "连续救治失败后自责，提到“不想活了”，无具体计划。已按危机流程登记并报告督导。",
    })
    # A repeat caller who consented twice; the second time asks for the same counsellor.
    _log(hotline, other, now - timedelta(days=9, hours=2), 60, {
        **common, "caller_kind": CallerKind.FAMILY, "gender": Gender.FEMALE, "age_band": AgeBand.A40,
        "topics": [Topic.FAMILY_FRONTLINE, Topic.SLEEP], "risk": RiskLevel.LOW, "callback_consent": True,
        "callback_number": "13905320002", "outcome": CallOutcome.SUPPORTED,
        "notes": "丈夫在隔离病区工作，担心他的安全，失眠。",
    })
    _log(hotline, other, now - timedelta(hours=5), 75, {
        **common, "caller_kind": CallerKind.FAMILY, "gender": Gender.FEMALE, "age_band": AgeBand.A40,
        "topics": [Topic.FAMILY_FRONTLINE, Topic.SLEEP], "risk": RiskLevel.MEDIUM, "callback_consent": True,
        "callback_number": "13905320002", "same_counsellor": True, "outcome": CallOutcome.CALLBACK,
        "interventions": [Intervention.LISTENING, Intervention.RELAXATION],
        "notes": "再次来电，睡眠仍差，约定三天内回访，希望还是同一位老师。",
    })
    # A callback arranged without a preference.
    _log(hotline, first, now - timedelta(hours=26), 40, {
        **common, "caller_kind": CallerKind.MEDICAL, "gender": Gender.MALE, "age_band": AgeBand.A50,
        "topics": [Topic.INFECTION], "risk": RiskLevel.LOW, "callback_consent": True,
        "callback_number": "13905320003", "outcome": CallOutcome.CALLBACK,
        "interventions": [Intervention.LISTENING, Intervention.PSYCHOEDUCATION],
        "notes": "担心感染家人，讲解了防护知识，约定复查结果出来后回访。",
    })
    # The longest call of the month: 120 minutes, referred to the mental-health centre.
    longest = _log(hotline, first, now - timedelta(days=12, hours=1), 120, {
        **common, "caller_kind": CallerKind.WORKER, "gender": Gender.MALE, "age_band": AgeBand.A30,
        "topics": [Topic.GRIEF], "risk": RiskLevel.MEDIUM, "outcome": CallOutcome.REFERRED,
        "interventions": [Intervention.LISTENING, Intervention.TECHNIQUE], "technique": "哀伤辅导",
        "notes": "亲人离世，持续哀伤，建议到市精神卫生中心门诊。",
    })
    referral_services.refer(actor=first, call=longest, target=ReferralTarget.MENTAL_HEALTH_CENTRE,
                            note="已告知门诊时间和地址")
    made = 5
    # A call linked to the register (the caller agreed) and referred to the union's care work.
    path = hotline.organisation.path
    worker = (
        Worker.objects.filter(organisation__path__startswith=path).exclude(mobile="").order_by("pk").first()
    )
    if worker is not None:
        linked = _log(hotline, other, now - timedelta(days=4, hours=4), 50, {
            **common, "caller_kind": CallerKind.WORKER, "worker": worker, "gender": Gender.UNKNOWN,
            "topics": [Topic.WORK_STRESS, Topic.OTHER], "topic_note": "家中老人无人照顾",
            "risk": RiskLevel.LOW, "outcome": CallOutcome.REFERRED,
            "notes": "轮班期间家中老人无人照顾，焦虑。来电者同意把照顾需求转给工会。",
        })
        referral_services.refer(
            actor=other, call=linked, target=ReferralTarget.CARE_WORK, consent=True,
            shared_summary="轮班期间家中老人无人照顾，希望工会帮忙联系社区或志愿者。",
            category="eldercare", urgency="urgent",
        )
        made += 1
    return made


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    """The demo hotlines' calls, unless they have some."""
    now = timezone.now().replace(second=0, microsecond=0)
    made = 0
    for name, count in COUNTS.items():
        hotline = Hotline.objects.filter(name=name).select_related("organisation").first()
        if hotline is None or Call.objects.filter(hotline=hotline).exists():
            continue
        counsellors = _counsellors(hotline)
        if not counsellors:
            continue
        lines = list(hotline.lines.filter(active=True).order_by("order", "id"))
        rng = random.Random(f"hotline-calls-{name}")  # noqa: S311 - demo data, not secrets
        special = _special_calls(hotline, counsellors, lines, now) if name == CITY else 0
        for index in range(count - special):
            start = now - timedelta(days=rng.randint(2, DAYS), hours=rng.randint(0, 20), minutes=rng.randint(0, 59))
            if name == LAIXI:  # open 08:00–22:00
                local = timezone.localtime(start)
                start = local.replace(hour=8 + (index * 5) % 11)
            _log(hotline, counsellors[index % len(counsellors)], start, _minutes(rng), _plain_call(rng, index, lines))
        made += count
    if made:
        out(_("Hotline calls: %(count)d logged.") % {"count": made})
