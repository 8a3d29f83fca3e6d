"""The care work's figures for the reports (``reports.figures``): per organisation subtree and
period, read on the organisation's behalf (no user scoping), counts only, never a name.

- ``families``: families with a visit duty in a week of the period (weeks whose Monday lies in
  it; an excused duty is not owed), ``families_visited`` / ``families_missed``: those whose duty
  was done / missed (a family due in several weeks of a month counts once);
- ``visits``: visits recorded on a day of the period;
- ``difficulties_opened`` / ``difficulties_solved``: difficulties opened / resolved in it.

``rollup`` is the shared shape of every app's ``report_figures``: one grouped query per figure
group, rows by organisation path, added up into every requested path that is a prefix of it —
a fixed number of queries whatever the number of paths or the size of the subtrees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import Campaign, Difficulty, Visit, VisitDuty
from nuanxin.orgs.models import Organisation

FIGURES: dict[str, tuple[Any, str]] = {
    "families": (_("Families with a weekly visit due"), "count"),
    "families_visited": (_("Families visited as due"), "count"),
    "families_missed": (_("Families whose visit was missed"), "count"),
    "visits": (_("Visits made"), "count"),
    "difficulties_opened": (_("Difficulties raised"), "count"),
    "difficulties_solved": (_("Difficulties solved"), "count"),
}

Number = int | Decimal


def covering(paths: Iterable[str]) -> list[str]:
    """The fewest paths whose subtrees hold every path's (a path under another is dropped)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def subtree_q(lookup: str, paths: Iterable[str]) -> Q:
    """Rows whose ``lookup`` (an organisation path) lies in one of the subtrees of ``paths``."""
    q = Q(pk__in=[])
    for path in covering(paths):
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def rollup(
    rows: Iterable[Mapping[str, Any]],
    paths: Iterable[str],
    *,
    path_key: str,
    fields: Mapping[str, str],
    zero: Mapping[str, Number] | None = None,
) -> dict[str, dict[str, Number]]:
    """Add grouped ``rows`` (each with an organisation path under ``path_key``) into every one of
    ``paths`` that is a prefix of the row's path: ``fields`` maps a figure code to the row's key."""
    wanted = list(dict.fromkeys(paths))
    out: dict[str, dict[str, Number]] = {p: dict(zero or {code: 0 for code in fields}) for p in wanted}
    step = Organisation.steplen
    targets = set(wanted)
    for row in rows:
        path = row[path_key] or ""
        for end in range(step, len(path) + 1, step):
            prefix = path[:end]
            if prefix in targets:
                figures = out[prefix]
                for code, key in fields.items():
                    value = row.get(key)
                    if value:
                        figures[code] = figures[code] + value
    return out


def day_range(start: date, end: date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in local time, aware: the period's instants."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def merge(*parts: Mapping[str, Mapping[str, Number]]) -> dict[str, dict[str, Number]]:
    out: dict[str, dict[str, Number]] = {}
    for part in parts:
        for path, figures in part.items():
            out.setdefault(path, {}).update(figures)
    return out


def _grouped(qs: QuerySet[Any], path_lookup: str, **aggregates: Any) -> list[dict[str, Any]]:
    return list(qs.values(path_lookup).annotate(**aggregates).order_by())


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, Number]]:
    """path -> the care figures of its subtree over [start, end]: three queries."""
    if not paths:
        return {}
    since, until = day_range(start, end)
    duties = _grouped(
        # Every campaign named, so that the (campaign, week, organisation, status) index is read.
        VisitDuty.objects.filter(
            subtree_q("organisation__path", paths),
            campaign__in=Campaign.objects.values("pk"),
            week__gte=start,
            week__lte=end,
        ).exclude(status=DutyStatus.EXCUSED),
        "organisation__path",
        families=Count("worker", distinct=True),
        visited=Count("worker", filter=Q(status=DutyStatus.DONE), distinct=True),
        missed=Count("worker", filter=Q(status=DutyStatus.MISSED), distinct=True),
    )
    visits = _grouped(
        Visit.objects.filter(subtree_q("worker__organisation__path", paths), on__gte=start, on__lte=end),
        "worker__organisation__path",
        visits=Count("id"),
    )
    difficulties = _grouped(
        Difficulty.objects.filter(
            subtree_q("organisation__path", paths),
            Q(created_at__gte=since, created_at__lt=until) | Q(resolved_at__gte=since, resolved_at__lt=until),
        ),
        "organisation__path",
        opened=Count("id", filter=Q(created_at__gte=since, created_at__lt=until)),
        solved=Count("id", filter=Q(resolved_at__gte=since, resolved_at__lt=until)),
    )
    return merge(
        rollup(
            duties,
            paths,
            path_key="organisation__path",
            fields={"families": "families", "families_visited": "visited", "families_missed": "missed"},
        ),
        rollup(visits, paths, path_key="worker__organisation__path", fields={"visits": "visits"}),
        rollup(
            difficulties,
            paths,
            path_key="organisation__path",
            fields={"difficulties_opened": "opened", "difficulties_solved": "solved"},
        ),
    )
