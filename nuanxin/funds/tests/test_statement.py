"""A fund's statement: opening balance, every posting of the period with its running balance,
closing balance (opening + lines = closing, exactly); the xlsx (formula-safe) and the PDF,
each audited with its row count."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core.models import AuditLog
from nuanxin.funds.services import ledger, statements
from nuanxin.funds.tests.fixtures import approve_fully, fund_with, open_fund

pytestmark = pytest.mark.django_db


def build(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000", on=date(2020, 1, 20))
    hospital = open_fund(fp.clerk, personas.shinan_hospital)
    steps = [
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="100.10", category="comfort",
                                  on=date(2020, 2, 1), payee="=HYPERLINK(\"http://x\")"),
        ledger.record_allocations(actor=fp.clerk, fund=fund, on=date(2020, 2, 5),
                                  allocations=[ledger.Allocation(hospital, Decimal("300"))])[0],
        ledger.record_income(actor=fp.clerk, fund=fund, amount="0.33", on=date(2020, 3, 1)),
    ]
    steps = [approve_fully(step, fp.approver) for step in steps]
    rejected = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="5", category="comfort",
                                         on=date(2020, 2, 2))
    ledger.reject(actor=fp.approver, entry=rejected, reason="不符")
    reversal = ledger.record_reversal(actor=fp.clerk, entry=steps[0], reason="错账", on=date(2020, 2, 10))
    approve_fully(reversal, fp.approver2)
    return fund, hospital


def test_opening_lines_and_closing_add_up_exactly(personas, fp):
    fund, hospital = build(personas, fp)
    found = statements.statement(fund, date(2020, 2, 1), date(2020, 2, 29))
    assert found.opening == Decimal("1000.00")
    assert [line.amount for line in found.lines] == [Decimal("-100.10"), Decimal("-300.00"), Decimal("100.10")]
    assert [line.running for line in found.lines] == [Decimal("899.90"), Decimal("599.90"), Decimal("700.00")]
    assert found.closing == found.opening + sum(line.amount for line in found.lines) == Decimal("700.00")
    assert (found.total_in, found.total_out) == (Decimal("100.10"), Decimal("400.10"))
    whole = statements.statement(fund, date(2020, 1, 1), date(2020, 12, 31))
    assert whole.opening == Decimal("0.00") and whole.closing == ledger.balance(fund) == Decimal("700.33")
    assert statements.statement(hospital, date(2020, 1, 1), date(2020, 12, 31)).closing == Decimal("300.00")
    march = statements.statement(fund, date(2020, 3, 1), date(2020, 3, 31))
    assert (march.opening, len(march.lines), march.closing) == (Decimal("700.00"), 1, Decimal("700.33"))


def test_the_page_and_a_bad_period(personas, fp):
    fund, _hospital = build(personas, fp)
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(fp.clerk)
    url = reverse("funds:statement", kwargs={"pk": fund.pk})
    page = client.get(url + "?start=2020-02-01&end=2020-02-29").content.decode()
    assert 'id="nx-opening" data-amount="1000.00"' in page and 'id="nx-closing" data-amount="700.00"' in page
    assert page.count("data-posting=") == 3
    page = client.get(url + "?start=2020-03-01&end=2020-02-01").content.decode()
    assert "The end of the period cannot be before its start." in page and 'id="nx-closing"' not in page


def test_the_xlsx_is_formula_safe_and_audited_with_its_rows(personas, fp):
    fund, _hospital = build(personas, fp)
    client = Client()
    client.force_login(fp.approver)
    response = client.get(reverse("funds:statement_xlsx", kwargs={"pk": fund.pk}) + "?start=2020-02-01&end=2020-02-29")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert len(rows) == 1 + 1 + 3 + 1  # headers, opening, three lines, closing
    assert rows[1][6] == 1000 and rows[-1][6] == 700
    assert rows[2][3] == "'=HYPERLINK(\"http://x\")"  # neutralised: kept as text
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere
    row = AuditLog.objects.get(action="funds.statement.export")
    assert row.detail == {"fund": fund.pk, "file_format": "xlsx", "rows": 3, "period_from": "2020-02-01",
                          "period_to": "2020-02-29"}
    assert "HYPERLINK" not in str(row.detail)


def test_the_pdf_is_audited(personas, fp):
    fund, _hospital = build(personas, fp)
    client = Client()
    client.force_login(fp.clerk)
    response = client.get(reverse("funds:statement_pdf", kwargs={"pk": fund.pk}))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    row = AuditLog.objects.get(action="funds.statement.export")
    assert row.detail["file_format"] == "pdf" and row.detail["rows"] == 5
