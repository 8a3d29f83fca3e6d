"""The hotline demo: the duty rota.

- 青岛市总工会心理健康服务基地 (round the clock): three 8-hour shifts, 早班 08:00, 中班 16:00
  and 夜班 00:00, every day, two seats each (the hotline's minimum).
- 莱西市职工心理服务中心 (open 08:00–22:00): two 7-hour shifts, 上午班 08:00 and 下午班 15:00,
  the same hours as the hotline.

Shifts are generated for this week (from now on: shifts already over are not made) and next
week, and given to the hotlines' counsellors and supervisors in turn (read from the database),
so that someone is on duty now. Left short on purpose: next Wednesday's 中班 of the city base
and next Thursday's 下午班 of 莱西 have one person of two (the gap the coordinator sees on the
rota), and the city base's 夜班 the day after tomorrow has one too (within the three days
the gap job notifies: 韩协调 gets a notification). ``demo-counsellor`` (刘心理) asks to hand next
Friday's duty to a colleague free then (a swap request waiting for the coordinator).

Everything goes through ``services.rota`` as the system. Idempotent: a hotline that has shift
patterns is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.models import Hotline, HotlineMember, Shift, ShiftAssignment, ShiftPattern
from nuanxin.hotline.services import rota as services

CITY = "青岛市总工会心理健康服务基地"
LAIXI = "莱西市职工心理服务中心"

# (hotline, [(name, start, hours)])
PATTERNS: list[tuple[str, list[tuple[str, time, int]]]] = [
    (CITY, [("早班", time(8, 0), 8), ("中班", time(16, 0), 8), ("夜班", time(0, 0), 8)]),
    (LAIXI, [("上午班", time(8, 0), 7), ("下午班", time(15, 0), 7)]),
]
# (hotline, pattern, days after next Monday (None: the day after tomorrow)) left one person short
GAPS: list[tuple[str, str, int | None]] = [(CITY, "中班", 2), (LAIXI, "下午班", 3), (CITY, "夜班", None)]


def _people(hotline: Hotline) -> list:
    """The hotline's active counsellors and supervisors, counsellors first, by username."""
    members = (
        HotlineMember.objects.filter(
            hotline=hotline, kind__in=(MemberKind.COUNSELLOR, MemberKind.SUPERVISOR), active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("kind", "user__username")  # "counsellor" before "supervisor"
    )
    seen: dict = {}
    for member in members:
        seen.setdefault(member.user_id, member.user)
    return list(seen.values())


def _short(shift: Shift, this_monday: date, today: date) -> bool:
    local = timezone.localtime(shift.starts_at).date()
    name = shift.pattern.name if shift.pattern else ""
    for hotline_name, pattern, offset in GAPS:
        if shift.hotline.name != hotline_name or name != pattern:
            continue
        day = today + timedelta(days=2) if offset is None else this_monday + timedelta(days=7 + offset)
        if local == day:
            return True
    return False


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    """Patterns, two weeks of shifts with their duties, the gaps and a swap request."""
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    made = 0
    for name, patterns in PATTERNS:
        hotline = Hotline.objects.filter(name=name).select_related("organisation").first()
        if hotline is None or ShiftPattern.objects.filter(hotline=hotline).exists():
            continue
        for pattern_name, starts_at, hours in patterns:
            services.create_pattern(actor=SYSTEM, hotline=hotline, name=pattern_name, starts_at=starts_at, hours=hours)
        shifts = services.generate_shifts(actor=SYSTEM, hotline=hotline, start=this_monday, weeks=2)
        people = _people(hotline)
        if not people:
            continue
        turn = 0
        for shift in shifts:
            shift.hotline = hotline
            seats = shift.min_seats - 1 if _short(shift, this_monday, today) else shift.min_seats
            for _seat in range(seats):
                for _try in range(len(people)):
                    person = people[turn % len(people)]
                    turn += 1
                    if not ShiftAssignment.objects.filter(
                        counsellor=person, shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at
                    ).exists():
                        services.assign(actor=SYSTEM, shift=shift, counsellor=person)
                        break
        made += 1
        _swap(hotline, this_monday)
    if made:
        services.notify_gaps(actor=SYSTEM)
    out(
        _("rota: %(shifts)s shifts, %(short)s short of seats (%(new)s hotlines planned now)")
        % {
            "shifts": Shift.objects.count(),
            "short": sum(
                1 for s in Shift.objects.filter(starts_at__gte=timezone.now()).prefetch_related("assignments")
                if s.assignments.count() < s.min_seats
            ),
            "new": made,
        }
    )


def _swap(hotline: Hotline, this_monday: date) -> None:
    """demo-counsellor asks to hand next Friday's duty to the first colleague free then (where
    demo-counsellor serves the hotline)."""
    from nuanxin.accounts.models import User

    asker = User.objects.filter(username="demo-counsellor").first()
    if asker is None:
        return
    friday = timezone.make_aware(datetime.combine(this_monday + timedelta(days=11), time(0, 0)))
    duty = (
        ShiftAssignment.objects.filter(
            counsellor=asker, shift__hotline=hotline, shift__starts_at__gte=friday,
            shift__starts_at__lt=friday + timedelta(days=1),
        )
        .select_related("shift__hotline")
        .first()
    )
    if duty is None:
        return
    for taker in _people(hotline):
        busy = ShiftAssignment.objects.filter(
            counsellor=taker, shift__starts_at__lt=duty.shift.ends_at, shift__ends_at__gt=duty.shift.starts_at
        ).exists()
        if taker != asker and not busy:
            services.request_swap(actor=asker, assignment=duty, taker=taker, note="家中有事")
            return
