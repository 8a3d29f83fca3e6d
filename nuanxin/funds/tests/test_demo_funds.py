"""The funds' demo: built on the organisations' and the register's demos, through the services;
its logins; every category spent, a rejected expenditure, a reversal, a batch above the
threshold approved by the city; the figures add up; a second run changes nothing."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.funds import demo, totals
from nuanxin.funds.choices import Category, EntryKind, EntryStatus
from nuanxin.funds.models import Beneficiary, Entry, Fund, Posting, SubtreeTotal
from nuanxin.funds.selectors import figures
from nuanxin.orgs import demo as orgs_demo
from nuanxin.orgs.models import Organisation
from nuanxin.registry import demo as registry_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def counts() -> tuple:
    return (Fund.objects.count(), Entry.objects.count(), Posting.objects.count(), SubtreeTotal.objects.count(),
            Beneficiary.objects.count())  # fmt: skip


def test_the_demo_builds_adds_up_and_is_idempotent():
    lines: list[str] = []
    orgs_demo.build(out=lines.append)
    registry_demo.build(out=lines.append)
    demo.build(out=lines.append)
    assert [(u, p, scope) for u, p, _role, scope in demo.logins()] == [
        ("demo-clerk", DEMO_PASSWORD, "市南区总工会"),
        ("demo-approver", DEMO_PASSWORD, "市南区总工会"),
        ("demo-city-clerk", DEMO_PASSWORD, "青岛市总工会"),
        ("demo-city-approver", DEMO_PASSWORD, "青岛市总工会"),
    ]
    entries = Entry.objects.all()
    spent = {c for c in entries.filter(kind=EntryKind.EXPENDITURE, status=EntryStatus.APPROVED)
             .values_list("category", flat=True)}  # fmt: skip
    assert spent == set(Category.values)
    rejected = entries.get(status=EntryStatus.REJECTED)
    assert not rejected.postings.exists() and rejected.rejected_by.username == "demo-approver"
    reversal = entries.get(kind=EntryKind.REVERSAL)
    assert reversal.status == EntryStatus.APPROVED and reversal.reverses.amount == reversal.amount
    batch = entries.filter(organisation__code="QD-SN", kind=EntryKind.ALLOCATION)
    assert batch.count() == 3 and {e.parent_approved_by.username for e in batch} == {"demo-city-approver"}
    condolence = Beneficiary.objects.filter(round__isnull=False)
    assert condolence.exists() and set(condolence.values_list("worker__team", flat=True)) == {"hubei_aid"}
    assert set(condolence.values_list("amount", flat=True)) == {Decimal("2000.00")}
    assert set(entries.values_list("recorded_by__username", flat=True)) == {"demo-clerk", "demo-city-clerk"}
    # The figures: the city's 投入资金 is what was spent below, and the totals are right.
    city = Organisation.objects.get(code="QD")
    spent_postings = -Posting.objects.filter(kind="expenditure").aggregate(t=Sum("amount"))["t"]
    assert figures.total_spent(city) == spent_postings == Decimal("285000.00")
    assert figures.remaining(city) == Decimal("3215000.00")
    assert totals.differences() == []

    before = counts()
    lines.clear()
    demo.build(out=lines.append)
    assert counts() == before and lines == ["funds: already there"]
