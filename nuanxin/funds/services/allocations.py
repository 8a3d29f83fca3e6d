"""Allocating down the tree to organisations (下拨): the page and the API name the
organisations below and an amount each; an organisation without a fund of the same name gets
one opened (source "allocation from above", the same categories and period, ``allocated_from``)
and the allocations are recorded at once (one batch: the threshold applies to the total)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.funds.choices import FundSource
from nuanxin.funds.models import Entry, Fund
from nuanxin.funds.services import funds as fund_services
from nuanxin.funds.services import ledger


@dataclass(frozen=True)
class Target:
    organisation: Any
    amount: Decimal


def fund_for(*, actor, fund: Fund, organisation) -> Fund:
    """The fund of ``organisation`` that receives allocations from ``fund``: the one it was
    opened from ``fund``, else the one of the same name, else a new one."""
    found = (
        Fund.objects.filter(organisation=organisation, allocated_from=fund).order_by("id").first()
        or Fund.objects.filter(organisation=organisation, name=fund.name).first()
    )
    if found is not None:
        return found
    return fund_services.open_fund(
        actor=actor, organisation=organisation, name=fund.name, source=FundSource.ALLOCATION,
        starts_on=fund.starts_on, ends_on=fund.ends_on, categories=list(fund.categories), allocated_from=fund,
    )


@transaction.atomic
def allocate_to_organisations(
    *, actor, fund: Fund, targets: Sequence[Target], on: date, description: str = ""
) -> list[Entry]:
    """Allocate from ``fund`` to each organisation of ``targets`` (below the fund's), opening
    their funds where needed. Nothing is saved when any part is refused."""
    if not targets:
        raise ServiceError(_("Choose at least one organisation to allocate to."), field="organisations")
    origin = fund.organisation
    for target in targets:
        org = target.organisation
        if org.pk == origin.pk or not org.path.startswith(origin.path):
            raise ServiceError(
                _("Money is allocated to a fund of an organisation below “%(org)s”.") % {"org": origin.name},
                field="organisations",
            )
    ledger._check_fund(actor, fund)
    allocations = [
        ledger.Allocation(fund_for(actor=actor, fund=fund, organisation=t.organisation), ledger.money(t.amount))
        for t in targets
    ]
    return ledger.record_allocations(
        actor=actor, fund=fund, allocations=allocations, on=on, description=description
    )
