"""What the spending pages read: the workers a clerk may pay from a fund, pasted lists matched
against the register, a fund's (or a subtree's) expenditures with filters, a worker's payments."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from nuanxin.funds.choices import EntryKind, EntryStatus
from nuanxin.funds.models import Beneficiary, Entry, Fund
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.registry import normalise
from nuanxin.registry import selectors as register
from nuanxin.registry.choices import WorkerStatus
from nuanxin.registry.models import Worker

MAX_CANDIDATES = 500  # a picker shows at most this many people at once


# --- the people a clerk may pay --------------------------------------------------------------


def payable_workers(user, fund: Fund) -> QuerySet:
    """The registered workers of ``fund``'s organisation's subtree inside ``user``'s grants for
    recording entries (a finance clerk sees them for paying only), removed ones left out."""
    q = scope.scope_q(user, Entry.policy.roles("record"), "organisation__path")
    if q is None:
        return Worker.objects.none()
    return (
        Worker.objects.filter(q, organisation__path__startswith=fund.organisation.path)
        .exclude(status=WorkerStatus.ARCHIVED)
        .select_related("organisation")
        .order_by("organisation__path", "name_pinyin", "id")
    )


def units(user, fund: Fund) -> QuerySet:
    """The organisations of the fund's subtree (for the unit filter), in tree order."""
    q = scope.scope_q(user, Entry.policy.roles("record"), "path")
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q, path__startswith=fund.organisation.path).order_by("path")


def candidates(user, fund: Fund, *, q: str = "", unit: Organisation | None = None, team: str = "", status: str = ""):
    """The payable workers narrowed as the register's filter does: the unit's subtree, the
    frontline team, the status and a search (name, pinyin, initials, mobile tail)."""
    qs = payable_workers(user, fund)
    if unit is not None:
        qs = qs.filter(organisation__path__startswith=unit.path)
    if team:
        qs = qs.filter(team=team)
    if status:
        qs = qs.filter(status=status)
    return register.search_workers(qs, q or "")


def chosen(user, fund: Fund, ids) -> list[Worker]:
    """The payable workers of ``ids`` in the order given (unknown or foreign ids dropped)."""
    wanted = []
    for value in ids:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            continue
    found = {w.pk: w for w in payable_workers(user, fund).filter(pk__in=wanted)}
    return [found[pk] for pk in dict.fromkeys(wanted) if pk in found]


def family_members(workers) -> dict[int, list]:
    """The registered family members of ``workers`` (payments may go to one of them), by worker."""
    from nuanxin.registry.models import FamilyMember

    found: dict[int, list] = {}
    for member in FamilyMember.objects.filter(worker__in=[w.pk for w in workers]).order_by("-is_primary", "id"):
        found.setdefault(member.worker_id, []).append(member)
    return found


@dataclass
class Pasted:
    """A pasted list matched against the payable workers: the people found (in the list's
    order, each once), the lines that named someone already found, and the lines that matched
    nobody or more than one person."""

    workers: list[Worker] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    repeated_workers: list[Worker] = field(default_factory=list)  # the people of ``repeated``
    unmatched: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)


_SPLIT = re.compile(r"[\s,，;；、]+")


def match_pasted(user, fund: Fund, text: str) -> Pasted:
    """Match a pasted list (one person a line: a name, a mobile, or a name and the mobile's
    last four digits, e.g. ``张三 5678``) against the workers ``user`` may pay from ``fund``."""
    result = Pasted()
    seen: set[int] = set()
    base = payable_workers(user, fund)
    for raw in (text or "").splitlines():
        line = normalise.text(raw)
        if not line:
            continue
        parts = [p for p in _SPLIT.split(line) if p]
        digits = [p for p in parts if p.isdigit()]
        names = [p for p in parts if not p.isdigit()]
        qs = base
        if names:
            qs = qs.filter(name_key=normalise.name_key(" ".join(names)))
        for d in digits:
            if len(d) == 4:
                qs = qs.filter(mobile_tail=d)
            else:
                try:
                    qs = qs.filter(mobile=normalise.phone(d))
                except Exception:  # not a phone number: nobody matches
                    qs = qs.none()
        found = list(qs[:2])
        if not found:
            result.unmatched.append(line)
        elif len(found) > 1:
            result.ambiguous.append(line)
        elif found[0].pk in seen:
            result.repeated.append(line)
            result.repeated_workers.append(found[0])
        else:
            seen.add(found[0].pk)
            result.workers.append(found[0])
    return result


# --- expenditures ----------------------------------------------------------------------------


def month_of(value: str) -> date | None:
    """``2020-02`` as the month's first day, or None."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (value or "").strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def expenditures(
    user,
    *,
    fund: Fund | None = None,
    organisation: Organisation | None = None,
    category: str = "",
    month: date | None = None,
    status: str = "",
    action: str = "view",
) -> QuerySet:
    """The expenditures of ``fund`` (or of every fund in ``organisation``'s subtree) that
    ``user`` may see for ``action``, newest first, with filters — and the approved reversals
    of expenditures, dated on their own day (as the statement and the figures count them), so
    that the signed amounts (``signed_amount``) add up to the net spending."""
    from django.db.models import Q

    qs = Entry.objects.for_user(user, action).filter(
        Q(kind=EntryKind.EXPENDITURE)
        | Q(kind=EntryKind.REVERSAL, reverses__kind=EntryKind.EXPENDITURE, status=EntryStatus.APPROVED)
    )
    if fund is not None:
        qs = qs.filter(fund=fund)
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if category:
        qs = qs.filter(category=category)
    if month is not None:
        following = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        qs = qs.filter(on__gte=month, on__lt=following)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("fund", "organisation", "round").order_by("-on", "-id")


def signed_amount():
    """An entry's amount as spending counts it: a reversal of an expenditure negative."""
    from django.db.models import Case, F, When

    return Case(When(kind=EntryKind.REVERSAL, then=-F("amount")), default=F("amount"))


def reversals_of(entries) -> dict[int, Entry]:
    """The approved reversal of each reversed expenditure among ``entries``, by entry id."""
    ids = [e.pk for e in entries if e.kind == EntryKind.EXPENDITURE]
    found: dict[int, Entry] = {}
    for r in Entry.objects.filter(reverses__in=ids, status=EntryStatus.APPROVED).order_by("id"):
        assert r.reverses_id is not None
        found[r.reverses_id] = r
    return found


def spending_organisations(user) -> QuerySet:
    """The organisations whose spending ``user`` may list (their grants for the funds' view)."""
    q = scope.scope_q(user, Entry.policy.roles("view"), "path")
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q).order_by("path")


def picker_organisations(user, current: Organisation | None, limit: int = 300) -> list[Organisation]:
    """The organisations offered by the spending list's picker: the user's top organisations
    and one level below (a province has thousands: deeper ones are reached by ``?org=code``),
    with ``current`` always among them."""
    orgs = spending_organisations(user)
    top = orgs.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    offered = list(orgs.filter(depth__lte=top + 1)[:limit])
    if current is not None and all(o.pk != current.pk for o in offered):
        offered.append(current)
    return offered


def beneficiary_counts(entries) -> dict[int, int]:
    from django.db.models import Count

    ids = [e.pk for e in entries]
    rows = Beneficiary.objects.filter(entry_id__in=ids).values("entry_id").annotate(n=Count("id"))
    return {row["entry_id"]: row["n"] for row in rows}


# --- a worker's payments ---------------------------------------------------------------------


def payments_to(user, worker: Worker) -> list[Beneficiary]:
    """The approved payments to ``worker`` (a condolence round, any payment to the family)
    that ``user`` may see in detail (``Entry.policy`` "detail": finance roles, administrators,
    auditors; never a viewer or a care contact), newest first."""
    return list(
        Beneficiary.objects.for_user(user, "detail")
        .filter(worker=worker, entry__status=EntryStatus.APPROVED)
        .select_related("entry__fund", "entry__round", "family_member")
        .order_by("-entry__on", "-id")
    )


def detail_allowed(user, entry: Entry) -> bool:
    return bool(Entry.policy.allows(user, "detail", entry))


def shown_payee(user, entry: Entry, *, detail: bool | None = None) -> str:
    """The payee as ``user`` may see it: a person's name only with the detail."""
    if detail is None:
        detail = detail_allowed(user, entry)
    if entry.payee_kind == "person" and not detail:
        return _("(a person)")
    return entry.payee

