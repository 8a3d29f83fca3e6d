"""The rota's races, with real parallel connections on PostgreSQL (``tests/parallel.py``): two
planners giving one person overlapping shifts at the same moment, a swap approved while the
colleague is given an overlapping shift, two generations of the same week, two swap requests
for one duty. Whatever the interleaving, nobody ends up double booked and nothing is made twice."""

import time as time_module
from datetime import time, timedelta

import pytest
from django.utils import timezone

from nuanxin.core.errors import Conflict
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.choices import SwapStatus
from nuanxin.hotline.models import Shift, ShiftAssignment, SwapRequest
from nuanxin.hotline.services import rota
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def slow_check(monkeypatch):
    """Each double-booking check takes a moment after reading: both threads would read "free"
    and both write, were the person's row not locked before the check."""
    check = rota._clash

    def slow(*args, **kwargs):
        found = check(*args, **kwargs)
        time_module.sleep(0.3)
        return found

    monkeypatch.setattr(rota, "_clash", slow)


@pytest.fixture
def week(h):
    """Next week's three 8-hour shifts a day, and an extra 12:00–18:00 shift each day that
    overlaps two of them."""
    for name, hour in (("早班", 8), ("中班", 16), ("夜班", 0)):
        rota.create_pattern(actor=SYSTEM, hotline=h.city, name=name, starts_at=time(hour), hours=8)
    rota.create_pattern(actor=SYSTEM, hotline=h.city, name="加班", starts_at=time(12), hours=6, allow_overlap=True)
    today = timezone.localdate()
    h.monday = today + timedelta(days=7 - today.weekday())
    rota.generate_shifts(actor=SYSTEM, hotline=h.city, start=h.monday, weeks=1)

    def at(hour: int) -> Shift:
        return Shift.objects.get(hotline=h.city, starts_at__date=h.monday, starts_at__hour=hour)

    h.morning, h.extra = at(8), at(12)
    return h


def test_one_person_given_two_overlapping_shifts_at_once(week, personas):
    h = week
    results = run_together(
        lambda: rota.assign(actor=h.coordinator, shift=h.morning, counsellor=h.counsellor),
        lambda: rota.assign(actor=personas.jia, shift=h.extra, counsellor=h.counsellor),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ShiftAssignment"]
    assert ShiftAssignment.objects.filter(counsellor=h.counsellor).count() == 1


def test_one_person_given_overlapping_shifts_of_two_hotlines_at_once(week, personas):
    """Two hotlines, two planners: only the lock on the person serialises them."""
    from nuanxin.core.roles import Role
    from nuanxin.hotline.choices import MemberKind
    from nuanxin.hotline.services import hotlines as hotline_services
    from nuanxin.orgs import services as org_services

    h = week
    org_services.grant_role(actor=SYSTEM, user=h.counsellor, role=Role.COUNSELLOR, organisation=personas.shibei)
    hotline_services.add_member(actor=SYSTEM, hotline=h.other, user=h.counsellor, kind=MemberKind.COUNSELLOR)
    rota.create_pattern(actor=SYSTEM, hotline=h.other, name="白班", starts_at=time(12), hours=4)
    rota.generate_shifts(actor=SYSTEM, hotline=h.other, start=h.monday, weeks=1)
    elsewhere = Shift.objects.get(hotline=h.other, starts_at__date=h.monday)
    results = run_together(
        lambda: rota.assign(actor=h.coordinator, shift=h.morning, counsellor=h.counsellor),
        lambda: rota.assign(actor=personas.bing, shift=elsewhere, counsellor=h.counsellor),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "ShiftAssignment"]
    assert ShiftAssignment.objects.filter(counsellor=h.counsellor).count() == 1


def test_a_swap_approved_while_the_colleague_is_given_an_overlapping_shift(week):
    h = week
    duty = rota.assign(actor=SYSTEM, shift=h.morning, counsellor=h.counsellor)
    swap = rota.request_swap(actor=h.counsellor, assignment=duty, taker=h.colleague)
    results = run_together(
        lambda: rota.decide_swap(actor=h.coordinator, swap=swap, approve=True),
        lambda: rota.assign(actor=SYSTEM, shift=h.extra, counsellor=h.colleague),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    colleague = list(ShiftAssignment.objects.filter(counsellor=h.colleague).values_list("shift", flat=True))
    assert colleague in ([h.morning.pk], [h.extra.pk])
    approved = SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.APPROVED
    assert approved == (colleague == [h.morning.pk])


def test_the_same_week_generated_twice_at_once(week):
    h = week
    later = h.monday + timedelta(days=7)
    results = run_together(
        lambda: rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=later, weeks=1),
        lambda: rota.generate_shifts(actor=SYSTEM, hotline=h.city, start=later, weeks=1),
    )
    assert sorted(len(r) for r in results) == [0, 28]
    assert Shift.objects.filter(hotline=h.city, starts_at__date__gte=later).count() == 28


def test_two_swap_requests_for_one_duty_at_once(week):
    h = week
    duty = rota.assign(actor=SYSTEM, shift=h.morning, counsellor=h.counsellor)
    results = run_together(
        lambda: rota.request_swap(actor=h.counsellor, assignment=duty, taker=h.colleague),
        lambda: rota.request_swap(actor=h.counsellor, assignment=duty, taker=h.supervisor),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "SwapRequest"]
    assert SwapRequest.objects.filter(status=SwapStatus.PENDING).count() == 1
