"""Reads of the duty rota: who is on duty now, the seats of each shift (for the hotline page and
the figures), a hotline's week, a counsellor's own duties and the hours per counsellor.

Times are aware datetimes; a day or a week is a local (Asia/Shanghai) calendar day, its start
local midnight. The rota is not a psychological record: its reads are not audited.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from nuanxin.accounts.models import User
from nuanxin.hotline.choices import MemberKind, SwapStatus
from nuanxin.hotline.models import Hotline, HotlineMember, Shift, ShiftAssignment, SwapRequest

# Who may hold a duty: the hotline's counsellors and supervisors (not its coordinators).
DUTY_KINDS = (MemberKind.COUNSELLOR, MemberKind.SUPERVISOR)


def local_midnight(day: date) -> datetime:
    """The aware start of the local calendar day ``day``."""
    return timezone.make_aware(datetime.combine(day, time(0, 0)))


def _moment(value: date | datetime) -> datetime:
    """A bound of a period: a datetime as it is (made aware in local time if naive), a date as
    its local midnight."""
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return local_midnight(value)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# --- what other areas read ----------------------------------------------------------------------


def on_duty(hotline: Hotline, at: datetime | None = None) -> list[User]:
    """The people on duty on ``hotline`` at ``at`` (now by default): assigned to a shift that
    has started and not ended (a shift ending at ``at`` is over), active accounts only, by
    name. Someone assigned to two overlapping shifts is listed once."""
    at = at or timezone.now()
    ids = ShiftAssignment.objects.filter(
        shift__hotline_id=hotline.pk, shift__starts_at__lte=at, shift__ends_at__gt=at
    ).values("counsellor_id")
    users = User.objects.filter(pk__in=ids, is_active=True)
    return sorted(users, key=lambda u: (u.full_name or u.username, u.pk))


def seats_by_shift(hotline_ids: Iterable[int], start: date | datetime, end: date | datetime) -> list[dict[str, Any]]:
    """Each shift of ``hotline_ids`` starting in ``[start, end)`` (a date is its local
    midnight), by start: ``{shift_id, hotline_id, starts_at, min_seats, filled}``, ``filled``
    the number of people assigned. One query."""
    rows = (
        Shift.objects.filter(
            hotline_id__in=list(hotline_ids), starts_at__gte=_moment(start), starts_at__lt=_moment(end)
        )
        .annotate(filled=Count("assignments"))
        .order_by("starts_at", "hotline_id", "pk")
        .values_list("pk", "hotline_id", "starts_at", "min_seats", "filled")
    )
    return [
        {"shift_id": pk, "hotline_id": hotline_id, "starts_at": starts_at, "min_seats": min_seats, "filled": filled}
        for pk, hotline_id, starts_at, min_seats, filled in rows
    ]


# --- the rota's pages ---------------------------------------------------------------------------


def with_duties(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """``shifts`` with their assignments and the people in them (``shift.duties``, by name)."""
    return shifts.prefetch_related(
        Prefetch(
            "assignments",
            queryset=ShiftAssignment.objects.select_related("counsellor").order_by(
                "counsellor__full_name", "counsellor__username", "pk"
            ),
            to_attr="duties",
        )
    )


@dataclass
class Day:
    day: date
    shifts: list[Shift] = field(default_factory=list)

    @property
    def short(self) -> int:
        """How many of the day's shifts have fewer people than their minimum seats."""
        return sum(1 for s in self.shifts if getattr(s, "short", 0) > 0)


def week(hotline: Hotline, monday: date) -> list[Day]:
    """The seven days of the week starting ``monday``, each with the hotline's shifts starting
    that day (local), their people (``shift.duties``) and ``shift.short`` (seats missing)."""
    start = local_midnight(monday)
    shifts = with_duties(
        Shift.objects.filter(hotline=hotline, starts_at__gte=start, starts_at__lt=local_midnight(monday + timedelta(7)))
    ).order_by("starts_at", "pk")
    days = [Day(monday + timedelta(days=i)) for i in range(7)]
    for shift in shifts:
        shift.short = max(0, shift.min_seats - len(shift.duties))  # type: ignore[attr-defined]
        days[(timezone.localtime(shift.starts_at).date() - monday).days].shifts.append(shift)
    return days


def duty_candidates(hotline: Hotline) -> list[User]:
    """The active counsellors and supervisors of ``hotline`` (active accounts), by name: the
    people a shift can be given to."""
    members = HotlineMember.objects.filter(hotline=hotline, kind__in=DUTY_KINDS, active=True).values("user_id")
    users = User.objects.filter(pk__in=members, is_active=True)
    return sorted(users, key=lambda u: (u.full_name or u.username, u.pk))


def my_duties(user: Any, *, since: datetime | None = None) -> QuerySet[ShiftAssignment]:
    """``user``'s duties on shifts not yet ended (or ending after ``since``), by start, on the
    hotlines they still serve or supervise."""
    since = since or timezone.now()
    hotlines = HotlineMember.objects.filter(user_id=user.pk, kind__in=DUTY_KINDS, active=True).values("hotline_id")
    return (
        ShiftAssignment.objects.filter(counsellor_id=user.pk, shift__ends_at__gt=since, shift__hotline_id__in=hotlines)
        .select_related("shift__hotline")
        .order_by("shift__starts_at", "pk")
    )


def pending_swaps(user: Any) -> QuerySet[SwapRequest]:
    """The pending swap requests ``user`` asked for or is asked to take over, newest first."""
    from django.db.models import Q

    return (
        SwapRequest.objects.filter(Q(requested_by_id=user.pk) | Q(taker_id=user.pk), status=SwapStatus.PENDING)
        .select_related("assignment__shift__hotline", "offered__shift", "requested_by", "taker")
        .order_by("-created_at", "-pk")
    )


def swaps_to_decide(user: Any) -> QuerySet[SwapRequest]:
    """The pending swap requests of the hotlines ``user`` plans (``Shift.policy`` "plan"),
    oldest first."""
    return (
        SwapRequest.objects.for_user(user, "plan")
        .filter(status=SwapStatus.PENDING)
        .select_related(
            "assignment__shift__hotline", "assignment__counsellor", "offered__shift", "requested_by", "taker"
        )
        .order_by("created_at", "pk")
    )


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The local start of ``month``'s first day and of the next month's."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return local_midnight(first), local_midnight(following)


def hours_by_counsellor(hotline: Hotline, month: date) -> list[dict[str, Any]]:
    """Hours on duty per person on ``hotline`` in ``month`` (local): each duty counts the part
    of its shift inside the month (a night shift from 31 January to 1 February counts in both).
    ``[{user, name, shifts, hours}]`` by hours, most first, then by name."""
    start, end = month_bounds(month)
    rows = (
        ShiftAssignment.objects.filter(shift__hotline=hotline, shift__starts_at__lt=end, shift__ends_at__gt=start)
        .select_related("counsellor")
        .values_list("counsellor_id", "shift__starts_at", "shift__ends_at")
    )
    seconds: dict[int, float] = {}
    shifts: dict[int, int] = {}
    for user_id, starts_at, ends_at in rows:
        inside = (min(ends_at, end) - max(starts_at, start)).total_seconds()
        seconds[user_id] = seconds.get(user_id, 0.0) + inside
        shifts[user_id] = shifts.get(user_id, 0) + 1
    users = {u.pk: u for u in User.objects.filter(pk__in=list(seconds))}
    result = [
        {
            "user": users[pk],
            "name": users[pk].full_name or users[pk].username,
            "shifts": shifts[pk],
            "hours": round(seconds[pk] / 3600, 1),
        }
        for pk in seconds
    ]
    return sorted(result, key=lambda r: (-r["hours"], r["name"], r["user"].pk))
