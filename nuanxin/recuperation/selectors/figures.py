"""Recuperation's figures: counts only (viewers read them too, never a name).

Per batch and rolled up per programme: the places, how many are offered (awaiting an answer),
filled (accepted or attended), waiting, declined, expired, withdrawn, attended, did not come,
and how many of the places filled went to Hubei aid-team members (their share). The counts
are over the candidates ``user`` may report on (``Candidate.policy`` "report": a unit's
administrators their unit's, a viewer their group's, a city administrator everyone); the
places are the batch's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from nuanxin.recuperation.choices import BatchStatus, CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate, Programme
from nuanxin.registry.choices import TeamType

FILLED = (CandidateStatus.ACCEPTED, CandidateStatus.ATTENDED)


@dataclass
class Row:
    """The counts of one batch (or of a programme: ``key`` "total")."""

    key: str
    label: str
    places: int = 0
    candidates: int = 0
    offered: int = 0
    filled: int = 0
    waiting: int = 0
    declined: int = 0
    expired: int = 0
    withdrawn: int = 0
    attended: int = 0
    no_show: int = 0
    aid: int = 0  # aid-team members among the places filled
    status: str = ""
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def aid_share(self) -> int | None:
        """The share (whole per cent) of the places filled that went to aid-team members."""
        return round(100 * self.aid / self.filled) if self.filled else None

    @property
    def fill_share(self) -> int | None:
        return round(100 * self.filled / self.places) if self.places else None

    def add(self, status: str, team: str, n: int) -> None:
        self.candidates += n
        self.by_status[status] = self.by_status.get(status, 0) + n
        if status == CandidateStatus.OFFERED:
            self.offered += n
        elif status == CandidateStatus.WAITING:
            self.waiting += n
        elif status == CandidateStatus.DECLINED:
            self.declined += n
        elif status == CandidateStatus.EXPIRED:
            self.expired += n
        elif status == CandidateStatus.WITHDRAWN:
            self.withdrawn += n
        elif status == CandidateStatus.NO_SHOW:
            self.no_show += n
        if status in FILLED:
            self.filled += n
            if team == TeamType.HUBEI_AID:
                self.aid += n
        if status == CandidateStatus.ATTENDED:
            self.attended += n

    def merge(self, other: Row) -> None:
        for name in ("places", "candidates", "offered", "filled", "waiting", "declined", "expired", "withdrawn",
                     "attended", "no_show", "aid"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, n in other.by_status.items():
            self.by_status[status] = self.by_status.get(status, 0) + n


@dataclass
class ProgrammeFigures:
    programme: Programme
    total: Row
    batches: list[Row]


def figures(user: Any, programme: Programme) -> ProgrammeFigures:
    """The figures of ``programme``: one row per batch (in date order; a cancelled batch is left
    out) and the programme's total. A fixed number of queries."""
    batches = list(
        Batch.objects.filter(programme=programme).exclude(status=BatchStatus.CANCELLED).order_by("starts_on", "id")
    )
    rows = {b.pk: Row(key=str(b.pk), label=b.name, places=b.places, status=b.status) for b in batches}
    groups = (
        Candidate.objects.for_user(user, "report").filter(programme=programme, batch_id__in=list(rows))
        .values("batch_id", "status", "worker__team").annotate(n=Count("id")).order_by()
    )
    for g in groups:
        rows[g["batch_id"]].add(g["status"], g["worker__team"] or "", g["n"])
    total = Row(key="total", label=programme.name)
    for row in rows.values():
        total.merge(row)
    return ProgrammeFigures(programme=programme, total=total, batches=list(rows.values()))


def batch_row(user: Any, batch: Batch) -> Row:
    """The counts of one batch (its page's summary)."""
    row = Row(key=str(batch.pk), label=batch.name, places=batch.places, status=batch.status)
    groups = (
        Candidate.objects.for_user(user, "report").filter(batch=batch)
        .values("status", "worker__team").annotate(n=Count("id")).order_by()
    )
    for g in groups:
        row.add(g["status"], g["worker__team"] or "", g["n"])
    return row
