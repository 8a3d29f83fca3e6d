"""Two at once, for real (PostgreSQL): sign-ups at the same moment never overfill a shift, and
the same new mobile signing up to two shifts at once makes one volunteer."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.volunteers.choices import TAKEN
from nuanxin.volunteers.models import Checkin, Volunteer
from nuanxin.volunteers.services import shifts
from nuanxin.volunteers.tests.conftest import at, build
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]
NOW = datetime(2020, 2, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world(personas):
    with time_machine.travel(NOW, tick=False) as clock:
        yield build(personas, clock)


def test_four_sign_ups_at_once_for_three_places_leave_one_refused(world):
    results = run_together(
        *[
            (lambda m=m: shifts.sign_up(task=world.task, shift_id=world.shift.pk, name="抢", mobile=m, consent=True))
            for m in ("13900000001", "13900000002", "13900000003", "13900000004")
        ]
    )
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert [r.code for r in refused] == ["full"]
    assert Checkin.objects.filter(shift=world.shift, status__in=TAKEN).count() == 3


def test_one_new_mobile_on_two_shifts_at_once_is_one_volunteer(world):
    later = shifts.add_shift(actor=SYSTEM, task=world.task, starts_at=at(5, 9), ends_at=at(5, 12), needed=2)
    results = run_together(
        lambda: shifts.sign_up(task=world.task, shift_id=world.shift.pk, name="双", mobile="13900000009", consent=True),
        lambda: shifts.sign_up(task=world.task, shift_id=later.pk, name="双", mobile="13900000009", consent=True),
    )
    assert [type(r).__name__ for r in results] == ["SignUp", "SignUp"]
    assert Volunteer.objects.filter(mobile="+8613900000009").count() == 1
    assert Checkin.objects.filter(volunteer__mobile="+8613900000009").count() == 2
