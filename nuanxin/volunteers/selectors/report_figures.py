"""The volunteers' figures for the reports (``reports/figures.py``): per organisation path, its
whole subtree's figures over [start, end] (inclusive days). No user scoping (the reports read
on the organisation's behalf), no names, a fixed number of queries whatever the number of paths.

- ``volunteer_teams``: active teams opened by ``end`` or with a shift in the period;
- ``volunteers``: active volunteers who joined by ``end``;
- ``volunteers_active``: of them, those with at least 8 hours (``choices.ACTIVE_HOURS``) checked
  out in the 30 days (``ACTIVE_DAYS``) up to and including ``end``;
- ``volunteer_hours`` (Decimal): the hours of the shifts starting in the period;
- ``people_served``: the people served entered on those shifts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nuanxin.orgs.scope import minimal_prefixes
from nuanxin.volunteers.selectors.figures import by_paths, team_figures

FIGURES: dict[str, tuple[Any, str]] = {  # (lazy label, unit)
    "volunteer_teams": (_("Volunteer teams"), "count"),
    "volunteers": (_("Volunteers"), "count"),
    "volunteers_active": (_("Active volunteers (8 hours or more in 30 days)"), "count"),
    "volunteer_hours": (_("Volunteer hours"), "hours"),
    "people_served": (_("People served by volunteers"), "count"),
}


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, int | Decimal]]:
    """path → its subtree's figures (every code of ``FIGURES``)."""
    paths = list(dict.fromkeys(paths))
    if not paths:
        return {}
    q = Q()
    for path in minimal_prefixes(paths):  # the subtrees once (a tree's root covers its children)
        q |= Q(organisation__path__startswith=path)
    per_team = team_figures(q, start, end)
    return {path: figures.as_dict() for path, figures in by_paths(per_team, paths).items()}
