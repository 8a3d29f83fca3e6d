"""The week's subsidy at a point charged to a fund: one expenditure per offer (= week × point).

Who charges: a finance clerk of the offer's fund (``FUND_RECORD``: ``Fund.policy`` "record"),
from the week's page, once the week is settled. Not the system: the ledger takes entries only
from a person (maker-checker: a clerk records, an approver of the fund approves, and the
system may not be the maker), and the clerk is the one who holds the suppliers' invoices the
amount is checked against. Settling (the job after the pickup day, or an administrator's
button) tells the fund's clerks that the week's subsidy awaits them (``notify_clerks``).

The amount is the sum of the subsidies of the parcels handed over (market price − what the
family paid, at the prices fixed on the offer); a parcel nobody came for gave no family its
subsidy and is not charged. The expenditure (category comfort supplies, the suppliers as the
payee, quantity = the parcels) awaits approval like any other. Never twice: the offer's row is
locked (``select_for_update``) while its ``expenditure`` is checked and set, so two clerks at
the same moment record one expenditure; a rejected expenditure may be charged again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.funds.choices import Category, EntryStatus, PayeeKind
from nuanxin.funds.models import Entry, Fund
from nuanxin.funds.services.spending import record_expenditure
from nuanxin.notify.services import notify
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, OfferItem, Order

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Charge:
    """What charging ``offer`` records: the ``parcels`` collected, their ``value`` at market
    prices, what the families ``paid`` and the ``subsidy`` (the amount)."""

    parcels: int
    value: Decimal
    paid: Decimal
    subsidy: Decimal
    suppliers: str


def charged(offer: Offer) -> Entry | None:
    """The expenditure charged for ``offer`` (not rejected), or None."""
    if offer.expenditure_id is None:
        return None
    entry = Entry.objects.get(pk=offer.expenditure_id)
    return None if entry.status == EntryStatus.REJECTED else entry


def charge_of(offer: Offer) -> Charge:
    """The subsidy of ``offer``'s collected parcels (nothing written)."""
    sums = Order.objects.filter(offer=offer, status=OrderStatus.COLLECTED).aggregate(
        n=Count("id"), value=Sum("value"), paid=Sum("payable"), subsidy=Sum("subsidy")
    )
    names = (
        OfferItem.objects.filter(offer=offer, lines__order__status=OrderStatus.COLLECTED)
        .values_list("supplier__name", flat=True)
        .distinct()
        .order_by("supplier__name")
    )
    suppliers = "、".join(names)
    if len(suppliers) > 100:
        suppliers = suppliers[:99] + "…"
    return Charge(
        parcels=sums["n"] or 0,
        value=(sums["value"] or ZERO).quantize(ZERO),
        paid=(sums["paid"] or ZERO).quantize(ZERO),
        subsidy=(sums["subsidy"] or ZERO).quantize(ZERO),
        suppliers=suppliers,
    )


def may_charge(user: Any, offer: Offer) -> bool:
    """Whether ``user`` may charge ``offer``'s subsidy by hand (a finance clerk of its fund)."""
    return offer.fund is not None and Fund.policy.allows(user, "record", offer.fund)


@transaction.atomic
def charge_subsidy(*, actor: Any, offer: Offer) -> Entry:
    """Charge the subsidy of ``offer``'s collected parcels to its fund as one expenditure
    (category comfort supplies, the suppliers as payee), linked to the offer, by a finance clerk
    of the fund; refused before the week is settled, without a fund, when charged already (not
    rejected) or when there is nothing to charge."""
    if not may_charge(actor, offer):
        raise NotAllowed(_("You may not record entries of this offer's fund."))
    locked = Offer.objects.select_for_update().get(pk=offer.pk)
    locked = Offer.objects.select_related("point__organisation", "fund").get(pk=locked.pk)
    if locked.status != OfferStatus.SETTLED:
        raise ServiceError(_("The subsidy is charged once the week is settled."))
    if locked.fund is None:
        raise ServiceError(_("No fund is chosen for this offer: choose one on the offer first."))
    if charged(locked) is not None:
        raise ServiceError(_("The subsidy of this week at this point is charged already."), code="charged")
    charge = charge_of(locked)
    if charge.subsidy <= 0:
        raise ServiceError(_("No parcel with a subsidy was collected: there is nothing to charge."))
    description = _(
        "Produce subsidy, week of %(week)s, %(point)s: %(parcels)d parcels collected, worth %(value)s yuan, "
        "families paid %(paid)s yuan"
    ) % {
        "week": f"{locked.week:%Y-%m-%d}",
        "point": locked.point.name,
        "parcels": charge.parcels,
        "value": f"{charge.value:.2f}",
        "paid": f"{charge.paid:.2f}",
    }
    entry = record_expenditure(
        actor=actor,
        fund=locked.fund,
        amount=charge.subsidy,
        category=Category.COMFORT,
        on=locked.pickup_on,
        payee=charge.suppliers or locked.point.name[:100],
        payee_kind=PayeeKind.SUPPLIER,
        description=description,
        quantity=charge.parcels,
        unit=_("parcels"),
    )
    locked.expenditure = entry
    locked._history_user = user_of(actor)  # type: ignore[attr-defined]
    locked.save(update_fields=["expenditure"])
    audit.record(
        actor,
        "produce.offer.charge",
        obj=locked,
        object_repr=f"offer #{locked.pk}",
        organisation=locked.point.organisation,
        detail={"fund": locked.fund_id, "entry": entry.pk, "count": charge.parcels, "amount": str(charge.subsidy)},
    )
    return entry


def notify_clerks(offer: Offer, charge: Charge | None = None) -> int:
    """Tell the finance clerks of ``offer``'s fund that its subsidy awaits charging (once per
    offer; ``charge``: ``charge_of(offer)`` when the caller has it); returns how many were told."""
    fund = offer.fund
    if fund is None:
        return 0
    charge = charge or charge_of(offer)
    if charge.subsidy <= 0:
        return 0
    url = reverse("produce:week", kwargs={"pk": offer.pk})

    def texts() -> tuple[str, str]:
        return (
            _("A week's produce subsidy awaits charging"),
            _(
                "%(point)s, the week of %(week)s: %(parcels)d parcels collected, subsidy %(amount)s yuan, to "
                "charge to %(fund)s."
            )
            % {
                "point": offer.point.name,
                "week": f"{offer.week:%Y-%m-%d}",
                "parcels": charge.parcels,
                "amount": f"{charge.subsidy:.2f}",
                "fund": fund.name,
            },
        )

    title, body = texts()
    told = 0
    for user in Fund.policy.holders("record", fund.organisation):
        if (
            notify(
                recipient=user,
                kind="produce.subsidy_due",
                occasion=f"offer:{offer.pk}",
                title=title,
                body=body,
                texts=texts,
                url=url,
            )
            is not None
        ):
            told += 1
    return told
