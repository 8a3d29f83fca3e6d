"""Authorization cases of the hotline: rota.

The rota lives on the city base's hotline (the medical union): its coordinator plans it (and
甲, the city administrator); its counsellors and supervisor see it, hold duties and ask for
swaps. 乙 and 丙 (district administrators) and 市北区's counsellor (``stranger``) are outside:
404 and nothing changed. A counsellor's own duty, swap request and calendar are theirs alone:
a colleague of the same hotline gets the same 404. The calendar feed
(``hotline:calendar_ics``) is public URL-wise: its secret token is the credential.
"""

from datetime import time, timedelta

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Hotline, Shift, ShiftAssignment, ShiftPattern, SwapRequest
from nuanxin.hotline.services import rota
from nuanxin.hotline.tests.authz_fixtures import hotlines
from tests.authz import Case, standard_cases


def cases(p) -> list[Case]:
    h = hotlines(p)
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())  # next week: nothing is over yet
    morning = rota.create_pattern(actor=SYSTEM, hotline=h.city, name="授权早班", starts_at=time(8), hours=8)
    to_edit = rota.create_pattern(
        actor=SYSTEM, hotline=h.city, name="授权改", starts_at=time(16), hours=2, weekdays="0", allow_overlap=True
    )
    to_delete = rota.create_pattern(
        actor=SYSTEM, hotline=h.city, name="授权删", starts_at=time(18), hours=2, weekdays="0", allow_overlap=True
    )
    rota.generate_shifts(actor=SYSTEM, hotline=h.city, start=monday, weeks=1)

    def shift(days: int) -> Shift:
        return Shift.objects.get(hotline=h.city, pattern=morning, starts_at__date=monday + timedelta(days=days))

    shown, to_assign, to_unassign, to_remove = shift(0), shift(1), shift(2), shift(3)
    rota.assign(actor=SYSTEM, shift=shown, counsellor=h.counsellor)
    off = rota.assign(actor=SYSTEM, shift=to_unassign, counsellor=h.colleague)
    to_swap = rota.assign(actor=SYSTEM, shift=shift(4), counsellor=h.counsellor)
    asked = rota.assign(actor=SYSTEM, shift=shift(5), counsellor=h.counsellor)
    decided = rota.assign(actor=SYSTEM, shift=shift(6), counsellor=h.counsellor)
    to_withdraw = rota.request_swap(actor=h.counsellor, assignment=asked, taker=h.colleague)
    to_decide = rota.request_swap(actor=h.counsellor, assignment=decided, taker=h.supervisor)

    city = {"kwargs": {"pk": h.city.pk}, "other_org": (p.yi, p.bing)}
    planner = {"allowed": h.coordinator, "denied": p.counsellor}
    own = {"allowed": h.counsellor, "other_org": (h.stranger, h.colleague)}  # not theirs: 404
    later = monday + timedelta(days=28)
    return [
        *standard_cases(p, "hotline:rota", model=Shift, action="plan", allowed=h.coordinator),
        *standard_cases(p, "hotline:rota_week", model=Hotline, action="view", obj=h.city, allowed=h.counsellor),
        *standard_cases(p, "hotline:rota_hours", model=Hotline, action="view", obj=h.city, allowed=h.supervisor),
        Case("hotline:rota_generate", **planner, **city),
        Case("hotline:rota_generate", method="post", data={"start": later.isoformat(), "weeks": "1"},
             **planner, **city),
        Case("hotline:rota_patterns", **planner, **city),
        Case(
            "hotline:rota_patterns", method="post",
            data={"name": "授权新班", "starts_at": "06:00", "hours": "1", "weekdays": ["0"], "allow_overlap": "on"},
            **planner, **city,
        ),
        *standard_cases(
            p, "hotline:pattern_edit", model=ShiftPattern, action="plan", obj=to_edit, allowed=h.coordinator,
            data={"name": "授权已改", "starts_at": "16:00", "hours": "2", "weekdays": ["0"], "active": "on",
                  "allow_overlap": "on"},
        ),
        *standard_cases(
            p, "hotline:pattern_delete", model=ShiftPattern, action="plan", obj=to_delete, allowed=h.coordinator,
            method="post", data={},
        ),
        *standard_cases(p, "hotline:shift_detail", model=Shift, action="view", obj=shown, allowed=h.counsellor),
        *standard_cases(
            p, "hotline:shift_assign", model=Shift, action="plan", obj=to_assign, allowed=h.coordinator,
            method="post", data={"counsellor": h.colleague.pk},
        ),
        *standard_cases(
            p, "hotline:shift_unassign", model=Shift, action="plan", obj=to_unassign, allowed=h.coordinator,
            method="post", data={"duty": off.pk},
        ),
        *standard_cases(
            p, "hotline:shift_delete", model=Shift, action="plan", obj=to_remove, allowed=h.coordinator,
            method="post", data={},
        ),
        *standard_cases(p, "hotline:my_duties", model=Shift, action="swap", allowed=h.counsellor),
        *standard_cases(
            p, "hotline:swap_request", model=ShiftAssignment, action="swap", obj=to_swap,
            data={"taker": h.colleague.pk, "note": "授权"}, **own,
        ),
        *standard_cases(
            p, "hotline:swap_withdraw", model=SwapRequest, action="swap", obj=to_withdraw, method="post", data={},
            **own,
        ),
        *standard_cases(p, "hotline:swap_list", model=Shift, action="plan", allowed=h.coordinator),
        *standard_cases(
            p, "hotline:swap_decide", model=SwapRequest, action="plan", obj=to_decide, allowed=h.coordinator,
            method="post", data={"decision": "reject"},
        ),
        *standard_cases(p, "hotline:calendar", model=Shift, action="swap", allowed=h.counsellor),
        *standard_cases(
            p, "hotline:calendar_new", model=Shift, action="swap", allowed=h.counsellor, method="post", data={}
        ),
        *standard_cases(
            p, "hotline:calendar_revoke", model=Shift, action="swap", allowed=h.counsellor, method="post", data={},
            before_allowed=lambda: rota.create_feed(actor=h.counsellor),
        ),
        Case(
            "GET /api/v1/hotline/shifts", allowed=h.counsellor, query=f"hotline={h.city.pk}", denied=p.care,
            other_org=(p.bing, p.viewer, h.stranger),
        ),
        Case("GET /api/v1/hotline/shifts", allowed=p.auditor, denied=p.care),
    ]
