"""The ranking of a batch's candidates by the programme's declared rule (issue 14 item 3).

``programme.ranking`` lists ``RankCriterion`` values in order; candidates are compared on the
first, then the second on a tie, and so on; a tie on every criterion is broken by application
time, then by id, so the order is always the same. The criteria:

- ``aid_team``: members of the Hubei aid medical team first;
- ``frontline``: members of a frontline team first; every frontline team ranks alike here
  (designated hospital, CDC, 120 transfer, "other frontline team": none before another), so
  it only puts a worker of no frontline team last (the aid team is the ``aid_team`` criterion);
- ``days_deployed``: more days deployed first: the sum over the worker's completed deployments
  (departure and return both recorded) of return − departure + 1, both days counted; a
  deployment with no return date adds no day (the reason says so), so a register left open
  since 2020 does not put its people first. Whoever the register shows still deployed (worker
  status deployed, or a deployment with no return date) is flagged ``still_deployed``: the
  pages warn, nothing is blocked (the register may be stale);
- ``first_time``: those who never attended a recuperation (in any programme) first;
- ``applied_at``: earlier application first.

Each candidate gets one reason per criterion, in the rule's order ("援鄂医疗队队员", "在鄂 66
天", …): the page says why they stand where they stand. Only the waiting candidates who may
take a place get a position (1, 2, …: the order places are offered in); a waiting candidate who
cannot (holds a place in another batch of the programme, no longer in the register, of a team
the batch no longer admits) is shown with the reason and no position. The list: those holding a
place first (by rank), then the waiting by position, then the waiting who cannot take a place,
then the rest (declined, expired, withdrawn, did not come). Each waiting candidate with a
position after the first also says what separates them from the one just ahead
(``deciding``: the first criterion on which they differ, its index in ``deciding_index``, or
"the same on every criterion: by the time of nomination").

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

# Every frontline team, "other frontline team" included: alike under the ``frontline`` criterion.
FRONTLINE = frozenset(t.value for t in TeamType)
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
    open_deployment: bool = False  # a deployment with no return date (its days not counted)
    still_deployed: bool = False  # the register shows the person still deployed (a warning)
    deciding: str = ""  # what separates them from the candidate just ahead on the waiting list
    deciding_index: int | None = None  # the index in ``reasons`` of the deciding criterion

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


def days_deployed(deployments: list[Deployment], today: date | None = None) -> int:
    """The days of the completed deployments (departure and return both recorded), both days
    counted; an open one (no return date) adds nothing. ``today`` is not used any more (kept
    for the callers)."""
    total = 0
    for d in deployments:
        if d.departed_on is None or d.returned_on is None:
            continue
        if d.returned_on >= d.departed_on:
            total += (d.returned_on - d.departed_on).days + 1
    return total


def has_open_deployment(deployments: list[Deployment]) -> bool:
    """Whether one of the deployments has a departure and no return date."""
    return any(d.departed_on is not None and d.returned_on is None for d in deployments)


def _reason(criterion: str, c: Candidate, days: int, first_time: bool, open_deployment: bool = False) -> str:
    team = c.worker.team
    if criterion == RankCriterion.AID_TEAM:
        return _("Aid-team member") if team == TeamType.HUBEI_AID else _("Not an aid-team member")
    if criterion == RankCriterion.FRONTLINE:
        if team in FRONTLINE:
            return _("Frontline team: %(team)s") % {"team": c.worker.get_team_display()}
        return _("Not of a frontline team")
    if criterion == RankCriterion.DAYS_DEPLOYED:
        if open_deployment:
            if days == 0:
                return _("Return date not recorded: no days counted")
            return ngettext(
                "Deployed %(days)d day (a deployment with no return date not counted)",
                "Deployed %(days)d days (a deployment with no return date not counted)",
                days,
            ) % {"days": days}
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
        return 0 if team in FRONTLINE else 1
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
        own = deployments.get(c.worker_id, [])
        days = days_deployed(own)
        first = c.worker_id not in attended
        still_open = has_open_deployment(own)
        row = Ranked(
            candidate=c,
            position=None,
            status=c.status,
            reasons=[_reason(k, c, days, first, still_open) for k in rule],
            days_deployed=days,
            first_time=first,
            sort_key=(*(_key(k, c, days, first) for k in rule), c.applied_at, c.pk),
            open_deployment=still_open,
            still_deployed=still_open or c.worker.status == WorkerStatus.DEPLOYED,
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
    ahead: Ranked | None = None
    for r in rows:
        if r.status == CandidateStatus.WAITING and r.eligible:
            position += 1
            r.position = position
            if ahead is not None:
                _decide(r, ahead, rule)
            ahead = r
    return rows


def _decide(row: Ranked, ahead: Ranked, rule: list[str]) -> None:
    """Say what puts ``row`` after ``ahead`` (the candidate just before it on the waiting list):
    the first criterion of the rule on which they differ, else the time of nomination."""
    for index, criterion in enumerate(rule):
        if row.sort_key[index] != ahead.sort_key[index]:
            row.deciding_index = index
            if criterion == RankCriterion.APPLIED_AT:
                row.deciding = _("The same as No. %(position)d on the other criteria: nominated later") % {
                    "position": ahead.position
                }
                return
            row.deciding = _("After No. %(position)d on: %(criterion)s") % {
                "position": ahead.position, "criterion": RankCriterion(criterion).label,
            }
            return
    row.deciding = _("The same as No. %(position)d on every criterion: by the time of nomination") % {
        "position": ahead.position
    }


def _loaded(batch: Batch) -> bool:
    return "programme" in batch._state.fields_cache


def explain(candidate: Candidate, *, today: date | None = None) -> Ranked:
    """One candidate's row of their batch's ranking (position and reasons), for its page."""
    for row in ranked(candidate.batch, today=today):
        if row.candidate.pk == candidate.pk:
            return row
    raise Candidate.DoesNotExist
