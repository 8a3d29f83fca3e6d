"""Review fixes of the funds API and the approval pages: an expenditure goes through the page's
service (a supplier is named), an allocation body names one fund or a batch, never both, a
quantity may be a JSON number, approving one's own entry says why, and the queue flags an entry
the balance can no longer cover (review findings 9, 11, 13)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.choices import EntryStatus
from nuanxin.funds.models import Entry
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import PASSWORD, approve_fully, fund_with, open_fund
from nuanxin.orgs import services as org_services
from tests.authz import fingerprint

pytestmark = pytest.mark.django_db

ON = "2020-02-03"


class Api:
    def __init__(self, user, language="zh-hans"):
        _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE=language)

    def post(self, path, body):
        return self.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


def client_for(user, language="en") -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = language
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_a_supplier_expenditure_without_a_supplier_is_refused_as_on_the_page(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    api = Api(fp.clerk)
    before = fingerprint()
    response = api.post(f"/funds/{fund.pk}/expenditures", {
        "amount": "100", "category": "comfort", "on": ON, "payee_kind": "supplier", "payee": "",
    })
    assert response.status_code == 400
    assert response.json()["field"] == "payee"
    assert response.json()["message"] == "请填写供应商名称。"
    assert fingerprint() == before


def test_a_quantity_may_be_a_json_number(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    for quantity, stored in ((260, Decimal("260.00")), (12.5, Decimal("12.50")), ("3", Decimal("3.00"))):
        response = Api(fp.clerk).post(f"/funds/{fund.pk}/expenditures", {
            "amount": "100", "category": "protective", "on": ON, "payee_kind": "supplier", "payee": "某公司",
            "quantity": quantity, "unit": "瓶",
        })
        assert response.status_code == 201, response.content
        assert Entry.objects.get(pk=response.json()["id"]).quantity == stored


def test_an_allocation_body_with_both_to_fund_and_allocations_is_refused(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "300000")
    shinan = open_fund(fp.city_clerk, personas.shinan)
    shibei = open_fund(fp.city_clerk, personas.shibei)
    api = Api(fp.city_clerk, "en")  # 请只填写 to_fund 和 amount（一笔下拨）或 allocations（批量下拨）之一 once merged
    before = fingerprint()
    response = api.post(f"/funds/{city.pk}/allocations", {
        "on": ON, "to_fund": shinan.pk, "amount": "1000", "allocations": [{"to_fund": shibei.pk, "amount": "1000"}],
    })
    assert response.status_code == 400
    assert response.json()["field"] == "allocations"
    assert response.json()["message"] == (
        "Give either to_fund and amount (one allocation) or allocations (a batch), not both."
    )
    assert fingerprint() == before


@pytest.fixture
def both_roles(personas, fp):
    """A clerk at 市南区 who is also an approver there (both finance roles)."""
    org_services.grant_role(actor=SYSTEM, user=fp.clerk, role=Role.FUND_APPROVER, organisation=personas.shinan)
    return fp.clerk


def test_approving_ones_own_entry_says_why_in_the_api(personas, fp, both_roles):
    fund = open_fund(fp.clerk, personas.shinan)
    entry = ledger.record_income(actor=fp.clerk, fund=fund, amount="100", on=date(2020, 2, 1))
    response = Api(both_roles).post(f"/fund-entries/{entry.pk}/approve", {})
    assert response.status_code == 403
    assert response.json()["message"] == "该凭证由您登记，须由另一位审批人审批。"
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.PENDING


def test_approving_ones_own_entry_says_why_on_the_page(personas, fp, both_roles):
    fund = open_fund(fp.clerk, personas.shinan)
    entry = ledger.record_income(actor=fp.clerk, fund=fund, amount="100", on=date(2020, 2, 1))
    c = client_for(both_roles)
    response = c.post(reverse("funds:entry_approve", kwargs={"pk": entry.pk}), {"version": "1"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "You recorded this entry: another approver must approve it." in html
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.PENDING


def test_the_queue_flags_an_entry_the_balance_no_longer_covers(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    first = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="800", category="comfort",
                                      on=date(2020, 2, 3), payee_kind="supplier", payee="甲")
    second = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="700", category="comfort",
                                       on=date(2020, 2, 3), payee_kind="supplier", payee="乙")
    approve_fully(first, fp.approver)
    html = client_for(fp.approver).get(reverse("funds:approval_queue")).content.decode()
    item = html[html.index(f'data-entry="{second.pk}"'):]
    item = item[: item.index("</li>")]
    assert (
        "Insufficient balance: the fund has ¥200.00 available, this entry needs ¥700.00. "
        "Reject it, or add money to the fund first."
    ) in item
    assert f'data-approve="{second.pk}" disabled' in item
    assert f'data-approve="{first.pk}"' not in html


def test_a_batch_is_approved_in_one_action_all_or_nothing(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "300000")
    shinan = open_fund(fp.city_clerk, personas.shinan)
    shibei = open_fund(fp.city_clerk, personas.shibei)
    batch = ledger.record_allocations(actor=fp.city_clerk, fund=city, on=date(2020, 2, 3), allocations=[
        ledger.Allocation(shinan, ledger.money("1000")), ledger.Allocation(shibei, ledger.money("2000"))])
    c = client_for(fp.city_approver)
    queue = c.get(reverse("funds:approval_queue")).content.decode()
    assert queue.count("data-approve-batch=") == 1
    assert "Approve the whole batch (2 entries, ¥3,000.00)" in queue
    done = c.post(reverse("funds:batch_approve", kwargs={"pk": batch[0].pk}), follow=True).content.decode()
    assert "Batch approved: 2 entries." in done
    assert [Entry.objects.get(pk=e.pk).status for e in batch] == [EntryStatus.APPROVED, EntryStatus.APPROVED]
    assert (ledger.balance(shinan), ledger.balance(shibei), ledger.balance(city)) == (
        Decimal("1000.00"), Decimal("2000.00"), Decimal("297000.00"),
    )


def test_a_batch_the_balance_cannot_cover_approves_nothing(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "3000")
    shinan = open_fund(fp.city_clerk, personas.shinan)
    shibei = open_fund(fp.city_clerk, personas.shibei)
    batch = ledger.record_allocations(actor=fp.city_clerk, fund=city, on=date(2020, 2, 3), allocations=[
        ledger.Allocation(shinan, ledger.money("1000")), ledger.Allocation(shibei, ledger.money("2000"))])
    approve_fully(ledger.record_expenditure(actor=fp.city_clerk, fund=city, amount="1500", category="comfort",
                                            on=date(2020, 2, 3), payee_kind="supplier", payee="甲"), fp.city_approver)
    c = client_for(fp.city_approver)
    assert "data-approve-batch=" not in c.get(reverse("funds:approval_queue")).content.decode()
    before = fingerprint()
    done = c.post(reverse("funds:batch_approve", kwargs={"pk": batch[0].pk}), follow=True).content.decode()
    assert "Nothing of the batch was approved: The fund" in done
    assert fingerprint() == before
    assert [Entry.objects.get(pk=e.pk).status for e in batch] == [EntryStatus.PENDING, EntryStatus.PENDING]
