"""What the pages and the API read about nominations: the lists a user may see, the board per
call and level, the quotas left."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from nuanxin.honours.choices import NominationStatus
from nuanxin.honours.models import AwardType, Call, Nomination, Quota
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation

CLOSED = (NominationStatus.REJECTED, NominationStatus.WITHDRAWN)


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
    qs = Nomination.objects.for_user(user, action).select_related(
        "call", "award_type", "worker", "worker__organisation", "nominee_organisation", "organisation",
        "at_organisation",
    )
    if call is not None:
        qs = qs.filter(call=call)
    if status:
        qs = qs.filter(status=status)
    if level is not None:
        qs = qs.filter(at_organisation=level)
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    return qs.order_by("-created_at", "-id")


def passed_q(organisation: Any) -> Q:
    """The nominations that passed ``organisation`` (it recommended them up — for the root: put
    them on notice) and are still in the running: of its subtree, under review above it, on
    notice or decided (awarded or not). Rejected, withdrawn and returned ones free their place."""
    above = Q(status=NominationStatus.REVIEW, at_organisation__depth__lt=organisation.depth)
    decided = Q(status__in=(NominationStatus.NOTICE, NominationStatus.AWARDED, NominationStatus.NOT_AWARDED))
    return Q(organisation__path__startswith=organisation.path) & (above | decided)


def used_places(call: Call, organisation: Any, award_type: AwardType | None) -> int:
    """How many places of ``organisation``'s quota in ``call`` are used: the nominations that
    passed it (of ``award_type``; all award types when None)."""
    qs = Nomination.objects.filter(passed_q(organisation), call=call)
    if award_type is not None:
        qs = qs.filter(award_type=award_type)
    return int(qs.count())


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
    paths = scope.scope_paths(user, Nomination.policy.roles("review"))
    if not paths:
        return []
    return list(Organisation.objects.filter(path__in=paths).order_by("depth", "code"))


def board(user: Any, call: Call, level: Any = None) -> Board:
    """The board of ``call`` at ``level`` (default: the first of ``levels_for(user)``; a level
    outside the user's scope is ``Http404``-worthy: the caller checks ``levels_for``). Only
    nominations ``user`` may view."""
    if level is None:
        levels = levels_for(user)
        if not levels:
            return Board(call=call, level=None)
        level = levels[0]
    rows = list(nominations_for(user, call=call, org=level))
    result = Board(call=call, level=level, quotas=quota_lines(call, level))
    for n in rows:
        result.counts[n.status] = result.counts.get(n.status, 0) + 1
        if n.status in CLOSED:
            result.closed.append(n)
        elif n.status == NominationStatus.REVIEW and n.at_organisation_id == level.pk:
            result.to_review.append(n)
        elif n.status == NominationStatus.REVIEW and n.at_organisation.depth < level.depth:
            result.passed.append(n)
        elif n.status in (NominationStatus.NOTICE, NominationStatus.AWARDED, NominationStatus.NOT_AWARDED):
            result.passed.append(n)
        else:
            result.below.append(n)
    if call.frontline_first:
        # Frontline epidemic staff first (the aid team before the other frontline teams).
        result.to_review.sort(key=_frontline_rank)
    return result


def _frontline_rank(nomination: Nomination) -> tuple[int, float]:
    from nuanxin.registry.choices import TeamType

    worker = nomination.worker
    if worker is not None and worker.team == TeamType.HUBEI_AID:
        rank = 0
    elif worker is not None and worker.team:
        rank = 1
    else:
        rank = 2
    submitted = nomination.submitted_at.timestamp() if nomination.submitted_at else 0.0
    return rank, submitted


def quota_lines(call: Call, organisation: Any) -> list[QuotaLine]:
    """The quotas of ``organisation`` in ``call`` with how many places are used: all award
    types first, then per award type by name."""
    quotas = list(
        Quota.objects.filter(call=call, organisation=organisation).select_related("award_type")
        .order_by("award_type__name", "id")
    )
    if not quotas:
        return []
    used = dict(
        Nomination.objects.filter(passed_q(organisation), call=call)
        .values_list("award_type_id")
        .annotate(n=Count("id"))
        .values_list("award_type_id", "n")
    )
    lines = [
        QuotaLine(
            award_type=q.award_type,
            places=q.places,
            used=sum(used.values()) if q.award_type_id is None else used.get(q.award_type_id, 0),
        )
        for q in quotas
    ]
    return sorted(lines, key=lambda line: line.award_type is not None)


def quota_left(call: Call, organisation: Any, award_type: AwardType) -> int | None:
    """How many more nominations of ``award_type`` ``organisation`` may recommend up in
    ``call``: the smaller of what its quota for the award type and its quota for all types
    leave; ``None`` without a quota (no limit)."""
    quotas = list(
        Quota.objects.filter(call=call, organisation=organisation)
        .filter(Q(award_type=award_type) | Q(award_type__isnull=True))
        .values_list("award_type_id", "places")
    )
    if not quotas:
        return None
    left = []
    for type_id, places in quotas:
        used = used_places(call, organisation, award_type if type_id is not None else None)
        left.append(max(0, places - used))
    return min(left)
