"""Two at once, for real (PostgreSQL): sign-ups at the same moment never overfill a shift, the
same new mobile signing up to two shifts at once makes one volunteer, one volunteer put on two
overlapping shifts at once gets one place; and a huge number of people served is refused before
the database (an integer column there)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

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


def test_one_volunteer_put_on_two_overlapping_shifts_at_once_gets_one_place(world):
    other_task = shifts.create_task(actor=SYSTEM, team=world.team, title="配送物资", place="职工服务站")
    overlapping = shifts.add_shift(actor=SYSTEM, task=other_task, starts_at=at(4, 11), ends_at=at(4, 14), needed=2)
    results = run_together(
        lambda: shifts.assign(actor=world.leader, shift=world.shift, volunteer=world.a),
        lambda: shifts.sign_up(
            task=other_task, shift_id=overlapping.pk, name="志愿甲", mobile="13800130001", consent=True
        ),
    )
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert [r.code for r in refused] == ["overlap"]
    assert Checkin.objects.filter(volunteer=world.a, status__in=TAKEN).count() == 1


def test_people_served_past_the_column_are_refused_not_a_database_error(world):
    with time_machine.travel(at(4, 12), tick=False), translation.override("en"):
        with pytest.raises(ServiceError) as refused:
            shifts.set_people_served(actor=world.leader, shift=world.shift, people_served=99_999_999_999)
    assert refused.value.message == "99999999999 people served on one shift is more than 100000: check the number."
    world.shift.refresh_from_db()
    assert world.shift.people_served is None
