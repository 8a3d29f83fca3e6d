"""The waiver lists kept up with table 3 (the register's deployments).

``sync`` makes sure every deployment of a Hubei aid-team member with a number used in Hubei has
its line: the member, the stated carrier, the carrier of the number's segment (only a
suggestion: numbers move between carriers since 2019) and the waiver period (departure to
return, open while deployed). It is idempotent: the periodic job (every 15 minutes) and the
"update from table 3" button run it.

- A new number of a deployment: a new line (listed); the deployment's open line of the old
  number becomes "number changed" (``replaced_by`` the new line).
- A carrier changed on the same number: the line takes it, any person's check of the carrier is
  forgotten, and the line is flagged again when it now disagrees with the segment; a line
  already sent to the old carrier goes back on the new carrier's list (listed).
- An ended line whose deployment is open again (no return date, or one in the future): the
  line is open again (confirmed, sent or listed, as it stood), audited as the system — ending
  never hides a member the register shows deployed.
- The return date: the line's period ends on it. A confirmed line of a member whose return date
  has passed is ended by the sync (as the system: the carrier confirmed the waiver of a period
  that is over). A listed or sent line of a returned member stays open: the waiver of the
  period still has to be asked for and confirmed; a person may end it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, locks
from nuanxin.core.errors import NotAllowed
from nuanxin.core.policy import SYSTEM, is_system
from nuanxin.orgs import scope
from nuanxin.registry import normalise
from nuanxin.registry.choices import TeamType, WorkerStatus
from nuanxin.registry.models import Deployment
from nuanxin.telecom.choices import OPEN_STATUSES, WaiverStatus
from nuanxin.telecom.models import Waiver
from nuanxin.telecom.services.common import flagged, save


@dataclass
class SyncResult:
    created: int = 0
    replaced: int = 0
    updated: int = 0
    ended: int = 0
    reopened: int = 0  # ended lines of a member the register shows deployed again
    unchanged: int = 0
    lines: list[int] = field(default_factory=list)  # ids of the lines created

    @property
    def changed(self) -> bool:
        return bool(self.created or self.replaced or self.updated or self.ended or self.reopened)


def _deployments(actor: Any, organisation: Any) -> Any:
    rows = (
        Deployment.objects.filter(worker__team=TeamType.HUBEI_AID)
        .exclude(deployed_mobile="")
        .exclude(worker__status=WorkerStatus.ARCHIVED)
        .select_related("worker__organisation")
        .order_by("id")
    )
    if organisation is not None:
        rows = rows.filter(worker__organisation__path__startswith=organisation.path)
    if not is_system(actor):
        q = scope.scope_q(actor, Waiver.policy.roles("manage"), "worker__organisation__path")
        if q is None:
            return rows.none()
        rows = rows.filter(q)
    return rows


@transaction.atomic
def sync(*, actor: Any = SYSTEM, organisation: Any = None, today: date | None = None) -> SyncResult:
    """Bring the lines of ``organisation``'s subtree (everything when None) in the actor's reach
    up to date with the register's deployments (module docstring). Audited: one row per line
    created, replaced, changed or ended, and a summary row when anything changed."""
    if not is_system(actor):
        if organisation is not None:
            organisation = type(organisation).objects.get(pk=organisation.pk)
            Waiver.policy.require_in(
                actor, "manage", organisation, _("You may not update the lists of this organisation.")
            )
        elif not Waiver.policy.may(actor, "manage"):
            raise NotAllowed(_("You may not update the fee-waiver lists."))
    locks.hold("telecom: sync the lists")  # two syncs at once (the job and a button) run one after the other
    today = today or timezone.localdate()
    now = timezone.now()
    result = SyncResult()
    deployments = list(_deployments(actor, organisation))
    lines: dict[int, list[Waiver]] = {}
    for line in (
        Waiver.objects.select_for_update().filter(deployment__in=[d.pk for d in deployments]).order_by("id")
    ):
        lines.setdefault(line.deployment_id, []).append(line)
    for dep in deployments:
        _sync_one(actor, dep, lines.get(dep.pk, []), today=today, now=now, result=result)
    if result.changed:
        audit.record(
            actor,
            "telecom.list.sync",
            object_type="telecom.waiver",
            organisation=organisation,
            detail={"created": result.created, "numbers_replaced": result.replaced, "changed": result.updated,
                    "ended": result.ended, "reopened": result.reopened, "unchanged": result.unchanged},
        )
    return result


def _sync_one(actor: Any, dep: Deployment, lines: list[Waiver], *, today: date, now: Any, result: SyncResult) -> None:
    unit = dep.worker.organisation
    mobile = dep.deployed_mobile
    segment = normalise.suggest_carrier(mobile)
    current = next((line for line in lines if line.mobile == mobile), None)
    open_others = [line for line in lines if line is not current and line.status in OPEN_STATUSES]
    if current is None:
        current = Waiver.objects.create(
            deployment=dep, worker=dep.worker, mobile=mobile, carrier=dep.carrier, segment_carrier=segment,
            carrier_flagged=flagged(dep.carrier, segment, False), period_from=dep.departed_on,
            period_to=dep.returned_on, status=WaiverStatus.LISTED,
        )
        result.created += 1
        result.lines.append(current.pk)
        audit.record(actor, "telecom.waiver.list", obj=current, organisation=unit,
                     detail={"worker": dep.worker_id, "mobile": normalise.mask(mobile), "carrier": dep.carrier,
                             "segment_carrier": segment, "flagged": current.carrier_flagged})
    elif current.status == WaiverStatus.REPLACED:
        # The member went back to an earlier number: its line is listed again.
        current.status = WaiverStatus.LISTED
        current.replaced_by = None
        current.dispatch = None
        current.sent_at = None
        save(current, actor, ["status", "replaced_by", "dispatch", "sent_at"])
        result.updated += 1
        audit.record(actor, "telecom.waiver.relist", obj=current, organisation=unit,
                     detail={"worker": dep.worker_id, "mobile": normalise.mask(mobile)})
    else:
        _update(actor, dep, current, segment, result)
    if current.status == WaiverStatus.ENDED and (dep.returned_on is None or dep.returned_on > today):
        _reopen(actor, dep, current, result)
    for old in open_others:
        before = old.status
        old.status = WaiverStatus.REPLACED
        old.replaced_by = current
        save(old, actor, ["status", "replaced_by"])
        result.replaced += 1
        audit.record(actor, "telecom.waiver.replace", obj=old, organisation=unit,
                     detail={"worker": dep.worker_id, "from": before, "to": WaiverStatus.REPLACED,
                             "mobile": normalise.mask(old.mobile), "replaced_by": current.pk})
    if (
        current.status == WaiverStatus.CONFIRMED
        and current.period_to is not None
        and current.period_to < today
    ):
        current.status = WaiverStatus.ENDED
        current.ended_at = now
        save(current, SYSTEM, ["status", "ended_at"])
        result.ended += 1
        audit.record(SYSTEM, "telecom.waiver.transition", obj=current, organisation=unit,
                     detail={"from": WaiverStatus.CONFIRMED, "to": WaiverStatus.ENDED, "step": "end",
                             "returned_on": current.period_to.isoformat()})


def _reopen(actor: Any, dep: Deployment, line: Waiver, result: SyncResult) -> None:
    """An ended line whose deployment is open again (the return date removed or moved into the
    future): the member is deployed, so the waiver is open again — back to where it stood before
    it ended (confirmed, sent or listed)."""
    if line.confirmed_at is not None:
        line.status = WaiverStatus.CONFIRMED
    elif line.sent_at is not None:
        line.status = WaiverStatus.SENT
    else:
        line.status = WaiverStatus.LISTED
    line.ended_at = None
    save(line, SYSTEM, ["status", "ended_at"])
    result.reopened += 1
    audit.record(SYSTEM, "telecom.waiver.reopen", obj=line, organisation=dep.worker.organisation,
                 detail={"worker": dep.worker_id, "from": WaiverStatus.ENDED, "to": line.status,
                         "mobile": normalise.mask(line.mobile)})


def _update(actor: Any, dep: Deployment, line: Waiver, segment: str, result: SyncResult) -> None:
    """The same number: carrier, segment and period as the register says now."""
    changes: dict[str, Any] = {}
    fields: list[str] = []
    if line.carrier != dep.carrier:
        changes["carrier"] = {"from": line.carrier, "to": dep.carrier}
        line.carrier = dep.carrier
        line.carrier_checked_at = None
        line.carrier_checked_by = None
        fields += ["carrier", "carrier_checked_at", "carrier_checked_by"]
        if line.status == WaiverStatus.SENT:  # sent to the old carrier: on the new one's list again
            line.status = WaiverStatus.LISTED
            line.dispatch = None
            line.sent_at = None
            fields += ["status", "dispatch", "sent_at"]
    if line.segment_carrier != segment:
        line.segment_carrier = segment
        fields.append("segment_carrier")
    flag = flagged(line.carrier, line.segment_carrier, line.carrier_checked_at is not None)
    if flag != line.carrier_flagged:
        line.carrier_flagged = flag
        changes["flagged"] = flag
        fields.append("carrier_flagged")
    for name, value in (("period_from", dep.departed_on), ("period_to", dep.returned_on)):
        if getattr(line, name) != value:
            changes[name] = value.isoformat() if value else ""
            setattr(line, name, value)
            fields.append(name)
    if not fields:
        result.unchanged += 1
        return
    save(line, actor, fields)
    if changes:
        result.updated += 1
        audit.record(actor, "telecom.waiver.update", obj=line, organisation=dep.worker.organisation,
                     detail={"worker": dep.worker_id, "changes": changes})
    else:
        result.unchanged += 1
