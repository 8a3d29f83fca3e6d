"""The honours' figures for the reports (``reports.figures``): nominations sent up by the units
of an organisation's subtree in a period (no user scoping, counts only, never a nominee)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from nuanxin.care.selectors.report_figures import day_range, rollup, subtree_q
from nuanxin.honours.models import Nomination

FIGURES: dict[str, tuple[Any, str]] = {
    "nominations": (_("Honours nominations submitted"), "count"),
}


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, int | Decimal]]:
    """path -> nominations submitted in [start, end] by its subtree's units: one query."""
    if not paths:
        return {}
    since, until = day_range(start, end)
    key = "organisation__path"
    rows = (
        Nomination.objects.filter(subtree_q(key, paths), submitted_at__gte=since, submitted_at__lt=until)
        .values(key)
        .annotate(n=Count("id"))
        .order_by()
    )
    return rollup(rows, paths, path_key=key, fields={"nominations": "n"})
