"""The certificate number carries the call's year (its deadline's year in Asia/Shanghai), not
the year of the decision: 2020 年度表彰 decided in 2026 gives QDGH-2020-…."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from nuanxin.honours.models import Call
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import on_notice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("deadline", "year"),
    [
        (datetime(2020, 6, 30, 9, 0, tzinfo=UTC), 2020),
        (datetime(2020, 12, 31, 15, 59, tzinfo=UTC), 2020),  # 23:59 in Shanghai
        (datetime(2020, 12, 31, 16, 0, tzinfo=UTC), 2021),  # 2021-01-01 00:00 in Shanghai
    ],
)
def test_the_call_year_is_the_deadline_year_in_shanghai(deadline, year):
    assert services.call_year(Call(deadline=deadline)) == year


def test_an_award_decided_later_is_numbered_with_the_call_year(hw):
    n = on_notice(hw)
    # The call's deadline was in 2020 (set here directly: the services refuse a past deadline).
    Call.objects.filter(pk=hw.call.pk).update(deadline=datetime(2020, 3, 31, 16, 0, tzinfo=UTC))
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        n = services.decide(n, actor=hw.p.jia, awarded=True)
        decided_year = timezone.localtime(n.decided_at).year
    assert decided_year != 2020
    assert n.certificate_no == f"QDGH-2020-{hw.call.pk:03d}-{n.pk:05d}"
