"""A number's way to the carrier's confirmation: listed → sent (the carrier's list exported, a
dispatch) → confirmed (the carrier's reply file, ``replies.import_reply``, or by hand) → ended
(the member returned). "No cut-off" (免停机) is confirmed separately; a flagged carrier is
settled by a person (keep the stated carrier, or take the segment's: the line then moves to the
other carrier's list, and the register's table 3 says so too).

Every step locks the line, checks the version it started from (when given), writes the line,
its history row and an audit row in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import is_system
from nuanxin.registry.choices import Carrier
from nuanxin.registry.services import save_deployment
from nuanxin.telecom.choices import OPEN_STATUSES, ConfirmedHow, WaiverStatus
from nuanxin.telecom.models import Dispatch, Waiver
from nuanxin.telecom.services.common import LISTS, OTHER, carrier_q, flagged, in_reach, list_of, save

CONFIRM = "confirm"
CONFIRM_NO_CUTOFF = "confirm_no_cutoff"
END = "end"
CONFIRM_CARRIER = "confirm_carrier"
TRANSITIONS = (CONFIRM, CONFIRM_NO_CUTOFF, END, CONFIRM_CARRIER)

KEEP_STATED = "stated"
TAKE_SEGMENT = "segment"


def _locked(actor: Any, line: Waiver, version: Any) -> Waiver:
    line = Waiver.objects.select_for_update(of=("self",)).select_related("worker__organisation", "deployment").get(
        pk=line.pk)
    if not is_system(actor):
        Waiver.policy.require(actor, "manage", line, _("You may not change the fee-waiver lines of this unit."))
    versioning.check_version(line, version)
    return line


def _unit(line: Waiver) -> Any:
    return line.worker.organisation


def _step(actor: Any, line: Waiver, before: str, step: str, **detail: Any) -> None:
    audit.record(actor, "telecom.waiver.transition", obj=line, organisation=_unit(line),
                 detail={"from": before, "to": line.status, "step": step, **detail})


def still_deployed(line: Waiver, today: date | None = None) -> bool:
    """The register says the member is still deployed: the line's deployment has no return date,
    or one in the future. Such a line is never ended (the member must not be cut off)."""
    returned = line.deployment.returned_on
    return returned is None or returned > (today or timezone.localdate())


def available(line: Waiver, today: date | None = None) -> list[str]:
    """The transitions the line's state allows (the caller checks "manage"): a flagged line is
    confirmed only once a person has settled its carrier; a line is ended only once the register
    records the member's return (a return date today or before)."""
    steps = []
    if line.status in (WaiverStatus.LISTED, WaiverStatus.SENT) and not line.carrier_flagged:
        steps.append(CONFIRM)
    if line.status in (WaiverStatus.SENT, WaiverStatus.CONFIRMED) and line.no_cutoff_confirmed_at is None:
        steps.append(CONFIRM_NO_CUTOFF)
    if line.status in OPEN_STATUSES and not still_deployed(line, today):
        steps.append(END)
    if line.carrier_flagged and line.status in OPEN_STATUSES:
        steps.append(CONFIRM_CARRIER)
    return steps


def _refuse(line: Waiver, step: str) -> None:
    if step not in available(line):
        if step == CONFIRM and line.carrier_flagged and line.status in (WaiverStatus.LISTED, WaiverStatus.SENT):
            raise ServiceError(_("The carrier of this number is to be confirmed: confirm the carrier first, then "
                                 "mark the number confirmed."), field="transition")
        if step == END and line.status in OPEN_STATUSES:
            raise ServiceError(_("The register says the member is still deployed (no return date, or one in the "
                                 "future): record the return in the register first, then end the waiver."),
                               field="transition")
        messages = {
            CONFIRM: _("Only a listed or sent number can be confirmed; this one is “%(status)s”."),
            CONFIRM_NO_CUTOFF: _(
                "“No cut-off” is confirmed for a number sent to the carrier or confirmed, once; this one is "
                "“%(status)s”."
            ),
            END: _("This number is “%(status)s”: it is no longer open."),
            CONFIRM_CARRIER: _("The carrier of this number is not waiting for a confirmation."),
        }
        raise ServiceError(messages[step] % {"status": line.get_status_display()}, field="transition")


@transaction.atomic
def confirm(*, actor: Any, line: Waiver, version: Any = None, now: Any = None) -> Waiver:
    """The carrier confirmed the waiver (marked by hand)."""
    line = _locked(actor, line, version)
    _refuse(line, CONFIRM)
    before = line.status
    line.status = WaiverStatus.CONFIRMED
    line.confirmed_at = now or timezone.now()
    line.confirmed_how = ConfirmedHow.HAND
    save(line, actor, ["status", "confirmed_at", "confirmed_how"])
    _step(actor, line, before, CONFIRM, confirmed_how=ConfirmedHow.HAND)
    return line


@dataclass
class ConfirmedMany:
    confirmed: int
    flagged: int  # lines left alone: their carrier is to be confirmed first


@transaction.atomic
def confirm_many(*, actor: Any, lines: list[Waiver], now: Any = None) -> ConfirmedMany:
    """Confirm several lines by hand. Lines whose carrier is to be confirmed are skipped (and
    counted); any other line that cannot be confirmed (not listed or sent, outside the actor's
    reach) refuses the whole: nothing is confirmed. Only flagged lines chosen: refused."""
    if not lines:
        raise ServiceError(_("Choose at least one number to confirm."), field="lines")
    flagged_ = [line for line in lines if line.carrier_flagged and line.status in (WaiverStatus.LISTED,
                                                                                    WaiverStatus.SENT)]
    rest = [line for line in lines if line not in flagged_]
    if not rest:
        raise ServiceError(_("The carrier of the chosen numbers is to be confirmed: confirm their carrier first, "
                             "then mark them confirmed."), field="lines")
    for line in rest:
        confirm(actor=actor, line=line, now=now)
    return ConfirmedMany(confirmed=len(rest), flagged=len(flagged_))


@transaction.atomic
def confirm_no_cutoff(*, actor: Any, line: Waiver, version: Any = None, now: Any = None) -> Waiver:
    """The carrier confirmed that the number is never cut off (免停机), whatever the balance."""
    line = _locked(actor, line, version)
    _refuse(line, CONFIRM_NO_CUTOFF)
    line.no_cutoff_confirmed_at = now or timezone.now()
    save(line, actor, ["no_cutoff_confirmed_at"])
    _step(actor, line, line.status, CONFIRM_NO_CUTOFF)
    return line


@transaction.atomic
def end(*, actor: Any, line: Waiver, version: Any = None, now: Any = None) -> Waiver:
    """The member returned: the waiver is over (its period ends on the register's return date).
    Refused while the register says the member is still deployed (``still_deployed``)."""
    line = _locked(actor, line, version)
    _refuse(line, END)
    before = line.status
    now = now or timezone.now()
    line.status = WaiverStatus.ENDED
    line.ended_at = now
    fields = ["status", "ended_at"]
    if line.period_to != line.deployment.returned_on:  # the register's return date (``still_deployed``)
        line.period_to = line.deployment.returned_on
        fields.append("period_to")
    save(line, actor, fields)
    _step(actor, line, before, END, period_to=line.period_to.isoformat() if line.period_to else "")
    return line


@transaction.atomic
def confirm_carrier(*, actor: Any, line: Waiver, choice: str, version: Any = None, now: Any = None) -> Waiver:
    """A person settles a flagged line: ``choice`` "stated" keeps the stated carrier, "segment"
    takes the segment's — the line moves to that carrier's list (listed again if it had been
    sent to the other carrier) and the register's deployment (table 3) takes the carrier too."""
    if choice not in (KEEP_STATED, TAKE_SEGMENT):
        raise ServiceError(_("Choose the stated carrier or the carrier of the number segment."), field="choice")
    line = _locked(actor, line, version)
    _refuse(line, CONFIRM_CARRIER)
    before_status, before_carrier = line.status, line.carrier
    fields = ["carrier_flagged", "carrier_checked_at", "carrier_checked_by"]
    if choice == TAKE_SEGMENT and line.segment_carrier != line.carrier:
        # The register's table 3 says the carrier too (its own rule and audit row).
        save_deployment(actor=actor, worker=line.worker, deployment=line.deployment, carrier=line.segment_carrier)
        line.carrier = line.segment_carrier
        fields.append("carrier")
        if line.status == WaiverStatus.SENT:
            line.status = WaiverStatus.LISTED
            line.dispatch = None
            line.sent_at = None
            fields += ["status", "dispatch", "sent_at"]
    line.carrier_checked_at = now or timezone.now()
    line.carrier_checked_by = None if is_system(actor) else actor
    line.carrier_flagged = flagged(line.carrier, line.segment_carrier, True)
    save(line, actor, fields)
    audit.record(actor, "telecom.waiver.carrier", obj=line, organisation=_unit(line),
                 detail={"from": before_carrier, "to": line.carrier, "choice": choice,
                         "status": line.status if line.status != before_status else ""})
    return line


def apply(*, actor: Any, line: Waiver, transition: str, version: Any = None, choice: str = "") -> Waiver:
    """One transition by name (the API's and the line page's door)."""
    if transition == CONFIRM:
        return confirm(actor=actor, line=line, version=version)
    if transition == CONFIRM_NO_CUTOFF:
        return confirm_no_cutoff(actor=actor, line=line, version=version)
    if transition == END:
        return end(actor=actor, line=line, version=version)
    if transition == CONFIRM_CARRIER:
        return confirm_carrier(actor=actor, line=line, choice=choice, version=version)
    raise ServiceError(_("Unknown transition."), field="transition")


# --- sending a list ------------------------------------------------------------------------


def to_send(actor: Any, carrier: str, organisation: Any) -> tuple[Any, int]:
    """The lines a dispatch of ``carrier``'s list for ``organisation`` would send (listed, of the
    carrier, not flagged — including the new lines of changed numbers) and how many flagged lines
    wait for their carrier to be settled."""
    rows = in_reach(actor, "manage", organisation).filter(carrier_q(carrier), status=WaiverStatus.LISTED)
    return rows.filter(carrier_flagged=False), rows.filter(carrier_flagged=True).count()


@transaction.atomic
def send(*, actor: Any, carrier: str, organisation: Any, today: date | None = None) -> Dispatch:
    """Send ``carrier``'s list of ``organisation``'s subtree: every listed line of the carrier
    in the actor's reach (flagged lines wait until a person settles the carrier) becomes "sent",
    with the date, in one dispatch whose document is the list (``documents``). Audited."""
    if carrier not in LISTS:
        raise ServiceError(_("Choose the carrier's list: China Mobile, China Unicom, China Telecom or other."),
                           field="carrier")
    organisation = type(organisation).objects.get(pk=organisation.pk)
    if not is_system(actor):
        Dispatch.policy.require_in(actor, "manage", organisation, _("You may not send the lists of this organisation."))
    rows, held = to_send(actor, carrier, organisation)
    lines = list(rows.select_for_update(of=("self",)).select_related("worker__organisation").order_by("id"))
    if not lines:
        if held:
            raise ServiceError(
                _("Nothing to send: the %(count)d listed numbers of this carrier wait for their carrier to be "
                  "confirmed.") % {"count": held},
                field="carrier",
            )
        raise ServiceError(_("Nothing to send: this carrier has no listed number here."), field="carrier")
    now = timezone.now()
    today = today or timezone.localdate(now)
    dispatch = Dispatch.objects.create(
        organisation=organisation, carrier=carrier if carrier != OTHER else Carrier.OTHER, sent_on=today,
        lines=len(lines), created_by=None if is_system(actor) else actor,
    )
    for line in lines:
        line.status = WaiverStatus.SENT
        line.dispatch = dispatch
        line.sent_at = now
        save(line, actor, ["status", "dispatch", "sent_at"])
    audit.record(actor, "telecom.dispatch.send", obj=dispatch, organisation=organisation,
                 detail={"carrier": carrier, "count": len(lines), "on": today.isoformat(), "held_back": held})
    audit.record_many(
        actor, "telecom.waiver.transition",
        [(line, line.worker.organisation, {"from": WaiverStatus.LISTED, "to": WaiverStatus.SENT, "step": "send",
                       "dispatch": dispatch.pk}) for line in lines],
    )
    return dispatch


def list_name(dispatch: Dispatch) -> str:
    return list_of(dispatch.carrier)


def require_view(actor: Any, dispatch: Dispatch) -> None:
    if not is_system(actor) and not Dispatch.policy.allows(actor, "view", dispatch):
        raise NotAllowed(_("You may not see this list."))
