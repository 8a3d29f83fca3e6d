"""What the funds' pages read: the funds in a user's reach with their balances, a fund's
entries, the organisations an allocation may go to, the funds a return may go to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from nuanxin.funds.models import Entry, Fund
from nuanxin.funds.services import ledger
from nuanxin.orgs.models import Organisation

# How far below a fund's organisation the allocation page offers organisations (children and
# grandchildren: a district's streets and their units).
ALLOCATION_DEPTH = 2


def funds_for(user: Any, *, organisation: Organisation | None = None, action: str = "view") -> list[Fund]:
    """The funds ``user`` may see (of ``organisation``'s subtree when given), each with its
    ``balance``."""
    rows: QuerySet = Fund.objects.for_user(user, action).select_related("organisation")
    if organisation is not None:
        rows = rows.filter(organisation__path__startswith=organisation.path)
    funds = list(rows.order_by("organisation__path", "name", "id"))
    found = ledger.balances(f.pk for f in funds)
    for fund in funds:
        setattr(fund, "balance", found[fund.pk])  # noqa: B010 (read by the pages and the API)
    return funds


def organisation_by_code(user: Any, code: str | None) -> Organisation | None:
    """The organisation named by ``code`` if the user's funds reach it; None for no code."""
    if not code:
        return None
    return Organisation.objects.filter(code=code).first()


def filter_organisations(user: Any) -> QuerySet:
    """The organisations holding funds the user may see (the list's filter)."""
    ids = Fund.objects.for_user(user, "view").values("organisation_id")
    return Organisation.objects.filter(pk__in=ids).order_by("path")


def entries_of(fund: Fund, *, limit: int | None = None) -> list[Entry]:
    """A fund's entries (those leaving or entering it), newest first."""
    from django.db.models import Q

    rows = (
        Entry.objects.filter(Q(fund=fund) | Q(to_fund=fund))
        .select_related("organisation", "fund__organisation", "to_fund__organisation", "recorded_by", "reverses")
        .order_by("-on", "-id")
    )
    return list(rows[:limit] if limit else rows)


def signed_amount(fund: Fund, entry: Entry) -> Decimal:
    """``entry``'s amount as it moves (or would move, once approved) ``fund``'s balance: income
    and money received positive; spending and money sent on negative; a reversal the opposite
    of the entry it reverses."""
    from nuanxin.funds.choices import EntryKind

    def sign(e: Entry) -> int:
        if e.kind == EntryKind.INCOME:
            return 1
        if e.kind == EntryKind.EXPENDITURE:
            return -1
        if e.kind in (EntryKind.ALLOCATION, EntryKind.RETURN):
            return 1 if e.to_fund_id == fund.pk and e.fund_id != fund.pk else -1
        original = e.reverses
        return -sign(original) if original is not None else -1

    return entry.amount * sign(entry)


def allocation_organisations(fund: Fund) -> list[Organisation]:
    """The organisations below the fund's an allocation page offers, in tree order."""
    org = fund.organisation
    return list(
        Organisation.objects.filter(
            path__startswith=org.path, depth__gt=org.depth, depth__lte=org.depth + ALLOCATION_DEPTH
        ).order_by("path")
    )


def return_targets(fund: Fund) -> QuerySet:
    """The open funds of the organisations above the fund's (a return goes up to one)."""
    org = fund.organisation
    step = Organisation.steplen
    prefixes = [org.path[:i] for i in range(step, len(org.path), step)]
    return (
        Fund.objects.filter(organisation__path__in=prefixes, active=True)
        .select_related("organisation")
        .order_by("-organisation__depth", "name")
    )


def funds_of_organisation_below(fund: Fund) -> QuerySet:
    """The open funds of the organisations below the fund's (the API's ``to_fund``)."""
    org = fund.organisation
    return Fund.objects.filter(organisation__path__startswith=org.path, active=True).exclude(organisation=org)
