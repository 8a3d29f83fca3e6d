"""Closing and settling a week's offer at a point.

- ``close_offer``: after the order cut-off the offer stops taking orders (OPEN → CLOSED); the
  pick list and the supplier totals are then fixed. The job ``produce.close_due`` (every 5
  minutes) closes every offer past its cut-off; an administrator may press "close" too.
- ``settle_offer``: after the pickup day (``pickup.DAY_END_HOUR``) the parcels still waiting
  are marked not collected, the sample of check calls is drawn, the offer becomes SETTLED and
  the finance clerks of its fund are told that its subsidy awaits charging (a clerk charges it:
  ``subsidy.charge_subsidy``; that module says why not the system). The job
  ``produce.settle_due`` (daily at 21:30) settles every offer whose pickup day is over.
  Settling twice, even at the same moment, is refused: the offer's row is locked.
- The pick list and supplier-total exports (xlsx) are audited here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM, user_of
from nuanxin.core.versioning import bump
from nuanxin.produce.choices import OfferStatus
from nuanxin.produce.models import Offer
from nuanxin.produce.services import callbacks, pickup, subsidy


@dataclass(frozen=True)
class Settlement:
    offer: Offer
    uncollected: int
    callbacks: int
    subsidy: Any  # the subsidy of the parcels collected (what a finance clerk charges)
    clerks_told: int  # the fund's finance clerks told that it awaits them
    charge_error: str  # why it cannot be charged ("" when it can, or there is nothing to charge)


def _locked(offer: Offer) -> Offer:
    """``offer`` read again under its row's lock (its point, organisation and fund with it)."""
    return Offer.objects.select_for_update(of=("self",)).select_related("point__organisation", "fund").get(pk=offer.pk)


@transaction.atomic
def close_offer(*, actor: Any, offer: Offer) -> Offer:
    """Stop taking orders (OPEN → CLOSED), once the cut-off is past."""
    Offer.policy.require(actor, "change", offer, _("You may not close this week's offer."))
    locked = _locked(offer)
    if locked.status != OfferStatus.OPEN:
        raise ServiceError(
            _("Only an offer taking orders can be closed (this one is “%(status)s”).")
            % {"status": locked.get_status_display()},
            code="not_open",
        )
    if locked.cutoff_at > timezone.now():
        raise ServiceError(
            _("The order cut-off (%(cutoff)s) is not past yet.")
            % {"cutoff": f"{timezone.localtime(locked.cutoff_at):%Y-%m-%d %H:%M}"}
        )
    locked.status = OfferStatus.CLOSED
    locked.closed_at = timezone.now()
    locked._history_user = user_of(actor)  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "closed_at", bump(locked)])
    audit.record(
        actor,
        "produce.offer.close",
        obj=locked,
        object_repr=f"offer #{locked.pk}",
        organisation=locked.point.organisation,
        detail={"week": f"{locked.week:%Y-%m-%d}"},
    )
    return locked


@transaction.atomic
def settle_offer(*, actor: Any, offer: Offer) -> Settlement:
    """Settle ``offer`` after its pickup day: uncollected marked, check calls drawn, SETTLED,
    the fund's finance clerks told that the subsidy awaits charging (``charge_error`` says when
    no fund is chosen)."""
    Offer.policy.require(actor, "change", offer, _("You may not settle this week's offer."))
    locked = _locked(offer)
    if locked.status == OfferStatus.SETTLED:
        raise ServiceError(_("This week's offer is settled already."), code="settled")
    if locked.status == OfferStatus.DRAFT:
        raise ServiceError(_("This offer was never opened: there is nothing to settle."))
    if timezone.now() < pickup.day_end(locked):
        raise ServiceError(
            _("The week is settled after its pickup day (%(day)s, from %(hour)d:00).")
            % {"day": f"{locked.pickup_on:%Y-%m-%d}", "hour": pickup.DAY_END_HOUR}
        )
    if locked.status == OfferStatus.OPEN:  # the close job has not run yet
        locked.closed_at = timezone.now()
    uncollected = pickup.mark_uncollected(actor=actor, offer=locked)
    drawn = callbacks.draw(actor=actor, offer=locked)
    locked.status = OfferStatus.SETTLED
    locked.settled_at = timezone.now()
    locked._history_user = user_of(actor)  # type: ignore[attr-defined]
    locked.save(update_fields=["status", "closed_at", "settled_at", bump(locked)])
    audit.record(
        actor,
        "produce.offer.settle",
        obj=locked,
        object_repr=f"offer #{locked.pk}",
        organisation=locked.point.organisation,
        detail={"week": f"{locked.week:%Y-%m-%d}", "uncollected": uncollected, "callbacks": drawn},
    )
    charge = subsidy.charge_of(locked)
    amount = charge.subsidy
    error = ""
    if locked.fund_id is None and amount > 0:
        error = _("No fund is chosen for this offer: choose one on the offer first.")
    told = subsidy.notify_clerks(locked, charge)
    return Settlement(
        offer=locked,
        uncollected=uncollected,
        callbacks=drawn,
        subsidy=amount,
        clerks_told=told,
        charge_error=error,
    )


def close_due(*, actor: Any = SYSTEM, now: Any = None, offers: Any = None) -> int:
    """Close every offer past its cut-off (the job; ``offers``: only among these, as the week
    page and the hub do before they show an offer's status, so that no page says "taking
    orders" after the cut-off while the job has not run yet). Returns how many were closed."""
    now = now or timezone.now()
    done = 0
    due = Offer.objects.filter(status=OfferStatus.OPEN, cutoff_at__lte=now)
    if offers is not None:
        due = due.filter(pk__in=offers)
    for offer in due.order_by("cutoff_at", "pk"):
        try:
            close_offer(actor=actor, offer=offer)
            done += 1
        except ServiceError:  # closed meanwhile by someone
            continue
    return done


def settle_due(*, actor: Any = SYSTEM, now: Any = None) -> list[Settlement]:
    """Settle every opened offer whose pickup day is over (the job)."""
    now = now or timezone.now()
    results = []
    candidates = Offer.objects.filter(
        status__in=(OfferStatus.OPEN, OfferStatus.CLOSED), pickup_on__lte=timezone.localdate(now)
    ).order_by("pickup_on", "pk")
    for offer in candidates:
        if now < pickup.day_end(offer):
            continue
        try:
            results.append(settle_offer(actor=actor, offer=offer))
        except ServiceError:  # settled meanwhile by someone
            continue
    return results


def audit_export(actor: Any, action: str, *, obj: Any, organisation: Any, detail: dict) -> None:
    """An export of a pick list or of the supplier totals (names and codes leave the system)."""
    audit.record(
        actor,
        action,
        obj=obj,
        object_repr=f"offer #{obj.pk}" if obj is not None else "",
        object_type="" if obj is not None else "produce.week",
        organisation=organisation,
        detail=detail,
    )
