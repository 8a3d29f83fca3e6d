"""The funds' figures rolled up the tree (viewer-safe): for an organisation and its subtree,
the income received, what came from above, what the organisation allocated down, what was
spent by category and what remains, by month; and the same for each child side by side.
Amounts only: never an entry, a payee or a beneficiary.

Everything is read from ``SubtreeTotal`` (kept by the ledger at posting time): the rows of
one organisation's subtree are a few per month and kind whatever the ledger's size.

How the subtree's rows add up (``own=False``: every posting of every fund in the subtree):

- allocations go down the tree, so an allocation made inside the subtree appears twice in it,
  out of one fund and into another, and cancels: the sum of ``allocation_out`` and
  ``allocation_in`` is what the subtree **received from above**;
- returns go up, so ``return_out`` + ``return_in`` is minus what the subtree **returned up**;
- ``expenditure`` is what was **spent** (投入资金), counted once, where it was spent: the city's
  投入资金 is the sum of what every fund below spent, never the allocations on the way;
- the **remaining** money is the sum of every row up to the month's end (all kinds).

**Allocated down** is the organisation's own ``allocation_out`` (``own=True``): what its own
funds passed to the levels below.

A user whose grants cover only parts of the organisation (a viewer on a group of hospitals
looking at the city they share) sees the sum of the parts they cover, said on the page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.funds.choices import Category, PostingKind
from nuanxin.funds.models import CENT, Fund, SubtreeTotal
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation

ZERO = Decimal("0.00")
MAX_MONTHS = 120  # the longest period one request may ask for: ten years
DEFAULT_MONTHS = 12

ROLES = Fund.policy.roles("view")


class NotInScope(ServiceError):
    """An organisation that does not exist or lies outside the user's reach: the same answer
    for both (404)."""

    code = "not_found"
    status = 404


# --- the period --------------------------------------------------------------------------------


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


@dataclass(frozen=True)
class Period:
    """Whole months: ``first`` and ``last`` are first days of months, both included."""

    first: date
    last: date

    @property
    def months(self) -> list[date]:
        return [_add_months(self.first, i) for i in range(_months_between(self.first, self.last))]

    @property
    def end(self) -> date:
        """The last day of the last month."""
        return _add_months(self.last, 1) - timedelta(days=1)


def _month(value: Any, field: str) -> date | None:
    """``YYYY-MM`` or ``YYYY-MM-DD`` (or a date) as the first day of its month."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        day = date.fromisoformat(text if len(text) != 7 else f"{text}-01")
    except ValueError:
        raise ServiceError(
            _("Give a month as YYYY-MM or a day as YYYY-MM-DD, e.g. 2020-02 (“%(value)s” is neither).")
            % {"value": text[:20]},
            field=field,
        ) from None
    return day.replace(day=1)


def period(start: Any = None, end: Any = None, *, latest: date | None = None) -> Period:
    """The whole months from ``start`` to ``end`` (a day stands for its month). Without
    ``end``: ``latest`` (the last month with figures) or this month; without ``start``: the
    twelve months up to ``end``. A ``ServiceError`` for a month that is not one, an end before
    the start, or more than ten years."""
    last = _month(end, "to") or (latest or timezone.localdate()).replace(day=1)
    first = _month(start, "from") or _add_months(last, -(DEFAULT_MONTHS - 1))
    if first > last:
        raise ServiceError(_("The first month comes after the last month."), field="from")
    if _months_between(first, last) > MAX_MONTHS:
        raise ServiceError(_("Ask for at most %(months)s months at a time.") % {"months": MAX_MONTHS}, field="from")
    return Period(first, last)


# --- whose figures -----------------------------------------------------------------------------


def organisations(user: Any) -> list[Organisation]:
    """The organisations ``user`` may pick: those their grants for the figures cover, and the
    nearest common ancestor of scattered grants (a viewer on a group), in tree order."""
    q = scope.scope_q(user, ROLES, "path")
    orgs = [] if q is None else list(Organisation.objects.filter(q).order_by("path"))
    root = scope.common_root(user, ROLES)
    if root is not None and all(o.pk != root.pk for o in orgs):
        orgs.insert(0, root)
    return orgs


def pick(user: Any, code: str | None = None) -> Organisation:
    """The organisation by code (default: the root of the user's reach). ``NotInScope`` (404)
    for a code that does not exist or lies outside the reach: never another organisation."""
    if code:
        code = str(code).strip()
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is not None and not parts(user, organisation):
            organisation = None
        if organisation is None:
            raise NotInScope(
                _("No organisation with the code “%(code)s” in your reach.") % {"code": code[:40]}, field="org"
            )
        return organisation
    root = scope.common_root(user, ROLES)
    if root is None:
        raise NotInScope(_("No organisation in your reach."), field="org")
    return root


def parts(user: Any, organisation: Organisation) -> list[Organisation]:
    """The subtrees under ``organisation`` whose figures ``user`` may see: ``[organisation]``
    when their grants cover it, else the top organisations of their reach below it (none:
    outside the reach)."""
    paths = scope.scope_paths(user, ROLES)
    if any(organisation.path.startswith(p) for p in paths):
        return [organisation]
    below = [p for p in paths if p.startswith(organisation.path)]
    return list(Organisation.objects.filter(path__in=below).order_by("path")) if below else []


def latest_month(org_ids: list[int]) -> date | None:
    """The last month with figures in these subtrees (the default period ends there)."""
    return SubtreeTotal.objects.filter(organisation_id__in=org_ids, own=False).aggregate(m=Max("month"))["m"]


# --- the sums ----------------------------------------------------------------------------------


@dataclass
class Sums:
    """The figures of one subtree (or of several, added) over a period of months."""

    opening: Decimal = ZERO  # what remained before the first month
    income: Decimal = ZERO
    received: Decimal = ZERO  # received from above (net of allocations inside)
    allocated: Decimal = ZERO  # allocated down by the organisation's own funds
    returned: Decimal = ZERO  # returned up out of the subtree
    spent: Decimal = ZERO
    remaining: Decimal = ZERO  # at the end of the last month
    spent_to_date: Decimal = ZERO  # spent since the first posting, up to the end
    returned_in: Decimal = ZERO  # own funds only: returned up to them from below
    by_category: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "opening": self.opening,
            "income": self.income,
            "received_from_above": self.received,
            "allocated_down": self.allocated,
            "returned_up": self.returned,
            "spent": self.spent,
            "remaining": self.remaining,
            "spent_to_date": self.spent_to_date,
        }


def _add(sums: Sums, kind: str, category: str, amount: Decimal, *, own: bool, own_funds: bool = False) -> None:
    """Add one row of a month in the period: a subtree row, or (``own``) an own allocation
    out. ``own_funds``: the rows are one organisation's own funds, not a subtree (an
    allocation out then leaves them: allocated down, not netted against what came in)."""
    if own:
        if kind == PostingKind.ALLOCATION_OUT:
            sums.allocated -= amount
        return
    if kind == PostingKind.INCOME:
        sums.income += amount
    elif kind == PostingKind.EXPENDITURE:
        sums.spent -= amount
        sums.by_category[category] = sums.by_category.get(category, ZERO) - amount
    elif own_funds and kind == PostingKind.ALLOCATION_OUT:
        sums.allocated -= amount
    elif own_funds and kind == PostingKind.RETURN_IN:
        sums.returned_in += amount
    elif kind in (PostingKind.ALLOCATION_IN, PostingKind.ALLOCATION_OUT):
        sums.received += amount
    elif kind in (PostingKind.RETURN_IN, PostingKind.RETURN_OUT):
        sums.returned -= amount
    sums.remaining += amount


def _rows(org_ids: list[int], p: Period, *, own_ids: list[int]) -> list[tuple]:
    """The subtree rows of ``org_ids`` by month in the period (and summed before it, as one
    row of the month before), and the own allocations out of ``own_ids`` in the period:
    (organisation, own, month, kind, category, amount)."""
    q = Q(organisation_id__in=org_ids, own=False)
    if own_ids:
        q |= Q(organisation_id__in=own_ids, own=True, kind=PostingKind.ALLOCATION_OUT)
    monthly = (
        SubtreeTotal.objects.filter(q, month__gte=p.first, month__lte=p.last)
        .values_list("organisation_id", "own", "month", "kind", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    before = (
        SubtreeTotal.objects.filter(organisation_id__in=org_ids, own=False, month__lt=p.first)
        .values_list("organisation_id", "kind", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    earlier = _add_months(p.first, -1)
    return list(monthly) + [(org, False, earlier, kind, category, total) for org, kind, category, total in before]


def _period_rows(org_ids: list[int], p: Period, *, own_ids: list[int]) -> list[tuple]:
    """Like ``_rows`` but summed over the period (and, apart, before it) in the database: the
    rows of the children side by side, who need no months."""
    q = Q(organisation_id__in=org_ids, own=False, month__lte=p.last)
    if own_ids:
        q |= Q(organisation_id__in=own_ids, own=True, kind=PostingKind.ALLOCATION_OUT, month__lte=p.last)
    grouped = (
        SubtreeTotal.objects.filter(q)
        .values_list("organisation_id", "own", "kind", "category")
        .annotate(
            during=Sum("amount", filter=Q(month__gte=p.first)),
            before=Sum("amount", filter=Q(month__lt=p.first)),
        )
        .order_by()
    )
    earlier = _add_months(p.first, -1)
    out: list[tuple] = []
    for org_id, own, kind, category, during, before in grouped:
        if during:
            out.append((org_id, own, p.first, kind, category, during))
        if before:
            out.append((org_id, own, earlier, kind, category, before))
    return out


def _sums(rows, p: Period, *, own_funds: bool = False) -> tuple[Sums, dict[date, Sums]]:
    """The period's sums and each month's (its ``remaining`` at the month's end)."""
    total = Sums()
    months = {m: Sums() for m in p.months}
    before = ZERO
    spent_before = ZERO
    for _org, own, month, kind, category, amount in rows:
        if month < p.first:
            if not own:
                before += amount
                if kind == PostingKind.EXPENDITURE:
                    spent_before -= amount
            continue
        _add(total, kind, category, amount, own=own, own_funds=own_funds)
        _add(months[month], kind, category, amount, own=own, own_funds=own_funds)
    total.opening = before
    total.remaining += before
    total.spent_to_date = spent_before + total.spent
    running = before
    for month in p.months:
        m = months[month]
        m.opening = running
        running += m.remaining
        m.remaining = running
    return total, months


def _quantized(sums: Sums) -> Sums:
    for name in (
        "opening",
        "income",
        "received",
        "allocated",
        "returned",
        "spent",
        "remaining",
        "spent_to_date",
        "returned_in",
    ):
        setattr(sums, name, (getattr(sums, name) + ZERO).quantize(CENT))
    sums.by_category = {k: v.quantize(CENT) for k, v in sums.by_category.items()}
    return sums


def rollup(organisation: Organisation, p: Period) -> Sums:
    """One organisation's whole subtree over ``p`` (no user: the caller checked the scope)."""
    total, _months = _sums(_rows([organisation.pk], p, own_ids=[organisation.pk]), p)
    return _quantized(total)


def spent_by_category(organisation: Organisation, p: Period) -> dict[str, Decimal]:
    """What the subtree spent in ``p`` by category (one read of its expenditure rows)."""
    rows = (
        SubtreeTotal.objects.filter(
            organisation_id=organisation.pk,
            own=False,
            kind=PostingKind.EXPENDITURE,
            month__gte=p.first,
            month__lte=p.last,
        )
        .values_list("category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {category: (-total).quantize(CENT) for category, total in rows}


def total_spent(organisation: Organisation) -> Decimal:
    """投入资金: everything spent in the subtree since the first posting (the city's: the
    whole city's). Allocations are not spending, so nothing is counted twice."""
    total = SubtreeTotal.objects.filter(
        organisation_id=organisation.pk, own=False, kind=PostingKind.EXPENDITURE
    ).aggregate(total=Sum("amount"))["total"]
    return (-(total or ZERO)).quantize(CENT)


def remaining(organisation: Organisation) -> Decimal:
    """What remains in every fund of the subtree now."""
    total = SubtreeTotal.objects.filter(organisation_id=organisation.pk, own=False).aggregate(total=Sum("amount"))[
        "total"
    ]
    return (total or ZERO).quantize(CENT)


def categories_in(*maps: dict[str, Decimal]) -> list[tuple[str, str]]:
    """(code, label) of every category with spending, in the categories' order, then codes
    that are no category any more."""
    used = {code for m in maps for code, amount in m.items() if amount}
    known = [(code, str(label)) for code, label in Category.choices if code in used]
    return known + [(code, code) for code in sorted(used - set(Category.values))]


def figures(user: Any, organisation: Organisation, p: Period) -> dict[str, Any]:
    """Everything the figures page and ``GET /api/v1/funds/summary`` show for ``organisation``
    over ``p``: the totals, by category, by month, and each child's subtree side by side
    (plus the organisation's own funds), within the user's reach."""
    tops = parts(user, organisation)
    if not tops:
        raise NotInScope(_("No organisation with the code “%(code)s” in your reach.") % {"code": organisation.code})
    partial = tops != [organisation]
    top_ids = [t.pk for t in tops]
    total, months = _sums(_rows(top_ids, p, own_ids=top_ids), p)
    _quantized(total)
    for m in months.values():
        _quantized(m)

    # The children side by side: each child's subtree (or the parts of it in reach).
    step = Organisation.steplen
    children = list(Organisation.objects.get_children(organisation).order_by("path"))
    child_parts: dict[int, list[int]] = {}
    if not partial:
        child_parts = {c.pk: [c.pk] for c in children}
    else:
        by_path = {c.path: c.pk for c in children}
        for t in tops:
            child = by_path.get(t.path[: len(organisation.path) + step])
            if child is not None:
                child_parts.setdefault(child, []).append(t.pk)
    part_of = {pk: child for child, pks in child_parts.items() for pk in pks}
    grouped: dict[int, list] = defaultdict(list)
    for row in _period_rows(list(part_of), p, own_ids=[c for c in child_parts if child_parts[c] == [c]]):
        grouped[part_of.get(row[0], row[0])].append(row)
    rows_out = []
    for child in children:
        if child.pk not in child_parts:
            continue
        sums, _m = _sums(grouped.get(child.pk, []), p)
        rows_out.append(
            {"organisation": child, "partial": child_parts[child.pk] != [child.pk], **_quantized(sums).as_dict()}
        )
    own = None
    if not partial:
        own_rows = (
            SubtreeTotal.objects.filter(organisation_id=organisation.pk, own=True, month__lte=p.last)
            .values_list("organisation_id", "own", "month", "kind", "category")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        own_sums, _m = _sums([(o, False, m, k, c, a) for o, _own, m, k, c, a in own_rows], p, own_funds=True)
        own = _quantized(own_sums).as_dict()
    cats = categories_in(total.by_category)
    return {
        "organisation": organisation,
        "partial": partial,
        "parts": tops,
        "period": p,
        "totals": total.as_dict(),
        "by_category": [
            {"category": code, "label": label, "amount": total.by_category.get(code, ZERO)} for code, label in cats
        ],
        "months": [
            {
                "month": month,
                **months[month].as_dict(),
                "by_category": {code: months[month].by_category.get(code, ZERO) for code, _label in cats},
            }
            for month in p.months
        ],
        "children": rows_out,
        "own": own,
    }


def first_month(org_ids: list[int]) -> date | None:
    return SubtreeTotal.objects.filter(organisation_id__in=org_ids, own=False).aggregate(m=Min("month"))["m"]
