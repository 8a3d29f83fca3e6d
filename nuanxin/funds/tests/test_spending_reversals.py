"""The spending list and its export count an approved reversal of an expenditure: the reversed
expenditure is marked 已冲销 with a link to its reversal, the reversal is a row of its own with a
negative amount (status 冲销), and "spent (approved)" equals the statement's net spending
(review finding 4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from nuanxin.funds.models import Posting
from nuanxin.funds.selectors import spending as selectors
from nuanxin.funds.services import ledger, spending, statements
from nuanxin.funds.tests.fixtures import PASSWORD, approve_fully, fund_with

pytestmark = pytest.mark.django_db

ON = date(2020, 2, 3)


@pytest.fixture(autouse=True)
def english(english):
    return english


def client_for(user, language="en") -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = language
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def reversed_fund(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "20000")
    kept = approve_fully(spending.record_expenditure(
        actor=fp.clerk, fund=fund, amount="3000", category="comfort", on=ON, payee_kind="supplier", payee="某超市",
    ), fp.approver)
    twice = approve_fully(spending.record_expenditure(
        actor=fp.clerk, fund=fund, amount="6500", category="comfort", on=ON, payee_kind="supplier", payee="某超市",
        description="重复记账",
    ), fp.approver)
    reversal = approve_fully(
        ledger.record_reversal(actor=fp.clerk, entry=twice, reason="重复记账", on=date(2020, 2, 5)), fp.approver,
    )
    # A reversal awaiting approval changes nothing yet: it is not listed.
    other = approve_fully(spending.record_expenditure(
        actor=fp.clerk, fund=fund, amount="800", category="comfort", on=ON, payee_kind="supplier", payee="某药房",
    ), fp.approver)
    ledger.record_reversal(actor=fp.clerk, entry=other, reason="待定", on=date(2020, 2, 6))
    return fund, kept, twice, reversal, other


def test_spent_is_net_of_approved_reversals_as_in_the_statement(fp, reversed_fund):
    fund, _kept, twice, reversal, _other = reversed_fund
    found = statements.statement(fund)
    net_spent = -Posting.objects.filter(fund=fund, kind="expenditure").aggregate(t=Sum("amount"))["t"]
    assert net_spent == Decimal("3800.00")  # 3,000 + 6,500 + 800 − 6,500
    assert found.closing == Decimal("16200.00")
    html = client_for(fp.approver).get(reverse("funds:spending_list", kwargs={"fund_pk": fund.pk})).content.decode()
    assert 'id="nx-spending-approved">¥3,800.00<' in html
    assert f'data-reversed-by="{reversal.pk}"' in html
    assert f'Reversed by entry #{reversal.pk} on 2020-02-05' in html
    assert reverse("funds:entry_detail", kwargs={"pk": reversal.pk}) in html
    assert f'data-reverses="{twice.pk}"' in html and f"Reverses expenditure #{twice.pk}" in html
    assert '<span data-amount="-6500.00">-¥6,500.00</span>' in html
    assert "Spent (approved) is net of reversals" in html
    assert "4 expenditures" in html  # three expenditures and the approved reversal


def test_the_reversed_expenditure_has_its_own_badge(fp, reversed_fund):
    # 已冲销 in Chinese (pgettext "fund entry", "Reversed": /tmp/i18n/fix_funds.json until merged)
    fund, *_ = reversed_fund
    html = client_for(fp.approver).get(reverse("funds:spending_list", kwargs={"fund_pk": fund.pk})).content.decode()
    assert html.count('text-bg-secondary">Reversed</span>') == 1
    assert html.count('text-bg-secondary">Reversal</span>') == 1


def test_the_export_amounts_sum_to_the_net_spending(fp, reversed_fund):
    fund, kept, twice, reversal, other = reversed_fund
    entries = list(selectors.expenditures(fp.approver, fund=fund, action="export"))
    rows = spending.spending_rows(fp.approver, entries, names=True)
    headers = spending._headers(True)
    amount, status, entry, note = (headers.index(h) for h in ("Amount (yuan)", "Status", "Entry", "Reversal"))
    assert sorted((r[entry], r[amount], str(r[status]), r[note]) for r in rows) == sorted([
        (kept.pk, Decimal("3000.00"), "Approved", ""),
        (twice.pk, Decimal("6500.00"), "Approved", f"Reversed by entry #{reversal.pk}"),
        (other.pk, Decimal("800.00"), "Approved", ""),
        (reversal.pk, Decimal("-6500.00"), "Reversal", f"Reverses entry #{twice.pk}"),
    ])
    assert sum(r[amount] for r in rows) == Decimal("3800.00")
    response = client_for(fp.approver).get(reverse("funds:spending_export", kwargs={"fund_pk": fund.pk}))
    assert response.status_code == 200
