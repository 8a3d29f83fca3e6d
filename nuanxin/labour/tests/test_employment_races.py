"""Two at once, for real (PostgreSQL): the seeker referred to the same lead by two people at
once is referred once; the job recorded twice at once (two officers, two referrals of the same
case) moves the case to employed once."""

import pytest

from nuanxin.labour.models import EmploymentCase, EmploymentCaseNote, Referral
from nuanxin.labour.services import employment as services
from nuanxin.labour.tests.test_employment_fixtures import build
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


def test_two_referrals_of_one_lead_at_once_make_one(personas):
    w = build(personas)
    case = services.open_employment(actor=w.p.care, worker=w.worker, family_member=w.member)
    results = run_together(
        lambda: services.refer(actor=w.officer, case=case, lead=w.cleaner),
        lambda: services.refer(actor=w.p.yi, case=case, lead=w.cleaner),
    )
    assert sorted(type(r).__name__ for r in results) == ["Referral", "ServiceError"]
    assert Referral.objects.filter(case=case).count() == 1
    case.refresh_from_db()
    assert case.status == "referred"
    assert EmploymentCaseNote.objects.filter(case=case, kind="status", to_status="referred").count() == 1


def test_two_jobs_recorded_at_once_employ_the_seeker_once(personas):
    w = build(personas)
    case = services.open_employment(actor=w.p.care, worker=w.worker, family_member=w.member)
    a = services.refer(actor=w.officer, case=case, lead=w.cleaner)
    b = services.refer(actor=w.officer, case=case, lead=w.cashier)
    results = run_together(
        lambda: services.record_outcome(actor=w.officer, referral=a, outcome="employed"),
        lambda: services.record_outcome(actor=w.p.yi, referral=b, outcome="employed"),
    )
    assert sorted(type(r).__name__ for r in results) == ["Referral", "ServiceError"]
    case = EmploymentCase.objects.get(pk=case.pk)
    assert case.status == "employed" and case.employer_name in {"市南物业", "全市超市"}
    assert Referral.objects.filter(case=case, outcome="employed").count() == 1
    assert EmploymentCaseNote.objects.filter(case=case, kind="status", to_status="employed").count() == 1
