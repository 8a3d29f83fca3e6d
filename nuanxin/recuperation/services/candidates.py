"""Candidates, offers, the waiting list and attendance (stub: signatures agreed with the pages)."""

from __future__ import annotations

from datetime import datetime

from nuanxin.core.policy import SYSTEM
from nuanxin.recuperation.models import Batch, Candidate, Offer


def nominate(*, actor, batch: Batch, worker, note: str = "", now: datetime | None = None) -> Candidate:
    raise NotImplementedError


def withdraw(*, actor, candidate: Candidate, reason: str = "", now: datetime | None = None) -> Candidate:
    raise NotImplementedError


def fill(*, actor, batch: Batch, now: datetime | None = None) -> list[Offer]:
    raise NotImplementedError


def accept(*, actor, offer: Offer, now: datetime | None = None) -> Offer:
    raise NotImplementedError


def decline(*, actor, offer: Offer, reason: str = "", now: datetime | None = None) -> Offer:
    raise NotImplementedError


def expire_due(*, actor=SYSTEM, now: datetime | None = None) -> int:
    raise NotImplementedError


def record_attendance(*, actor, candidate: Candidate, attended: bool, now: datetime | None = None) -> Candidate:
    raise NotImplementedError
