"""Two administrators enrolling the same unit at the same moment, and two clerks charging the
same contributions, with real parallel connections on PostgreSQL (``tests/parallel.py``): each
worker is enrolled once, each contribution charged once, and nobody gets a server error."""

import time

import pytest

from nuanxin.core.errors import ServiceError
from nuanxin.funds.tests.fixtures import build_people, fund_with
from nuanxin.welfare.models import Enrolment
from nuanxin.welfare.selectors import eligibility
from nuanxin.welfare.services import charges, enrolments
from nuanxin.welfare.tests.fixtures import build_welfare
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def slow_eligibility(monkeypatch):
    """The eligible workers take a moment to read: both enrolments would read them before
    either wrote, were the scheme not locked first."""
    read = eligibility.eligible_workers

    def slow(scheme, organisation=None):
        found = list(read(scheme, organisation))
        time.sleep(0.3)
        return found

    monkeypatch.setattr(enrolments, "eligible_workers", slow)


def test_two_admins_enrol_the_same_unit_at_once(personas):
    w = build_welfare(personas)
    results = run_together(
        lambda: enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital),
        lambda: enrolments.enrol_unit(actor=w.unit_admin, scheme=w.scheme, organisation=w.p.shinan_hospital),
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["EnrolResult", "ServiceError"], results
    assert Enrolment.objects.count() == 3
    assert Enrolment.objects.values("worker").distinct().count() == 3


def test_two_clerks_charge_at_once(personas):
    w = build_welfare(personas)
    fp = build_people(w.p)
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital)
    fund = fund_with(fp.clerk, fp.approver, w.p.shinan, "1000")
    results = run_together(
        lambda: charges.charge_contributions(actor=fp.clerk, scheme=w.scheme, fund=fund),
        lambda: charges.charge_contributions(actor=fp.clerk, scheme=w.scheme, fund=fund),
    )
    assert sorted(type(r).__name__ for r in results) == ["Entry", "ServiceError"]
    assert isinstance(next(r for r in results if not hasattr(r, "amount")), ServiceError)
    assert Enrolment.objects.exclude(expenditure=None).values("expenditure").distinct().count() == 1
