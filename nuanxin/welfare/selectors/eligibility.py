"""Who may be enrolled in a scheme: the members of the scheme's frontline teams (the Hubei aid
team by default) who are still in the register (not archived, not deceased) and not enrolled
in it yet."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, F, QuerySet

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


def batch_team_name(batch: str) -> str:
    """A deployment's batch as a team's name: written as a full team name (containing 队, e.g.
    青岛市第2批援鄂医疗队) as it is; written short (第二批) with the city's name and the team's
    (青岛市第二批援鄂医疗队)."""
    batch = batch.strip()
    if "队" in batch:
        return batch[:100]
    return f"{root_prefix()}{batch}援鄂医疗队"[:100]


def own_team_names(scheme: Scheme, workers: list[Worker]) -> dict[int, str]:
    """Each worker's own team name (by worker id): the batch of their first deployment that
    records one (``batch_team_name``), else the city's name and their frontline team's
    (青岛市援鄂医疗队). Two workers of one unit deployed with different batches get different
    names: a unit's team is enrolled under each person's own batch, never one batch for all."""
    pks = [w.pk for w in workers]
    batches: dict[int, str] = {}
    rows = (
        Deployment.objects.filter(worker__in=pks)
        .order_by(F("departed_on").asc(nulls_last=True), "id")
        .values_list("worker_id", "batch")
    )
    for worker_id, batch in rows:
        if batch and batch.strip() and worker_id not in batches:
            batches[worker_id] = batch
    names: dict[int, str] = {}
    for worker in workers:
        if worker.pk in batches:
            names[worker.pk] = batch_team_name(batches[worker.pk])
            continue
        team = worker.team if worker.team in TeamType.values else (list(scheme.teams) or [""])[0]
        label = str(TeamType(team).label) if team in TeamType.values else ""
        names[worker.pk] = f"{root_prefix()}{label}"[:100]
    return names


def team_batches(scheme: Scheme, workers: list[Worker]) -> list[tuple[str, int]]:
    """The team names ``workers`` would be enrolled under (``own_team_names``) with how many
    of them each, by name."""
    return sorted(Counter(own_team_names(scheme, workers).values()).items())


def default_team_name(scheme: Scheme, workers: list[Worker]) -> str:
    """The team name to suggest for ``workers``: the one they all share (one batch), or ""
    when they come from more than one batch (each is then enrolled under their own)."""
    batches = team_batches(scheme, workers)
    return batches[0][0] if len(batches) == 1 else ""
