"""The hotline demo: crisis cases and callbacks (runs after the hotlines, rota, calls and
assessments parts, and reads their hotlines by name).

- 青岛市总工会心理健康服务基地: a crisis case at imminent risk, opened by ``demo-counsellor`` 刘心理
  during a call, its risk assessment recorded, the caller reached, and handed over to the
  mental-health centre (time and the person who took it over), with a follow-up note;
  callbacks done (reached, with the outcome), closed (declined, wrong number), due (one for
  刘心理 again, as the caller asked) and overdue (one waiting, one claimed and not done).
- 莱西市职工心理服务中心: one callback done, one due, one overdue.

Then the escalation job runs once, so the supervisors see the overdue items at once. Everything
goes through ``services.cases`` as the hotline's people (the system opens the queued ones, as
the public page does). The numbers are fictional (139 0000 0xxx). Idempotent: a hotline that
has a callback of these numbers is left as it is. A missing hotline: a note, nothing made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import callers
from nuanxin.hotline.choices import AttemptResult, Channel, HandoverTo, MemberKind, RiskLevel
from nuanxin.hotline.models import Callback, Hotline, HotlineMember
from nuanxin.hotline.services import cases as services
from nuanxin.hotline.services import escalation

CITY = "青岛市总工会心理健康服务基地"
LAIXI = "莱西市职工心理服务中心"


def _number(n: int) -> str:
    return f"1390000{n:04d}"


def _people(hotline: Hotline, kind: str) -> list[Any]:
    members = HotlineMember.objects.filter(hotline=hotline, kind=kind, active=True, user__is_active=True)
    return [m.user for m in members.select_related("user").order_by("user__username")]


def _made(hotline: Hotline, numbers: list[str]) -> bool:
    keys = [callers.caller_key(n) for n in numbers]
    return Callback.objects.filter(hotline=hotline, caller_key__in=keys).exists()


def _city(hotline: Hotline, now: Any) -> int:
    counsellors = _people(hotline, MemberKind.COUNSELLOR)
    if not counsellors:
        return 0
    liu = next((u for u in counsellors if u.username == "demo-counsellor"), counsellors[0])
    colleague = next((u for u in counsellors if u != liu), liu)
    # The crisis case handed over to the mental-health centre.
    crisis = services.open_crisis(
        actor=liu, hotline=hotline, risk=RiskLevel.IMMINENT, reason="call_imminent",
        contact_number=_number(1),
    )
    services.assess_crisis(
        actor=liu, case=crisis, ideation=True, plan=True, means=True, past_attempts=False,
        protective_factors="牵挂正在上小学的女儿；愿意让姐姐陪同", note="连续夜班后独处时想法加重，情绪低落两周。",
    )
    services.record_contact(actor=liu, case=crisis, note="通话中保持联系，劝说来电者把药物交给姐姐保管。")
    services.hand_over(
        actor=liu, case=crisis, to=HandoverTo.MENTAL_HEALTH_CENTRE, at=now, person="青岛市精神卫生中心 王医生（值班）",
        note="精神卫生中心危机干预小组接手，已约定当晚上门评估。",
    )
    services.add_crisis_note(actor=liu, case=crisis, text="次日随访：来电者已在精神卫生中心门诊就诊，姐姐陪同。")
    for callback in crisis.callbacks.all():  # reached during the call itself
        services.record_attempt(actor=liu, callback=callback, result=AttemptResult.REACHED,
                                note="危机来电中已保持联系，转介精神卫生中心。")
    made = 1 + crisis.callbacks.count()
    # Callbacks: done, closed, due and overdue.
    done = [
        (_number(2), "moderate", liu, AttemptResult.REACHED, "焦虑自评中度；回访时睡眠已改善，约两周后再回访。"),
        (_number(3), "severe", colleague, AttemptResult.REACHED, "抑郁自评中重度；已建议到医院心理科就诊，本人同意。"),
        (_number(4), "moderate", colleague, AttemptResult.DECLINED, "本人表示已好转，不需要回访。"),
        (_number(5), "mild", liu, AttemptResult.WRONG_NUMBER, ""),
    ]
    for number, severity, who, result, note in done:
        callback = services.open_callback(actor=SYSTEM, hotline=hotline, number=number,
                                          due_at=now + timedelta(hours=20), severity=severity)
        services.record_attempt(actor=who, callback=callback, result=result, note=note, channel=Channel.PHONE)
        made += 1
    services.open_callback(actor=SYSTEM, hotline=hotline, number=_number(6), due_at=now + timedelta(hours=20),
                           severity="severe")
    services.open_callback(actor=SYSTEM, hotline=hotline, number=_number(7), due_at=now + timedelta(hours=60),
                           severity="moderate", preferred_counsellor=liu)
    services.open_callback(actor=SYSTEM, hotline=hotline, number=_number(8), due_at=now - timedelta(hours=5),
                           severity="severe")
    late = services.open_callback(actor=SYSTEM, hotline=hotline, number=_number(9),
                                  due_at=now - timedelta(hours=3), severity="moderate")
    services.claim_callback(actor=colleague, callback=late)
    return made + 4


def _laixi(hotline: Hotline, now: Any) -> int:
    counsellors = _people(hotline, MemberKind.COUNSELLOR)
    if not counsellors:
        return 0
    done = services.open_callback(actor=SYSTEM, hotline=hotline, number=_number(21), due_at=now + timedelta(hours=30),
                                  severity="moderate")
    services.record_attempt(actor=counsellors[0], callback=done, result=AttemptResult.REACHED,
                            note="回访：情绪平稳，已学会放松训练。")
    services.open_callback(actor=SYSTEM, hotline=hotline, number=_number(22), due_at=now + timedelta(hours=40),
                           severity="moderate")
    services.open_callback(actor=SYSTEM, hotline=hotline, number=_number(23), due_at=now - timedelta(hours=8),
                           severity="severe")
    return 3


PARTS: dict[str, Callable[[Hotline, Any], int]] = {CITY: _city, LAIXI: _laixi}
NUMBERS = {CITY: [_number(n) for n in range(1, 10)], LAIXI: [_number(n) for n in range(21, 24)]}


def build(*, out: Callable[[str], None] = print) -> None:
    """The crisis case and the callbacks of the demo hotlines, unless they have them."""
    now = timezone.now().replace(second=0, microsecond=0)
    made = 0
    for name, part in PARTS.items():
        hotline = Hotline.objects.filter(name=name).select_related("organisation").first()
        if hotline is None:
            out(_("Hotline demo: %(name)s is missing, so no crisis case or callback was made for it.")
                % {"name": name})
            continue
        if _made(hotline, NUMBERS[name]):
            continue
        with transaction.atomic():
            made += part(hotline, now)
    if made:
        escalated = escalation.escalate_overdue(actor=SYSTEM)
        out(
            _("Hotline crisis cases and callbacks: %(count)d made; %(late)d overdue escalated to the supervisors.")
            % {"count": made, "late": escalated["callbacks"] + escalated["crises"]}
        )
