"""Keeping the hotline's records no longer than needed (心理援助热线技术指南: registration and
assessment forms kept for at least three years; PIPL art. 19: no longer than necessary).

Records older than ``NUANXIN_HOTLINE_RETENTION_DAYS`` days (3 × 365 by default) lose their
identifying fields: numbers, repeat-caller keys, links to the register and free text. What the
figures count stays: times, line, channel, caller kind, gender and age band, topics, what was
done, risk, outcome, scale, answers and score, status, due and contact times, hand-over target.
``anonymised_at`` marks a record done, so a second run changes nothing.

The age of a record: a call by its start, an assessment and a referral by when they were
made, a crisis case and a callback by when they were closed (an open case is never cleared:
someone is still working on it). A crisis case's and a callback's notes and attempts lose
their text with their case.

A self-assessment's answers are kept: they are the scale's coded answers (0–3, 1–4), needed
to re-check a score, and name nobody once the mobile and the repeat-caller key are gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from nuanxin.core import audit
from nuanxin.hotline.choices import CALLBACK_LIFECYCLE, CRISIS_LIFECYCLE
from nuanxin.hotline.models import (
    Assessment,
    Call,
    Callback,
    CallbackAttempt,
    CallbackNote,
    CrisisCase,
    CrisisNote,
    Referral,
)

DEFAULT_DAYS = 3 * 365
BATCH = 500


def retention_days() -> int:
    """``NUANXIN_HOTLINE_RETENTION_DAYS`` (default 3 × 365). Never less than 3 × 365: the
    national guidance keeps the forms at least three years, so the setting can only lengthen
    the period (a mistyped one must not wipe records still owed)."""
    days = int(getattr(settings, "NUANXIN_HOTLINE_RETENTION_DAYS", DEFAULT_DAYS))
    return max(days, DEFAULT_DAYS)


@dataclass(frozen=True)
class Rule:
    """What to clear of one model: ``cleared`` field -> empty value; ``age``: the field whose
    time must be before the cut-off; ``closed``: only rows no longer active; ``notes``: the
    dependent rows whose ``note_field`` is emptied too, (model, foreign key, field)."""

    key: str
    model: type[Model]
    age: str
    cleared: dict[str, Any]
    closed: Any = None  # the life cycle whose active statuses are left alone
    dependents: tuple[tuple[type[Model], str, str], ...] = ()


RULES: tuple[Rule, ...] = (
    Rule(
        "calls",
        Call,
        "started_at",
        {
            "worker": None,
            "family_member": None,
            "callback_number": "",
            "caller_key": "",
            "topic_note": "",
            "technique": "",
            "notes": "",
        },
    ),
    Rule("assessments", Assessment, "created_at", {"mobile": "", "caller_key": ""}),
    Rule(
        "crisis_cases",
        CrisisCase,
        "closed_at",
        {
            "reason": "",
            "contact_number": "",
            "protective_factors": "",
            "assessment_note": "",
            "handover_person": "",
            "handover_note": "",
        },
        closed=CRISIS_LIFECYCLE,
        dependents=((CrisisNote, "crisis", "text"),),
    ),
    Rule(
        "callbacks",
        Callback,
        "closed_at",
        {"number": "", "caller_key": "", "outcome": ""},
        closed=CALLBACK_LIFECYCLE,
        dependents=((CallbackNote, "callback", "text"), (CallbackAttempt, "callback", "note")),
    ),
    Rule("referrals", Referral, "created_at", {"note": "", "shared_summary": "", "difficulty": None}),
)


def due(rule: Rule, cutoff: datetime) -> QuerySet[Any]:
    """The rows of ``rule``'s model older than ``cutoff`` and not yet anonymised."""
    qs = rule.model._default_manager.filter(anonymised_at__isnull=True)
    if rule.closed is None:
        return qs.filter(**{f"{rule.age}__lt": cutoff})
    # A case no longer active, closed before the cut-off (one closed without a closing time,
    # e.g. older data: by when it was opened).
    aged = Q(**{f"{rule.age}__lt": cutoff}) | Q(**{f"{rule.age}__isnull": True, "created_at__lt": cutoff})
    return qs.exclude(status__in=list(rule.closed.active)).filter(aged)


def cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=retention_days())


def pending(now: datetime | None = None) -> dict[str, int]:
    """How many records of each kind the next run would anonymise (nothing changes)."""
    limit = cutoff(now)
    return {rule.key: due(rule, limit).count() for rule in RULES}


def anonymise_old_records(*, actor, now: datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Clear the identifying fields of every record older than the retention period, ``batch``
    rows at a time (each batch its own transaction, so a long first run holds no lock for long
    and a run stopped half-way resumes where it stopped). One audit row counts the records
    anonymised per kind (and the notes and attempts emptied); free text never enters it.
    Returns the counts."""
    now = now or timezone.now()
    limit = cutoff(now)
    counts: dict[str, int] = {rule.key: 0 for rule in RULES}
    counts["notes_emptied"] = 0
    for rule in RULES:
        while True:
            with transaction.atomic():
                ids = list(due(rule, limit).order_by("pk").values_list("pk", flat=True)[:batch])
                if not ids:
                    break
                locked = list(
                    due(rule, limit).filter(pk__in=ids).select_for_update().values_list("pk", flat=True)
                )
                changes: dict[str, Any] = {"anonymised_at": now, **rule.cleared}
                if any(f.name == "version" for f in rule.model._meta.concrete_fields):
                    changes["version"] = F("version") + 1  # an edit page opened before is refused
                rule.model._default_manager.filter(pk__in=locked).update(**changes)
                for model, fk, field in rule.dependents:
                    rows = model._default_manager.filter(**{f"{fk}_id__in": locked}).exclude(**{field: ""})
                    counts["notes_emptied"] += rows.update(**{field: ""})
                counts[rule.key] += len(locked)
            if len(ids) < batch:
                break
    audit.record(
        actor,
        "hotline.retention",
        object_type="hotline.retention",
        detail={"days": retention_days(), "older_than": limit.isoformat(timespec="seconds"), **counts},
    )
    return counts
