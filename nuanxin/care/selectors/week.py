"""A care contact's week: their families and duties."""

from __future__ import annotations

from datetime import date

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Subquery,
    Value,
    When,
)

from nuanxin.care import weeks
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Visit,
    VisitDuty,
)
from nuanxin.registry.models import FamilyMember, Worker

# --- a care contact's week ------------------------------------------------------------------


def _primary_family():
    return Prefetch(
        "worker__family",
        queryset=FamilyMember.objects.filter(is_primary=True).order_by("id"),
        to_attr="primary_family",
    )


def _last_visit_on():
    return Subquery(Visit.objects.filter(worker=OuterRef("worker_id")).order_by("-on", "-id").values("on")[:1])


def my_week(user, week: date | None = None, campaign: Campaign | None = None):
    """The duties of ``week`` (default this week) of the families assigned to ``user`` now:
    due first, then missed, excused and done, by name. Each row has ``worker`` (with
    ``organisation``), ``worker.primary_family`` (a list of at most one FamilyMember),
    ``visit`` (the visit that fulfilled it) and ``last_visit_on`` (the family's latest visit
    date, any week). A few queries, whatever the number of families."""
    week = weeks.monday(week) if week else weeks.current_week()
    assigned = CareAssignment.objects.current().filter(contact=user, worker=OuterRef("worker_id"))
    assigned = assigned.filter(campaign=OuterRef("campaign_id"))
    qs = (
        VisitDuty.objects.for_user(user)
        .filter(week=week)
        .filter(Exists(assigned))
        .select_related("worker__organisation", "visit", "campaign")
        .prefetch_related(_primary_family())
        .annotate(
            last_visit_on=_last_visit_on(),
            status_order=Case(
                When(status=DutyStatus.DUE, then=Value(0)),
                When(status=DutyStatus.MISSED, then=Value(1)),
                When(status=DutyStatus.EXCUSED, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            ),
        )
        .order_by("status_order", "worker__name_pinyin", "worker_id")
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def my_families(user, campaign: Campaign | None = None):
    """The workers whose families are assigned to ``user`` now, with ``primary_family``
    prefetched and ``last_visit_on`` annotated, by name."""
    assignments = CareAssignment.objects.current().filter(contact=user)
    if campaign is not None:
        assignments = assignments.filter(campaign=campaign)
    return (
        Worker.objects.for_user(user)
        .filter(pk__in=assignments.values("worker_id"))
        .select_related("organisation")
        .prefetch_related(
            Prefetch("family", queryset=FamilyMember.objects.filter(is_primary=True), to_attr="primary_family")
        )
        .annotate(
            last_visit_on=Subquery(Visit.objects.filter(worker=OuterRef("pk")).order_by("-on", "-id").values("on")[:1])
        )
        .order_by("name_pinyin", "pk")
    )


