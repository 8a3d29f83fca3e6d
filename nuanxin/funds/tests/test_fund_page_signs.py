"""A fund's page shows each entry's direction: + money in (income, an allocation received), −
money out (spending, an allocation down); a reversal the opposite (review finding 17)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import PASSWORD, approve_fully, fund_with, open_fund

pytestmark = pytest.mark.django_db

ON = date(2020, 2, 3)


def page(user, fund) -> str:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    assert c.login(username=user.username, password=PASSWORD)
    return c.get(reverse("funds:fund_detail", kwargs={"pk": fund.pk})).content.decode()


def amount_of(html: str, entry) -> str:
    item = html[html.index(f'data-entry="{entry.pk}"'):]
    item = item[item.index("data-signed="):]
    return item[item.index(">") + 1: item.index("</div>")]


def test_amounts_show_their_direction(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "20000")
    income = fund.entries.get(kind="income")
    below = open_fund(fp.clerk, personas.shinan_hospital)
    allocation = ledger.Allocation(below, ledger.money("3000"))
    [sent] = ledger.record_allocations(actor=fp.clerk, fund=fund, allocations=[allocation], on=ON)
    approve_fully(sent, fp.approver)
    spent = approve_fully(ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="500", category="comfort",
                                                    on=ON, payee_kind="supplier", payee="甲"), fp.approver)
    reversal = ledger.record_reversal(actor=fp.clerk, entry=spent, reason="重复", on=ON)
    html = page(fp.approver, fund)
    assert "+ money into this fund" in html
    assert amount_of(html, income) == "+¥20,000.00"
    assert amount_of(html, sent) == "-¥3,000.00"
    assert amount_of(html, spent) == "-¥500.00"
    assert amount_of(html, reversal) == "+¥500.00"
    # the same allocation, seen from the fund that received it
    assert amount_of(page(fp.approver, below), sent) == "+¥3,000.00"
