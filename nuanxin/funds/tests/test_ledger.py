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
