"""Spending: an expenditure with its receipts and beneficiaries in one transaction, and the
spending list as a workbook (audited with the row count).

The ledger (``ledger.record_expenditure``) checks the fund, the date, the category, the balance
and the beneficiaries (workers of the fund's subtree, amounts adding up to the whole); this
module adds the receipts and the pages' rules on top."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, exports
from nuanxin.core.errors import ServiceError
from nuanxin.funds.choices import Category, EntryKind, EntryStatus, PayeeKind
from nuanxin.funds.models import Beneficiary, Entry, Fund
from nuanxin.funds.selectors import spending as selectors
from nuanxin.funds.services import ledger, receipts
from nuanxin.funds.services.ledger import Payment
from nuanxin.orgs.models import Organisation


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
    files: Sequence = (),
) -> Entry:
    """Record an expenditure of ``fund`` (awaiting approval) with its receipts (``files``) and,
    for payments to people, its beneficiaries. Everything or nothing: a refused receipt
    records nothing."""
    Fund.policy.require(actor, "record", fund, _("You may not record entries of this fund."))
    receipts.check_count(files)
    payee = (payee or "").strip()
    unit = (unit or "").strip()
    if payee_kind == PayeeKind.PERSON and not beneficiaries and not payee:
        raise ServiceError(_("Name the person paid, or choose the beneficiaries from the register."), field="payee")
    if payee_kind == PayeeKind.SUPPLIER and not payee:
        raise ServiceError(_("Name the supplier."), field="payee")
    if payee_kind == PayeeKind.SUPPLIER and beneficiaries:
        raise ServiceError(_("A payment to a supplier has no beneficiaries."), field="beneficiaries")
    if unit and quantity in (None, ""):
        raise ServiceError(_("Enter the quantity bought, or leave the unit empty."), field="quantity")
    if len(unit) > 16:
        raise ServiceError(_("The unit is at most 16 characters (瓶, 箱, 件 …)."), field="unit")
    if len(payee) > 100:
        raise ServiceError(_("The payee is at most 100 characters."), field="payee")
    entry = ledger.record_expenditure(
        actor=actor, fund=fund, amount=amount, category=category, on=on, payee=payee, payee_kind=payee_kind,
        description=(description or "").strip(), quantity=quantity, unit=unit, beneficiaries=beneficiaries,
    )
    if files:
        receipts.store_receipts(actor=actor, entry=entry, files=files)
        audit.record(
            actor, "funds.receipt.add", obj=entry, object_repr=f"{entry.kind} #{entry.pk}",
            organisation=entry.organisation, detail={"receipt_count": len(files)},
        )
    return entry


# --- the spending list ------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendingExport:
    content: bytes
    filename: str
    rows: int


def _headers(names: bool) -> list[str]:
    headers = [
        _("Date"), _("Organisation"), _("Fund"), _("Category"), _("Amount (yuan)"), _("Status"),
        _("Quantity"), _("Unit"), _("Payee kind"),
    ]
    if names:
        headers += [_("Payee"), _("Description"), _("Beneficiaries"), _("Condolence round")]
    else:
        headers += [_("Beneficiaries (number)")]
    return [*headers, _("Entry"), _("Reversal")]


def spending_rows(actor, entries: Sequence[Entry], *, names: bool) -> list[list]:
    """The workbook's rows: with ``names`` (the detail) the payee, the description and each
    beneficiary with the amount paid; without, figures only (a person payee left out)."""
    people: dict[int, list[str]] = {}
    if names:
        for b in (
            Beneficiary.objects.filter(entry__in=[e.pk for e in entries]).select_related("worker").order_by("id")
        ):
            people.setdefault(b.entry_id, []).append(f"{b.worker.name} ¥{b.amount:,.2f}")
        counts = {}
    else:
        counts = selectors.beneficiary_counts(entries)
    reversed_by = selectors.reversals_of(entries)
    rows = []
    for e in entries:
        # An approved reversal of an expenditure is a row of its own with a negative amount and
        # the status 冲销, so that the amount column sums to the net spending.
        is_reversal = e.kind == EntryKind.REVERSAL
        if is_reversal:
            status_text = str(EntryKind.REVERSAL.label)
            reversal_text = _("Reverses entry #%(id)s") % {"id": e.reverses_id}
        else:
            status_text = str(EntryStatus(e.status).label)
            reversal = reversed_by.get(e.pk)
            reversal_text = _("Reversed by entry #%(id)s") % {"id": reversal.pk} if reversal is not None else ""
        row = [
            e.on, e.organisation.name, e.fund.name, Category(e.category).label if e.category in Category.values else "",
            -Decimal(e.amount) if is_reversal else Decimal(e.amount), status_text,
            e.quantity if e.quantity is not None else "", e.unit,
            PayeeKind(e.payee_kind).label if e.payee_kind else "",
        ]
        if names:
            round_name = e.round.name if e.round is not None else ""
            row += [e.payee, e.description, "；".join(people.get(e.pk, [])), round_name]
        else:
            row += [counts.get(e.pk, 0)]
        rows.append([*row, e.pk, reversal_text])
    return rows


@transaction.atomic
def export_spending(
    *,
    actor,
    fund: Fund | None = None,
    organisation: Organisation | None = None,
    category: str = "",
    month: date | None = None,
    status: str = "",
) -> SpendingExport:
    """The spending list of ``fund`` (or of ``organisation``'s subtree) as xlsx for the union's
    accounting, with the filters of the list. Needs the funds' "export" (the detail roles), so
    the names are in it; every text cell formula-safe. Audited ``funds.spending.export`` with
    the row count and the filters (codes only)."""
    if fund is None and organisation is None:
        raise ServiceError(_("Choose a fund or an organisation."))
    if fund is not None:
        Fund.policy.require(actor, "export", fund, _("You may not export this fund's spending."))
    else:
        Entry.policy.require_in(actor, "export", organisation, _("You may not export this organisation's spending."))
    entries = list(
        selectors.expenditures(
            actor, fund=fund, organisation=organisation, category=category, month=month, status=status,
            action="export",
        )
    )
    names = True  # "export" is a detail role: the accounting needs the payees and beneficiaries
    content = exports.build_xlsx(_headers(names), spending_rows(actor, entries, names=names), sheet_name="spending")
    target = fund if fund is not None else organisation
    assert target is not None
    owner = fund.organisation if fund is not None else organisation
    detail: dict = {"spending_rows": len(entries)}
    if category:
        detail["category"] = category
    if month is not None:
        detail["spending_month"] = f"{month:%Y-%m}"
    if status:
        detail["status"] = status
    audit.record(
        actor, "funds.spending.export", obj=target,
        object_repr=f"fund #{target.pk}" if fund is not None else f"organisation #{target.pk}",
        organisation=owner, detail=detail,
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    code = str(fund.pk) if fund is not None else str(getattr(organisation, "code", ""))
    return SpendingExport(content=content, filename=f"spending-{code}-{stamp}.xlsx", rows=len(entries))
