"""A fund entry's "Rejected" has its own translation context ("fund entry": 已驳回), never the
registry import's 拒收 (review finding 6)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nuanxin.funds.choices import EntryStatus
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import PASSWORD, fund_with

pytestmark = pytest.mark.django_db


def test_the_label_is_the_fund_entry_context():
    with translation.override("zh-hans"):
        assert str(EntryStatus.REJECTED.label) == translation.pgettext("fund entry", "Rejected")
        assert str(EntryStatus.REJECTED.label) != "拒收"
    with translation.override("en"):
        assert str(EntryStatus.REJECTED.label) == "Rejected"


def test_a_rejected_entry_is_not_shown_as_refused_to_receive(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    entry = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="10", category="comfort",
                                      on=date(2020, 2, 3), payee_kind="supplier", payee="甲")
    ledger.reject(actor=fp.approver, entry=entry, reason="重复")
    c = Client()
    c.cookies["nuanxin_language"] = "zh-hans"
    assert c.login(username=fp.approver.username, password=PASSWORD)
    for url in (reverse("funds:spending_list", kwargs={"fund_pk": fund.pk}),
                reverse("funds:entry_detail", kwargs={"pk": entry.pk})):
        html = c.get(url).content.decode()
        assert 'data-status="rejected"' in html
        assert "拒收" not in html
