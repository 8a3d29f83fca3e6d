"""The hotline demo: self-assessments (心理测评) and scales taken during calls.

On each demo hotline (read by name: 青岛市总工会心理健康服务基地 and 莱西市职工心理服务中心) people
took the public GAD-7 and PHQ-9 over the last two weeks, in every band of both scales. Some left
their mobile with their consent to a callback: those results are today's and their callbacks
wait in the hotline's queue, due by severity (a PHQ-9 answer above 0 on question 9 at once,
with its crisis case; severe within 24 hours, moderate 72, a request below the cut-off 120). At
the city base ``demo-counsellor`` 刘心理 also took a SAS with a caller during one of their calls.

Everything goes through ``services.assessments`` as the system (the public page's actor) or as
the counsellor; only the time taken of the anonymous ones is set back afterwards, to spread the
figures over the days. The numbers are fictional (137 0000 0xxx). Idempotent: a hotline that
has assessments is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.choices import AssessmentSource, MemberKind
from nuanxin.hotline.models import Assessment, Call, Hotline, HotlineMember
from nuanxin.hotline.services import assessments as services

CITY = "青岛市总工会心理健康服务基地"
LAIXI = "莱西市职工心理服务中心"

# (scale, answers, days ago, mobile left with consent) — every band of both public scales.
GAD7 = {
    "minimal": [0, 1, 0, 1, 0, 0, 0],  # 2
    "mild": [1, 1, 1, 1, 1, 1, 1],  # 7
    "moderate": [2, 2, 2, 2, 1, 1, 1],  # 11
    "severe": [3, 3, 2, 2, 3, 2, 2],  # 17
}
PHQ9 = {
    "minimal": [1, 0, 1, 0, 0, 0, 0, 0, 0],  # 2
    "mild": [1, 1, 1, 1, 1, 1, 0, 0, 0],  # 6
    "moderate": [2, 2, 1, 2, 1, 1, 1, 1, 0],  # 11
    "mod_severe": [2, 2, 2, 2, 2, 2, 2, 2, 0],  # 16
    "severe": [3, 3, 3, 3, 2, 2, 3, 2, 0],  # 21
    "crisis": [1, 2, 1, 1, 1, 1, 1, 0, 1],  # 9, question 9 above 0
}

PUBLIC: dict[str, list[tuple[str, list[int], int, str]]] = {
    CITY: [
        *[("GAD-7", answers, 2 + i * 3, "") for i, answers in enumerate(GAD7.values())],
        *[("PHQ-9", answers, 1 + i * 2, "") for i, answers in enumerate(list(PHQ9.values())[:5])],
        ("GAD-7", GAD7["minimal"], 6, ""),
        ("GAD-7", GAD7["mild"], 4, ""),
        ("GAD-7", GAD7["moderate"], 0, "13700000101"),
        ("GAD-7", GAD7["severe"], 0, "13700000102"),
        ("PHQ-9", PHQ9["mod_severe"], 0, "13700000103"),
        ("GAD-7", GAD7["mild"], 0, "13700000104"),  # below the cut-off, asked to be called
        ("PHQ-9", PHQ9["crisis"], 0, "13700000105"),
    ],
    LAIXI: [
        *[("GAD-7", answers, 1 + i * 3, "") for i, answers in enumerate(GAD7.values())],
        ("PHQ-9", PHQ9["minimal"], 5, ""),
        ("PHQ-9", PHQ9["moderate"], 3, ""),
        ("PHQ-9", PHQ9["severe"], 8, ""),
        ("GAD-7", GAD7["severe"], 0, "13700000201"),
        ("PHQ-9", PHQ9["crisis"], 2, ""),  # a crisis answer without a number: the crisis case alone
    ],
}


def _counsellor(hotline: Hotline) -> Any:
    members = HotlineMember.objects.filter(
        hotline=hotline, kind=MemberKind.COUNSELLOR, active=True, user__is_active=True
    ).select_related("user")
    users = [m.user for m in members.order_by("user__username")]
    return next((u for u in users if u.username == "demo-counsellor"), users[0] if users else None)


def _public(hotline: Hotline, now: Any) -> int:
    made = 0
    for scale, answers, days_ago, mobile in PUBLIC[hotline.name]:
        row = services.take(
            actor=SYSTEM,
            scale=scale,
            answers=answers,
            hotline=hotline,
            source=AssessmentSource.PUBLIC,
            mobile=mobile,
            consent=bool(mobile),
        )
        if days_ago and not mobile:
            taken = now - timedelta(days=days_ago, hours=(made * 5) % 12, minutes=(made * 17) % 60)
            Assessment.objects.filter(pk=row.pk).update(created_at=taken)
        made += 1
    return made


def _during_a_call(hotline: Hotline) -> int:
    counsellor = _counsellor(hotline)
    if counsellor is None:
        return 0
    call = Call.objects.filter(hotline=hotline, counsellor=counsellor).order_by("-started_at").first()
    services.take(
        actor=counsellor,
        scale="SAS",
        answers=[3, 3, 2, 2, 2, 2, 3, 3, 2, 3, 2, 1, 3, 2, 2, 1, 3, 2, 2, 3],  # raw 47 → 58, mild
        hotline=hotline,
        source=AssessmentSource.CALL,
        call=call,
    )
    return 1


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    """The demo hotlines' assessments, unless they have some."""
    now = timezone.now().replace(second=0, microsecond=0)
    made = 0
    for name in (CITY, LAIXI):
        hotline = Hotline.objects.filter(name=name).select_related("organisation").first()
        if hotline is None:
            out(_("Hotline assessments: the hotline “%(name)s” is missing; nothing made.") % {"name": name})
            continue
        if Assessment.objects.filter(hotline=hotline).exists():
            continue
        made += _public(hotline, now)
        if name == CITY:
            made += _during_a_call(hotline)
    if made:
        out(_("Hotline assessments: %(count)d taken.") % {"count": made})
