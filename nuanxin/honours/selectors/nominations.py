"""What the pages and the API read about nominations: the lists a user may see, the board per
call and level, the quotas left."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from nuanxin.honours.models import AwardType, Call, Nomination


def nominations_for(
    user: Any,
    call: Call | None = None,
    status: str | None = None,
    level: Any = None,
    org: Any = None,
    *,
    action: str = "view",
) -> QuerySet[Nomination]:
    """The nominations ``user`` may see (``Nomination.policy`` ``action``: "view" by default —
    the unit's administrators and every level above, auditors), optionally of ``call``, in
    ``status``, at the reviewing organisation ``level`` (``at_organisation``) and made by units
    in the subtree of ``org``; newest first, with the call, award type, nominee, unit and level
    read along."""
    raise NotImplementedError


@dataclass(frozen=True)
class QuotaLine:
    """A quota of an organisation in a call: ``award_type`` None = all award types together;
    ``used``: the nominations that passed the organisation and are still in the running."""

    award_type: AwardType | None
    places: int
    used: int

    @property
    def left(self) -> int:
        return max(0, self.places - self.used)


@dataclass
class Board:
    """The nominations board of one call at one level (an organisation reviewing).

    ``to_review``: the nominations under review at ``level`` (what it has to decide now);
    ``below``: those still being written or reviewed below it (draft, returned, under review at
    a level under it); ``passed``: those it recommended up that are still in the running (under
    review above it, on notice, decided); ``closed``: rejected or withdrawn in its subtree;
    ``counts``: status -> number in its subtree; ``quotas``: its quota lines (empty: no limit)."""

    call: Call
    level: Any
    to_review: list[Nomination] = field(default_factory=list)
    below: list[Nomination] = field(default_factory=list)
    passed: list[Nomination] = field(default_factory=list)
    closed: list[Nomination] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    quotas: list[QuotaLine] = field(default_factory=list)


def levels_for(user: Any) -> list[Any]:
    """The organisations ``user`` reviews at: the organisations of their grants for "review"
    (in the scope they switched to), highest first — the choices of the board's level."""
    raise NotImplementedError


def board(user: Any, call: Call, level: Any = None) -> Board:
    """The board of ``call`` at ``level`` (default: the first of ``levels_for(user)``; a level
    outside the user's scope is ``Http404``-worthy: the caller checks ``levels_for``). Only
    nominations ``user`` may view."""
    raise NotImplementedError


def quota_lines(call: Call, organisation: Any) -> list[QuotaLine]:
    """The quotas of ``organisation`` in ``call`` with how many places are used: all award
    types first, then per award type by name."""
    raise NotImplementedError


def quota_left(call: Call, organisation: Any, award_type: AwardType) -> int | None:
    """How many more nominations of ``award_type`` ``organisation`` may recommend up in
    ``call``: the smaller of what its quota for the award type and its quota for all types
    leave; ``None`` without a quota (no limit)."""
    raise NotImplementedError
