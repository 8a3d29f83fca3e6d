"""Duties on a past day (the API's ``as_of``)."""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    CharField,
    F,
    Max,
    Q,
    Value,
    When,
)

from nuanxin.care import weeks
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import (
    Campaign,
    VisitDuty,
)
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker

# --- duties on a past day (the API's as_of) -------------------------------------------------


def with_status_as_of(qs, day: date):
    """Annotate ``status_as_of``: the duty's status as it stood at the end of ``day``, from
    the timestamps of each state (a duty marked missed on Monday was due on the Sunday
    before; one whose visit was logged late was missed until then). Duties of weeks that
    had not begun by ``day`` are left out."""
    t = weeks.end_of(day)
    done = (
        Q(done_at__lt=t)
        & (Q(excused_at__isnull=True) | Q(excused_at__gte=t) | Q(excused_at__lte=F("done_at")))
        & (Q(missed_at__isnull=True) | Q(missed_at__gte=t) | Q(missed_at__lte=F("done_at")))
    )
    excused = (
        Q(excused_at__lt=t)
        & (Q(missed_at__isnull=True) | Q(missed_at__gte=t) | Q(missed_at__lte=F("excused_at")))
        & (Q(done_at__isnull=True) | Q(done_at__gte=t) | Q(done_at__lte=F("excused_at")))
    )
    return qs.filter(week__lte=day).annotate(
        status_as_of=Case(
            When(done, then=Value(DutyStatus.DONE.value)),
            When(excused, then=Value(DutyStatus.EXCUSED.value)),
            When(missed_at__lt=t, then=Value(DutyStatus.MISSED.value)),
            default=Value(DutyStatus.DUE.value),
            output_field=CharField(),
        )
    )


def duties(
    user,
    *,
    org: Organisation | None = None,
    week: date | None = None,
    status: str | None = None,
    as_of: date | None = None,
    campaign: Campaign | None = None,
    worker: Worker | None = None,
):
    """Duties in the user's scope, filtered; with ``as_of`` the status is the one on that
    day (annotated ``status_as_of`` and filtered on it). Ordered by week, unit, name."""
    qs = VisitDuty.objects.for_user(user).select_related("worker", "organisation", "campaign")
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    if week is not None:
        qs = qs.filter(week=weeks.monday(week))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if worker is not None:
        qs = qs.filter(worker=worker)
    if as_of is not None:
        qs = with_status_as_of(qs, as_of)
        if status:
            qs = qs.filter(status_as_of=status)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-week", "organisation__path", "worker__name_pinyin", "pk")


def latest_week_with_duties(campaign: Campaign) -> date | None:
    return VisitDuty.objects.filter(campaign=campaign).aggregate(m=Max("week"))["m"]
