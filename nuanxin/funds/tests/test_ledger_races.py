"""The ledger's races, with real parallel connections on PostgreSQL (``tests/parallel.py``):
two approvals that together exceed a balance leave exactly one approved and the balance never
below zero; allocations and returns crossing between funds, approved at the same moment, do
not deadlock (the funds are locked in the order of their ids, the totals upserted in a fixed
order)."""

import time
from datetime import date
from decimal import Decimal

import pytest

from nuanxin.core.errors import ServiceError
from nuanxin.funds.choices import EntryStatus
from nuanxin.funds.models import Entry, Posting, SubtreeTotal
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import fund_with, open_fund
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]

ON = date(2020, 2, 3)


@pytest.fixture(autouse=True)
def slow_balances(monkeypatch):
    """Each balance read under approval takes a moment: both approvals would read the balance
    before either wrote, were the funds not locked before reading."""
    read = ledger.balances

    def slow(fund_ids):
        found = read(fund_ids)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(ledger, "balances", slow)


def test_two_approvals_that_together_exceed_the_balance(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    first = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="600", category="comfort", on=ON)
    second = ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="600", category="comfort", on=ON)
    results = run_together(
        lambda: ledger.approve(actor=fp.approver, entry=first),
        lambda: ledger.approve(actor=fp.approver2, entry=second),
    )
    assert sorted(type(r).__name__ for r in results) == ["Entry", "ServiceError"]
    refused = next(r for r in results if isinstance(r, ServiceError))
    assert refused.code == "insufficient"
    statuses = sorted(Entry.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True))
    assert statuses == [EntryStatus.APPROVED, EntryStatus.PENDING]
    assert ledger.balance(fund) == Decimal("400.00")
    assert Posting.objects.filter(fund=fund, kind="expenditure").count() == 1


def test_three_approvals_racing_for_one_balance(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "1000")
    entries = [
        ledger.record_expenditure(actor=fp.clerk, fund=fund, amount="400", category="comfort", on=ON)
        for _ in range(3)
    ]
    results = run_together(
        lambda: ledger.approve(actor=fp.approver, entry=entries[0]),
        lambda: ledger.approve(actor=fp.approver2, entry=entries[1]),
        lambda: ledger.approve(actor=fp.city_approver, entry=entries[2]),
    )
    assert sorted(type(r).__name__ for r in results) == ["Entry", "Entry", "ServiceError"]
    assert ledger.balance(fund) == Decimal("200.00")


def test_crossing_allocations_and_returns_approved_at_once_do_not_deadlock(personas, fp):
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "40000")
    shinan = fund_with(fp.clerk, fp.approver, personas.shinan, "20000")
    shibei = fund_with(fp.bing_clerk, fp.bing_approver, personas.shibei, "20000")
    down_sn = ledger.record_allocations(actor=fp.city_clerk, fund=city, on=ON,
                                        allocations=[ledger.Allocation(shinan, Decimal("5000"))])[0]
    down_sb = ledger.record_allocations(actor=fp.city_clerk, fund=city, on=ON,
                                        allocations=[ledger.Allocation(shibei, Decimal("5000"))])[0]
    up_sn = ledger.record_return(actor=fp.clerk, fund=shinan, to_fund=city, amount="3000", on=ON)
    up_sb = ledger.record_return(actor=fp.bing_clerk, fund=shibei, to_fund=city, amount="3000", on=ON)
    results = run_together(
        lambda: ledger.approve(actor=fp.city_approver, entry=down_sn),
        lambda: ledger.approve(actor=fp.approver, entry=up_sn),
        lambda: ledger.approve(actor=fp.city_approver2, entry=down_sb),
        lambda: ledger.approve(actor=fp.bing_approver, entry=up_sb),
    )
    assert [type(r).__name__ for r in results] == ["Entry"] * 4, results
    assert (ledger.balance(city), ledger.balance(shinan), ledger.balance(shibei)) == (
        Decimal("36000.00"), Decimal("22000.00"), Decimal("22000.00")
    )
    # The totals kept at posting time equal the postings.
    kept = sorted(SubtreeTotal.objects.values_list("organisation_id", "own", "month", "kind", "category", "amount"))
    from nuanxin.core.policy import SYSTEM

    ledger.rebuild_totals(actor=SYSTEM)
    rebuilt = sorted(SubtreeTotal.objects.values_list("organisation_id", "own", "month", "kind", "category", "amount"))
    assert kept == rebuilt


def test_parallel_approvals_on_several_funds(personas, fp):
    """Six approvals at once over three funds (allocations down, income): every one
    passes, none deadlocks, every balance is the sum of its postings."""
    city = fund_with(fp.city_clerk, fp.city_approver, personas.city, "100000")
    shinan = open_fund(fp.city_clerk, personas.shinan)
    hospital = open_fund(fp.city_clerk, personas.shinan_hospital)
    allocations = ledger.record_allocations(
        actor=fp.city_clerk, fund=city, on=ON,
        allocations=[ledger.Allocation(shinan, Decimal("10000")), ledger.Allocation(hospital, Decimal("10000"))],
    )
    incomes = [ledger.record_income(actor=fp.clerk, fund=f, amount="1000", on=ON) for f in (shinan, hospital)]
    more = [ledger.record_income(actor=fp.city_clerk, fund=city, amount="500", on=ON) for _ in range(2)]
    pending = [*allocations, *incomes, *more]
    approvers = [fp.city_approver, fp.city_approver2, fp.approver, fp.approver2, fp.city_approver,
                 fp.city_approver2]
    results = run_together(*[
        (lambda e=e, a=a: ledger.approve(actor=a, entry=e)) for e, a in zip(pending, approvers, strict=True)
    ])
    assert [type(r).__name__ for r in results] == ["Entry"] * len(pending), results
    assert (ledger.balance(city), ledger.balance(shinan), ledger.balance(hospital)) == (
        Decimal("81000.00"), Decimal("11000.00"), Decimal("11000.00")
    )
