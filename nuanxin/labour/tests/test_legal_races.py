"""Two at once, for real (PostgreSQL): two officers giving a lawyer's last place to two cases at
the same moment — one gets the lawyer, the other the capacity message; the time-limit job run
twice at once warns each case once."""

import pytest

from nuanxin.labour.models import LegalCase
from nuanxin.labour.services import legal
from nuanxin.labour.tests.authz_legal import lawyer, legal_case, worker
from nuanxin.notify.models import Notification
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


def test_a_lawyers_last_place_is_given_once(personas):
    lw = lawyer(personas.shinan, "王明", capacity=1)
    w = worker(personas.shinan_hospital, "张三")
    a, b = legal_case(w), legal_case(w)
    results = run_together(
        lambda: legal.assign_lawyer(actor=personas.yi, case=a, lawyer=lw, version=a.version),
        lambda: legal.assign_lawyer(actor=personas.jia, case=b, lawyer=lw, version=b.version),
    )
    assert sorted(type(r).__name__ for r in results) == ["LegalCase", "ServiceError"]
    assert LegalCase.objects.filter(lawyer=lw).count() == 1


def test_the_time_limit_job_twice_at_once_warns_once(personas):
    from datetime import timedelta

    from django.utils import timezone

    w = worker(personas.shinan_hospital, "张三")
    legal_case(w, infringed_on=timezone.localdate() - timedelta(days=340))
    results = run_together(legal.warn_time_limits, legal.warn_time_limits)
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(kind="labour.legal_time_limit").count() == 1  # 乙, the owner
