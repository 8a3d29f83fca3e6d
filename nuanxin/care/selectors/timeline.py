"""A family's timeline: visits, difficulties and assignments in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q
from django.utils import timezone

from nuanxin.care import hooks, weeks
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Difficulty,
    DifficultyNote,
    Visit,
    VisitDuty,
)
from nuanxin.registry.models import Worker

# --- a family's timeline --------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: object  # a date or an aware datetime
    kind: str  # visit, duty, difficulty, note, assignment; another app's own kinds
    obj: object
    # An entry another app adds (``hooks.family_timeline``) names the template that draws it.
    template: str = ""


def _day(at) -> date:
    """An entry's day: an aware time (an app above may date its entries so) as the local date."""
    return timezone.localtime(at).date() if isinstance(at, datetime) else at


def family_timeline(user, worker: Worker, campaign: Campaign | None = None) -> list[TimelineEntry]:
    """Everything about a family's care, newest first: visits (with items), missed and
    excused weeks, difficulties and their notes, care-contact changes, and what the apps
    above add (``hooks.family_timeline``: a condolence payment). ``worker`` must come
    from ``Worker.objects.for_user(user)``; the parts are read through ``for_user`` too."""
    if not Worker.objects.for_user(user).filter(pk=worker.pk).exists():
        return []
    visits = Visit.objects.for_user(user).filter(worker=worker).prefetch_related("items").select_related("recorded_by")
    duties = VisitDuty.objects.for_user(user).filter(worker=worker, status__in=[DutyStatus.MISSED, DutyStatus.EXCUSED])
    diffs = Difficulty.objects.for_user(user).filter(worker=worker).select_related("owner", "worker__organisation")
    notes = (
        DifficultyNote.objects.for_user(user)
        .filter(difficulty__worker=worker)
        .exclude(kind="opened")
        .select_related("author", "difficulty__worker__organisation")
    )
    assignments = CareAssignment.objects.filter(worker=worker).select_related("contact")
    if campaign is not None:
        visits = visits.filter(Q(campaign=campaign) | Q(campaign__isnull=True))
        duties = duties.filter(campaign=campaign)
        assignments = assignments.filter(campaign=campaign)
    if not CareAssignment.policy.allows_in(user, "view", worker.organisation):  # others: their own only
        assignments = assignments.filter(contact=user)
    entries = [TimelineEntry(v.on, "visit", v) for v in visits]
    entries += [TimelineEntry(weeks.sunday(d.week), "duty", d) for d in duties]
    entries += [TimelineEntry(timezone.localtime(d.created_at).date(), "difficulty", d) for d in diffs]
    entries += [TimelineEntry(timezone.localtime(n.at).date(), "note", n) for n in notes]
    entries += [TimelineEntry(timezone.localtime(a.started_at).date(), "assignment", a) for a in assignments]
    for added in hooks.family_timeline.fire(user=user, worker=worker):
        entries += added or []
    order = {"visit": 0, "difficulty": 1, "note": 2, "duty": 3, "assignment": 4}
    entries.sort(key=lambda e: (_day(e.at), -order.get(e.kind, 5)), reverse=True)
    return entries


