"""The produce scheme's figures for the reports (``reports.figures``): by the families'
organisation, for the weeks whose Monday lies in a period (no user scoping, no names).

- ``produce_families``: families with an order (not cancelled);
- ``produce_parcels``: parcels collected; ``produce_value`` / ``produce_subsidy``: their value
  and the subsidy charged for them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from nuanxin.care.selectors.report_figures import rollup, subtree_q
from nuanxin.produce.choices import OrderStatus
from nuanxin.produce.models import Order

ZERO = Decimal("0.00")

FIGURES: dict[str, tuple[Any, str]] = {
    "produce_families": (_("Families ordering produce"), "count"),
    "produce_parcels": (_("Produce parcels collected"), "count"),
    "produce_value": (_("Value of the produce collected"), "yuan"),
    "produce_subsidy": (_("Produce subsidy charged"), "yuan"),
}


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, int | Decimal]]:
    """path -> the produce figures of its subtree over the weeks starting in [start, end]: one query."""
    if not paths:
        return {}
    key = "worker__organisation__path"
    collected = Q(status=OrderStatus.COLLECTED)
    rows = (
        Order.objects.filter(subtree_q(key, paths), week__gte=start, week__lte=end)
        .exclude(status=OrderStatus.CANCELLED)
        .values(key)
        .annotate(
            families=Count("worker", distinct=True),
            parcels=Count("id", filter=collected),
            value=Sum("value", filter=collected),
            subsidy=Sum("subsidy", filter=collected),
        )
        .order_by()
    )
    return rollup(
        rows,
        paths,
        path_key=key,
        fields={
            "produce_families": "families",
            "produce_parcels": "parcels",
            "produce_value": "value",
            "produce_subsidy": "subsidy",
        },
        zero={"produce_families": 0, "produce_parcels": 0, "produce_value": ZERO, "produce_subsidy": ZERO},
    )
