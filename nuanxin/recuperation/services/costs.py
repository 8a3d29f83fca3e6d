"""The cost of a batch's places charged to a fund: one expenditure, once the batch is held.

A finance clerk (who may "record" on the fund: ``Fund.objects.for_user(user, "record")``)
charges the places used × the programme's cost of a place as one expenditure of a fund
(category recuperation, the base as the supplier), which then awaits approval like any other
entry. The places used are those who attended, so the cost is charged once the batch is held
(finished): before then nobody knows who came. The entry is linked to the batch
(``Batch.cost_entry``): the batch is never charged twice, unless the entry was rejected (then it
may be charged again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.funds.choices import Category, EntryStatus, PayeeKind
from nuanxin.funds.models import Entry, Fund
from nuanxin.funds.services.spending import record_expenditure
from nuanxin.recuperation.choices import BatchStatus, CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate


@dataclass(frozen=True)
class Cost:
    """What charging ``batch`` would record: ``places`` taken × ``cost_per_place`` = ``amount``;
    ``charged`` the entry already linked (not rejected), else None."""

    places: int
    cost_per_place: Decimal
    amount: Decimal
    charged: Entry | None


def taken_statuses(batch: Batch) -> list[str]:
    """The candidates' statuses whose places are paid: those who attended."""
    return [CandidateStatus.ATTENDED.value]


def _charged(batch: Batch) -> Entry | None:
    if batch.cost_entry_id is None:
        return None
    entry = Entry.objects.get(pk=batch.cost_entry_id)
    return None if entry.status == EntryStatus.REJECTED else entry


def cost_of(batch: Batch) -> Cost:
    """The cost of ``batch`` as it stands (nothing written)."""
    places = Candidate.objects.filter(batch=batch, status__in=taken_statuses(batch)).count()
    per_place = batch.programme.cost_per_place
    return Cost(places=places, cost_per_place=per_place, amount=(per_place * places).quantize(Decimal("0.01")),
                charged=_charged(batch))


def funds_for(user: Any) -> Any:
    """The open funds ``user`` may charge (record entries of) that allow recuperation."""
    return [
        fund for fund in Fund.objects.for_user(user, "record").filter(active=True).select_related("organisation")
        .order_by("organisation__path", "name", "id")
        if not fund.categories or Category.RECUPERATION in fund.categories
    ]


def may_charge(user: Any) -> bool:
    """Whether ``user`` may charge a batch's cost at all (a finance clerk of some fund)."""
    return Fund.objects.for_user(user, "record").exists()


@transaction.atomic
def charge_cost(*, actor: Any, batch: Batch, fund: Fund, on: date | None = None) -> Entry:
    """Charge the places used of ``batch`` (those who attended) × the cost of a place to ``fund``
    as one expenditure (awaiting approval), linked to the batch. Refused before the batch is
    held, when it is charged already, when nobody attended or a place costs nothing, and
    (``NotAllowed``) when ``actor`` may not record entries of ``fund``."""
    if not Fund.policy.allows(actor, "record", fund):
        raise NotAllowed(_("You may not record entries of this fund."))
    batch = Batch.objects.select_for_update().select_related("programme", "base").get(pk=batch.pk)
    if batch.status == BatchStatus.CANCELLED:
        raise ServiceError(_("This batch was cancelled: it has no cost to charge."))
    if batch.status != BatchStatus.FINISHED:
        raise ServiceError(_("The cost is charged once the batch is held: mark it as held first."))
    if _charged(batch) is not None:
        raise ServiceError(_("The cost of this batch is charged already."))
    cost = cost_of(batch)
    if cost.cost_per_place <= 0:
        raise ServiceError(_("A place of this programme costs nothing: there is nothing to charge."))
    if cost.places == 0:
        raise ServiceError(_("Nobody attended this batch: there is nothing to charge."))
    description = _("Recuperation %(programme)s %(batch)s: %(places)d places × %(cost)s yuan") % {
        "programme": batch.programme.name, "batch": batch.name, "places": cost.places,
        "cost": f"{cost.cost_per_place:.2f}",
    }
    entry = record_expenditure(
        actor=actor, fund=fund, amount=cost.amount, category=Category.RECUPERATION,
        on=on or timezone.localdate(), payee=batch.base.name[:100], payee_kind=PayeeKind.SUPPLIER,
        description=description, quantity=cost.places,
    )
    batch.cost_entry = entry
    batch._history_user = user_of(actor)  # type: ignore[attr-defined]
    batch.save(update_fields=["cost_entry"])
    audit.record(
        actor, "recuperation.batch.charge", obj=batch, object_repr=f"batch #{batch.pk}",
        organisation=fund.organisation,
        detail={"fund": fund.pk, "count": cost.places, "amount": str(cost.amount),
                "cost_per_place": str(cost.cost_per_place)},
    )
    return entry
