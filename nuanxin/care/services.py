"""Writes of the care work. Every function takes a keyword-only ``actor`` (a user, or
``None`` for the system: the ``nuanxin care`` command, the periodic jobs) and writes its
audit row in the same transaction.

Who may do what:
- campaigns (create, cadence, declared end): city admins;
- assignments: admins (city, org) covering the worker's unit; the contact must hold the
  care-contact role covering that unit;
- visits, excuses, difficulties: admins covering the worker, or the family's current care
  contact; closing a difficulty and choosing its owner: admins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from nuanxin.care import selectors, weeks
from nuanxin.care.choices import (
    DIFFICULTY_ACTIVE,
    DIFFICULTY_TRANSITIONS,
    DUE_DAYS,
    Cadence,
    DifficultyCategory,
    DifficultyNoteKind,
    DifficultySource,
    DifficultyStatus,
    DutyStatus,
    Urgency,
    VisitMode,
)
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Difficulty,
    DifficultyNote,
    UnassignedFamily,
    Visit,
    VisitDuty,
    VisitItem,
)
from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.orgs import scope
from nuanxin.orgs.choices import Role
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, TeamType, WorkerStatus
from nuanxin.registry.models import Worker

logger = logging.getLogger("nuanxin.care")

BULK_BATCH = 5000

# --- who may do what ----------------------------------------------------------------------


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def is_city_admin(actor) -> bool:
    return actor is None or scope.covers_root(actor, {Role.CITY_ADMIN})


def may_manage_worker(actor, worker: Worker) -> bool:
    """Admins whose grants cover the worker's unit (the system always)."""
    return actor is None or scope.covers(actor, REGISTER_CHANGE_ROLES, worker.organisation)


def is_current_contact(user, worker: Worker, campaign: Campaign | None = None) -> bool:
    qs = CareAssignment.objects.current().filter(worker=worker, contact=user)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.exists()


def may_care_for(actor, worker: Worker) -> bool:
    """Admins covering the worker, or the care contact the family is assigned to now."""
    if may_manage_worker(actor, worker):
        return True
    return scope.covers(actor, {Role.CARE_CONTACT}, worker.organisation) and is_current_contact(actor, worker)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _require_city_admin(actor) -> None:
    _require(is_city_admin(actor), _("Only a city administrator may do this."))


# --- campaigns ------------------------------------------------------------------------------


def _clean_cadence(cadence: dict | None) -> dict:
    cleaned = {}
    for team, value in (cadence or {}).items():
        if team not in TeamType.values:
            raise ServiceError(_("Unknown frontline team “%(team)s”.") % {"team": team}, field="cadence")
        if value not in Cadence.values:
            raise ServiceError(_("Unknown visit cadence “%(value)s”.") % {"value": value}, field="cadence")
        cleaned[team] = value
    return cleaned


# The days a campaign may start or be declared over on: none began before 2000, and a year
# ahead is planning enough (year 1 or 9999 is a typing mistake, and a start in year 1 would
# make the weekly turn open duties for two thousand years of weeks).
CAMPAIGN_FIRST_DAY = date(2000, 1, 1)
CAMPAIGN_HORIZON = timedelta(days=366)


def _check_campaign_day(day: date, *, field: str, earliest: date = CAMPAIGN_FIRST_DAY) -> None:
    last = timezone.localdate() + CAMPAIGN_HORIZON
    if not earliest <= day <= last:
        raise ServiceError(
            _("Enter a date from %(first)s to %(last)s.") % {"first": earliest.isoformat(), "last": last.isoformat()},
            field=field,
        )


@transaction.atomic
def create_campaign(*, actor, name: str, starts_on: date, cadence: dict | None = None) -> Campaign:
    """Start a care action. Families of aid teams are visited weekly unless ``cadence`` says
    otherwise; other frontline teams only when their cadence is set."""
    _require_city_admin(actor)
    name = plaintext.line(name, field="name", label=_("Name"))
    if not name or len(name) > 200:
        raise ServiceError(_("The name must be 1–200 characters."), field="name")
    if not isinstance(starts_on, date):
        raise ServiceError(_("Enter the start date."), field="starts_on")
    _check_campaign_day(starts_on, field="starts_on")
    campaign = Campaign.objects.create(name=name, starts_on=starts_on, cadence=_clean_cadence(cadence))
    sync_unassigned(campaigns=[campaign])
    audit.record(
        actor,
        "campaign.create",
        obj=campaign,
        detail={"name": name, "starts_on": starts_on.isoformat(), "cadence": campaign.cadence},
    )
    return campaign


@transaction.atomic
def set_cadence(*, actor, campaign: Campaign, cadence: dict, version: int | None = None) -> Campaign:
    """Change the visit cadence of some frontline teams. It applies from the current week on:
    this week's duties are added or withdrawn (done ones stay); past weeks are left as they were.
    ``version``: the version the edit started from (``Conflict`` if changed since)."""
    _require_city_admin(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    versioning.check_version(campaign, version)
    before = dict(campaign.cadence)
    campaign.cadence = {**before, **_clean_cadence(cadence)}
    campaign.save(update_fields=["cadence", versioning.bump(campaign)])
    week = weeks.current_week()
    withdrawn = 0
    if campaign.covers_week(week):
        teams = campaign.teams_due(week)
        withdrawn, _detail = (
            VisitDuty.objects.filter(campaign=campaign, week__gte=week, status__in=[DutyStatus.DUE, DutyStatus.EXCUSED])
            .exclude(worker__team__in=teams)
            .delete()
        )
        if campaign.duties_opened_through is not None and campaign.duties_opened_through >= week:
            _open_week(campaign, week)
    sync_unassigned(campaigns=[campaign])
    audit.record(
        actor,
        "campaign.cadence",
        obj=campaign,
        detail={"before": before, "after": campaign.cadence, "withdrawn_duties": withdrawn},
    )
    return campaign


@transaction.atomic
def declare_end(*, actor, campaign: Campaign, on: date | None, version: int | None = None) -> Campaign:
    """Declare the epidemic over on ``on``: the week of ``on`` is the last with duties, no
    duty opens from the next week on, and duties already opened after it that were not
    fulfilled by a visit are withdrawn. ``on=None`` withdraws a declaration made by mistake.
    ``version``: the version the form started from (``Conflict`` if changed since)."""
    _require_city_admin(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    versioning.check_version(campaign, version)
    if on is not None and on < campaign.starts_on:
        raise ServiceError(_("The end cannot be before the campaign's start."), field="on")
    if on is not None:
        _check_campaign_day(on, field="on", earliest=campaign.starts_on)
    before = campaign.declared_end_on
    campaign.declared_end_on = on
    withdrawn = 0
    fields = ["declared_end_on", versioning.bump(campaign)]
    if on is not None:
        last = weeks.monday(on)
        withdrawn, _detail = (
            VisitDuty.objects.filter(campaign=campaign, week__gt=last).exclude(status=DutyStatus.DONE).delete()
        )
        if campaign.duties_opened_through is not None and campaign.duties_opened_through > last:
            campaign.duties_opened_through = last
            fields.append("duties_opened_through")
    campaign.save(update_fields=fields)
    audit.record(
        actor,
        "campaign.declare_end",
        obj=campaign,
        detail={
            "before": before.isoformat() if before else None,
            "on": on.isoformat() if on else None,
            "withdrawn_duties": withdrawn,
        },
    )
    return campaign


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
def open_duties(*, actor=None, today: date | None = None, rebuild: bool = False) -> dict:
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
    _require(may_care_for(actor, duty.worker), _("You may not change this family's visits."))
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


# --- assignments ----------------------------------------------------------------------------


def may_be_contact(user, worker: Worker) -> bool:
    """Whether ``user`` can look after ``worker``'s family: an active account holding the
    care-contact role on the worker's unit or above."""
    return bool(user.is_active) and scope.covers(user, {Role.CARE_CONTACT}, worker.organisation)


def _check_campaign_open(campaign: Campaign) -> None:
    if campaign.declared_end_on is not None and campaign.declared_end_on < timezone.localdate():
        raise ServiceError(_("This campaign has ended."), field="campaign")


@transaction.atomic
def assign_contact(
    *, actor, campaign: Campaign, worker: Worker, contact, started_at: datetime | None = None
) -> CareAssignment:
    """Make ``contact`` the family's care contact in ``campaign``; a previous assignment ends
    (and stays as history). ``started_at`` lets the demo and imports date it back."""
    result = bulk_assign(actor=actor, campaign=campaign, workers=[worker], contact=contact, started_at=started_at)
    if result["assigned"]:
        return result["assigned"][0]
    return CareAssignment.objects.current().get(campaign=campaign, worker=worker)


@transaction.atomic
def bulk_assign(
    *, actor, campaign: Campaign, workers: Iterable[Worker], contact, started_at: datetime | None = None
) -> dict:
    """Assign many families to one care contact (or, with ``contact=None``, end their
    assignments). All or nothing: one family out of the actor's scope or out of the contact's
    refuses the whole request. The current week's duties of newly assigned families open at
    once; for assignments dated back (``started_at``, e.g. the demo) run
    ``open_duties(rebuild=True)`` to open the earlier weeks. Returns ``{"assigned": [new assignments], "ended": previous
    assignments ended, "unchanged": families already with this contact}``."""
    _check_campaign_open(campaign)
    worker_list = list(
        Worker.objects.filter(pk__in=[w.pk for w in workers]).select_related("organisation").order_by("pk")
    )
    if not worker_list:
        raise ServiceError(_("Choose at least one family."), field="workers")
    for worker in worker_list:
        _require(may_manage_worker(actor, worker), _("You may not assign care contacts to this family."))
        if contact is not None and not may_be_contact(contact, worker):
            raise ServiceError(
                _("%(contact)s is not a care contact for %(unit)s.")
                % {"contact": contact, "unit": worker.organisation},
                field="contact",
            )
    now = started_at or timezone.now()
    ids = [w.pk for w in worker_list]
    current = {
        a.worker_id: a
        for a in CareAssignment.objects.current()
        .select_for_update()
        .filter(campaign=campaign, worker_id__in=ids)
        .order_by("pk")
    }
    to_end = [a for a in current.values() if contact is None or a.contact_id != contact.pk]
    unchanged = len(current) - len(to_end)
    for a in to_end:
        a.ended_at = max(now, a.started_at)
    if to_end:
        bulk_update_with_history(to_end, CareAssignment, ["ended_at"], default_user=_user(actor))
    created: list[CareAssignment] = []
    if contact is not None:
        new = [
            CareAssignment(campaign=campaign, worker_id=w.pk, contact=contact, started_at=now, assigned_by=_user(actor))
            for w in worker_list
            if w.pk not in current or current[w.pk].contact_id != contact.pk
        ]
        if new:
            bulk_create_with_history(new, CareAssignment, default_user=_user(actor))
            created = list(
                CareAssignment.objects.current().filter(
                    campaign=campaign, worker_id__in=[a.worker_id for a in new], contact=contact
                )
            )
            _open_current_week_for(campaign, [a.worker_id for a in created])
    sync_unassigned(worker_ids=ids, campaigns=[campaign])
    by_id = {w.pk: w for w in worker_list}
    ended_ids = {a.worker_id: a.contact_id for a in to_end}
    for worker_id in sorted(set(ended_ids) | {a.worker_id for a in created}):
        worker = by_id[worker_id]
        audit.record(
            actor,
            "care.assign" if contact is not None else "care.unassign",
            obj=worker,
            organisation=worker.organisation,
            detail={
                "campaign": campaign.pk,
                "contact": contact.pk if contact is not None else None,
                "previous": ended_ids.get(worker_id),
            },
        )
    return {"assigned": created, "ended": len(to_end), "unchanged": unchanged}


@transaction.atomic
def unassign(*, actor, campaign: Campaign, worker: Worker) -> int:
    """End the family's current assignment in ``campaign`` (it becomes unassigned)."""
    return bulk_assign(actor=actor, campaign=campaign, workers=[worker], contact=None)["ended"]


@transaction.atomic
def follow_worker_move(*, actor, worker: Worker, previous_unit) -> dict:
    """A worker moved to another unit (``registry.services.update_worker``): the duties still
    open this week and later are owed by the new unit, and a care contact who may not look
    after families of the new unit stops being the family's contact, so the family shows in
    the new unit's unassigned list instead of falling between the two. Past weeks stay with
    the unit that owed them; the family's difficulties go to the new unit, without an owner
    who may not follow them up there. Returns ``{"duties": moved, "ended": assignments ended,
    "difficulties": moved, "owners_cleared": [difficulty ids]}``."""
    this_week = weeks.current_week()
    moved = (
        VisitDuty.objects.filter(worker=worker, week__gte=this_week, status__in=[DutyStatus.DUE, DutyStatus.EXCUSED])
        .exclude(organisation=worker.organisation)
        .update(organisation=worker.organisation)
    )
    # The family's difficulties are the new unit's to follow up (their unit column mirrors the
    # worker's; scoping always went through the worker). An owner who may not follow up the new
    # unit's families would be reminded of a difficulty they cannot open: it goes back to no
    # owner (the new unit's admins hear of it when overdue). Saved one by one (a family has a
    # few) so each change has its history row with the acting user.
    difficulties = 0
    owners_cleared = []
    for difficulty in Difficulty.objects.filter(worker=worker).select_related("owner").order_by("pk"):
        fields = []
        if difficulty.organisation_id != worker.organisation_id:
            difficulty.organisation = worker.organisation
            fields.append("organisation")
            difficulties += 1
        if (
            difficulty.status in DIFFICULTY_ACTIVE
            and difficulty.owner is not None
            and not may_own_difficulty(difficulty.owner, worker)
        ):
            difficulty.owner = None
            fields += ["owner", versioning.bump(difficulty)]
            owners_cleared.append(difficulty.pk)
        if fields:
            difficulty._history_user = _user(actor)
            difficulty.save(update_fields=fields)
    ended = 0
    for assignment in (
        CareAssignment.objects.current().filter(worker=worker).select_related("contact", "campaign").order_by("pk")
    ):
        campaign = assignment.campaign
        if may_be_contact(assignment.contact, worker) or (
            campaign.declared_end_on is not None and campaign.declared_end_on < timezone.localdate()
        ):
            continue  # still a contact of the new unit, or the history of a campaign that ended
        bulk_assign(actor=actor, campaign=campaign, workers=[worker], contact=None)
        ended += 1
    if moved or ended or difficulties or owners_cleared:
        audit.record(
            actor,
            "care.worker_moved",
            obj=worker,
            organisation=worker.organisation,
            detail={
                "from": previous_unit.code,
                "to": worker.organisation.code,
                "duties": moved,
                "ended": ended,
                "difficulties": difficulties,
                "owners_cleared": owners_cleared,
            },
        )
    return {"duties": moved, "ended": ended, "difficulties": difficulties, "owners_cleared": owners_cleared}


@transaction.atomic
def assign_from_hints(*, actor, campaign: Campaign, workers: Iterable[Worker]) -> dict:
    """Assign every unassigned family whose imported 工会联系人 name matches exactly one care
    contact covering its unit. Returns ``{"assigned": n, "ambiguous": [...], "unmatched": [...]}``."""
    suggestions = selectors.suggest_contacts(campaign, list(workers))
    assigned = 0
    ambiguous, unmatched = [], []
    by_contact: dict = {}
    for worker, candidates in suggestions:
        if len(candidates) == 1:
            by_contact.setdefault(candidates[0], []).append(worker)
        elif candidates:
            ambiguous.append(worker.pk)
        else:
            unmatched.append(worker.pk)
    for contact, group in sorted(by_contact.items(), key=lambda item: item[0].pk):
        assigned += len(bulk_assign(actor=actor, campaign=campaign, workers=group, contact=contact)["assigned"])
    return {"assigned": assigned, "ambiguous": ambiguous, "unmatched": unmatched}


@transaction.atomic
def release_contacts(*, actor, users: Iterable | None = None, within=None) -> int:
    """End the current assignments whose contact may no longer look after the family (account
    disabled, care-contact grant revoked, the unit moved out of the grant's subtree or out of
    the grant's group): the families show as unassigned, so that an admin gives them a new
    contact, instead of staying with someone who cannot see them. Limited to the assignments
    of ``users`` and/or of families in ``within``'s subtree. Called by the services that
    change grants, accounts, groups and the tree; each ended assignment is audited as
    ``care.unassign`` with ``reason: "contact_released"`` (history kept). Returns how many."""
    qs = CareAssignment.objects.current().select_for_update(of=("self",))
    if users is not None:
        qs = qs.filter(contact_id__in=[u.pk for u in users])
    if within is not None:
        qs = qs.filter(worker__organisation__path__startswith=within.path)
    current = list(qs.select_related("contact", "worker__organisation").order_by("pk"))
    for contact in {a.contact_id: a.contact for a in current}.values():
        scope.forget(contact)
    to_end = [a for a in current if not may_be_contact(a.contact, a.worker)]
    if not to_end:
        return 0
    now = timezone.now()
    for a in to_end:
        a.ended_at = max(now, a.started_at)
    bulk_update_with_history(to_end, CareAssignment, ["ended_at"], default_user=_user(actor))
    sync_unassigned(worker_ids=[a.worker_id for a in to_end])
    for a in to_end:
        audit.record(
            actor,
            "care.unassign",
            obj=a.worker,
            organisation=a.worker.organisation,
            detail={"campaign": a.campaign_id, "contact": None, "previous": a.contact_id, "reason": "contact_released"},
        )
    return len(to_end)


def sync_unassigned(*, worker_ids: Iterable[int] | None = None, campaigns: Iterable[Campaign] | None = None) -> dict:
    """Bring the ``UnassignedFamily`` rows of these workers (every worker with ``None``) in
    these campaigns (every campaign with ``None``) in step with the rule: a worker of a team
    the campaign visits, not archived, with no current assignment in it. Runs in the caller's
    transaction, after the caller's writes; rows are only added or removed where they differ.
    Not a user action: the calling service audits what the user did. Returns ``{"added": n,
    "removed": n}``."""
    campaign_list = list(Campaign.objects.order_by("pk")) if campaigns is None else list(campaigns)
    ids = None if worker_ids is None or not campaign_list else sorted(set(worker_ids))
    if ids == [] or not campaign_list:
        return {"added": 0, "removed": 0}
    chunks = [None] if ids is None else [ids[i : i + 2000] for i in range(0, len(ids), 2000)]
    added = removed = 0
    for campaign in campaign_list:
        teams = campaign.visited_teams()
        for chunk in chunks:
            wanted_qs = selectors.without_contact(Worker.objects.all(), campaign)
            have_qs = UnassignedFamily.objects.filter(campaign=campaign)
            if chunk is not None:
                wanted_qs = wanted_qs.filter(pk__in=chunk)
                have_qs = have_qs.filter(worker_id__in=chunk)
            wanted = dict(wanted_qs.values_list("pk", "organisation_id")) if teams else {}
            have = dict(have_qs.values_list("worker_id", "organisation_id"))
            stale = [w for w, unit in have.items() if wanted.get(w) != unit]
            if stale:
                removed += UnassignedFamily.objects.filter(campaign=campaign, worker_id__in=stale).delete()[0]
            new = [
                UnassignedFamily(campaign=campaign, worker_id=w, organisation_id=unit)
                for w, unit in wanted.items()
                if have.get(w) != unit
            ]
            # ignore_conflicts: another transaction syncing the same family may have added it.
            UnassignedFamily.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
            added += len(new)
    return {"added": added, "removed": removed}


# --- visits ---------------------------------------------------------------------------------


# The largest quantity and value of a necessity (VisitItem.quantity holds 10 digits, 2 after
# the point; the value is held to the same bound): the forms and the API say this number.
ITEM_NUMBER_MAX = Decimal("99999999.99")


def too_large_message(limit: Decimal = ITEM_NUMBER_MAX) -> str:
    """The message of a number above ``limit``, naming it (99,999,999.99)."""
    return _("Enter a number no larger than %(max)s.") % {"max": f"{limit:,}"}


def _clean_items(items) -> list[dict]:
    cleaned = []
    for index, raw in enumerate(items or []):
        item = plaintext.line(str(raw.get("item", "") or ""), field=f"items.{index}.item", label=_("Item"))
        if not item:
            if any(str(raw.get(k, "") or "").strip() for k in ("quantity", "value", "unit")):
                raise ServiceError(_("Name the item delivered."), field=f"items.{index}.item")
            continue
        if len(item) > 100:
            raise ServiceError(_("The item must be at most 100 characters."), field=f"items.{index}.item")
        values = {}
        for key, default in (("quantity", Decimal(1)), ("value", Decimal(0))):
            value = raw.get(key)
            if value in (None, ""):
                values[key] = default
                continue
            try:
                value = Decimal(str(value).strip().replace(",", "").replace("¥", "").replace("￥", ""))
            except InvalidOperation:
                raise ServiceError(_("Enter a number."), field=f"items.{index}.{key}") from None
            if not value.is_finite():
                raise ServiceError(_("Enter a number."), field=f"items.{index}.{key}")
            if value < 0:
                raise ServiceError(_("Enter a number that is not negative."), field=f"items.{index}.{key}")
            value = value.quantize(Decimal("0.01")) if value <= ITEM_NUMBER_MAX else value
            if value > ITEM_NUMBER_MAX:
                raise ServiceError(too_large_message(), field=f"items.{index}.{key}")
            values[key] = value
        unit = plaintext.line(str(raw.get("unit", "") or ""), field=f"items.{index}.unit", label=_("Unit"))[:20]
        cleaned.append({"item": item, "quantity": values["quantity"], "unit": unit, "value": values["value"]})
    return cleaned


def _clean_visit_fields(values: dict) -> dict:
    cleaned = {}
    if "on" in values:
        on = values["on"]
        if not isinstance(on, date):
            raise ServiceError(_("Enter the date of the visit."), field="on")
        if on > timezone.localdate():
            raise ServiceError(_("A visit cannot be in the future."), field="on")
        cleaned["on"] = on
    if "mode" in values:
        if values["mode"] not in VisitMode.values:
            raise ServiceError(_("Choose how the family was visited."), field="mode")
        cleaned["mode"] = values["mode"]
    for field, limit in (("visitors", 200), ("state_of_mind", 5000), ("opinions", 5000), ("notes", 5000)):
        if field in values:
            label = Visit._meta.get_field(field).verbose_name
            clean = plaintext.line if field == "visitors" else plaintext.notes
            text = clean(values[field] or "", field=field, label=label)
            if len(text) > limit:
                raise ServiceError(_("This text must be at most %(limit)d characters.") % {"limit": limit}, field=field)
            cleaned[field] = text
    return cleaned


def _campaign_for_visit(worker: Worker, on: date) -> Campaign | None:
    """The campaign a visit on ``on`` counts in: that week's duty's, else the campaign of one of
    the family's current assignments that was running on ``on`` (the latest assigned), else the
    latest assigned one's (``_check_visit_day`` then refuses a day before its start)."""
    duty = VisitDuty.objects.filter(worker=worker, week=weeks.monday(on)).order_by("campaign_id").first()
    if duty is not None:
        return duty.campaign
    assignments = list(
        CareAssignment.objects.current().filter(worker=worker).select_related("campaign").order_by("-started_at")
    )
    running = [a for a in assignments if a.campaign.starts_on <= on]
    chosen = (running or assignments or [None])[0]
    return chosen.campaign if chosen else None


def _check_visit_day(on: date, campaign: Campaign | None) -> None:
    """A visit counts in a campaign and cannot be dated before it started (year 1, 1900 or a
    mistyped year would count in today's campaign otherwise); one that counts in no campaign
    must lie within the days some campaign ran (from the first campaign's start)."""
    if campaign is not None:
        if on < campaign.starts_on:
            raise ServiceError(
                _("The visit cannot be dated before %(start)s, when the campaign “%(campaign)s” it counts in started.")
                % {"start": campaign.starts_on.isoformat(), "campaign": campaign.name},
                field="on",
            )
        return
    first = Campaign.objects.order_by("starts_on").values_list("starts_on", flat=True).first()
    if first is None:
        raise ServiceError(_("Visits can be recorded once a care campaign has started."), field="on")
    if on < first:
        raise ServiceError(
            _(
                "No care campaign ran on %(day)s: a visit can be dated from %(first)s (the first campaign's start) "
                "to today."
            )
            % {"day": on.isoformat(), "first": first.isoformat()},
            field="on",
        )


def _visit_snapshot(visit: Visit) -> dict:
    return {
        "on": visit.on.isoformat(),
        "mode": visit.mode,
        "items": [[i.item, str(i.quantity), i.unit, str(i.value)] for i in visit.items.all()],
    }


@transaction.atomic
def record_visit(
    *,
    actor,
    worker: Worker,
    on: date,
    mode: str = VisitMode.HOME,
    visitors: str = "",
    state_of_mind: str = "",
    opinions: str = "",
    notes: str = "",
    items: Iterable[dict] = (),
    difficulties: Iterable[dict] = (),
    campaign: Campaign | None = None,
) -> Visit:
    """Log a visit to a worker's family, with the necessities delivered and the difficulties
    raised in it; the duty of that week becomes done."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    _require(may_care_for(actor, worker), _("You may not log visits for this family."))
    fields = _clean_visit_fields(
        {
            "on": on,
            "mode": mode,
            "visitors": visitors,
            "state_of_mind": state_of_mind,
            "opinions": opinions,
            "notes": notes,
        }
    )
    item_rows = _clean_items(items)
    difficulty_rows = [d for d in (difficulties or []) if (d.get("description") or "").strip()]
    campaign = campaign or _campaign_for_visit(worker, fields["on"])
    _check_visit_day(fields["on"], campaign)
    visit = Visit(worker=worker, campaign=campaign, **fields)
    visit.recorded_by = _user(actor)
    visit._history_user = _user(actor)
    visit.save()
    for row in item_rows:
        VisitItem.objects.create(visit=visit, **row)
    for row in difficulty_rows:
        open_difficulty(
            actor=actor,
            worker=worker,
            description=row.get("description", ""),
            category=row.get("category") or DifficultyCategory.OTHER,
            urgency=row.get("urgency") or Urgency.NORMAL,
            source=DifficultySource.VISIT,
            campaign=visit.campaign,
            visit=visit,
        )
    _recompute_duties(worker.pk, [visit.week])
    audit.record(
        actor,
        "visit.record",
        obj=visit,
        organisation=worker.organisation,
        detail={**_visit_snapshot(visit), "worker": worker.pk, "difficulties": len(difficulty_rows)},
    )
    return visit


# The visit's own wording of core/versioning.py's conflict message.
_VISIT_CONFLICT = gettext_lazy(
    "%(who)s changed this visit at %(when)s, after you opened it. Your changes were not saved: "
    "reload the visit to see theirs, then make yours again."
)


@transaction.atomic
def update_visit(*, actor, visit: Visit, version: int, items: Iterable[dict] | None = None, **changes) -> Visit:
    """Change a visit. ``version`` is the version the edit started from; if someone saved the
    visit since, nothing is saved and ``Conflict`` says who and when (no silent overwrite).
    ``items``, when given, replaces the list of necessities."""
    visit = Visit.objects.select_for_update().select_related("worker__organisation").get(pk=visit.pk)
    _require(may_care_for(actor, visit.worker), _("You may not change this family's visits."))
    unknown = set(changes) - {"on", "mode", "visitors", "state_of_mind", "opinions", "notes"}
    if unknown:
        raise ServiceError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    versioning.check_version(visit, version, text=_VISIT_CONFLICT)
    cleaned = _clean_visit_fields(changes)
    if "on" in cleaned and cleaned["on"] != visit.on:
        _check_visit_day(cleaned["on"], visit.campaign)
    old_week = visit.week
    before = _visit_snapshot(visit)
    changed = [f for f, v in cleaned.items() if getattr(visit, f) != v]
    for field in changed:
        setattr(visit, field, cleaned[field])
    items_changed = False
    if items is not None:
        rows = _clean_items(items)
        current = [(i.item, i.quantity, i.unit, i.value) for i in visit.items.all()]
        if current != [(r["item"], r["quantity"], r["unit"], r["value"]) for r in rows]:
            items_changed = True
            for old in visit.items.all():
                old._history_user = _user(actor)
                old.delete()
            for row in rows:
                item = VisitItem(visit=visit, **row)
                item._history_user = _user(actor)
                item.save()
    if not changed and not items_changed:
        return visit
    versioning.bump(visit)
    visit._history_user = _user(actor)
    visit.save()
    _recompute_duties(visit.worker_id, {old_week, visit.week})
    audit.record(
        actor,
        "visit.update",
        obj=visit,
        organisation=visit.worker.organisation,
        detail={"changed": changed + (["items"] if items_changed else []), "before": before, "version": visit.version},
    )
    return visit


@transaction.atomic
def delete_visit(*, actor, visit: Visit, version: int | None = None) -> None:
    """Remove a visit logged by mistake; its week's duty is due (or missed) again unless
    another visit in that week fulfils it. The deleted visit stays in the history."""
    visit = Visit.objects.select_for_update().select_related("worker__organisation").get(pk=visit.pk)
    _require(may_care_for(actor, visit.worker), _("You may not change this family's visits."))
    versioning.check_version(visit, version, text=_VISIT_CONFLICT)
    snapshot = {**_visit_snapshot(visit), "worker": visit.worker_id}
    week, worker_id, organisation = visit.week, visit.worker_id, visit.worker.organisation
    pk = visit.pk
    visit._history_user = _user(actor)
    visit.delete()
    _recompute_duties(worker_id, [week])
    audit.record(
        actor, "visit.delete", object_type="care.visit", object_id=pk, organisation=organisation, detail=snapshot
    )


# --- difficulties ---------------------------------------------------------------------------


def may_own_difficulty(user, worker: Worker) -> bool:
    """Owners are admins covering the worker's unit or care contacts covering it."""
    return bool(user.is_active) and scope.covers(
        user, {Role.CITY_ADMIN, Role.ORG_ADMIN, Role.CARE_CONTACT}, worker.organisation
    )


def _default_owner(actor, worker: Worker, campaign: Campaign | None):
    assignments = CareAssignment.objects.current().filter(worker=worker).select_related("contact")
    if campaign is not None:
        assignments = assignments.filter(campaign=campaign)
    assignment = assignments.order_by("-started_at").first()
    if assignment is not None:
        return assignment.contact
    return _user(actor)


def _note(difficulty: Difficulty, actor, kind: str, text: str = "", from_status: str = "", to_status: str = ""):
    return DifficultyNote.objects.create(
        difficulty=difficulty,
        kind=kind,
        author=_user(actor),
        text=text,
        from_status=from_status,
        to_status=to_status,
    )


DUE_HORIZON = timedelta(days=731)  # a due date set by hand: at most two years ahead


def check_due_on(due_on, *, field: str = "due_on") -> date:
    """A due date set by hand: from today (a past one would be overdue, and escalated, at once)
    to two years ahead (9999-12-31 would never be overdue, so never followed up)."""
    today = timezone.localdate()
    last = today + DUE_HORIZON
    if not isinstance(due_on, date) or not today <= due_on <= last:
        raise ServiceError(
            _("The due date must be from today (%(first)s) to two years ahead (%(last)s).")
            % {"first": today.isoformat(), "last": last.isoformat()},
            field=field,
        )
    return due_on


@transaction.atomic
def open_difficulty(
    *,
    actor,
    worker: Worker,
    description: str,
    category: str = DifficultyCategory.OTHER,
    urgency: str = Urgency.NORMAL,
    source: str = DifficultySource.MANUAL,
    campaign: Campaign | None = None,
    owner=None,
    visit: Visit | None = None,
    due_on: date | None = None,
) -> Difficulty:
    """Record a difficulty of a worker's family; its due date follows from the urgency unless
    ``due_on`` sets it (from today to two years ahead: ``check_due_on``). The owner defaults to
    the family's care contact (else the person recording it)."""
    description = plaintext.notes(description, field="description", label=_("Description"))
    if not description:
        raise ServiceError(_("Describe the difficulty."), field="description")
    if category not in DifficultyCategory.values:
        raise ServiceError(_("Unknown category."), field="category")
    if urgency not in Urgency.values:
        raise ServiceError(_("Unknown urgency."), field="urgency")
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    _require(may_care_for(actor, worker), _("You may not record difficulties for this family."))
    if owner is None:
        owner = _default_owner(actor, worker, campaign)
    else:
        if not may_own_difficulty(owner, worker):
            raise ServiceError(_("%(user)s cannot own this family's difficulties.") % {"user": owner}, field="owner")
        # Naming someone else is handing the difficulty over: for admins (see update_difficulty).
        if getattr(owner, "pk", None) != getattr(_user(actor), "pk", None):
            _require(may_manage_worker(actor, worker), _("Only an administrator may hand a difficulty over."))
    today = timezone.localdate()
    if due_on is not None:
        check_due_on(due_on)
    difficulty = Difficulty(
        worker=worker,
        organisation=worker.organisation,
        campaign=campaign,
        category=category,
        urgency=urgency,
        description=description,
        source=source,
        owner=owner,
        visit=visit,
        due_on=today + timedelta(days=DUE_DAYS[urgency]) if due_on is None else due_on,
        created_by=_user(actor),
    )
    difficulty._history_user = _user(actor)
    difficulty.save()
    _note(difficulty, actor, DifficultyNoteKind.OPENED, to_status=DifficultyStatus.OPEN)
    audit.record(
        actor,
        "difficulty.open",
        obj=difficulty,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "category": category, "urgency": urgency, "source": source},
    )
    return difficulty


@transaction.atomic
def change_difficulty_status(
    *, actor, difficulty: Difficulty, to: str, note: str = "", version: int | None = None
) -> Difficulty:
    """Move a difficulty along its life cycle: open → in progress → resolved → closed; a
    resolved or closed one can be reopened (it gets a new due date). Closing is for admins.
    ``version``: the version the page showed (``Conflict`` if changed since)."""
    difficulty = Difficulty.objects.select_for_update().select_related("worker__organisation").get(pk=difficulty.pk)
    _require(may_care_for(actor, difficulty.worker), _("You may not change this family's difficulties."))
    versioning.check_version(difficulty, version)
    if to not in DifficultyStatus.values:
        raise ServiceError(_("Unknown status."), field="to")
    current = difficulty.status
    if to not in DIFFICULTY_TRANSITIONS[current]:
        raise ServiceError(
            _("A difficulty that is “%(current)s” cannot become “%(to)s”.")
            % {"current": DifficultyStatus(current).label, "to": DifficultyStatus(to).label},
            field="to",
        )
    if to == DifficultyStatus.CLOSED:
        _require(
            may_manage_worker(actor, difficulty.worker),
            _("Only an administrator may close a difficulty, after checking it is solved."),
        )
    note = plaintext.notes(note, field="note", label=_("Note"))
    if to == DifficultyStatus.OPEN and current in (DifficultyStatus.RESOLVED, DifficultyStatus.CLOSED) and not note:
        raise ServiceError(_("Say why the difficulty is reopened."), field="note")
    now = timezone.now()
    fields = ["status", "updated_at", versioning.bump(difficulty)]
    difficulty.status = to
    if to == DifficultyStatus.RESOLVED:
        difficulty.resolved_at = now
        fields.append("resolved_at")
    elif to == DifficultyStatus.CLOSED:
        difficulty.closed_at = now
        fields.append("closed_at")
    elif to == DifficultyStatus.OPEN and current in (DifficultyStatus.RESOLVED, DifficultyStatus.CLOSED):
        difficulty.resolved_at = None
        difficulty.closed_at = None
        difficulty.due_on = timezone.localdate() + timedelta(days=DUE_DAYS[difficulty.urgency])
        difficulty.escalation_level = 0
        difficulty.escalated_at = None
        fields += ["resolved_at", "closed_at", "due_on", "escalation_level", "escalated_at"]
    difficulty._history_user = _user(actor)
    difficulty.save(update_fields=fields)
    _note(difficulty, actor, DifficultyNoteKind.STATUS, note, from_status=current, to_status=to)
    audit.record(
        actor,
        "difficulty.transition",
        obj=difficulty,
        organisation=difficulty.worker.organisation,
        detail={"from": current, "to": to, "note": audit.text_marker(note)},
    )
    return difficulty


@transaction.atomic
def add_difficulty_note(*, actor, difficulty: Difficulty, text: str) -> DifficultyNote:
    """Add a note to a difficulty's timeline (what was done, who was called)."""
    difficulty = Difficulty.objects.select_related("worker__organisation").get(pk=difficulty.pk)
    _require(may_care_for(actor, difficulty.worker), _("You may not change this family's difficulties."))
    text = plaintext.notes(text, field="text", label=_("Note"))
    if not text:
        raise ServiceError(_("Write the note."), field="text")
    if len(text) > 5000:
        raise ServiceError(_("This text must be at most %(limit)d characters.") % {"limit": 5000}, field="text")
    note = _note(difficulty, actor, DifficultyNoteKind.NOTE, text)
    Difficulty.objects.filter(pk=difficulty.pk).update(updated_at=timezone.now())
    audit.record(
        actor, "difficulty.note", obj=difficulty, organisation=difficulty.worker.organisation, detail={"note": note.pk}
    )
    return note


@transaction.atomic
def update_difficulty(
    *,
    actor,
    difficulty: Difficulty,
    description: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    owner=None,
    version: int | None = None,
) -> Difficulty:
    """Change a difficulty's description, category, urgency (a new urgency sets a new due
    date from today) or owner (admins only). ``version``: the version the edit started from
    (``Conflict`` if changed since)."""
    difficulty = Difficulty.objects.select_for_update().select_related("worker__organisation").get(pk=difficulty.pk)
    worker = difficulty.worker
    _require(may_care_for(actor, worker), _("You may not change this family's difficulties."))
    versioning.check_version(difficulty, version)
    before = {
        "description": audit.text_marker(difficulty.description),
        "category": difficulty.category,
        "urgency": difficulty.urgency,
        "owner": difficulty.owner_id,
    }
    fields = []
    if description is not None:
        description = plaintext.notes(description, field="description", label=_("Description"))
        if not description:
            raise ServiceError(_("Describe the difficulty."), field="description")
        if description != difficulty.description:
            difficulty.description = description
            fields.append("description")
    if category is not None and category != difficulty.category:
        if category not in DifficultyCategory.values:
            raise ServiceError(_("Unknown category."), field="category")
        difficulty.category = category
        fields.append("category")
    if urgency is not None and urgency != difficulty.urgency:
        if urgency not in Urgency.values:
            raise ServiceError(_("Unknown urgency."), field="urgency")
        difficulty.urgency = urgency
        difficulty.due_on = timezone.localdate() + timedelta(days=DUE_DAYS[urgency])
        difficulty.escalation_level = 0
        fields += ["urgency", "due_on", "escalation_level"]
    if owner is not None and owner.pk != difficulty.owner_id:
        _require(may_manage_worker(actor, worker), _("Only an administrator may hand a difficulty over."))
        if not may_own_difficulty(owner, worker):
            raise ServiceError(_("%(user)s cannot own this family's difficulties.") % {"user": owner}, field="owner")
        difficulty.owner = owner
        fields.append("owner")
    if not fields:
        return difficulty
    difficulty._history_user = _user(actor)
    difficulty.save(update_fields=[*fields, "updated_at", versioning.bump(difficulty)])
    if "owner" in fields:
        _note(difficulty, actor, DifficultyNoteKind.OWNER, str(owner))
    if set(fields) - {"owner"}:
        _note(difficulty, actor, DifficultyNoteKind.EDIT, ", ".join(f for f in fields if f != "owner"))
    audit.record(
        actor,
        "difficulty.update",
        obj=difficulty,
        organisation=worker.organisation,
        detail={"changed": fields, "before": before},
    )
    return difficulty


def escalation_level_for(difficulty: Difficulty, today: date) -> int:
    """How many levels up an overdue difficulty should have gone: one level when it becomes
    overdue, one more for each further period of its urgency's length, capped at the root."""
    if difficulty.status not in DIFFICULTY_ACTIVE or difficulty.due_on is None or difficulty.due_on >= today:
        return 0
    overdue_days = (today - difficulty.due_on).days
    period = DUE_DAYS[difficulty.urgency]
    level = 1 + (overdue_days - 1) // period
    return min(level, max(1, difficulty.worker.organisation.depth - 1))


def escalation_recipients(difficulty: Difficulty, level: int) -> tuple[object, list]:
    """The organisation ``level`` steps above the worker's unit and its admins; when it has
    none, the nearest organisation further up that has some."""
    from nuanxin.accounts.models import User
    from nuanxin.orgs.models import Grant

    unit = difficulty.worker.organisation
    chain = list(reversed(type(unit).objects.get_ancestors(unit))) or [unit]  # parent first, root last
    target = chain[min(level, len(chain)) - 1]
    for org in chain[chain.index(target) :]:
        grants = Grant.objects.active().filter(organisation=org, role__in=[Role.ORG_ADMIN, Role.CITY_ADMIN])
        admins = list(User.objects.filter(is_active=True, grants__in=grants).distinct().order_by("pk"))
        if admins:
            return org, admins
    return target, []


def escalate_overdue_difficulties(*, actor=None, today: date | None = None) -> int:
    """Notify the owner of every overdue difficulty and escalate it to the admins of the
    organisation above, one level per overdue period; each level happens once (the level is
    recorded, and notifications have idempotency keys). Returns how many were escalated."""
    from nuanxin.care import reminders

    today = today or timezone.localdate()
    escalated = 0
    candidates = (
        Difficulty.objects.filter(status__in=DIFFICULTY_ACTIVE, due_on__lt=today)
        .select_related("worker__organisation", "owner")
        .order_by("pk")
    )
    for difficulty in candidates.iterator(chunk_size=500):
        level = escalation_level_for(difficulty, today)
        if level <= difficulty.escalation_level:
            continue
        with transaction.atomic():
            locked = Difficulty.objects.select_for_update().get(pk=difficulty.pk)
            if locked.escalation_level >= level or locked.status not in DIFFICULTY_ACTIVE:
                continue
            org, admins = escalation_recipients(difficulty, level)
            locked.escalation_level = level
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalation_level", "escalated_at"])
            _note(
                locked,
                actor,
                DifficultyNoteKind.ESCALATION,
                _("Overdue since %(due)s: escalated to %(org)s.") % {"due": difficulty.due_on, "org": org},
            )
            reminders.notify_overdue_difficulty(difficulty, level=level, organisation=org, admins=admins)
            audit.record(
                actor,
                "difficulty.escalate",
                obj=difficulty,
                organisation=difficulty.worker.organisation,
                detail={"level": level, "to": org.code, "admins": [a.pk for a in admins]},
            )
            escalated += 1
    return escalated
