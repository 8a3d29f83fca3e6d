"""Labour's figures for the reports (``reports.figures``): per organisation subtree and period
(no user scoping, counts only, never a worker).

- ``labour_arrangements``: pregnancy and lactation arrangements raised in the period;
- ``legal_cases``: legal-aid cases opened in it; ``employment_helped``: family members who
  found work in it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from nuanxin.care.selectors.report_figures import day_range, merge, rollup, subtree_q
from nuanxin.labour.models import Arrangement, EmploymentCase, LegalCase

FIGURES: dict[str, tuple[Any, str]] = {
    "labour_arrangements": (_("Pregnancy and lactation arrangements raised"), "count"),
    "legal_cases": (_("Legal-aid cases opened"), "count"),
    "employment_helped": (_("Family members helped into work"), "count"),
}


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, int | Decimal]]:
    """path -> the labour figures of its subtree over [start, end]: three queries."""
    if not paths:
        return {}
    since, until = day_range(start, end)
    key = "worker__organisation__path"

    def count(qs: Any) -> Any:
        return qs.filter(subtree_q(key, paths)).values(key).annotate(n=Count("id")).order_by()

    arrangements = count(Arrangement.objects.filter(created_at__gte=since, created_at__lt=until))
    legal = count(LegalCase.objects.filter(created_at__gte=since, created_at__lt=until))
    employed = count(EmploymentCase.objects.filter(employed_at__gte=since, employed_at__lt=until))
    return merge(
        rollup(arrangements, paths, path_key=key, fields={"labour_arrangements": "n"}),
        rollup(legal, paths, path_key=key, fields={"legal_cases": "n"}),
        rollup(employed, paths, path_key=key, fields={"employment_helped": "n"}),
    )
