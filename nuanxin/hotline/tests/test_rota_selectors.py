"""The rota's reads other areas use: who is on duty now, the seats of each shift; and the
``_on_duty.html`` partial the hotline page includes."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from nuanxin.hotline.models import Shift, ShiftAssignment
from nuanxin.hotline.selectors import rota

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=SH)


def shift(hotline, start: datetime, hours: int = 8, seats: int = 2, people=()) -> Shift:
    s = Shift.objects.create(hotline=hotline, starts_at=start, ends_at=start + timedelta(hours=hours), min_seats=seats)
    for person in people:
        ShiftAssignment.objects.create(shift=s, counsellor=person)
    return s


def test_on_duty_is_who_holds_the_shift_running_at_that_moment(h):
    h.counsellor.full_name = "张敏"
    h.counsellor.save()
    h.colleague.full_name = "李娜"
    h.colleague.save()
    shift(h.city, at(2, 8), people=[h.counsellor, h.colleague])
    shift(h.city, at(2, 16), people=[h.supervisor])
    shift(h.other, at(2, 8), people=[h.stranger])
    assert rota.on_duty(h.city, at(2, 8)) == [h.counsellor, h.colleague]  # by name
    assert [u.full_name for u in rota.on_duty(h.city, at(2, 15))] == ["张敏", "李娜"]
    # A shift ending at 16:00 is over at 16:00: the next one's people are on duty.
    assert rota.on_duty(h.city, at(2, 16)) == [h.supervisor]
    assert rota.on_duty(h.city, at(3, 1)) == []
    assert rota.on_duty(h.other, at(2, 9)) == [h.stranger]


def test_on_duty_lists_a_person_once_and_leaves_out_disabled_accounts(h):
    shift(h.city, at(2, 0), hours=12, people=[h.counsellor, h.colleague])
    shift(h.city, at(2, 8), hours=8, people=[h.counsellor])
    assert sorted(u.pk for u in rota.on_duty(h.city, at(2, 9))) == sorted([h.counsellor.pk, h.colleague.pk])
    h.colleague.is_active = False
    h.colleague.save()
    assert rota.on_duty(h.city, at(2, 9)) == [h.counsellor]


def test_on_duty_defaults_to_now(h, time_machine):
    time_machine.move_to(at(2, 10))
    shift(h.city, at(2, 8), people=[h.colleague])
    assert rota.on_duty(h.city) == [h.colleague]


def test_seats_by_shift(h):
    first = shift(h.city, at(2, 0), seats=2, people=[h.counsellor])
    second = shift(h.city, at(2, 8), seats=3, people=[h.counsellor, h.colleague])
    third = shift(h.other, at(2, 8), seats=1)
    shift(h.city, at(3, 0), seats=2)  # the next day: outside
    shift(h.city, at(1, 16), seats=2)  # starts the day before: outside
    rows = rota.seats_by_shift([h.city.pk, h.other.pk], date(2026, 3, 2), date(2026, 3, 3))
    assert rows == [
        {"shift_id": first.pk, "hotline_id": h.city.pk, "starts_at": at(2, 0), "min_seats": 2, "filled": 1},
        {"shift_id": second.pk, "hotline_id": h.city.pk, "starts_at": at(2, 8), "min_seats": 3, "filled": 2},
        {"shift_id": third.pk, "hotline_id": h.other.pk, "starts_at": at(2, 8), "min_seats": 1, "filled": 0},
    ]
    # Datetimes bound it too (end exclusive); other hotlines are not read.
    assert [r["shift_id"] for r in rota.seats_by_shift([h.city.pk], at(2, 0), at(2, 8))] == [first.pk]
    assert rota.seats_by_shift([], date(2026, 3, 1), date(2026, 3, 9)) == []


def test_the_on_duty_partial(h):
    h.counsellor.full_name = "张敏"
    with translation.override("en"):
        html = render_to_string("hotline/_on_duty.html", {"on_duty": [h.counsellor, h.colleague]})
        assert "张敏" in html and "hotline-colleague" in html
        assert 'data-on-duty-count>2<' in html
        empty = render_to_string("hotline/_on_duty.html", {"on_duty": []})
        assert "Nobody is on duty now." in empty
        assert 'data-on-duty-count>0<' in empty
