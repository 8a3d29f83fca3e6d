"""The weekly visit duties: opened each week, missed, excused, recomputed after a change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.care import weeks
from nuanxin.care.choices import (
    DutyStatus,
)
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Visit,
    VisitDuty,
)
from nuanxin.cases.services import user_of as _user
from nuanxin.core import audit, plaintext
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import WorkerStatus
from nuanxin.registry.models import Worker

BULK_BATCH = 5000

# --- weekly duties --------------------------------------------------------------------------


def _assignment_overlaps(campaign: Campaign, week: date):
    """An assignment of the family in ``campaign`` that was in force during ``week``."""
    return CareAssignment.objects.filter(
        campaign=campaign,
        worker=OuterRef("pk"),
        started_at__lt=weeks.end_of(weeks.sunday(week)),
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=weeks.start_of(week)))


def _eligible(campaign: Campaign, week: date, worker_ids: Iterable[int] | None = None):
    """Workers owing a visit in ``week``: a team due that week by the campaign's cadence,
    still in the register, and a care contact assigned at some time in the week."""
    teams = campaign.teams_due(week)
    if not teams:
        return Worker.objects.none()
    qs = Worker.objects.filter(team__in=teams).exclude(status=WorkerStatus.ARCHIVED)
    if worker_ids is not None:
        qs = qs.filter(pk__in=list(worker_ids))
    return qs.filter(Exists(_assignment_overlaps(campaign, week)))


def _open_week(campaign: Campaign, week: date, worker_ids: Iterable[int] | None = None) -> int:
    """Insert the missing duties of ``week`` (a unique constraint makes it idempotent).
    Returns how many were added."""
    rows = _eligible(campaign, week, worker_ids).values_list("pk", "organisation_id").order_by()
    existing = VisitDuty.objects.filter(campaign=campaign, week=week)
    if worker_ids is not None:
        existing = existing.filter(worker_id__in=list(worker_ids))
    before = existing.count()
    now = timezone.now()
    batch: list[VisitDuty] = []
    for worker_id, organisation_id in rows.iterator(chunk_size=BULK_BATCH):
        batch.append(
            VisitDuty(
                campaign_id=campaign.pk,
                worker_id=worker_id,
                organisation_id=organisation_id,
                week=week,
                created_at=now,
            )
        )
        if len(batch) >= BULK_BATCH:
            VisitDuty.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        VisitDuty.objects.bulk_create(batch, ignore_conflicts=True)
    return existing.count() - before


def _mark_missed(today: date) -> int:
    """Every duty of a week that has ended and is still due becomes missed: one UPDATE."""
    return VisitDuty.objects.filter(status=DutyStatus.DUE, week__lt=weeks.current_week(today)).update(
        status=DutyStatus.MISSED, missed_at=timezone.now()
    )


@transaction.atomic
def open_duties(*, actor=SYSTEM, today: date | None = None, rebuild: bool = False) -> dict:
    """The weekly turn, idempotent and catching up after downtime: open the duties of every
    week up to the current one that is not yet open (all weeks since the start with
    ``rebuild``), then mark every past week's undone duty missed."""
    today = today or timezone.localdate()
    this_week = weeks.current_week(today)
    opened: dict[str, int] = {}
    for campaign in Campaign.objects.select_for_update().filter(starts_on__lte=weeks.sunday(this_week)).order_by("pk"):
        target = this_week if campaign.last_week is None else min(this_week, campaign.last_week)
        first = campaign.start_week
        if not rebuild and campaign.duties_opened_through is not None:
            first = campaign.duties_opened_through + weeks.WEEK
        for week in weeks.weeks_between(first, target) if first <= target else []:
            added = _open_week(campaign, week)
            if added:
                opened[f"{campaign.pk}:{weeks.label(week)}"] = added
        if campaign.duties_opened_through != target and target >= campaign.start_week:
            campaign.duties_opened_through = target
            campaign.save(update_fields=["duties_opened_through"])
    missed = _mark_missed(today)
    result = {"opened": sum(opened.values()), "missed": missed, "weeks": opened}
    if result["opened"] or missed:
        audit.record(actor, "care.duties.turn", object_type="care.visitduty", detail=result)
    return result


def _open_current_week_for(campaign: Campaign, worker_ids: list[int]) -> int:
    """Duties of the current week for newly assigned families (earlier weeks are not owed)."""
    week = weeks.current_week()
    if not worker_ids or not campaign.covers_week(week):
        return 0
    return _open_week(campaign, week, worker_ids)


@transaction.atomic
def excuse_duty(*, actor, duty: VisitDuty, reason: str) -> VisitDuty:
    """Excuse a family's visit of one week, e.g. the family asked not to be visited."""
    duty = VisitDuty.objects.select_for_update().select_related("worker__organisation").get(pk=duty.pk)
    # the family's visits: the visit policy over the family (its admins, its care contact)
    Visit.policy.require(actor, "change", Visit(worker=duty.worker), _("You may not change this family's visits."))
    reason = plaintext.notes(reason, field="reason", label=_("Reason"))
    if not reason:
        raise ServiceError(_("Give the reason for the excuse."), field="reason")
    if len(reason) > 200:
        raise ServiceError(_("The reason must be at most 200 characters."), field="reason")
    if duty.status == DutyStatus.DONE:
        raise Conflict(_("This week's visit has already been made."))
    before = duty.status
    duty.status = DutyStatus.EXCUSED
    duty.excuse_reason = reason
    duty.excused_at = timezone.now()
    duty.excused_by = _user(actor)
    duty.save(update_fields=["status", "excuse_reason", "excused_at", "excused_by"])
    audit.record(
        actor,
        "duty.excuse",
        obj=duty,
        organisation=duty.organisation,
        detail={
            "worker": duty.worker_id,
            "week": weeks.label(duty.week),
            "before": before,
            "reason": audit.text_marker(reason),
        },
    )
    return duty


def _recompute_duties(worker_id: int, week_list: Iterable[date]) -> None:
    """Make the duties of these weeks agree with the visits: a week with a visit is done by
    its first visit; a week whose visit went away is due again, or missed if it has ended."""
    now = timezone.now()
    this_week = weeks.current_week()
    for week in sorted(set(week_list)):
        visit = (
            Visit.objects.filter(worker_id=worker_id, on__gte=week, on__lte=weeks.sunday(week))
            .order_by("on", "id")
            .first()
        )
        for duty in VisitDuty.objects.select_for_update().filter(worker_id=worker_id, week=week):
            if visit is not None:
                if duty.status != DutyStatus.DONE or duty.visit_id != visit.pk:
                    duty.done_at = duty.done_at if duty.status == DutyStatus.DONE else now
                    duty.status = DutyStatus.DONE
                    duty.visit = visit
                    duty.save(update_fields=["status", "visit", "done_at"])
            elif duty.status == DutyStatus.DONE:
                duty.visit = None
                duty.done_at = None
                if duty.excused_at is not None:
                    duty.status = DutyStatus.EXCUSED
                elif week < this_week:
                    duty.status = DutyStatus.MISSED
                    duty.missed_at = duty.missed_at or now
                else:
                    duty.status = DutyStatus.DUE
                duty.save(update_fields=["status", "visit", "done_at", "missed_at"])
