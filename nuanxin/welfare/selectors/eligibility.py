"""Who may be enrolled in a scheme: the members of the scheme's frontline teams (the Hubei aid
team by default) who are still in the register (not archived, not deceased) and not enrolled
in it yet."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, QuerySet

from nuanxin.registry.choices import TeamType, WorkerStatus
from nuanxin.registry.models import Deployment, Worker
from nuanxin.welfare.models import Enrolment, Scheme

GONE = (WorkerStatus.ARCHIVED, WorkerStatus.DECEASED)


def team_workers(scheme: Scheme) -> QuerySet[Worker]:
    """Every worker of the scheme's teams still in the register (enrolled or not)."""
    return Worker.objects.filter(team__in=list(scheme.teams)).exclude(status__in=GONE)


def eligible_workers(scheme: Scheme, organisation: Any = None) -> QuerySet[Worker]:
    """The workers who may be enrolled now: of the scheme's teams, in the register, without an
    enrolment in ``scheme``; of the unit ``organisation`` only when given."""
    qs = team_workers(scheme).exclude(pk__in=Enrolment.objects.filter(scheme=scheme).values("worker_id"))
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.select_related("organisation").order_by("name_pinyin", "id")


def eligible_by_unit(scheme: Scheme, units: QuerySet[Any]) -> dict[int, int]:
    """How many eligible, not yet enrolled workers each unit of ``units`` has (units with none
    left out)."""
    rows = (
        team_workers(scheme)
        .filter(organisation__in=units)
        .exclude(pk__in=Enrolment.objects.filter(scheme=scheme).values("worker_id"))
        .values("organisation_id")
        .annotate(n=Count("id"))
    )
    return {row["organisation_id"]: row["n"] for row in rows}


def root_prefix() -> str:
    """The city's name as a team name begins with it: 青岛市总工会 → 青岛市."""
    from nuanxin.orgs.models import Organisation

    root = Organisation.objects.get_first_root_node()
    name = root.name if root is not None else ""
    for suffix in ("总工会", "工会"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def default_team_name(scheme: Scheme, workers: list[Worker]) -> str:
    """The name the unit's team is enrolled under: the batch most of the workers were deployed
    with (青岛市第2批援鄂医疗队; a batch written "第二批" becomes 青岛市第二批援鄂医疗队), else the
    frontline team's name."""
    batches = Counter(
        b.strip()
        for b in Deployment.objects.filter(worker__in=[w.pk for w in workers]).values_list("batch", flat=True)
        if b and b.strip()
    )
    if batches:
        batch = sorted(batches.items(), key=lambda item: (-item[1], item[0]))[0][0]
        if "队" in batch:
            return batch[:100]
        return f"{root_prefix()}{batch}援鄂医疗队"[:100]
    teams = Counter(w.team for w in workers) or Counter(scheme.teams)
    team = sorted(teams.items(), key=lambda item: (-item[1], item[0]))[0][0]
    label = str(TeamType(team).label) if team in TeamType.values else ""
    return f"{root_prefix()}{label}"[:100]
