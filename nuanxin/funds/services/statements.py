"""A fund's statement for a period: the opening balance, every posting of the period with the
running balance after it, and the closing balance (opening + the lines = closing, exactly: the
amounts are Decimals summed from the ledger). As a page, an xlsx workbook (formula-safe) and a
PDF (Chinese fonts); the files are audited with their row count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, exports, pdf
from nuanxin.core.errors import ServiceError
from nuanxin.funds.choices import Category, EntryKind, PostingKind
from nuanxin.funds.models import CENT, Fund, Posting

ZERO = Decimal("0.00")


@dataclass
class Line:
    posting: Posting
    running: Decimal

    @property
    def amount(self) -> Decimal:
        return self.posting.amount

    @property
    def money_in(self) -> Decimal | None:
        return self.posting.amount if self.posting.amount > 0 else None

    @property
    def money_out(self) -> Decimal | None:
        return -self.posting.amount if self.posting.amount < 0 else None

    @property
    def what(self) -> str:
        """The posting's kind, its category and the other fund of a transfer, in words."""
        posting = self.posting
        entry = posting.entry
        text = str(PostingKind(posting.kind).label)
        if posting.reversal:
            text = _("Reversal: %(kind)s") % {"kind": text}
        if posting.category:
            text += f" · {Category(posting.category).label}"
        other = None
        if entry.kind in (EntryKind.ALLOCATION, EntryKind.RETURN) or (
            entry.kind == EntryKind.REVERSAL and entry.to_fund_id
        ):
            other = entry.to_fund if posting.fund_id == entry.fund_id else entry.fund
        if other is not None:
            text += f" · {other.organisation.name} {other.name}"
        return text

    @property
    def note(self) -> str:
        entry = self.posting.entry
        return " ".join(part for part in (entry.payee, entry.description) if part)


@dataclass
class Statement:
    fund: Fund
    start: date
    end: date
    opening: Decimal
    lines: list[Line] = field(default_factory=list)

    @property
    def total_in(self) -> Decimal:
        return sum((line.amount for line in self.lines if line.amount > 0), ZERO)

    @property
    def total_out(self) -> Decimal:
        return -sum((line.amount for line in self.lines if line.amount < 0), ZERO)

    @property
    def closing(self) -> Decimal:
        return (self.opening + sum((line.amount for line in self.lines), ZERO)).quantize(CENT)


def check_period(fund: Fund, start: date | None, end: date | None) -> tuple[date, date]:
    """The period asked for, or the fund's from its start to today."""
    start = start or fund.starts_on
    end = end or timezone.localdate()
    if end < start:
        raise ServiceError(_("The end of the period cannot be before its start."), field="end")
    return start, end


def statement(fund: Fund, start: date | None = None, end: date | None = None) -> Statement:
    """The statement of ``fund`` from ``start`` to ``end`` (both included)."""
    start, end = check_period(fund, start, end)
    before = Posting.objects.filter(fund_id=fund.pk, on__lt=start).aggregate(total=Sum("amount"))["total"]
    opening = (before or ZERO).quantize(CENT)
    postings = (
        Posting.objects.filter(fund_id=fund.pk, on__gte=start, on__lte=end)
        .select_related("entry__organisation", "entry__fund__organisation", "entry__to_fund__organisation")
        .order_by("on", "id")
    )
    running = opening
    lines = []
    for posting in postings:
        running += posting.amount
        lines.append(Line(posting, running.quantize(CENT)))
    return Statement(fund=fund, start=start, end=end, opening=opening, lines=lines)


def headers() -> list[str]:
    return [_("Date"), _("Entry"), _("What"), _("Payee and description"), _("In"), _("Out"), _("Balance")]


def rows(found: Statement) -> list[list]:
    result: list[list] = [[found.start, "", _("Opening balance"), "", "", "", found.opening]]
    for line in found.lines:
        result.append([
            line.posting.on, f"#{line.posting.entry_id}", line.what, line.note,
            line.money_in if line.money_in is not None else "",
            line.money_out if line.money_out is not None else "",
            line.running,
        ])
    result.append([found.end, "", _("Closing balance"), "", found.total_in, found.total_out, found.closing])
    return result


def _audit(actor, found: Statement, file_format: str) -> None:
    fund = found.fund
    audit.record(
        actor, "funds.statement.export", obj=fund, object_repr=f"fund #{fund.pk}", organisation=fund.organisation,
        detail={
            "fund": fund.pk, "file_format": file_format, "rows": len(found.lines),
            "period_from": found.start.isoformat(), "period_to": found.end.isoformat(),
        },
    )


def _require(actor, fund: Fund) -> None:
    Fund.policy.require(actor, "export", fund, _("You may not export this fund's statement."))


def filename(found: Statement, extension: str) -> str:
    return f"{found.fund.organisation.name}-{found.fund.name}-{found.start:%Y%m%d}-{found.end:%Y%m%d}.{extension}"


def statement_xlsx(*, actor, fund: Fund, start: date | None = None, end: date | None = None) -> tuple[bytes, str]:
    """The statement as an xlsx workbook (text never read as a formula) and its file name;
    audited with the number of lines."""
    _require(actor, fund)
    found = statement(fund, start, end)
    content = exports.build_xlsx(headers(), rows(found), sheet_name=_("Statement"))
    _audit(actor, found, "xlsx")
    return content, filename(found, "xlsx")


def statement_pdf(*, actor, fund: Fund, start: date | None = None, end: date | None = None) -> tuple[bytes, str]:
    """The statement as a PDF (Noto CJK) and its file name; audited with the number of lines."""
    _require(actor, fund)
    found = statement(fund, start, end)
    content = pdf.render("funds/statement_pdf.html", {"statement": found, "printed_at": timezone.localtime()})
    _audit(actor, found, "pdf")
    return content, filename(found, "pdf")
