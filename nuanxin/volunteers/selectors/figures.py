"""The volunteers' figures (viewer-safe: counts and hours, never a volunteer's name): per team,
then added up per organisation and every level above it.

Per team over [start, end] (inclusive local days, by the shift's start): ``volunteers`` (active
volunteers who joined by ``end``), ``volunteers_active`` (of them, those with at least
``ACTIVE_HOURS`` hours in the ``ACTIVE_DAYS`` days up to ``end``), ``volunteer_hours`` and
``people_served``; ``volunteer_teams`` counts the active teams opened by ``end`` or with a shift in
the period. A fixed number of
queries whatever the number of teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import ancestor_paths
from nuanxin.volunteers.choices import ACTIVE_DAYS, ACTIVE_HOURS, CheckinStatus
from nuanxin.volunteers.models import Checkin, Shift, Team, Volunteer

ZERO = Decimal("0.00")
CODES = ("volunteer_teams", "volunteers", "volunteers_active", "volunteer_hours", "people_served")


@dataclass
class Figures:
    volunteer_teams: int = 0
    volunteers: int = 0
    volunteers_active: int = 0
    volunteer_hours: Decimal = ZERO
    people_served: int = 0

    def add(self, other: Figures) -> None:
        for code in CODES:
            setattr(self, code, getattr(self, code) + getattr(other, code))

    def as_dict(self) -> dict[str, Any]:
        return {code: getattr(self, code) for code in CODES}


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def team_figures(teams: Q, start: date, end: date) -> dict[int, tuple[str, Figures]]:
    """team id → (its organisation's path, its figures), for the teams ``teams`` selects
    (a ``Q`` on ``Team``). Five queries."""
    after = _start(end + timedelta(days=1))
    since = _start(start)
    window = _start(end - timedelta(days=ACTIVE_DAYS - 1))
    result: dict[int, tuple[str, Figures]] = {}
    opened: dict[int, bool] = {}  # counted as a team: active, and opened by the end or worked in the period
    active_of: dict[int, bool] = {}
    for pk, path, active, created in Team.objects.filter(teams).values_list(
        "pk", "organisation__path", "active", "created_at"
    ):
        result[pk] = (path, Figures())
        opened[pk] = active and created < after
        active_of[pk] = active
    if not result:
        return result
    ids = list(result)
    for team_id, n in (
        Volunteer.objects.filter(team_id__in=ids, active=True, joined_on__lte=end)
        .values_list("team_id")
        .annotate(n=Count("id"))
    ):
        result[team_id][1].volunteers = n
    active = (
        Checkin.objects.filter(
            volunteer__team_id__in=ids,
            volunteer__active=True,
            volunteer__joined_on__lte=end,
            status=CheckinStatus.DONE,
            shift__starts_at__gte=window,
            shift__starts_at__lt=after,
        )
        .values("volunteer_id", "volunteer__team_id")
        .annotate(h=Sum("hours"))
        .filter(h__gte=ACTIVE_HOURS)
    )
    for row in active:
        result[row["volunteer__team_id"]][1].volunteers_active += 1
    for team_id, hours in (
        Checkin.objects.filter(
            shift__task__team_id__in=ids,
            status=CheckinStatus.DONE,
            shift__starts_at__gte=since,
            shift__starts_at__lt=after,
        )
        .values_list("shift__task__team_id")
        .annotate(h=Sum("hours"))
    ):
        result[team_id][1].volunteer_hours = (hours or ZERO).quantize(Decimal("0.01"))
    for team_id, served in (
        Shift.objects.filter(task__team_id__in=ids, starts_at__gte=since, starts_at__lt=after)
        .values_list("task__team_id")
        .annotate(s=Sum("people_served"))
    ):
        result[team_id][1].people_served = served or 0
        opened[team_id] = opened[team_id] or active_of[team_id]  # a shift in the period: it was there
    for team_id, is_open in opened.items():
        result[team_id][1].volunteer_teams = 1 if is_open else 0
    return result


def by_paths(per_team: dict[int, tuple[str, Figures]], paths: list[str]) -> dict[str, Figures]:
    """Each path's subtree's figures, added up from the teams."""
    totals = {path: Figures() for path in paths}
    for team_path, figures in per_team.values():
        for path in ancestor_paths(team_path):
            if path in totals:
                totals[path].add(figures)
    return totals


@dataclass
class OrgRow:
    organisation: Organisation
    depth: int
    figures: Figures


@dataclass
class Page:
    start: date
    end: date
    total: Figures = field(default_factory=Figures)
    rows: list[OrgRow] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rows


def figures(user: Any, *, days: int = ACTIVE_DAYS, today: date | None = None) -> Page:
    """The figures page of ``user``: the teams they may see figures of, over the last ``days``
    days, per organisation of those teams and every level above (each counts its subtree's
    teams in the user's reach)."""
    end = today or timezone.localdate()
    start = end - timedelta(days=days - 1)
    visible = Team.objects.for_user(user, "figures").values("pk")
    per_team = team_figures(Q(pk__in=visible), start, end)
    page = Page(start=start, end=end)
    if not per_team:
        return page
    paths = sorted({p for path, _f in per_team.values() for p in ancestor_paths(path)})
    totals = by_paths(per_team, paths)
    orgs = {o.path: o for o in Organisation.objects.filter(path__in=paths)}
    top = min(len(p) for p in paths)
    for path in paths:
        org = orgs.get(path)
        if org is None:
            continue
        page.rows.append(OrgRow(organisation=org, depth=(len(path) - top) // 4, figures=totals[path]))
    for _path, f in per_team.values():
        page.total.add(f)
    return page
