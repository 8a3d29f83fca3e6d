"""The ledger's rules: maker-checker, the parent's approval above the threshold, balances as
sums of immutable postings, reversals, rejections and the subtree totals."""

from datetime import date
from decimal import Decimal

import pytest

from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.models import AppendOnlyError
from nuanxin.core.policy import NotAllowed
from nuanxin.funds.choices import EntryStatus
from nuanxin.funds.models import Posting, SubtreeTotal
from nuanxin.funds.services import ledger
from nuanxin.funds.services.ledger import Allocation
from nuanxin.funds.tests.fixtures import approve_fully, fund_with, open_fund

pytestmark = pytest.mark.django_db

ON = date(2020, 2, 3)


def test_the_recorder_cannot_approve_and_a_second_person_can(personas, fp):
    fund = open_fund(fp.clerk, personas.shinan)
    entry = ledger.record_income(actor=fp.clerk, fund=fund, amount="20000", on=ON)
    assert entry.status == EntryStatus.PENDING and ledger.balance(fund) == Decimal("0.00")
    with pytest.raises(NotAllowed):
        ledger.approve(actor=fp.clerk, entry=entry)
    entry = ledger.approve(actor=fp.approver, entry=entry)
    assert entry.status == EntryStatus.APPROVED and entry.approved_by == fp.approver
    assert ledger.balance(fund) == Decimal("20000.00")
    with pytest.raises(Conflict):
        ledger.approve(actor=fp.approver2, entry=entry)


def test_above_the_threshold_the_parents_approver_approves_too(personas, fp):
    fund = open_fund(fp.clerk, personas.shinan)
    entry = ledger.record_income(actor=fp.clerk, fund=fund, amount="50000.01", on=ON)
    assert entry.needs_parent
    entry = ledger.approve(actor=fp.approver, entry=entry)
    assert entry.status == EntryStatus.PARENT and ledger.balance(fund) == Decimal("0.00")
    with pytest.raises(NotAllowed):  # the district's other approver is not the parent's
        ledger.approve(actor=fp.approver2, entry=entry)
    entry = ledger.approve(actor=fp.city_approver, entry=entry)
    assert entry.status == EntryStatus.APPROVED and entry.parent_approved_by == fp.city_approver
    assert ledger.balance(fund) == Decimal("50000.01")


def test_allocation_to_streets_and_spending_roll_up_without_double_counting(personas, fp):
    city_fund = fund_with(fp.city_clerk, fp.city_approver, personas.city, "500000")
    district = open_fund(fp.city_clerk, personas.shinan, "市南区专项资金")
    hospital = open_fund(fp.city_clerk, personas.shinan_hospital, "医院专项资金")
    entries = ledger.record_allocations(
        actor=fp.city_clerk, fund=city_fund, on=ON,
        allocations=[Allocation(district, Decimal("100000")), Allocation(hospital, Decimal("30000"))],
    )
    for e in entries:
        approve_fully(e, fp.city_approver)  # the city is the root: no parent to ask
    spent = ledger.record_expenditure(
        actor=fp.clerk, fund=hospital, amount="12000.50", category="protective", on=ON, payee="某医疗器械公司",
        payee_kind="supplier", quantity="2600", unit="瓶",
    )
    approve_fully(spent, fp.approver)
    assert ledger.balance(city_fund) == Decimal("370000.00")
    assert ledger.balance(hospital) == Decimal("17999.50")

    def subtree(org, kind):
        rows = SubtreeTotal.objects.filter(organisation=org, own=False, kind=kind)
        return sum((r.amount for r in rows), Decimal("0"))

    assert subtree(personas.city, "expenditure") == Decimal("-12000.50")
    assert subtree(personas.shinan, "expenditure") == Decimal("-12000.50")
    # inside the city the allocations cancel; 市南区's subtree received 130,000 from above
    assert subtree(personas.city, "allocation_in") + subtree(personas.city, "allocation_out") == 0
    assert subtree(personas.shinan, "allocation_in") == Decimal("130000.00")


def test_never_more_than_the_balance(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    with pytest.raises(ServiceError) as refused:
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="1000.01", category="comfort", on=ON)
    assert refused.value.code == "insufficient"
    first = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="600", category="comfort", on=ON)
    second = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="600", category="comfort", on=ON)
    ledger.approve(actor=fp.approver, entry=first)
    with pytest.raises(ServiceError):
        ledger.approve(actor=fp.approver, entry=second)
    second.refresh_from_db()
    assert second.status == EntryStatus.PENDING and ledger.balance(fund) == Decimal("400.00")


def test_a_rejected_entry_moves_no_money_and_a_reversal_cancels(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    entry = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="300", category="comfort", on=ON)
    with pytest.raises(ServiceError):
        ledger.reject(actor=fp.approver, entry=entry, reason=" ")
    ledger.reject(actor=fp.approver, entry=entry, reason="发票不全")
    assert ledger.balance(fund) == Decimal("1000.00") and not entry.postings.exists()
    entry = approve_fully(
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="300", category="comfort", on=ON), fp.approver
    )
    reversal = ledger.record_reversal(actor=fp.clerk, entry=entry, reason="重复记账")
    with pytest.raises(Conflict):
        ledger.record_reversal(actor=fp.clerk, entry=entry, reason="again")
    ledger.approve(actor=fp.approver2, entry=reversal)
    assert ledger.balance(fund) == Decimal("1000.00")
    assert list(Posting.objects.filter(entry=reversal).values_list("amount", "reversal")) == [(Decimal("300.00"), True)]


def test_postings_are_never_changed(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    posting = Posting.objects.get(fund=fund)
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        Posting.objects.filter(pk=posting.pk).update(amount=1)
    with pytest.raises(AppendOnlyError):
        posting.delete()


def test_rebuilt_totals_equal_the_kept_ones(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan_hospital, "1000")
    approve_fully(ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="10", category="other", on=ON),
                  fp.approver)
    kept = sorted(SubtreeTotal.objects.values_list("organisation_id", "own", "month", "kind", "category", "amount"))
    from nuanxin.core.policy import SYSTEM

    ledger.rebuild_totals(actor=SYSTEM)
    rebuilt = sorted(SubtreeTotal.objects.values_list("organisation_id", "own", "month", "kind", "category", "amount"))
    # two kinds (income, expenditure) × (the hospital's own row + the hospital, 市南区 and city subtrees)
    assert rebuilt == kept and len(kept) == 2 * 4


# --- added with the ledger's pages and API -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2000", "2000.00"), ("2,000.5", "2000.50"), (" 0.01 ", "0.01"), (Decimal("12.30"), "12.30")],
)
def test_money_reads_yuan(value, expected):
    assert ledger.money(value) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "code"),
    [("abc", "format"), ("1e999", "large"), ("-1e999", "positive"), ("Infinity", "format"), ("NaN", "format"),
     ("0", "positive"), ("-0.01", "positive"), ("0.001", "places"), ("1e-999", "places"), ("1000000000000", "large")],
)
def test_money_refuses_what_is_not_an_amount(value, code, english):
    messages = {
        "format": "Enter the amount in yuan, e.g. 2000 or 2000.50.",
        "large": "The amount is too large.",
        "positive": "The amount must be greater than zero.",
        "places": "An amount has at most two decimal places (fen).",
    }
    with pytest.raises(ServiceError) as refused:
        ledger.money(value)
    assert refused.value.message == messages[code] and refused.value.field == "amount"


def test_allocations_go_below_never_to_a_sibling_or_above(personas, fp):
    district = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    sibling = open_fund(fp.bing_clerk, personas.shibei)
    parent = open_fund(fp.city_clerk, personas.city)
    own = open_fund(fp.clerk, personas.shinan, "另一资金")
    for target in (sibling, parent, own):
        with pytest.raises(ServiceError) as refused:
            ledger.record_allocations(actor=fp.clerk, fund=district, on=ON,
                                      allocations=[Allocation(target, Decimal("1"))])
        assert refused.value.field == "to_fund"
    with pytest.raises(ServiceError):
        ledger.record_return(actor=fp.clerk, fund=district, to_fund=sibling, amount="1", on=ON)
    assert not ledger.Entry.objects.filter(kind="allocation").exists()


def test_the_threshold_applies_to_a_batchs_total(personas, fp):
    from nuanxin.funds.services import funds as fund_services

    fund_services.set_threshold(actor=personas.jia, organisation=personas.shinan, threshold="1000")
    district = fund_with(fp.clerk, fp.approver, personas.shinan, "900")
    approve_fully(ledger.record_income(actor=fp.clerk, fund=district, amount="900", on=ON), fp.approver)
    streets = [open_fund(fp.clerk, personas.shinan_hospital, "医院资金")]
    one = ledger.record_allocations(actor=fp.clerk, fund=district, on=ON,
                                    allocations=[Allocation(streets[0], Decimal("600"))])
    assert not one[0].needs_parent
    second = open_fund(fp.clerk, personas.shinan_hospital, "医院资金二")
    batch = ledger.record_allocations(
        actor=fp.clerk, fund=district, on=ON,
        allocations=[Allocation(streets[0], Decimal("600")), Allocation(second, Decimal("600"))],
    )
    assert all(e.needs_parent for e in batch) and batch[0].batch == batch[1].batch


def test_a_threshold_is_set_from_above_only(personas, fp):
    from nuanxin.funds.services import funds as fund_services

    with pytest.raises(NotAllowed):  # 乙 administers 市南区: its threshold is the city's to set
        fund_services.set_threshold(actor=personas.yi, organisation=personas.shinan, threshold="1")
    with pytest.raises(NotAllowed):  # 丙 is elsewhere
        fund_services.set_threshold(actor=personas.bing, organisation=personas.shinan_hospital, threshold="1")
    rule = fund_services.set_threshold(actor=personas.yi, organisation=personas.shinan_hospital, threshold="0")
    assert ledger.threshold_for(personas.shinan_hospital) == Decimal("0.00")
    rule = fund_services.set_threshold(actor=personas.yi, organisation=personas.shinan_hospital, threshold="30000",
                                       version=rule.version)
    assert rule.version == 2
    with pytest.raises(Conflict):
        fund_services.set_threshold(actor=personas.yi, organisation=personas.shinan_hospital, threshold="1", version=1)
    assert ledger.threshold_for(personas.city) is None  # the root asks nobody


def test_allocating_to_organisations_opens_their_funds_once(personas, fp):
    from nuanxin.funds.services.allocations import Target, allocate_to_organisations

    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "300000")
    first = allocate_to_organisations(actor=fp.city_clerk, fund=city, on=ON, targets=[
        Target(personas.shinan, Decimal("100000")), Target(personas.shibei, Decimal("100000"))])
    again = allocate_to_organisations(actor=fp.city_clerk, fund=city, on=ON,
                                      targets=[Target(personas.shinan, Decimal("1"))])
    assert again[0].to_fund == first[0].to_fund
    assert first[0].to_fund.allocated_from == city and first[0].to_fund.source == "allocation"
    with pytest.raises(ServiceError):  # more than the balance: nothing saved, no fund opened
        allocate_to_organisations(actor=fp.city_clerk, fund=city, on=ON,
                                  targets=[Target(personas.shinan_hospital, Decimal("300000.01"))])
    assert not ledger.Fund.objects.filter(organisation=personas.shinan_hospital).exists()


def test_a_reversal_is_never_dated_in_the_future_or_before_its_entry(personas, fp):
    from datetime import timedelta

    from django.utils import timezone

    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    entry = approve_fully(
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="10", category="other", on=ON), fp.approver
    )
    for day in (timezone.localdate() + timedelta(days=1), date(2020, 2, 2)):
        with pytest.raises(ServiceError) as refused:
            ledger.record_reversal(actor=fp.clerk, entry=entry, reason="错", on=day)
        assert refused.value.field == "on"


def test_the_kept_balance_is_the_sum_of_the_postings_and_a_rebuild_mends_it(personas, fp):
    from nuanxin.core.policy import SYSTEM
    from nuanxin.funds import totals
    from nuanxin.funds.models import Fund

    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    approve_fully(
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="250.25", category="other", on=ON), fp.approver
    )
    assert Fund.objects.get(pk=fund.pk).balance == Decimal("749.75") == ledger.balance(fund)
    assert ledger.posted_balances([fund.pk]) == {fund.pk: Decimal("749.75")}
    assert totals.balance_differences() == []
    Fund.objects.filter(pk=fund.pk).update(balance=Decimal("1.00"))  # tampered with outside the ledger
    assert totals.balance_differences() == [totals.BalanceDifference(fund.pk, Decimal("1.00"), Decimal("749.75"))]
    ledger.rebuild_totals(actor=SYSTEM)
    assert totals.balance_differences() == [] and ledger.balance(fund) == Decimal("749.75")
