"""The arbitration time limit of a legal-aid case: one year from the day the right was infringed
(``models.ARBITRATION_LIMIT_DAYS``), warned of 60, 30 and 7 days before and once when passed
(``legal_notices.warn_time_limits``) while the case has not reached arbitration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from nuanxin.labour.choices import LegalStatus
from nuanxin.labour.models import LegalCase

# Before the arbitration time limit: the days at which the owner is warned (and once when passed: 0).
LIMIT_WARNINGS = (60, 30, 7)
PASSED = 0
NEAR_DAYS = LIMIT_WARNINGS[0]  # the list and page highlight a limit this near
# Statuses in which the limit still matters: arbitration not applied for yet.
BEFORE_ARBITRATION = frozenset({LegalStatus.CONSULTATION, LegalStatus.MEDIATION})

@dataclass(frozen=True)
class Limit:
    """The arbitration time limit of a case as shown: ``deadline``, ``days_left`` (negative when
    passed) and ``state``: "reached" (arbitration applied for, or the case went further or is
    closed: the limit no longer threatens), "passed", "near" (``NEAR_DAYS`` or fewer left) or
    "ok"."""

    deadline: date
    days_left: int
    state: str

    @property
    def warn(self) -> bool:
        return self.state in {"near", "passed"}

    @property
    def days_over(self) -> int:
        return -self.days_left


def limit_of(case: LegalCase, today: date | None = None) -> Limit:
    today = today or timezone.localdate()
    deadline = case.arbitration_deadline
    days_left = (deadline - today).days
    if case.status not in BEFORE_ARBITRATION or case.arbitration_at is not None:
        state = "reached"
    elif days_left < 0:
        state = "passed"
    elif days_left <= NEAR_DAYS:
        state = "near"
    else:
        state = "ok"
    return Limit(deadline, days_left, state)


def threshold_for(days_left: int) -> int | None:
    """The warning due at ``days_left`` days before the limit: the nearest of 60, 30, 7 passed,
    or 0 once the limit has passed; ``None`` while more than 60 days are left."""
    if days_left < 0:
        return PASSED
    due = [t for t in LIMIT_WARNINGS if days_left <= t]
    return min(due) if due else None
