"""The ranking of a batch's candidates by the programme's declared rule (issue 14 item 3).

``programme.ranking`` lists ``RankCriterion`` values in order; candidates are compared on the
first, then the second on a tie, and so on; a tie on every criterion is broken by application
time, then by id, so the order is always the same. The criteria:

- ``aid_team``: members of the Hubei aid medical team first;
- ``frontline``: members of a named frontline team (aid team, designated hospital, CDC, 120
  transfer) before "other frontline team";
- ``days_deployed``: more days deployed first: the sum over the worker's deployments of
  (return date, or today while still away) − departure + 1, both days counted;
- ``first_time``: those who never attended a recuperation (in any programme) first;
- ``applied_at``: earlier application first.

Each candidate gets one reason per criterion, in the rule's order ("援鄂医疗队队员", "在鄂 66
天", …): the page says why they stand where they stand. Only the waiting candidates who may
take a place get a position (1, 2, …: the order places are offered in); a waiting candidate who
cannot (holds a place in another batch of the programme, no longer in the register, of a team
the batch no longer admits) is shown with the reason and no position. The list: those holding a
place first (by rank), then the waiting by position, then the waiting who cannot take a place,
then the rest (declined, expired, withdrawn, did not come).

A fixed number of queries whatever the batch's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.recuperation.choices import HOLDING, CandidateStatus, RankCriterion
from nuanxin.recuperation.models import Batch, Candidate
from nuanxin.registry.choices import TeamType, WorkerStatus
from nuanxin.registry.models import Deployment

NAMED_FRONTLINE = frozenset(t.value for t in TeamType if t != TeamType.OTHER)
HOLDING_VALUES = frozenset(s.value for s in HOLDING)
GONE = frozenset({WorkerStatus.ARCHIVED.value, WorkerStatus.DECEASED.value})


@dataclass
class Ranked:
    candidate: Candidate
    position: int | None  # 1-based among the waiting candidates who may take a place; else None
    status: str
    reasons: list[str] = field(default_factory=list)
    eligible: bool = True
    ineligible_reason: str = ""
    days_deployed: int = 0
    first_time: bool = True
    sort_key: tuple = ()

    @property
    def status_label(self) -> str:
        return str(CandidateStatus(self.status).label)

    @property
    def holding(self) -> bool:
        return self.status in HOLDING_VALUES


def criteria(batch: Batch) -> list[str]:
    """The batch's programme's rule, unknown values left out, in the declared order."""
    known = {c.value for c in RankCriterion}
    return [c for c in (batch.programme.ranking or []) if c in known]


def days_deployed(deployments: list[Deployment], today: date) -> int:
    total = 0
    for d in deployments:
        if d.departed_on is None:
            continue
        end = d.returned_on or today
        if end >= d.departed_on:
            total += (end - d.departed_on).days + 1
    return total


def _reason(criterion: str, c: Candidate, days: int, first_time: bool) -> str:
    team = c.worker.team
    if criterion == RankCriterion.AID_TEAM:
        return _("Aid-team member") if team == TeamType.HUBEI_AID else _("Not an aid-team member")
    if criterion == RankCriterion.FRONTLINE:
        label = c.worker.get_team_display()
        if team in NAMED_FRONTLINE:
            return _("Frontline team: %(team)s") % {"team": label}
        return _("Other frontline team")
    if criterion == RankCriterion.DAYS_DEPLOYED:
        if days == 0:
            return _("Not deployed")
        return ngettext("Deployed %(days)d day", "Deployed %(days)d days", days) % {"days": days}
    if criterion == RankCriterion.FIRST_TIME:
        return _("First recuperation") if first_time else _("Has recuperated before")
    # applied_at
    return _("Applied %(when)s") % {"when": formats.date_format(timezone.localtime(c.applied_at), "Y-m-d H:i")}


def _key(criterion: str, c: Candidate, days: int, first_time: bool) -> Any:
    team = c.worker.team
    if criterion == RankCriterion.AID_TEAM:
        return 0 if team == TeamType.HUBEI_AID else 1
    if criterion == RankCriterion.FRONTLINE:
        return 0 if team in NAMED_FRONTLINE else 1
    if criterion == RankCriterion.DAYS_DEPLOYED:
        return -days
    if criterion == RankCriterion.FIRST_TIME:
        return 0 if first_time else 1
    return c.applied_at


def ranked(batch: Batch, *, today: date | None = None) -> list[Ranked]:
    """Every candidate of ``batch`` with their position and reasons (see the module)."""
    today = today or timezone.localdate()
    batch = Batch.objects.select_related("programme").get(pk=batch.pk) if not _loaded(batch) else batch
    rule = criteria(batch)
    candidates = list(
        Candidate.objects.filter(batch=batch).select_related("worker__organisation").order_by("applied_at", "id")
    )
    worker_ids = [c.worker_id for c in candidates]
    deployments: dict[int, list[Deployment]] = defaultdict(list)
    for d in Deployment.objects.filter(worker_id__in=worker_ids).only("worker_id", "departed_on", "returned_on"):
        deployments[d.worker_id].append(d)
    attended = set(
        Candidate.objects.filter(worker_id__in=worker_ids, status=CandidateStatus.ATTENDED)
        .exclude(batch=batch)
        .values_list("worker_id", flat=True)
    )
    elsewhere: dict[int, str] = {}
    for worker_id, batch_name in (
        Candidate.objects.filter(programme_id=batch.programme_id, worker_id__in=worker_ids, status__in=HOLDING_VALUES)
        .exclude(batch=batch)
        .order_by("batch__starts_on", "batch_id")
        .values_list("worker_id", "batch__name")
    ):
        elsewhere.setdefault(worker_id, batch_name)
    admitted = set(batch.teams) if batch.teams else {t.value for t in TeamType}

    rows: list[Ranked] = []
    for c in candidates:
        days = days_deployed(deployments.get(c.worker_id, []), today)
        first = c.worker_id not in attended
        row = Ranked(
            candidate=c,
            position=None,
            status=c.status,
            reasons=[_reason(k, c, days, first) for k in rule],
            days_deployed=days,
            first_time=first,
            sort_key=(*(_key(k, c, days, first) for k in rule), c.applied_at, c.pk),
        )
        if c.status == CandidateStatus.WAITING:
            if c.worker_id in elsewhere:
                row.eligible = False
                row.ineligible_reason = _("Holds a place in %(batch)s of this programme") % {
                    "batch": elsewhere[c.worker_id]
                }
            elif c.worker.status in GONE:
                row.eligible = False
                row.ineligible_reason = _("No longer in the register")
            elif c.worker.team not in admitted:
                row.eligible = False
                row.ineligible_reason = _("The batch does not admit this team")
        rows.append(row)

    def group(r: Ranked) -> int:
        if r.holding:
            return 0
        if r.status == CandidateStatus.WAITING:
            return 1 if r.eligible else 2
        return 3

    rows.sort(key=lambda r: (group(r), r.sort_key))
    position = 0
    for r in rows:
        if r.status == CandidateStatus.WAITING and r.eligible:
            position += 1
            r.position = position
    return rows


def _loaded(batch: Batch) -> bool:
    return "programme" in batch._state.fields_cache


def explain(candidate: Candidate, *, today: date | None = None) -> Ranked:
    """One candidate's row of their batch's ranking (position and reasons), for its page."""
    for row in ranked(candidate.batch, today=today):
        if row.candidate.pk == candidate.pk:
            return row
    raise Candidate.DoesNotExist
