"""Care assignments: which care contact looks after which family, one or many at once, and
the families without one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from nuanxin.accounts.models import User
from nuanxin.care import selectors, weeks
from nuanxin.care.choices import (
    DIFFICULTY_ACTIVE,
    DutyStatus,
)
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Difficulty,
    UnassignedFamily,
    VisitDuty,
)
from nuanxin.care.services.duties import _open_current_week_for
from nuanxin.cases import services as cases
from nuanxin.cases.services import user_of as _user
from nuanxin.core import audit, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.orgs import scope
from nuanxin.registry.models import Worker

# --- assignments ----------------------------------------------------------------------------


def _may_be_contact(user, worker: Worker) -> bool:
    """Whether ``user`` can look after ``worker``'s family: the assignment policy's "contact"
    action (an active account holding the care-contact role on the worker's unit or above)."""
    return user is not None and CareAssignment.policy.allows_in(user, "contact", worker.organisation)


def _require_may_assign(actor, worker: Worker) -> None:
    message = _("You may not assign care contacts to this family.")
    CareAssignment.policy.require_in(actor, "change", worker.organisation, message)


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
        _require_may_assign(actor, worker)
        if contact is not None and not _may_be_contact(contact, worker):
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
def assign_many(
    *, actor, campaign: Campaign, pairs: Iterable[tuple[int, int]], started_at: datetime | None = None
) -> dict[int, CareAssignment]:
    """Assign many families, each to its own care contact: ``pairs`` of (worker id, contact id),
    e.g. an import's 工会联系人 column. The same rules and records as ``bulk_assign`` in a few
    queries for any number of families: refused as a whole when a family is out of the actor's
    scope or a contact may not look after the family's unit; a family's previous contact in the
    campaign is ended; the current week's duties open at once; one ``care.assign`` audit row per
    family, written in one insert (``audit.record_many``). Returns ``{worker id: the new
    assignment}`` (families already with that contact are left as they are and not returned)."""
    wanted = dict(pairs)  # worker id -> contact id (a family has one contact in a campaign)
    if not wanted:
        return {}
    _check_campaign_open(campaign)
    ids = sorted(wanted)
    workers: dict[int, Worker] = {}
    for start in range(0, len(ids), 2000):
        workers.update(
            (w.pk, w) for w in Worker.objects.filter(pk__in=ids[start : start + 2000]).select_related("organisation")
        )
    contacts = {u.pk: u for u in User.objects.filter(pk__in=set(wanted.values()))}
    checked: set = set()
    for worker_id in ids:
        worker = workers.get(worker_id)
        if worker is None:
            raise ServiceError(_("Choose at least one family."), field="workers")
        contact = contacts.get(wanted[worker_id])
        if (worker.organisation_id, None) not in checked:
            _require_may_assign(actor, worker)
            checked.add((worker.organisation_id, None))
        if (worker.organisation_id, wanted[worker_id]) not in checked:
            if contact is None or not _may_be_contact(contact, worker):
                raise ServiceError(
                    _("%(contact)s is not a care contact for %(unit)s.")
                    % {"contact": contact, "unit": worker.organisation},
                    field="contact",
                )
            checked.add((worker.organisation_id, wanted[worker_id]))
    now = started_at or timezone.now()
    current: dict[int, CareAssignment] = {}
    for start in range(0, len(ids), 2000):
        current.update(
            (a.worker_id, a)
            for a in CareAssignment.objects.current()
            .select_for_update()
            .filter(campaign=campaign, worker_id__in=ids[start : start + 2000])
            .order_by("pk")
        )
    to_end = [a for a in current.values() if a.contact_id != wanted[a.worker_id]]
    for a in to_end:
        a.ended_at = max(now, a.started_at)
    if to_end:
        bulk_update_with_history(to_end, CareAssignment, ["ended_at"], default_user=_user(actor))
    new = [
        CareAssignment(campaign=campaign, worker_id=w, contact_id=wanted[w], started_at=now, assigned_by=_user(actor))
        for w in ids
        if w not in current or current[w].contact_id != wanted[w]
    ]
    bulk_create_with_history(new, CareAssignment, batch_size=1000, default_user=_user(actor))
    made_ids = [a.worker_id for a in new]
    created: dict[int, CareAssignment] = {}
    for start in range(0, len(made_ids), 2000):
        created.update(
            (a.worker_id, a)
            for a in CareAssignment.objects.current().filter(
                campaign=campaign, worker_id__in=made_ids[start : start + 2000]
            )
        )
    _open_current_week_for(campaign, made_ids)
    sync_unassigned(worker_ids=ids, campaigns=[campaign])
    previous = {a.worker_id: a.contact_id for a in to_end}
    audit.record_many(
        actor,
        "care.assign",
        [
            (
                workers[w],
                workers[w].organisation,
                {"campaign": campaign.pk, "contact": wanted[w], "previous": previous.get(w)},
            )
            for w in made_ids
        ],
    )
    return created


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
            and not cases.may_own(difficulty.owner, difficulty)
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
        if _may_be_contact(assignment.contact, worker) or (
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
    to_end = [a for a in current if not _may_be_contact(a.contact, a.worker)]
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
    chunks: list[list[int] | None] = [None] if ids is None else [ids[i : i + 2000] for i in range(0, len(ids), 2000)]
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
