"""Award types, calls for nominations and their quotas (the catalogue of the commendations).

Award types and calls belong to the whole tree: every union administrator sees them, only a
city administrator (a grant at the root: ``AwardType.policy`` / ``Call.policy`` "manage")
writes them. Each write is audited (``honours.award_type.*``, ``honours.call.*``,
``honours.quota.set``) with ids and codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from nuanxin.honours.models import AwardType, Call, Quota


def create_award_type(
    *, actor: Any, code: str, name: str, level: str, recipient: str, description: str = ""
) -> AwardType:
    """A new award type (e.g. 青岛市五一劳动奖章): ``code`` ASCII (a slug, unique), ``name``
    unique within its ``level`` (``choices.AwardLevel``), ``recipient`` a person, a unit or a
    collective (``choices.RecipientKind``). City administrators only (``NotAllowed``);
    ``ServiceError`` (with ``field``) for a bad or duplicate value."""
    raise NotImplementedError


def update_award_type(
    award_type: AwardType,
    *,
    actor: Any,
    name: str | None = None,
    level: str | None = None,
    recipient: str | None = None,
    description: str | None = None,
    active: bool | None = None,
    version: int | None = None,
) -> AwardType:
    """Change an award type (``None``: unchanged). The recipient kind cannot change once a
    nomination uses the type. ``version``: the version the form showed (``Conflict``)."""
    raise NotImplementedError


def create_call(
    *,
    actor: Any,
    name: str,
    award_types: Iterable[AwardType],
    deadline: datetime,
    notice_days: int = 5,
    frontline_first: bool = True,
    description: str = "",
) -> Call:
    """A new call for nominations (e.g. 2020 年度表彰), issued by the root organisation (the
    city), in status draft. ``award_types``: at least one active type; ``deadline`` an aware
    datetime; ``notice_days`` 1–60. City administrators only."""
    raise NotImplementedError


def update_call(
    call: Call,
    *,
    actor: Any,
    name: str | None = None,
    award_types: Iterable[AwardType] | None = None,
    deadline: datetime | None = None,
    notice_days: int | None = None,
    frontline_first: bool | None = None,
    description: str | None = None,
    version: int | None = None,
) -> Call:
    """Change a call (``None``: unchanged). An award type that has nominations in the call
    cannot be taken out of it."""
    raise NotImplementedError


def open_call(call: Call, *, actor: Any, version: int | None = None) -> Call:
    """Open a draft (or closed) call for nominations. Its deadline must lie ahead."""
    raise NotImplementedError


def close_call(call: Call, *, actor: Any, version: int | None = None) -> Call:
    """Close an open call: no new nominations and no first submissions; the reviews, the
    notice and the decisions of what was submitted go on."""
    raise NotImplementedError


def set_quota(
    call: Call, organisation: Any, places: int | None, award_type: AwardType | None = None, *, actor: Any
) -> Quota | None:
    """How many nominations ``organisation`` (a district or an industry union, or any level)
    may recommend up in ``call``: for ``award_type`` (one of the call's), or for all its award
    types together when ``award_type`` is None. ``places`` None removes the quota (no limit).
    Fewer places than already recommended is refused (``ServiceError``). City administrators
    only. Returns the quota (None when removed)."""
    raise NotImplementedError
