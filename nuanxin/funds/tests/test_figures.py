"""The figures rolled up the tree: an allocation to five streets and their spending add up at
the district and the city without double counting (checked against the postings), a rejected
entry changes no figure, a reversal reduces what was spent, the summary API and the page."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.funds.models import Posting
from nuanxin.funds.selectors import figures
from nuanxin.funds.services import ledger
from nuanxin.funds.services.ledger import Allocation, Payment
from nuanxin.funds.tests.fixtures import approve_fully, fund_with, open_fund
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation
from nuanxin.registry.choices import TeamType
from nuanxin.registry.services import create_worker

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

YEAR = figures.period("2020-01", "2020-12")


def D(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def postings_under(org, **filters) -> Decimal:
    total = Posting.objects.filter(organisation__path__startswith=org.path, **filters).aggregate(t=Sum("amount"))["t"]
    return D(total or 0)


@pytest.fixture
def streets(personas, fp):
    """市南区 with five streets; the city's fund (¥1,000,000) allocates ¥600,000 to 市南区, which
    allocates ¥100,000 to each street at once (above its threshold: the city approves too);
    street i spends ¥10,000 × i and 市南区 ¥5,000 itself."""
    made = [
        org_services.create_organisation(
            actor=SYSTEM, code=f"SN-S{i}", name=f"市南区第{i}街道工会", kind=OrgKind.OTHER, parent=personas.shinan
        )
        for i in range(1, 6)
    ]
    made = [Organisation.objects.get(pk=o.pk) for o in made]
    city_fund = fund_with(fp.city_clerk, fp.city_approver, personas.city, "1000000", on=date(2020, 1, 20))
    district = open_fund(fp.city_clerk, Organisation.objects.get(pk=personas.shinan.pk), "市南区专项资金")
    for e in ledger.record_allocations(actor=fp.city_clerk, fund=city_fund, on=date(2020, 2, 1),
                                       allocations=[Allocation(district, Decimal("600000"))]):  # fmt: skip
        approve_fully(e, fp.city_approver)
    street_funds = [open_fund(fp.clerk, s, "街道专项资金") for s in made]
    batch = ledger.record_allocations(
        actor=fp.clerk,
        fund=district,
        on=date(2020, 2, 3),
        allocations=[Allocation(f, Decimal("100000")) for f in street_funds],
    )
    assert {e.batch for e in batch} != {None} and all(e.needs_parent for e in batch)
    for e in batch:
        approve_fully(e, fp.approver, fp.city_approver)
    for i, fund in enumerate(street_funds, start=1):
        entry = ledger.record_expenditure(
            actor=fp.clerk,
            fund=fund,
            amount=str(10000 * i),
            category="protective" if i % 2 else "comfort",
            on=date(2020, 3, i),
            payee="某医疗器械公司",
            payee_kind="supplier",
        )
        approve_fully(entry, fp.approver)
    approve_fully(ledger.record_expenditure(actor=fp.clerk, fund=district, amount="5000", category="other",
                                            on=date(2020, 4, 2), payee="某印刷厂"), fp.approver)  # fmt: skip
    return {"streets": made, "city_fund": city_fund, "district": district, "street_funds": street_funds}


def test_five_streets_roll_up_to_the_district_and_the_city_without_double_counting(personas, fp, streets):
    city = Organisation.objects.get(pk=personas.city.pk)
    shinan = Organisation.objects.get(pk=personas.shinan.pk)

    d = figures.figures(fp.approver, shinan, YEAR)
    assert d["partial"] is False
    assert d["totals"] == {
        "opening": D(0), "income": D(0), "received_from_above": D(600000), "allocated_down": D(500000),
        "returned_up": D(0), "spent": D(155000), "remaining": D(445000), "spent_to_date": D(155000),
    }  # fmt: skip
    assert [(c["category"], c["amount"]) for c in d["by_category"]] == [
        ("protective", D(90000)),
        ("comfort", D(60000)),
        ("other", D(5000)),
    ]
    march = next(m for m in d["months"] if m["month"] == date(2020, 3, 1))
    assert march["spent"] == D(150000) and march["remaining"] == D(450000)
    assert march["by_category"] == {"protective": D(90000), "comfort": D(60000), "other": D(0)}
    # Side by side: the district's own funds and each child; they add up to the totals.
    rows = {c["organisation"].code: c for c in d["children"]}
    assert [code for code in rows] == ["SN-H1", "SN-S1", "SN-S2", "SN-S3", "SN-S4", "SN-S5"]
    assert [rows[f"SN-S{i}"]["spent"] for i in range(1, 6)] == [D(10000 * i) for i in range(1, 6)]
    assert all(rows[f"SN-S{i}"]["received_from_above"] == D(100000) for i in range(1, 6))
    assert d["own"]["received_from_above"] == D(600000) and d["own"]["allocated_down"] == D(500000)
    assert d["own"]["spent"] == D(5000) and d["own"]["remaining"] == D(95000)
    assert d["own"]["remaining"] + sum(r["remaining"] for r in rows.values()) == d["totals"]["remaining"]
    assert d["own"]["spent"] + sum(r["spent"] for r in rows.values()) == d["totals"]["spent"]

    c = figures.figures(fp.city_approver, city, YEAR)
    assert c["totals"]["income"] == D(1000000) and c["totals"]["received_from_above"] == D(0)
    assert c["totals"]["allocated_down"] == D(600000)  # the city's own allocation, not the district's
    assert c["totals"]["spent"] == D(155000) and c["totals"]["remaining"] == D(845000)
    # 投入资金 for the whole city: the sum of what was spent below, never the allocations.
    assert figures.total_spent(city) == D(155000) == -postings_under(city, kind="expenditure")
    assert figures.total_spent(city) == sum((r["spent"] for r in c["children"]), c["own"]["spent"])
    # The identities against the postings themselves.
    assert figures.remaining(city) == postings_under(city) == D(845000)
    assert figures.remaining(shinan) == postings_under(shinan) == D(445000)
    assert figures.spent_by_category(shinan, YEAR) == {"protective": D(90000), "comfort": D(60000), "other": D(5000)}


def test_a_rejected_entry_changes_no_figure_and_a_reversal_reduces_spent(personas, fp, streets):
    shinan = Organisation.objects.get(pk=personas.shinan.pk)
    city = Organisation.objects.get(pk=personas.city.pk)
    before = figures.figures(fp.approver, shinan, YEAR)
    city_before = figures.figures(fp.city_approver, city, YEAR)
    fund = streets["street_funds"][0]
    rejected = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="7000", category="living",
                                         on=date(2020, 5, 6), payee="某公司")  # fmt: skip
    ledger.reject(actor=fp.approver, entry=rejected, reason="发票不全")
    assert figures.figures(fp.approver, shinan, YEAR) == before
    assert figures.figures(fp.city_approver, city, YEAR) == city_before

    spent = ledger.Entry.objects.get(fund=fund, kind="expenditure", status="approved")
    reversal = ledger.record_reversal(actor=fp.clerk, entry=spent, reason="重复记账", on=date(2020, 5, 8))
    ledger.approve(actor=fp.approver2, entry=reversal)
    after = figures.figures(fp.approver, shinan, YEAR)
    assert after["totals"]["spent"] == D(145000) and after["totals"]["remaining"] == D(455000)
    may = next(m for m in after["months"] if m["month"] == date(2020, 5, 1))
    assert may["spent"] == D(-10000)  # the reversal lands in its own month
    assert dict((c["category"], c["amount"]) for c in after["by_category"])["protective"] == D(80000)
    assert figures.total_spent(city) == D(145000) == -postings_under(city, kind="expenditure")


def test_the_period_is_whole_months_and_bad_months_are_refused():
    p = figures.period("2020-02-15", "2020-04")
    assert (p.first, p.last, p.end) == (date(2020, 2, 1), date(2020, 4, 1), date(2020, 4, 30))
    assert [m.month for m in p.months] == [2, 3, 4]
    assert figures.period(None, "2020-06").first == date(2019, 7, 1)
    for start, end in (("2020-13", None), ("x", None), ("2020-05", "2020-04"), ("2000-01", "2020-01")):
        with pytest.raises(figures.ServiceError):
            figures.period(start, end)


def client_for(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_summary_api(personas, fp, streets):
    api = client_for(personas.yi)
    response = api.get("/api/v1/funds/summary?org=SN&from=2020-01&to=2020-06")
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"] == {"code": "SN", "name": "市南区总工会"}
    assert (body["from"], body["to"], body["partial"]) == ("2020-01", "2020-06", False)
    assert body["totals"] == {
        "opening": "0.00", "income": "0.00", "received_from_above": "600000.00", "allocated_down": "500000.00",
        "returned_up": "0.00", "spent": "155000.00", "remaining": "445000.00", "spent_to_date": "155000.00",
    }  # fmt: skip
    assert body["by_category"] == [
        {"category": "protective", "label": "Protective supplies", "amount": "90000.00"},
        {"category": "comfort", "label": "Comfort supplies (food etc.)", "amount": "60000.00"},
        {"category": "other", "label": "Other", "amount": "5000.00"},
    ]
    assert [m["month"] for m in body["by_month"]] == ["2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06"]
    assert body["by_month"][2]["by_category"] == {"protective": "90000.00", "comfort": "60000.00", "other": "0.00"}
    assert body["by_month"][5]["remaining"] == "445000.00"
    assert [c["organisation"] for c in body["children"]] == ["SN-H1", "SN-S1", "SN-S2", "SN-S3", "SN-S4", "SN-S5"]
    assert body["own"]["allocated_down"] == "500000.00"
    # Default: the user's root, the twelve months up to the last with figures.
    default = api.get("/api/v1/funds/summary").json()
    assert (default["organisation"]["code"], default["from"], default["to"]) == ("SN", "2019-05", "2020-04")
    # Outside the reach: the same 404 as a code that does not exist.
    for code in ("SB", "NOPE"):
        response = api.get(f"/api/v1/funds/summary?org={code}")
        assert response.status_code == 404
        assert response.json()["message"] == f"No organisation with the code “{code}” in your reach."
    response = api.get("/api/v1/funds/summary?org=SN&from=2020-13")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Give a month as YYYY-MM or a day as YYYY-MM-DD")
    assert api.get("/api/v1/funds/summary?from=2020-06&to=2020-01").json()["message"] == (
        "The first month comes after the last month."
    )


def test_the_page_shows_a_viewer_amounts_and_never_names(personas, fp):
    hospital = Organisation.objects.get(pk=personas.shinan_hospital.pk)
    fund = fund_with(fp.clerk, fp.approver, hospital, "20000", on=date(2020, 1, 20))
    person = create_worker(actor=SYSTEM, organisation=hospital, name="林援鄂", team=TeamType.HUBEI_AID,
                           mobile="13900001234", allow_duplicate=True)  # fmt: skip
    approve_fully(ledger.record_expenditure(
        actor=fp.clerk, fund=fund, amount="2000", category="condolence", on=date(2020, 3, 3), payee_kind="person",
        beneficiaries=[Payment(person, Decimal("2000"))], description="慰问林援鄂",
    ), fp.approver)  # fmt: skip
    approve_fully(ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="1234.50", category="protective",
                                            on=date(2020, 3, 4), payee="某医疗器械公司"), fp.approver)  # fmt: skip
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(personas.viewer)
    response = client.get("/funds/figures/?from=2020-01&to=2020-12")
    assert response.status_code == 200
    html = response.content.decode()
    # The viewer's group covers the two hospitals: the city they share, the part in reach.
    assert "青岛市总工会 (the parts in your reach)" in html
    assert re.search(r'data-figure="spent">¥3,234.50<', html)
    assert re.search(r'data-figure="remaining">¥16,765.50<', html)
    assert 'data-category="condolence"' in html and "¥2,000.00" in html
    assert 'id="nx-figures-data"' in html and "funds-figures.js" in html
    for name in ("林援鄂", "某医疗器械公司", "慰问"):
        assert name not in html
    # 市北区 holds one of the group's hospitals: its part is shown; the medical union none: 404.
    assert "(the parts in your reach)" in client.get("/funds/figures/?org=SB").content.decode()
    response = client.get("/funds/figures/?org=YW")
    assert (
        response.status_code == 404 and "No organisation with the code “YW” in your reach." in response.content.decode()
    )
    # The home page's card: the viewer's reach is scattered, so no single figure is claimed.
    client.force_login(fp.approver)
    home = client.get("/").content.decode()
    assert 'id="nx-home-funds"' in home and re.search(r'data-figure="home-spent">¥3,234.50<', home)
