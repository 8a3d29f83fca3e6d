"""Keeping the subtree totals right: comparing them with the postings (``nuanxin funds
verify-totals``), and rebuilding them when an organisation moved in the tree (the receiver of
``orgs.hooks.unit_moved``; ``nuanxin funds rebuild-totals`` does the same by hand).

The totals (``SubtreeTotal``) are kept by the ledger at posting time: each posting is added to
its organisation's own row (``own``) and to the subtree rows of that organisation and of every
ancestor, by month, kind and category. The postings never change, so the totals are a function
of the postings and the tree; when the tree changes (a unit moved to another district), the
subtree rows of its old and new ancestors are wrong until rebuilt.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from nuanxin.core.policy import SYSTEM
from nuanxin.funds.models import CENT, Posting, SubtreeTotal
from nuanxin.orgs.models import Organisation

Key = tuple[int, bool, date, str, str]  # organisation id, own, month, kind, category


@dataclass(frozen=True)
class Difference:
    """One total that is not the sum of its postings (``kept`` or ``expected`` 0 when the row
    is missing on that side)."""

    organisation_id: int
    own: bool
    month: date
    kind: str
    category: str
    kept: Decimal
    expected: Decimal


def _month(value) -> date:
    return value.date().replace(day=1) if hasattr(value, "date") and callable(value.date) else value.replace(day=1)


def _grouped(postings) -> Iterable[tuple[int, date, str, str, Decimal]]:
    rows = (
        postings.annotate(m=TruncMonth("on"))
        .values_list("organisation_id", "m", "kind", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for org_id, month, kind, category, total in rows:
        yield org_id, _month(month), kind, category, total


def _chains() -> dict[int, list[int]]:
    """Every organisation's id → its own id and its ancestors' ids (from the paths)."""
    by_path = dict(Organisation.objects.values_list("path", "pk"))
    step = Organisation.steplen
    return {pk: [by_path[path[:i]] for i in range(step, len(path) + 1, step) if path[:i] in by_path]
            for path, pk in by_path.items()}  # fmt: skip


def expected(organisations: Iterable[Organisation] | None = None) -> dict[Key, Decimal]:
    """The totals the postings give: of every organisation, or only the rows (own and
    subtree) of ``organisations``."""
    totals: dict[Key, Decimal] = defaultdict(Decimal)
    if organisations is None:
        chains = _chains()
        for org_id, month, kind, category, amount in _grouped(Posting.objects.all()):
            totals[(org_id, True, month, kind, category)] += amount
            for ancestor in chains.get(org_id, [org_id]):
                totals[(ancestor, False, month, kind, category)] += amount
        return totals
    for org in organisations:
        for _org, month, kind, category, amount in _grouped(Posting.objects.filter(organisation_id=org.pk)):
            totals[(org.pk, True, month, kind, category)] += amount
        below = Posting.objects.filter(organisation__path__startswith=org.path)
        for _org, month, kind, category, amount in _grouped(below):
            totals[(org.pk, False, month, kind, category)] += amount
    return totals


def kept(organisations: Iterable[Organisation] | None = None) -> dict[Key, Decimal]:
    rows = SubtreeTotal.objects.all()
    if organisations is not None:
        rows = rows.filter(organisation_id__in=[o.pk for o in organisations])
    return {
        (org_id, own, month, kind, category): amount
        for org_id, own, month, kind, category, amount in rows.values_list(
            "organisation_id", "own", "month", "kind", "category", "amount"
        )
    }


def differences(organisations: Iterable[Organisation] | None = None) -> list[Difference]:
    """Every total that differs from the sum of its postings (a missing row counts as 0), in
    the order of organisation, own, month, kind, category."""
    orgs = None if organisations is None else list(organisations)
    want, have = expected(orgs), kept(orgs)
    out = []
    for key in sorted(set(want) | set(have)):
        a, b = have.get(key, Decimal("0")).quantize(CENT), want.get(key, Decimal("0")).quantize(CENT)
        if a != b:
            out.append(Difference(*key, kept=a, expected=b))
    return out


@dataclass(frozen=True)
class BalanceDifference:
    """A fund whose kept balance (``Fund.balance``) is not the sum of its postings."""

    fund_id: int
    kept: Decimal
    expected: Decimal


def balance_differences(organisations: Iterable[Organisation] | None = None) -> list[BalanceDifference]:
    """Every fund (of ``organisations``' subtrees, or all) whose balance differs from the sum of
    its postings, by fund id."""
    from nuanxin.funds.models import Fund
    from nuanxin.funds.services import ledger

    funds = Fund.objects.all()
    if organisations is not None:
        q = Q()
        for org in organisations:
            q |= Q(organisation__path__startswith=org.path)
        funds = funds.filter(q)
    kept = dict(funds.values_list("pk", "balance"))
    posted = ledger.posted_balances(kept)
    out = []
    for pk in sorted(kept):
        a, b = Decimal(kept[pk]).quantize(CENT), posted.get(pk, Decimal("0")).quantize(CENT)
        if a != b:
            out.append(BalanceDifference(pk, a, b))
    return out


def rebuild(*, actor=SYSTEM) -> int:
    """Recompute every total from the postings (the ledger's ``rebuild_totals``: audited,
    under the totals' lock). Returns the number of rows written."""
    from nuanxin.funds.services import ledger

    return ledger.rebuild_totals(actor=actor)


def on_unit_moved(*, actor=None, organisation=None, previous_parent=None, **kwargs) -> None:
    """``orgs.hooks.unit_moved``: an organisation moved with its subtree, so the subtree rows of
    its old and new ancestors are wrong; rebuild them (in the move's transaction), unless the
    moved subtree has no posting at all."""
    if (
        organisation is not None
        and not Posting.objects.filter(organisation__path__startswith=organisation.path).exists()
    ):
        return
    rebuild(actor=actor or SYSTEM)
