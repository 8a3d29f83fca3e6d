"""The funds' figures for the reports (``reports.figures``): per organisation subtree and period,
from the ledger's postings (no user scoping, amounts only, never a payee).

- ``funds_received``: income plus what came from above (allocations inside the subtree appear
  out of one fund and into another and cancel), net of reversals;
- ``funds_allocated``: what the organisation's own funds passed down (its own allocations out);
- ``funds_spent``: what was spent in the subtree (投入资金), and ``funds_spent_<category>`` by
  category.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from nuanxin.care.selectors.report_figures import rollup, subtree_q
from nuanxin.funds.choices import Category, PostingKind
from nuanxin.funds.models import Posting

ZERO = Decimal("0.00")

FIGURES: dict[str, tuple[Any, str]] = {
    "funds_received": (_("Funds received (income and from above)"), "yuan"),
    "funds_allocated": (_("Funds allocated to the levels below"), "yuan"),
    "funds_spent": (_("Funds spent"), "yuan"),
}
# Spent by category: one figure per ``Category`` (labels of their own: "Protective supplies"
# alone would read as a count of supplies in a report).
CATEGORY_LABELS: dict[str, Any] = {
    f"funds_spent_{Category.PROTECTIVE}": _("Funds spent on protective supplies"),
    f"funds_spent_{Category.CONDOLENCE}": _("Funds spent on condolence money"),
    f"funds_spent_{Category.LIVING}": _("Funds spent on living allowances"),
    f"funds_spent_{Category.COMFORT}": _("Funds spent on comfort supplies"),
    f"funds_spent_{Category.RECUPERATION}": _("Funds spent on recuperation"),
    f"funds_spent_{Category.MUTUAL_AID}": _("Funds spent on mutual-aid insurance"),
    f"funds_spent_{Category.VOLUNTEER}": _("Funds spent on volunteer service"),
    f"funds_spent_{Category.OTHER}": _("Funds spent on other purposes"),
}
FIGURES.update({code: (label, "yuan") for code, label in CATEGORY_LABELS.items()})


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, int | Decimal]]:
    """path -> the funds' figures of its subtree over [start, end]: one query."""
    if not paths:
        return {}
    grouped = (
        Posting.objects.filter(subtree_q("organisation__path", paths), on__gte=start, on__lte=end)
        .values("organisation__path", "kind", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_org: dict[str, dict[str, Any]] = {}
    for g in grouped:
        path = g["organisation__path"]
        row = by_org.setdefault(path, {"organisation__path": path})
        amount = g["total"] or ZERO
        kind = g["kind"]
        if kind in (PostingKind.INCOME, PostingKind.ALLOCATION_IN, PostingKind.ALLOCATION_OUT):
            row["funds_received"] = row.get("funds_received", ZERO) + amount
        if kind == PostingKind.ALLOCATION_OUT:
            row["own_allocated"] = row.get("own_allocated", ZERO) - amount
        if kind == PostingKind.EXPENDITURE:
            row["funds_spent"] = row.get("funds_spent", ZERO) - amount
            code = f"funds_spent_{g['category'] or Category.OTHER}"
            if code in CATEGORY_LABELS:
                row[code] = row.get(code, ZERO) - amount
    codes = [c for c in FIGURES if c != "funds_allocated"]
    out = rollup(
        by_org.values(),
        paths,
        path_key="organisation__path",
        fields={c: c for c in codes},
        zero={c: ZERO for c in FIGURES},
    )
    for path, figures in out.items():  # the organisation's own, not its subtree's
        figures["funds_allocated"] = by_org.get(path, {}).get("own_allocated", ZERO)
    return out
