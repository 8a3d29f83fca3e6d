"""The ledger's pages: recording, maker-checker in the queue and on an entry's page, allocation
to several organisations at once (their funds opened), returns, rejections and reversals,
thresholds set from above, what viewers see, and bad input answered in Chinese with nothing
saved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.core.models import AuditLog
from nuanxin.funds.choices import EntryStatus, FundSource
from nuanxin.funds.models import ApprovalRule, Entry, Fund, Posting
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import approve_fully, fund_with, open_fund

pytestmark = pytest.mark.django_db

ON = "2020-02-03"


def client_for(user, language: str = "zh-hans") -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = language
    c.force_login(user)
    return c


def test_a_clerk_records_income_the_same_clerk_cannot_approve_a_second_person_does(personas, fp):
    fund = open_fund(fp.clerk, personas.shinan)
    clerk = client_for(fp.clerk, "en")
    url = reverse("funds:income_create", kwargs={"fund_pk": fund.pk})
    response = clerk.post(url, {"income_kind": "appropriation", "amount": "20,000.50", "on": ON})
    assert response.status_code == 302 and response["Location"] == reverse("funds:fund_detail", kwargs={"pk": fund.pk})
    entry = Entry.objects.get(fund=fund)
    assert (entry.kind, entry.amount, entry.status, entry.recorded_by) == (
        "income", Decimal("20000.50"), EntryStatus.PENDING, fp.clerk
    )
    page = clerk.get(reverse("funds:entry_detail", kwargs={"pk": entry.pk})).content.decode()
    assert 'id="nx-approve"' not in page and 'id="nx-waiting-other"' in page
    queue = clerk.get(reverse("funds:approval_queue")).content.decode()
    mine = queue.split('id="nx-queue-mine"')[1].split("</ul>")[0]
    assert f'data-entry="{entry.pk}"' in mine and "data-approve" not in queue
    # The recorder's own POST is refused (403) and moves nothing.
    assert clerk.post(reverse("funds:entry_approve", kwargs={"pk": entry.pk}), {"version": "1"}).status_code == 403
    approver = client_for(fp.approver, "en")
    queue = approver.get(reverse("funds:approval_queue")).content.decode()
    assert f'data-approve="{entry.pk}"' in queue
    response = approver.post(reverse("funds:entry_approve", kwargs={"pk": entry.pk}), {"version": "1"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.APPROVED and entry.approved_by == fp.approver
    page = clerk.get(reverse("funds:fund_detail", kwargs={"pk": fund.pk})).content.decode()
    assert 'data-balance="20000.50"' in page and "¥20,000.50" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("abc", "请以元为单位填写金额，例如 2000 或 2000.50。"),
        ("1e999", "金额过大。"),
        ("-5", "金额必须大于零。"),
        ("0", "金额必须大于零。"),
        ("1.234", "金额最多保留两位小数（到分）。"),
        ("NaN", "请以元为单位填写金额，例如 2000 或 2000.50。"),
    ],
)
def test_a_bad_amount_is_answered_in_chinese_and_nothing_is_saved(personas, fp, amount, message):
    fund = open_fund(fp.clerk, personas.shinan)
    response = client_for(fp.clerk).post(
        reverse("funds:income_create", kwargs={"fund_pk": fund.pk}),
        {"income_kind": "appropriation", "amount": amount, "on": ON},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Entry.objects.exists()


def test_a_future_date_and_more_than_the_balance_are_refused(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    hospital = open_fund(fp.clerk, personas.shinan_hospital)
    clerk = client_for(fp.clerk)
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = clerk.post(reverse("funds:income_create", kwargs={"fund_pk": fund.pk}),
                          {"income_kind": "appropriation", "amount": "10", "on": tomorrow})
    assert "日期不能晚于今天。" in response.content.decode()
    response = clerk.post(reverse("funds:return_create", kwargs={"fund_pk": hospital.pk}),
                          {"to_fund": fund.pk, "amount": "10", "on": ON})
    assert response.status_code == 200 and "¥0.00" in response.content.decode()
    response = clerk.post(
        reverse("funds:allocation_create", kwargs={"fund_pk": fund.pk}),
        {"on": ON, "same_amount": "1600", f"pick_{personas.shinan_hospital.pk}": "on"},
    )
    assert response.status_code == 200 and "¥1,000.00" in response.content.decode()
    assert Entry.objects.count() == 1 and Fund.objects.count() == 2


def test_allocation_to_several_organisations_at_once_opens_their_funds(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "500000")
    city.categories = ["protective", "condolence"]
    city.save(update_fields=["categories"])
    existing = open_fund(fp.city_clerk, personas.shibei, city.name)
    response = client_for(fp.city_clerk, "en").post(
        reverse("funds:allocation_create", kwargs={"fund_pk": city.pk}),
        {"on": ON, "same_amount": "100000", f"pick_{personas.shinan.pk}": "on", f"pick_{personas.shibei.pk}": "on",
         f"pick_{personas.shinan_hospital.pk}": "on", f"amount_{personas.shinan_hospital.pk}": "30000"},
    )
    assert response.status_code == 302
    entries = list(Entry.objects.filter(kind="allocation").order_by("id"))
    opened = Fund.objects.get(organisation=personas.shinan, name=city.name)
    assert (opened.source, opened.allocated_from, opened.categories) == (
        FundSource.ALLOCATION, city, ["protective", "condolence"]
    )
    targets = {e.to_fund.organisation.code: e.amount for e in entries}
    assert targets == {"SN": Decimal("100000.00"), "SB": Decimal("100000.00"), "SN-H1": Decimal("30000.00")}
    assert len({e.batch for e in entries}) == 1 and entries[0].batch is not None
    assert Entry.objects.get(to_fund=existing).amount == Decimal("100000.00")
    for e in entries:
        approve_fully(e, fp.city_approver)
    assert ledger.balance(city) == Decimal("270000.00") and ledger.balance(opened) == Decimal("100000.00")


def test_allocation_needs_organisations_below(personas, fp):
    district = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    response = client_for(fp.clerk).post(
        reverse("funds:allocation_create", kwargs={"fund_pk": district.pk}),
        {"on": ON, "same_amount": "100", f"pick_{personas.shibei.pk}": "on"},
    )
    # 市北区 is not offered below 市南区: nothing chosen, nothing saved.
    assert response.status_code == 200
    assert Entry.objects.filter(kind="allocation").count() == 0 and Fund.objects.count() == 1


def test_reject_with_a_reason_and_reverse_an_approved_entry(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    entry = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="300", category="comfort", on=date(2020, 2, 3))
    approver = client_for(fp.approver, "en")
    url = reverse("funds:entry_reject", kwargs={"pk": entry.pk})
    assert approver.post(url, {"reason": "  ", "version": "1"}).status_code == 200
    assert approver.post(url, {"reason": "发票不全", "version": "1"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.rejection_reason, entry.rejected_by) == ("rejected", "发票不全", fp.approver)
    assert not entry.postings.exists() and ledger.balance(fund) == Decimal("1000.00")
    done = approve_fully(
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="300", category="comfort", on=date(2020, 2, 3)),
        fp.approver,
    )
    clerk = client_for(fp.clerk, "en")
    assert 'id="nx-reverse"' in clerk.get(reverse("funds:entry_detail", kwargs={"pk": done.pk})).content.decode()
    response = clerk.post(reverse("funds:reversal_create", kwargs={"pk": done.pk}), {"reason": "重复记账", "on": ON})
    reversal = Entry.objects.get(reverses=done)
    assert response["Location"] == reverse("funds:entry_detail", kwargs={"pk": reversal.pk})
    approve_fully(reversal, fp.approver2)
    assert ledger.balance(fund) == Decimal("1000.00")
    page = clerk.get(reverse("funds:entry_detail", kwargs={"pk": done.pk})).content.decode()
    assert f'id="nx-reversal">冲销 #{reversal.pk}' in page or f'id="nx-reversal">Reversal #{reversal.pk}' in page
    assert 'id="nx-reverse"' not in page


def test_viewers_see_balances_never_entries(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan_hospital, "1000")
    entry = approve_fully(
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="200", category="condolence", on=date(2020, 2, 3),
                                  payee="张三", payee_kind="person"),
        fp.approver,
    )
    viewer = client_for(personas.viewer, "en")
    listing = viewer.get(reverse("funds:fund_list")).content.decode()
    assert f'data-fund="{fund.pk}"' in listing and "¥800.00" in listing
    page = viewer.get(reverse("funds:fund_detail", kwargs={"pk": fund.pk})).content.decode()
    assert "¥800.00" in page and "张三" not in page and 'id="nx-fund-entries"' not in page
    assert viewer.get(reverse("funds:entry_detail", kwargs={"pk": entry.pk})).status_code == 403
    assert viewer.get(reverse("funds:statement", kwargs={"pk": fund.pk})).status_code == 403


def test_the_list_filters_by_organisation(personas, fp):
    city = open_fund(fp.city_clerk, personas.city, "市级资金")
    district = open_fund(fp.city_clerk, personas.shinan, "区级资金")
    other = open_fund(fp.city_clerk, personas.shibei, "北区资金")
    jia = client_for(personas.jia, "en")
    page = jia.get(reverse("funds:fund_list") + "?org=SN").content.decode()
    assert f'data-fund="{district.pk}"' in page
    assert f'data-fund="{city.pk}"' not in page and f'data-fund="{other.pk}"' not in page
    page = jia.get(reverse("funds:fund_list")).content.decode()
    assert all(f'data-fund="{f.pk}"' in page for f in (city, district, other))


def test_thresholds_are_set_from_above(personas, fp):
    yi = client_for(personas.yi, "en")
    response = yi.post(reverse("funds:thresholds"), {"organisation": personas.shinan_hospital.pk, "threshold": "200"})
    assert response.status_code == 302
    rule = ApprovalRule.objects.get(organisation=personas.shinan_hospital)
    assert rule.threshold == Decimal("200.00") and rule.updated_by == personas.yi
    assert AuditLog.objects.filter(action="funds.threshold.set").count() == 1
    # 乙 cannot set 市南区's own threshold: it is not offered (the city's administrators set it).
    response = yi.post(reverse("funds:thresholds"), {"organisation": personas.shinan.pk, "threshold": "1"})
    assert response.status_code == 200 and not ApprovalRule.objects.filter(organisation=personas.shinan).exists()
    fund = fund_with(fp.clerk, fp.approver, personas.shinan_hospital, "150")
    entry = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="100", category="other", on=date(2020, 2, 3))
    assert not entry.needs_parent
    income = ledger.record_income(actor=fp.clerk, fund=fund, amount="200.01", on=date(2020, 2, 3))
    assert income.needs_parent
    page = client_for(fp.approver, "en").get(reverse("funds:approval_queue")).content.decode()
    assert "parent organisation" in page


def test_opening_and_editing_a_fund_with_its_version(personas, fp):
    clerk = client_for(fp.clerk, "en")
    response = clerk.post(reverse("funds:fund_create"), {
        "organisation": personas.shinan.pk, "name": "暖心专项资金", "source": "donation", "starts_on": "2020-01-01",
        "categories": ["comfort", "living"],
    })
    fund = Fund.objects.get(name="暖心专项资金")
    assert response["Location"] == reverse("funds:fund_detail", kwargs={"pk": fund.pk})
    url = reverse("funds:fund_edit", kwargs={"pk": fund.pk})
    data = {"name": "暖心资金", "source": "donation", "starts_on": "2020-01-01", "categories": ["comfort"],
            "active": "on", "version": "1"}
    assert clerk.post(url, data).status_code == 302
    response = clerk.post(url, {**data, "name": "又改了"})  # the version read is stale now
    assert response.status_code == 200
    fund.refresh_from_db()
    assert (fund.name, fund.categories, fund.version) == ("暖心资金", ["comfort"], 2)


def test_no_posting_is_written_for_pending_entries(personas, fp):
    fund = open_fund(fp.clerk, personas.shinan)
    ledger.record_income(actor=fp.clerk, fund=fund, amount="10", on=date(2020, 2, 3))
    assert not Posting.objects.exists()


def test_an_allocation_received_shows_on_the_receivers_pages_without_the_senders_entry(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "1000")
    district = open_fund(fp.city_clerk, personas.shinan, "区级资金")
    entry = approve_fully(
        ledger.record_allocations(actor=fp.city_clerk, fund=city, on=date(2020, 2, 3),
                                  allocations=[ledger.Allocation(district, Decimal("400"))])[0],
        fp.city_approver,
    )
    clerk = client_for(fp.clerk, "en")
    page = clerk.get(reverse("funds:fund_detail", kwargs={"pk": district.pk})).content.decode()
    assert f'data-entry="{entry.pk}"' in page and 'data-balance="400.00"' in page
    assert reverse("funds:entry_detail", kwargs={"pk": entry.pk}) not in page
    assert clerk.get(reverse("funds:entry_detail", kwargs={"pk": entry.pk})).status_code == 404
    statement = clerk.get(reverse("funds:statement", kwargs={"pk": district.pk})).content.decode()
    assert 'id="nx-closing" data-amount="400.00"' in statement
    assert reverse("funds:entry_detail", kwargs={"pk": entry.pk}) not in statement


def test_one_amount_to_every_organisation_directly_below(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "500000")
    response = client_for(fp.city_clerk, "en").post(
        reverse("funds:allocation_create", kwargs={"fund_pk": city.pk}),
        {"on": ON, "same_amount": "100000", "every_child": "on", f"amount_{personas.shibei.pk}": "50000"},
    )
    assert response.status_code == 302
    received = {e.to_fund.organisation.code: e.amount for e in Entry.objects.filter(kind="allocation")}
    # the city's children: 市南区, 市北区 (its own amount) and the medical union; not the hospitals below them
    assert received == {"SN": Decimal("100000.00"), "SB": Decimal("50000.00"), "YW": Decimal("100000.00")}


def test_above_the_threshold_the_parents_approver_approves_on_the_page(personas, fp):
    fund = open_fund(fp.clerk, personas.shinan)
    entry = ledger.record_income(actor=fp.clerk, fund=fund, amount="80000", on=date(2020, 2, 3))
    url = reverse("funds:entry_approve", kwargs={"pk": entry.pk})
    assert client_for(fp.approver, "en").post(url, {"version": "1"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PARENT and ledger.balance(fund) == Decimal("0.00")
    page = client_for(fp.approver2, "en").get(reverse("funds:entry_detail", kwargs={"pk": entry.pk})).content.decode()
    assert 'id="nx-approve"' not in page and 'id="nx-waiting-parent"' in page
    # Not a bare 403: the entry's page says why (and nothing moves).
    refused = client_for(fp.approver2, "en").post(url, {"version": "2"}, follow=True)
    assert refused.status_code == 200
    assert "Above the threshold, an approver of the parent organisation approves it." in refused.content.decode()
    entry.refresh_from_db()
    assert entry.status == EntryStatus.PARENT and ledger.balance(fund) == Decimal("0.00")
    city = client_for(fp.city_approver, "en")
    queue = city.get(reverse("funds:approval_queue")).content.decode()
    assert f'data-approve="{entry.pk}"' in queue
    assert city.post(url, {"version": "2"}).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.parent_approved_by) == (EntryStatus.APPROVED, fp.city_approver)
    assert ledger.balance(fund) == Decimal("80000.00")
