"""The ranking of a batch's candidates by the programme's declared rule (stub)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from nuanxin.recuperation.models import Batch, Candidate


@dataclass
class Ranked:
    candidate: Candidate
    position: int | None  # 1-based among the waiting eligible candidates; None otherwise
    status: str
    reasons: list[str] = field(default_factory=list)
    eligible: bool = True
    ineligible_reason: str = ""
    days_deployed: int = 0


def ranked(batch: Batch, *, today: date | None = None) -> list[Ranked]:
    raise NotImplementedError


def explain(candidate: Candidate, *, today: date | None = None) -> Ranked:
    raise NotImplementedError
