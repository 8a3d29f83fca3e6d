"""The commendations' figures (counts only: viewers see these, never a nominee's story) and a
worker's frontline facts shown beside a nomination ("frontline first")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nuanxin.honours.models import AwardType, Call


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
    """The frontline facts of ``worker`` (``None`` without a worker: a unit or a team)."""
    raise NotImplementedError


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
    raise NotImplementedError


def award_types_of(call: Call) -> list[AwardType]:
    """The award types of ``call`` in the catalogue's order."""
    raise NotImplementedError
