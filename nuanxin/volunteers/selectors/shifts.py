"""Shifts with their slot counts, today's shifts of a leader, a shift's places (masked)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from nuanxin.volunteers.choices import TAKEN
from nuanxin.volunteers.models import Checkin, Shift
from nuanxin.volunteers.services.teams import mask


def with_slots(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """``taken``: the places taken (signed up, checked in or out)."""
    return shifts.annotate(taken=Count("checkins", filter=Q(checkins__status__in=TAKEN)))


def slot_text(shift: Any) -> str:
    return f"{shift.taken}/{shift.needed}"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def today(user: Any, day: date | None = None) -> list[Shift]:
    """The shifts of ``day`` (today) that ``user`` may run (their teams'), by start."""
    start, end = day_bounds(day or timezone.localdate())
    return list(
        with_slots(Shift.objects.for_user(user, "change").filter(starts_at__lt=end, ends_at__gt=start))
        .select_related("task__team")
        .order_by("starts_at", "id")
    )


def places(shift: Shift) -> list[dict[str, Any]]:
    """A shift's places, each with the volunteer's masked mobile, by status then name."""
    rows = Checkin.objects.filter(shift=shift).select_related("volunteer").order_by("volunteer__name", "id")
    return [{"checkin": c, "volunteer": c.volunteer, "mobile": mask(c.volunteer.mobile)} for c in rows]


def open_shifts(task: Any, now: datetime | None = None) -> list[Shift]:
    """The shifts of ``task`` not yet started, with their slots (the sign-up page)."""
    now = now or timezone.now()
    return list(with_slots(task.shifts.filter(starts_at__gt=now)).order_by("starts_at", "id")[:60])
