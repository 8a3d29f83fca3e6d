"""The commendations' figures (counts only: viewers see these, never a nominee's story) and a
worker's frontline facts shown beside a nomination ("frontline first")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count
from django.utils import timezone

from nuanxin.honours.choices import NominationStatus
from nuanxin.honours.models import AwardType, Call, Nomination
from nuanxin.orgs.models import Organisation
from nuanxin.registry.choices import TeamType
from nuanxin.registry.models import Deployment

# Not counted as nominees: what was never submitted or was taken back.
NOT_COUNTED = (NominationStatus.DRAFT, NominationStatus.WITHDRAWN)
STEPLEN = Organisation.steplen


@dataclass(frozen=True)
class FrontlineFacts:
    """What the register knows of a nominee's frontline work: ``frontline`` (a frontline
    team is set), ``team`` (``registry.choices.TeamType`` value) and ``team_label``,
    ``aid_member`` (the Hubei aid medical team), ``days_deployed`` (the sum over the worker's
    deployments with a departure date, to today when not returned), ``deployments`` (how many),
    ``deployed_now`` (a deployment without a return date)."""

    frontline: bool
    team: str
    team_label: str
    aid_member: bool
    days_deployed: int
    deployments: int
    deployed_now: bool


def frontline_facts(worker: Any, today: date | None = None) -> FrontlineFacts | None:
    """The frontline facts of ``worker`` (``None`` without a worker: a unit or a team). Days
    deployed: from the departure to the return (today while not returned), summed."""
    if worker is None:
        return None
    today = today or timezone.localdate()
    days = 0
    count = 0
    now = False
    for departed, returned in Deployment.objects.filter(worker=worker).values_list("departed_on", "returned_on"):
        count += 1
        if departed is None:
            continue
        end = returned or today
        if returned is None:
            now = True
        days += max(0, (end - departed).days)
    team = worker.team or ""
    return FrontlineFacts(
        frontline=bool(team),
        team=team,
        team_label=str(TeamType(team).label) if team in TeamType.values else team,
        aid_member=team == TeamType.HUBEI_AID,
        days_deployed=days,
        deployments=count,
        deployed_now=now,
    )


@dataclass(frozen=True)
class Row:
    """One line of the figures: ``key`` (an award type's code or an organisation's code),
    ``label``, ``total`` nominations, ``frontline`` of them frontline staff, ``aid`` of them
    aid-team members, and ``by_status`` (status -> count)."""

    key: str
    label: str
    total: int
    frontline: int
    aid: int
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class Figures:
    """The counts of ``call`` a user may read: ``total`` nominations (drafts not counted: what
    was submitted), ``frontline`` (nominees who are frontline epidemic staff), ``aid``
    (Hubei aid-team members), ``awarded``; ``by_award_type`` and ``by_organisation`` (by
    district level: the organisation one below the root of each nominating unit), and
    ``by_status``."""

    call: Call
    total: int = 0
    frontline: int = 0
    aid: int = 0
    awarded: int = 0
    by_award_type: list[Row] = field(default_factory=list)
    by_organisation: list[Row] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)


def figures(user: Any, call: Call, org: Any = None) -> Figures:
    """The figures of ``call`` over the nominations ``user`` may report on
    (``Nomination.policy`` "report": administrators, viewers, auditors), optionally within the
    subtree of ``org``. Counts only."""
    qs = Nomination.objects.for_user(user, "report").filter(call=call).exclude(status__in=NOT_COUNTED)
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    groups = list(
        qs.values("award_type_id", "organisation__path", "status", "worker__team").annotate(n=Count("id"))
    )
    result = Figures(call=call)
    types = {t.pk: t for t in award_types_of(call)}
    depth2 = {g["organisation__path"][: 2 * STEPLEN] for g in groups}
    districts = {o.path: o for o in Organisation.objects.filter(path__in=depth2)}
    by_type: dict[Any, dict[str, Any]] = {}
    by_org: dict[str, dict[str, Any]] = {}

    def add(bucket: dict[str, Any], status: str, n: int, frontline: bool, aid: bool) -> None:
        bucket["total"] += n
        bucket["frontline"] += n if frontline else 0
        bucket["aid"] += n if aid else 0
        bucket["by_status"][status] = bucket["by_status"].get(status, 0) + n

    def empty() -> dict[str, Any]:
        return {"total": 0, "frontline": 0, "aid": 0, "by_status": {}}

    for g in groups:
        n, status, team = g["n"], g["status"], g["worker__team"] or ""
        frontline, aid = bool(team), team == TeamType.HUBEI_AID
        result.total += n
        result.frontline += n if frontline else 0
        result.aid += n if aid else 0
        result.awarded += n if status == NominationStatus.AWARDED else 0
        result.by_status[status] = result.by_status.get(status, 0) + n
        add(by_type.setdefault(g["award_type_id"], empty()), status, n, frontline, aid)
        add(by_org.setdefault(g["organisation__path"][: 2 * STEPLEN], empty()), status, n, frontline, aid)
    for type_id, award_type in types.items():
        bucket = by_type.get(type_id, empty())
        result.by_award_type.append(Row(key=award_type.code, label=award_type.name, **bucket))
    for path, bucket in sorted(by_org.items(), key=lambda item: (-item[1]["total"], item[0])):
        district = districts.get(path)
        result.by_organisation.append(
            Row(key=district.code if district else path, label=district.name if district else path, **bucket)
        )
    return result


def award_types_of(call: Call) -> list[AwardType]:
    """The award types of ``call`` in the catalogue's order."""
    return list(call.award_types.order_by("level", "name", "id"))
