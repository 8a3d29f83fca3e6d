"""The ledger: recording entries, approving and rejecting them, posting, reversing.

Every function takes a keyword-only ``actor``, checks the policy first and writes its audit row
in the same transaction. Money only moves in ``approve``: under row locks on the entry and on
every fund it touches (taken in the order of their ids, so two approvals never deadlock), the
balances are read again and an entry that would take a fund below zero is refused. Two
approvals that together exceed a balance therefore cannot both pass.

Maker-checker: whoever recorded an entry cannot approve it; above the organisation's threshold
(``threshold_for``; for a batch recorded at once, the batch's total) an approver whose grant
covers the parent organisation must approve too, and that is a third person.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.policy import is_system, user_of
from nuanxin.funds.choices import Category, EntryKind, EntryStatus, IncomeKind, PayeeKind, PostingKind
from nuanxin.funds.models import CENT, ApprovalRule, Beneficiary, CondolenceRound, Entry, Fund, Posting, SubtreeTotal
from nuanxin.orgs.models import Organisation

MAX_AMOUNT = Decimal("999999999999.99")


# --- amounts ----------------------------------------------------------------------------------


def money(value, *, field: str = "amount") -> Decimal:
    """``value`` as yuan with two places, or a ServiceError saying what is wrong with it: a
    number greater than zero, at most two decimal places, below a trillion."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("Enter the amount in yuan, e.g. 2000 or 2000.50."), field=field) from None
    if not amount.is_finite():
        raise ServiceError(_("Enter the amount in yuan, e.g. 2000 or 2000.50."), field=field)
    if amount <= 0:
        raise ServiceError(_("The amount must be greater than zero."), field=field)
    if amount > MAX_AMOUNT:  # before quantize: 1e999 cannot be quantized
        raise ServiceError(_("The amount is too large."), field=field)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ServiceError(_("An amount has at most two decimal places (fen)."), field=field)
    return amount.quantize(CENT)


def balance(fund: Fund) -> Decimal:
    """A fund's balance: the sum of its postings (approved entries only), as the ledger keeps
    it in ``Fund.balance`` (read from the database, not from ``fund``, which may be stale)."""
    return balances([fund.pk])[fund.pk]


def balances(fund_ids: Iterable[int]) -> dict[int, Decimal]:
    """The balances of several funds in one query."""
    ids = list(fund_ids)
    found = dict(Fund.objects.filter(pk__in=ids).values_list("pk", "balance"))
    return {pk: Decimal(found.get(pk) or 0).quantize(CENT) for pk in ids}


def posted_balances(fund_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """The sums of the funds' postings (what ``Fund.balance`` must equal): every fund with a
    posting, or those of ``fund_ids``."""
    rows = Posting.objects.all() if fund_ids is None else Posting.objects.filter(fund_id__in=list(fund_ids))
    sums = rows.values("fund_id").annotate(total=Sum("amount")).order_by()
    return {row["fund_id"]: (row["total"] or Decimal("0")).quantize(CENT) for row in sums}


def threshold_for(organisation: Organisation) -> Decimal | None:
    """The amount above which an entry of ``organisation`` needs its parent's approver too;
    None at the root (no parent to ask)."""
    if organisation.is_root():
        return None
    rule = ApprovalRule.objects.filter(organisation=organisation).first()
    return rule.threshold if rule is not None else settings.NUANXIN_FUNDS_THRESHOLD


def _needs_parent(organisation: Organisation, total: Decimal) -> bool:
    threshold = threshold_for(organisation)
    return threshold is not None and total > threshold


# --- recording --------------------------------------------------------------------------------


def _recorder(actor):
    user = user_of(actor)
    if is_system(actor) or user is None:
        raise NotAllowed(_("Entries are recorded by a finance clerk."))
    return user


def _check_fund(actor, fund: Fund, *, action: str = "record") -> None:
    Fund.policy.require(actor, action, fund, _("You may not record entries of this fund."))
    if not fund.active:
        raise ServiceError(_("The fund “%(fund)s” is closed.") % {"fund": fund.name}, field="fund")


def _check_date(fund: Fund, on: date) -> None:
    if on is None:
        raise ServiceError(_("Enter the date."), field="on")
    if on > timezone.localdate():
        raise ServiceError(_("The date cannot be in the future."), field="on")
    if on < fund.starts_on or (fund.ends_on is not None and on > fund.ends_on):
        raise ServiceError(
            _("The date lies outside the fund's period (%(period)s).") % {"period": period_text(fund)}, field="on"
        )


def period_text(fund: Fund) -> str:
    return f"{fund.starts_on:%Y-%m-%d} – {fund.ends_on:%Y-%m-%d}" if fund.ends_on else f"{fund.starts_on:%Y-%m-%d} –"


def _check_available(fund: Fund, amount: Decimal, field: str = "amount") -> None:
    """Refuse at once what the balance cannot cover now (approval checks again, under lock)."""
    available = balance(fund)
    if amount > available:
        raise ServiceError(
            _("The fund “%(fund)s” has ¥%(available)s available; ¥%(amount)s is more than that.")
            % {"fund": fund.name, "available": f"{available:,.2f}", "amount": f"{amount:,.2f}"},
            code="insufficient",
            field=field,
        )


def _audit_entry(actor, action: str, entry: Entry, **detail) -> None:
    audit.record(
        actor,
        action,
        obj=entry,
        object_repr=f"{entry.kind} #{entry.pk}",
        organisation=entry.organisation,
        detail={"fund": entry.fund_id, "kind": entry.kind, "amount": str(entry.amount), **detail},
    )


def _new_entry(actor, fund: Fund, **fields) -> Entry:
    entry = Entry(fund=fund, organisation=fund.organisation, recorded_by=_recorder(actor), **fields)
    entry.full_clean(exclude=["recorded_by", "fund", "organisation", "to_fund", "reverses", "round"])
    entry.save()
    return entry


@transaction.atomic
def record_income(
    *, actor, fund: Fund, amount, on: date, income_kind: str = IncomeKind.APPROPRIATION, payee: str = "",
    description: str = "",
) -> Entry:
    """Money coming into ``fund``: an appropriation from the union's budget, a donation."""
    _check_fund(actor, fund)
    amount = money(amount)
    _check_date(fund, on)
    if income_kind not in IncomeKind.values:
        raise ServiceError(_("Choose what kind of income this is."), field="income_kind")
    entry = _new_entry(
        actor, fund, kind=EntryKind.INCOME, income_kind=income_kind, amount=amount, on=on, payee=payee,
        description=description, needs_parent=_needs_parent(fund.organisation, amount),
    )
    _audit_entry(actor, "funds.entry.record", entry)
    return entry


@dataclass(frozen=True)
class Allocation:
    to_fund: Fund
    amount: Decimal


@transaction.atomic
def record_allocations(
    *, actor, fund: Fund, allocations: Sequence[Allocation], on: date, description: str = ""
) -> list[Entry]:
    """Allocate money down the tree (下拨): to a fund of each of several descendant organisations
    at once (e.g. ¥100,000 to each of five streets). The threshold applies to the total."""
    _check_fund(actor, fund)
    _check_date(fund, on)
    if not allocations:
        raise ServiceError(_("Choose at least one fund to allocate to."), field="to_fund")
    seen: set[int] = set()
    amounts: list[Decimal] = []
    for allocation in allocations:
        target = allocation.to_fund
        if target.pk in seen:
            raise ServiceError(_("Each fund can be chosen once."), field="to_fund")
        seen.add(target.pk)
        below = target.organisation.path.startswith(fund.organisation.path)
        if not below or target.organisation_id == fund.organisation_id:
            raise ServiceError(
                _("Money is allocated to a fund of an organisation below “%(org)s”.") % {"org": fund.organisation.name},
                field="to_fund",
            )
        if not target.active:
            raise ServiceError(_("The fund “%(fund)s” is closed.") % {"fund": target.name}, field="to_fund")
        amounts.append(money(allocation.amount))
    total = sum(amounts, Decimal("0"))
    _check_available(fund, total)
    needs_parent = _needs_parent(fund.organisation, total)
    batch = uuid.uuid4() if len(allocations) > 1 else None
    entries = []
    for allocation, amount in zip(allocations, amounts, strict=True):
        entry = _new_entry(
            actor, fund, kind=EntryKind.ALLOCATION, to_fund=allocation.to_fund, amount=amount, on=on,
            description=description, needs_parent=needs_parent, batch=batch,
        )
        _audit_entry(actor, "funds.entry.record", entry, to_fund=allocation.to_fund.pk)
        entries.append(entry)
    return entries


@transaction.atomic
def record_return(*, actor, fund: Fund, to_fund: Fund, amount, on: date, description: str = "") -> Entry:
    """Return unspent money up the tree: to a fund of an ancestor organisation."""
    _check_fund(actor, fund)
    _check_date(fund, on)
    amount = money(amount)
    above = fund.organisation.path.startswith(to_fund.organisation.path)
    if not above or to_fund.organisation_id == fund.organisation_id:
        raise ServiceError(_("Unspent money is returned to a fund of an organisation above."), field="to_fund")
    _check_available(fund, amount)
    entry = _new_entry(
        actor, fund, kind=EntryKind.RETURN, to_fund=to_fund, amount=amount, on=on, description=description,
        needs_parent=_needs_parent(fund.organisation, amount),
    )
    _audit_entry(actor, "funds.entry.record", entry, to_fund=to_fund.pk)
    return entry


@dataclass(frozen=True)
class Payment:
    """One beneficiary of an expenditure: a registered worker (and the family member who
    received it), and the amount paid to them."""

    worker: Any
    amount: Decimal
    family_member: Any = None


def _check_category(fund: Fund, category: str) -> None:
    if category not in Category.values:
        raise ServiceError(_("Choose a spending category."), field="category")
    if fund.categories and category not in fund.categories:
        raise ServiceError(
            _("The fund “%(fund)s” does not allow spending on “%(category)s”.")
            % {"fund": fund.name, "category": Category(category).label},
            field="category",
        )


def unknown_worker_message() -> str:
    """The one answer for a worker id that is unknown or out of reach (no name in it)."""
    return _("Unknown worker, or outside your scope.")


def _check_beneficiaries(actor, fund: Fund, payments: Sequence[Payment]) -> None:
    from nuanxin.registry.models import Worker

    ids = [p.worker.pk for p in payments]
    if len(set(ids)) != len(ids):
        raise ServiceError(_("A person is listed twice."), field="beneficiaries")
    # The beneficiaries are workers of the fund's organisation's subtree the clerk may see. One
    # outside it gets the same nameless message as an unknown id: never echo a name the clerk
    # may not see.
    from nuanxin.orgs import scope

    in_scope = scope.scope_q(user_of(actor), Entry.policy.roles("record"), "organisation__path")
    visible: set[int] = set()
    if in_scope is not None:
        visible = set(
            Worker.objects.filter(in_scope, pk__in=ids, organisation__path__startswith=fund.organisation.path)
            .values_list("pk", flat=True)
        )
    if any(p.worker.pk not in visible for p in payments):
        raise ServiceError(unknown_worker_message(), field="beneficiaries")
    for p in payments:
        if p.family_member is not None and p.family_member.worker_id != p.worker.pk:
            raise ServiceError(_("The family member belongs to another worker."), field="beneficiaries")


@transaction.atomic
def record_expenditure(
    *,
    actor,
    fund: Fund,
    amount,
    category: str,
    on: date,
    payee: str = "",
    payee_kind: str = "",
    description: str = "",
    quantity=None,
    unit: str = "",
    beneficiaries: Sequence[Payment] = (),
) -> Entry:
    """Money spent from ``fund``: on goods (quantity and unit), or paid to people (the
    beneficiaries, whose amounts add up to the whole)."""
    _check_fund(actor, fund)
    _check_date(fund, on)
    amount = money(amount)
    _check_category(fund, category)
    if payee_kind and payee_kind not in PayeeKind.values:
        raise ServiceError(_("Choose whether the payee is a supplier or a person."), field="payee_kind")
    if quantity not in (None, ""):
        try:
            quantity = Decimal(str(quantity))
        except InvalidOperation:
            raise ServiceError(_("Enter the quantity as a number."), field="quantity") from None
        if not quantity.is_finite() or quantity <= 0 or quantity >= Decimal("1e12"):
            raise ServiceError(_("Enter the quantity as a number greater than zero."), field="quantity")
        quantity = quantity.quantize(CENT)
    else:
        quantity = None
    payments = [Payment(p.worker, money(p.amount, field="beneficiaries"), p.family_member) for p in beneficiaries]
    if payments:
        _check_beneficiaries(actor, fund, payments)
        if sum((p.amount for p in payments), Decimal("0")) != amount:
            raise ServiceError(_("The beneficiaries' amounts must add up to the amount."), field="beneficiaries")
    _check_available(fund, amount)
    entry = _new_entry(
        actor, fund, kind=EntryKind.EXPENDITURE, amount=amount, category=category, on=on, payee=payee,
        payee_kind=payee_kind or (PayeeKind.PERSON if payments else ""), description=description,
        quantity=quantity, unit=unit, needs_parent=_needs_parent(fund.organisation, amount),
    )
    Beneficiary.objects.bulk_create(
        Beneficiary(entry=entry, worker=p.worker, family_member=p.family_member, amount=p.amount) for p in payments
    )
    _audit_entry(actor, "funds.entry.record", entry, category=category, beneficiaries=len(payments))
    return entry


@transaction.atomic
def record_round(
    *, actor, fund: Fund, name: str, amount_per_person, on: date, workers: Sequence, description: str = ""
) -> CondolenceRound:
    """A condolence round: ``amount_per_person`` to each of ``workers`` from ``fund``, as one
    expenditure (category condolence) approved once. A worker already paid in this round (by an
    entry not rejected) cannot be listed again (the database refuses it too)."""
    _check_fund(actor, fund)
    per_person = money(amount_per_person, field="amount_per_person")
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("Name the condolence round."), field="name")
    if not workers:
        raise ServiceError(_("Choose the people to pay."), field="workers")
    round_ = CondolenceRound(
        organisation=fund.organisation, fund=fund, name=name, amount_per_person=per_person, on=on,
        created_by=_recorder(actor),
    )
    round_.full_clean(exclude=["fund", "organisation", "created_by"])
    round_.save()
    add_to_round(actor=actor, round_=round_, workers=workers, on=on, description=description)
    audit.record(
        actor, "funds.round.create", obj=round_, object_repr=f"round #{round_.pk}", organisation=round_.organisation,
        detail={"fund": fund.pk, "amount_per_person": str(per_person), "people": len(workers)},
    )
    return round_


@transaction.atomic
def add_to_round(*, actor, round_: CondolenceRound, workers: Sequence, on: date, description: str = "") -> Entry:
    """Pay the round's sum to more people (one more entry of the round): nobody twice."""
    fund = round_.fund
    _check_fund(actor, fund)
    _check_date(fund, on)
    _check_category(fund, Category.CONDOLENCE)
    already = set(
        Beneficiary.objects.filter(round=round_, active=True, worker__in=workers).values_list("worker__name", flat=True)
    )
    if already:
        raise ServiceError(
            _("Already paid in this round: %(names)s.") % {"names": "、".join(sorted(already))}, code="duplicate",
            field="workers",
        )
    payments = [Payment(w, round_.amount_per_person) for w in workers]
    _check_beneficiaries(actor, fund, payments)
    total = round_.amount_per_person * len(payments)
    money(total)
    _check_available(fund, total)
    entry = _new_entry(
        actor, fund, kind=EntryKind.EXPENDITURE, amount=total, category=Category.CONDOLENCE, on=on,
        payee_kind=PayeeKind.PERSON, description=description or round_.name, round=round_,
        needs_parent=_needs_parent(fund.organisation, total),
    )
    Beneficiary.objects.bulk_create(
        Beneficiary(entry=entry, worker=p.worker, amount=p.amount, round=round_) for p in payments
    )
    _audit_entry(actor, "funds.entry.record", entry, round=round_.pk, beneficiaries=len(payments))
    return entry


@transaction.atomic
def record_reversal(*, actor, entry: Entry, reason: str, on: date | None = None) -> Entry:
    """Correct an approved entry by a reversing entry (it is approved like any other; once
    approved, its postings cancel the original's). An entry is reversed at most once."""
    Entry.policy.require(actor, "record", entry, _("You may not record entries of this fund."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the entry is reversed."), field="reason")
    if entry.kind == EntryKind.REVERSAL:
        raise ServiceError(_("A reversal cannot itself be reversed: record the entry again instead."))
    if entry.status != EntryStatus.APPROVED:
        raise ServiceError(_("Only an approved entry is reversed; an entry awaiting approval is rejected instead."))
    if Entry.objects.filter(reverses=entry).exclude(status=EntryStatus.REJECTED).exists():
        raise Conflict(_("This entry has already been reversed."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ServiceError(_("The date cannot be in the future."), field="on")
    if on < entry.on:
        raise ServiceError(_("A reversal cannot be dated before the entry it reverses."), field="on")
    reversal = Entry(
        fund=entry.fund, organisation=entry.organisation, kind=EntryKind.REVERSAL, to_fund=entry.to_fund,
        amount=entry.amount, category=entry.category, on=on, description=reason, reverses=entry,
        recorded_by=_recorder(actor), needs_parent=_needs_parent(entry.organisation, entry.amount),
    )
    reversal.save()
    _audit_entry(actor, "funds.entry.record", reversal, reverses=entry.pk)
    return reversal


# --- approving --------------------------------------------------------------------------------


def _postings(entry: Entry) -> list[Posting]:
    """The ledger lines an entry writes once approved."""
    def line(fund: Fund, kind: str, amount: Decimal, *, reversal: bool = False, category: str = "") -> Posting:
        return Posting(
            entry=entry, fund=fund, organisation_id=fund.organisation_id, kind=kind, category=category,
            on=entry.on, amount=amount, reversal=reversal,
        )

    if entry.kind == EntryKind.INCOME:
        return [line(entry.fund, PostingKind.INCOME, entry.amount)]
    to_fund = entry.to_fund
    if entry.kind == EntryKind.ALLOCATION:
        assert to_fund is not None
        return [
            line(entry.fund, PostingKind.ALLOCATION_OUT, -entry.amount),
            line(to_fund, PostingKind.ALLOCATION_IN, entry.amount),
        ]
    if entry.kind == EntryKind.RETURN:
        assert to_fund is not None
        return [
            line(entry.fund, PostingKind.RETURN_OUT, -entry.amount),
            line(to_fund, PostingKind.RETURN_IN, entry.amount),
        ]
    if entry.kind == EntryKind.EXPENDITURE:
        return [line(entry.fund, PostingKind.EXPENDITURE, -entry.amount, category=entry.category)]
    # A reversal: the original's lines with the opposite sign, on the reversal's date.
    original = entry.reverses
    assert original is not None
    return [
        line(p.fund, p.kind, -p.amount, reversal=True, category=p.category)
        for p in original.postings.select_related("fund").order_by("id")
    ]


@dataclass(frozen=True)
class Shortfall:
    """A fund that cannot cover an open entry now: what it has and what the entry needs."""

    fund_id: int
    available: Decimal
    needed: Decimal


def shortfall(entry: Entry) -> Shortfall | None:
    """Whether approving ``entry`` now would take a fund below zero (read without locks: the
    approval queue warns with it; ``approve`` checks again under the locks)."""
    change: dict[int, Decimal] = defaultdict(Decimal)
    for line in _postings(entry):
        change[line.fund_id] += line.amount
    current = balances(change)
    for fund_id, delta in sorted(change.items()):
        if delta < 0 and current[fund_id] + delta < 0:
            return Shortfall(fund_id, current[fund_id], -delta)
    return None


def _lock(entry: Entry) -> tuple[Entry, dict[int, Fund]]:
    """The entry read again under a row lock, and every fund it touches locked in id order."""
    locked = Entry.objects.select_for_update(of=("self",)).select_related("organisation", "reverses").get(pk=entry.pk)
    ids = {locked.fund_id}
    if locked.to_fund_id:
        ids.add(locked.to_fund_id)
    funds = {f.pk: f for f in Fund.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk")}
    return locked, funds


def _post(entry: Entry) -> list[Posting]:
    """Write the entry's postings, refusing any that would take a fund below zero (the funds
    are locked by the caller), and add them to the subtree totals."""
    lines = _postings(entry)
    change: dict[int, Decimal] = defaultdict(Decimal)
    for line in lines:
        change[line.fund_id] += line.amount
    current = balances(change)
    for fund_id, delta in change.items():
        if delta < 0 and current[fund_id] + delta < 0:
            fund = Fund.objects.get(pk=fund_id)
            raise ServiceError(
                _("The fund “%(fund)s” has ¥%(available)s available; this entry needs ¥%(amount)s.")
                % {"fund": fund.name, "available": f"{current[fund_id]:,.2f}", "amount": f"{-delta:,.2f}"},
                code="insufficient",
            )
    Posting.objects.bulk_create(lines)
    for fund_id, delta in sorted(change.items()):
        Fund.objects.filter(pk=fund_id).update(balance=F("balance") + delta)
    add_to_totals(lines)
    return lines


def _refuse_self(actor, entry: Entry) -> None:
    user = user_of(actor)
    if user is None or is_system(actor):
        raise NotAllowed(_("Entries are approved by a finance approver."))
    if entry.recorded_by_id == user.pk:
        raise NotAllowed(_("You recorded this entry: another approver must approve it."))
    if entry.status == EntryStatus.PARENT and entry.approved_by_id == user.pk:
        raise NotAllowed(_("You approved this entry already: the parent organisation's approver approves it now."))


def may_approve(actor, entry: Entry) -> bool:
    """Whether ``actor`` may approve (or reject) ``entry`` now: the policy, not its recorder,
    and for the second step an approver whose grant covers the parent organisation."""
    if entry.status not in (EntryStatus.PENDING, EntryStatus.PARENT):
        return False
    if not Entry.policy.allows(actor, "approve", entry):
        return False
    try:
        _refuse_self(actor, entry)
    except NotAllowed:
        return False
    if entry.status == EntryStatus.PARENT:
        parent = Organisation.objects.get_parent(entry.organisation)
        return parent is not None and Entry.policy.allows_in(actor, "approve", parent)
    return True


def _check_approver(actor, entry: Entry) -> None:
    Entry.policy.require(actor, "approve", entry, _("You may not approve entries of this fund."))
    if entry.status not in (EntryStatus.PENDING, EntryStatus.PARENT):
        raise Conflict(
            _("This entry is “%(status)s”: there is nothing to approve.") % {"status": entry.get_status_display()}
        )
    _refuse_self(actor, entry)
    if entry.status == EntryStatus.PARENT:
        parent = Organisation.objects.get_parent(entry.organisation)
        if parent is None or not Entry.policy.allows_in(actor, "approve", parent):
            raise NotAllowed(_("Above the threshold, an approver of the parent organisation approves it."))


@transaction.atomic
def approve(*, actor, entry: Entry, version: int | None = None) -> Entry:
    """Approve an entry. Below the threshold (or at the parent's step) the money moves now;
    above it the entry waits for the parent organisation's approver."""
    entry, _funds = _lock(entry)
    versioning.check_version(entry, version)
    _check_approver(actor, entry)
    user = user_of(actor)
    now = timezone.now()
    step = "parent" if entry.status == EntryStatus.PARENT else "unit"
    if entry.kind == EntryKind.REVERSAL and (entry.reverses is None or entry.reverses.status != EntryStatus.APPROVED):
        raise Conflict(_("The entry this reverses is not approved."))
    fields = [versioning.bump(entry), "status"]
    if step == "unit":
        entry.approved_by, entry.approved_at = user, now
        fields += ["approved_by", "approved_at"]
    else:
        entry.parent_approved_by, entry.parent_approved_at = user, now
        fields += ["parent_approved_by", "parent_approved_at"]
    if step == "unit" and entry.needs_parent:
        entry.status = EntryStatus.PARENT
    else:
        _post(entry)
        entry.status = EntryStatus.APPROVED
    entry.save(update_fields=fields)
    _audit_entry(actor, "funds.entry.approve", entry, approval_step=step, status=entry.status)
    return entry


def batch_of(entry: Entry) -> list[Entry]:
    """The open entries recorded in one action with ``entry`` (an allocation to several funds
    at once), in id order; ``entry`` alone when it has no batch."""
    if not entry.batch:
        return [entry]
    return list(
        Entry.objects.filter(batch=entry.batch, status__in=(EntryStatus.PENDING, EntryStatus.PARENT)).order_by("id")
    )


@transaction.atomic
def approve_batch(*, actor, entry: Entry) -> list[Entry]:
    """Approve every open entry of ``entry``'s batch, one by one through ``approve`` (each with
    its own checks and audit row), in one transaction: all or nothing. The batch's entries are
    locked first, in id order, so a single approval of one of them cannot deadlock with it."""
    entries = batch_of(entry)
    ids = [e.pk for e in entries]
    list(Entry.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("id").values_list("id", flat=True))
    if not entries:
        raise Conflict(_("This batch has nothing left to approve."))
    return [approve(actor=actor, entry=e) for e in entries]


@transaction.atomic
def reject(*, actor, entry: Entry, reason: str, version: int | None = None) -> Entry:
    """Reject an entry with a reason: it never moves money. The people of a rejected round
    entry may be paid in the round again."""
    entry, _funds = _lock(entry)
    versioning.check_version(entry, version)
    _check_approver(actor, entry)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the entry is rejected."), field="reason")
    entry.status = EntryStatus.REJECTED
    entry.rejected_by, entry.rejected_at, entry.rejection_reason = user_of(actor), timezone.now(), reason
    entry.save(update_fields=[versioning.bump(entry), "status", "rejected_by", "rejected_at", "rejection_reason"])
    entry.beneficiaries.update(active=False)
    _audit_entry(actor, "funds.entry.reject", entry, reason=audit.text_marker(reason))
    return entry


# --- the subtree totals -----------------------------------------------------------------------


def _month(day: date) -> date:
    return day.replace(day=1)


def _ancestor_ids(org_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each organisation's id and its ancestors' ids (from the materialised path)."""
    orgs = {o.pk: o.path for o in Organisation.objects.filter(pk__in=set(org_ids)).only("path")}
    step = Organisation.steplen
    prefixes = {p[:i] for p in orgs.values() for i in range(step, len(p) + 1, step)}
    by_path = dict(Organisation.objects.filter(path__in=prefixes).values_list("path", "pk"))
    return {pk: [by_path[path[:i]] for i in range(step, len(path) + 1, step)] for pk, path in orgs.items()}


def add_to_totals(lines: Sequence[Posting]) -> None:
    """Add postings to their organisation's own totals and to the subtree totals of it and
    every ancestor, one upsert per key, keys in a fixed order (no deadlock between two
    approvals)."""
    deltas: dict[tuple, Decimal] = defaultdict(Decimal)
    chains = _ancestor_ids(line.organisation_id for line in lines)
    for line in lines:
        month = _month(line.on)
        deltas[(line.organisation_id, True, month, line.kind, line.category)] += line.amount
        for org_id in chains[line.organisation_id]:
            deltas[(org_id, False, month, line.kind, line.category)] += line.amount
    _upsert(sorted(deltas.items(), key=lambda item: (item[0][0], item[0][1], item[0][2], item[0][3], item[0][4])))


def _upsert(rows: Sequence[tuple[tuple, Decimal]]) -> None:
    assert SubtreeTotal._meta.db_table == "funds_subtreetotal"
    sql = (
        "INSERT INTO funds_subtreetotal (organisation_id, own, month, kind, category, amount) "
        "VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (organisation_id, own, month, kind, category) "
        "DO UPDATE SET amount = funds_subtreetotal.amount + excluded.amount"
    )
    ops = connection.ops
    params = [
        (org, own, ops.adapt_datefield_value(month), kind, category, ops.adapt_decimalfield_value(amount, 14, 2))
        for (org, own, month, kind, category), amount in rows
        if amount
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


@transaction.atomic
def rebuild_totals(*, actor) -> int:
    """Recompute every fund's balance and every subtree total from the postings (after an
    organisation moved in the tree, or when they were found to differ). Returns the number of
    total rows written."""
    from nuanxin.core.locks import hold

    hold("funds:totals")
    # The balances first (their rows locked in id order, as the approvals lock them).
    list(Fund.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    # Every balance in one statement: the sum of the fund's postings, 0 without any.
    sums = Posting.objects.filter(fund_id=OuterRef("pk")).order_by().values("fund_id").annotate(t=Sum("amount"))
    Fund.objects.update(balance=Coalesce(Subquery(sums.values("t")), Value(Decimal("0"))))
    SubtreeTotal.objects.all().delete()
    grouped = (
        Posting.objects.values("organisation_id", "on", "kind", "category")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    lines = [
        Posting(organisation_id=row["organisation_id"], on=row["on"], kind=row["kind"], category=row["category"],
                amount=row["total"])
        for row in grouped
    ]
    add_to_totals(lines)
    count = SubtreeTotal.objects.count()
    audit.record(actor, "funds.totals.rebuild", object_type="funds.subtreetotal", detail={"rows": count})
    return count
