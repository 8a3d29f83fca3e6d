"""The funds API: opening and listing funds with balances (decimal strings), a fund's entries,
income, allocations (one or a batch), expenditures with beneficiaries, approve and reject
(maker-checker), and bad input answered as the project's JSON errors in Chinese with the
database unchanged."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.funds.choices import EntryStatus
from nuanxin.funds.models import Beneficiary, Entry, Fund
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import approve_fully, fund_with, open_fund
from nuanxin.registry import services as register
from nuanxin.registry.choices import TeamType
from tests.authz import fingerprint

pytestmark = pytest.mark.django_db

ON = "2020-02-03"


class Api:
    def __init__(self, user):
        _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    def get(self, path):
        return self.client.get(f"/api/v1{path}")

    def post(self, path, body, **headers):
        return self.client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json", **headers)


def test_open_list_and_read_funds_with_balances(personas, fp):
    clerk = Api(fp.clerk)
    response = clerk.post("/funds", {"organisation": "SN", "name": "疫情防控专项资金", "starts_on": "2020-01-01",
                                     "categories": ["protective", "condolence"]})
    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("organisation", "name", "source", "balance", "categories")} == {
        "organisation": "SN", "name": "疫情防控专项资金", "source": "own_budget", "balance": "0.00",
        "categories": ["protective", "condolence"],
    }
    fund = Fund.objects.get(pk=body["id"])
    approve_fully(ledger.record_income(actor=fp.clerk, fund=fund, amount="1234.5", on=date(2020, 2, 1)), fp.approver)
    open_fund(fp.city_clerk, personas.shibei, "北区资金")
    assert clerk.get(f"/funds/{fund.pk}").json()["balance"] == "1234.50"
    listing = Api(personas.jia).get("/funds?org=SN").json()
    assert listing["count"] == 1 and listing["items"][0]["balance"] == "1234.50"
    assert Api(personas.jia).get("/funds").json()["count"] == 2
    assert clerk.get("/funds?org=NOPE").status_code == 404
    # A fund elsewhere is the same 404 as a missing one; the duplicate name is a 409.
    other = Fund.objects.get(name="北区资金")
    assert clerk.get(f"/funds/{other.pk}").status_code == 404
    duplicate = clerk.post("/funds", {"organisation": "SN", "name": "疫情防控专项资金", "starts_on": "2020-01-01"})
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "name"
    # Viewers see balances but not entries.
    entries = clerk.get(f"/funds/{fund.pk}/entries").json()
    assert entries["count"] == 1 and entries["items"][0]["amount"] == "1234.50"
    assert entries["items"][0]["status"] == "approved" and entries["items"][0]["approved_by"] == "fapprover"


def test_income_approved_by_a_second_person_and_rejected_with_a_reason(personas, fp):
    fund = open_fund(fp.clerk, personas.shinan)
    clerk, approver = Api(fp.clerk), Api(fp.approver)
    created = clerk.post(f"/funds/{fund.pk}/income", {"amount": "20000", "on": ON, "income_kind": "donation",
                                                      "payee": "某企业"})
    assert created.status_code == 201
    entry = created.json()
    assert (entry["kind"], entry["status"], entry["amount"], entry["recorded_by"]) == (
        "income", "pending", "20000.00", "fclerk"
    )
    refused = clerk.post(f"/fund-entries/{entry['id']}/approve", {})
    assert refused.status_code == 403 and Entry.objects.get(pk=entry["id"]).status == EntryStatus.PENDING
    unknown = approver.post(f"/fund-entries/{entry['id']}/approve", {"version": 7})
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_version"
    approved = approver.post(f"/fund-entries/{entry['id']}/approve", {"version": 1})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert ledger.balance(fund) == Decimal("20000.00")
    second = clerk.post(f"/funds/{fund.pk}/income", {"amount": "5", "on": ON}).json()
    no_reason = approver.post(f"/fund-entries/{second['id']}/reject", {"reason": " "})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    rejected = approver.post(f"/fund-entries/{second['id']}/reject", {"reason": "重复"})
    assert rejected.json()["status"] == "rejected" and rejected.json()["rejection_reason"] == "重复"
    stale = approver.post(f"/fund-entries/{second['id']}/approve", {"version": 1})
    assert stale.status_code == 409
    assert ledger.balance(fund) == Decimal("20000.00")


def test_allocations_one_or_a_batch(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "300000")
    shinan = open_fund(fp.city_clerk, personas.shinan)
    shibei = open_fund(fp.city_clerk, personas.shibei)
    api = Api(fp.city_clerk)
    one = api.post(f"/funds/{city.pk}/allocations", {"to_fund": shinan.pk, "amount": "1000", "on": ON})
    assert one.status_code == 201 and [e["to_fund"] for e in one.json()] == [shinan.pk]
    batch = api.post(f"/funds/{city.pk}/allocations", {"on": ON, "allocations": [
        {"to_fund": shinan.pk, "amount": "100000"}, {"to_fund": shibei.pk, "amount": "100000"}]})
    assert batch.status_code == 201
    entries = batch.json()
    assert [e["amount"] for e in entries] == ["100000.00", "100000.00"]
    assert entries[0]["batch"] and entries[0]["batch"] == entries[1]["batch"]


def test_an_expenditure_paying_people(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    worker = register.create_worker(actor=SYSTEM, organisation=personas.shinan_hospital, name="李护士",
                                    team=TeamType.HUBEI_AID, status="deployed")
    api = Api(fp.clerk)
    response = api.post(f"/funds/{fund.pk}/expenditures", {
        "amount": "2000", "category": "condolence", "on": ON, "payee_kind": "person", "description": "慰问",
        "beneficiaries": [{"worker": worker.pk, "amount": "2000"}],
    })
    assert response.status_code == 201
    body = response.json()
    assert body["beneficiaries"] == [{"worker": worker.pk, "family_member": None, "amount": "2000.00"}]
    assert Beneficiary.objects.get(entry_id=body["id"]).worker == worker
    unknown = api.post(f"/funds/{fund.pk}/expenditures", {
        "amount": "1", "category": "condolence", "on": ON, "beneficiaries": [{"worker": 999999, "amount": "1"}],
    })
    assert unknown.status_code == 400 and unknown.json()["field"] == "beneficiaries"


def test_a_worker_out_of_reach_is_answered_as_an_unknown_id_without_a_name(personas, fp):
    """Privacy: guessing ids must not reveal who is registered elsewhere in the city."""
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    elsewhere = register.create_worker(actor=SYSTEM, organisation=personas.shibei_hospital, name="陈莉",
                                       team=TeamType.HUBEI_AID, status="deployed")
    api = Api(fp.clerk)
    before = fingerprint()
    answers = [
        api.post(f"/funds/{fund.pk}/expenditures", {
            "amount": "3000.00", "category": "condolence", "on": ON, "payee_kind": "person",
            "beneficiaries": [{"worker": pk, "amount": "3000.00"}],
        })
        for pk in (elsewhere.pk, 999999)
    ]
    for answer in answers:
        assert answer.status_code == 400
        assert answer.json()["field"] == "beneficiaries"
        assert answer.json()["message"] == "职工不存在或不在您的范围内。"
        assert "陈莉" not in answer.content.decode()
    assert answers[0].json() == answers[1].json()
    assert fingerprint() == before


FUTURE = (date.today() + timedelta(days=3)).isoformat()


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("income", {"amount": "abc", "on": ON}, "amount", "请以元为单位填写金额，例如 2000 或 2000.50。"),
        ("income", {"amount": "1e999", "on": ON}, "amount", "金额过大。"),
        ("income", {"amount": "-1", "on": ON}, "amount", "金额必须大于零。"),
        ("income", {"amount": "1.001", "on": ON}, "amount", "金额最多保留两位小数（到分）。"),
        ("income", {"amount": "1", "on": FUTURE}, "on", "日期不能晚于今天。"),
        ("expenditures", {"amount": "1", "on": ON, "category": "bananas"}, "category", None),
        ("expenditures", {"amount": "1", "on": ON, "category": "recuperation"}, "category", None),
        ("expenditures", {"amount": "5000.01", "on": ON, "category": "protective"}, "amount", None),
        ("allocations", {"to_fund": "sibling", "amount": "1", "on": ON}, "to_fund",
         "资金只能下拨给“市南区总工会”下级组织的资金。"),
        ("allocations", {"to_fund": "parent", "amount": "1", "on": ON}, "to_fund",
         "资金只能下拨给“市南区总工会”下级组织的资金。"),
        ("allocations", {"to_fund": "child", "amount": "5000.01", "on": ON}, "amount", None),
    ],
)
def test_bad_input_is_a_json_error_in_chinese_and_changes_nothing(personas, fp, path, body, field, message):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "5000")
    fund.categories = ["protective", "condolence"]
    fund.save(update_fields=["categories"])
    targets = {
        "sibling": open_fund(fp.bing_clerk, personas.shibei),
        "parent": open_fund(fp.city_clerk, personas.city),
        "child": open_fund(fp.clerk, personas.shinan_hospital),
    }
    if "to_fund" in body:
        body = {**body, "to_fund": targets[body["to_fund"]].pk}
    api = Api(fp.clerk)
    before = fingerprint()
    response = api.post(f"/funds/{fund.pk}/{path}", body)
    assert response.status_code == 400, response.content
    error = response.json()
    assert error["field"] == field
    if message:
        assert error["message"] == message
    else:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])  # Chinese words
    assert fingerprint() == before


def test_idempotent_income(personas, fp):
    fund = open_fund(fp.clerk, personas.shinan)
    api = Api(fp.clerk)
    first = api.post(f"/funds/{fund.pk}/income", {"amount": "10", "on": ON}, HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(f"/funds/{fund.pk}/income", {"amount": "10", "on": ON}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Entry.objects.count() == 1
