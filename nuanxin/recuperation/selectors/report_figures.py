"""Recuperation's figures for the reports (``reports.figures``): places taken by the workers of
an organisation's subtree in batches starting in a period (no user scoping, counts only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from nuanxin.care.selectors.report_figures import rollup, subtree_q
from nuanxin.recuperation.choices import BatchStatus, CandidateStatus
from nuanxin.recuperation.models import Candidate

FIGURES: dict[str, tuple[Any, str]] = {
    "recuperation_places": (_("Recuperation places taken"), "count"),
}
TAKEN = (CandidateStatus.ACCEPTED, CandidateStatus.ATTENDED)


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, int | Decimal]]:
    """path -> places taken (accepted or attended) in batches starting in [start, end]: one query."""
    if not paths:
        return {}
    key = "worker__organisation__path"
    rows = (
        Candidate.objects.filter(
            subtree_q(key, paths), status__in=TAKEN, batch__starts_on__gte=start, batch__starts_on__lte=end
        )
        .exclude(batch__status=BatchStatus.CANCELLED)
        .values(key)
        .annotate(n=Count("id"))
        .order_by()
    )
    return rollup(rows, paths, path_key=key, fields={"recuperation_places": "n"})
