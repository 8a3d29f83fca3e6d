"""The duty rota's services: patterns, generating shifts, duties, swaps, gap notices and the
calendar address. Times are Asia/Shanghai; the clock is fixed with time_machine (Monday
2026-03-02 is the week the tests plan, the clock stands on the Friday before unless said)."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline import ical
from nuanxin.hotline.choices import MemberKind, SwapStatus
from nuanxin.hotline.models import CalendarFeed, HotlineMember, Shift, ShiftAssignment, SwapRequest
from nuanxin.hotline.services import hotlines as hotline_services
from nuanxin.hotline.services import rota
from nuanxin.notify.models import Notification
from nuanxin.orgs import services as org_services

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 3, 2)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(MONDAY - timedelta(days=3), 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def three(h):
    """The city hotline's three 8-hour shifts, every day."""
    for name, hour in (("早班", 8), ("中班", 16), ("夜班", 0)):
        rota.create_pattern(actor=h.coordinator, hotline=h.city, name=name, starts_at=time(hour), hours=8)
    return h


def shift_at(h, day: date, hour: int) -> Shift:
    return Shift.objects.get(hotline=h.city, starts_at=local(day, hour))


# --- patterns --------------------------------------------------------------------------------


def test_patterns_and_their_overlap(h, english):
    morning = rota.create_pattern(actor=h.coordinator, hotline=h.city, name="早班", starts_at=time(8), hours=8)
    assert (morning.weekdays, morning.min_seats, morning.active) == ("0123456", None, True)
    with pytest.raises(ServiceError) as exc:
        rota.create_pattern(actor=h.coordinator, hotline=h.city, name="加班", starts_at=time(12), hours=6)
    assert exc.value.message == (
        "This shift overlaps “早班” (08:00, 8 hours). Change the times, or tick “overlap intended” to keep both."
    )
    assert exc.value.field == "starts_at"
    evening = rota.create_pattern(
        actor=h.coordinator, hotline=h.city, name="午高峰", starts_at=time(12), hours=4, weekdays="56",
        min_seats=1, allow_overlap=True,
    )
    assert (evening.weekdays, evening.min_seats) == ("56", 1)
    # A Sunday-night shift running into Monday overlaps a Monday-morning one (the week wraps).
    other = h.other
    rota.create_pattern(actor=SYSTEM, hotline=other, name="周一早", starts_at=time(6), hours=4, weekdays="0")
    with pytest.raises(ServiceError):
        rota.create_pattern(actor=SYSTEM, hotline=other, name="周日夜", starts_at=time(22), hours=10, weekdays="6")
    # Back to back is no overlap; another hotline's patterns do not count.
    rota.create_pattern(actor=h.coordinator, hotline=h.city, name="中班", starts_at=time(16), hours=8)
    assert rota.create_pattern(actor=SYSTEM, hotline=other, name="上午班", starts_at=time(10), hours=6).pk
    assert AuditLog.objects.filter(action="hotline.pattern_create").count() == 5


def test_pattern_refusals(h, english):
    def create(actor=h.coordinator, **values):
        values = {"name": "早班", "starts_at": time(8), "hours": 8, **values}
        return rota.create_pattern(actor=actor, hotline=h.city, **values)

    for values, field, message in (
        ({"name": " "}, "name", "Enter the name of the shift."),
        ({"name": "班" * 41}, "name", "The name must be at most 40 characters."),
        ({"hours": 25}, "hours", "The hours must be a whole number from 1 to 24."),
        ({"hours": "x"}, "hours", "The hours must be a whole number from 1 to 24."),
        ({"weekdays": ""}, "weekdays", "Choose the days the shift runs."),
        ({"weekdays": "07"}, "weekdays", "Choose the days the shift runs."),
        ({"min_seats": 0}, "min_seats", "The minimum seats must be between 1 and 50."),
        ({"starts_at": "08:00"}, "starts_at", "Enter the time the shift starts."),
    ):
        with pytest.raises(ServiceError) as exc:
            create(**values)
        assert (exc.value.field, exc.value.message) == (field, message), values
    for outsider in (h.counsellor, h.supervisor, h.stranger):
        with pytest.raises(NotAllowed):
            create(actor=outsider)
    assert create(weekdays=["4", "0", "0"]).weekdays == "04"


def test_update_and_delete_a_pattern(three, english):
    h = three
    night = h.city.patterns.get(name="夜班")
    with pytest.raises(ServiceError):  # 01:00 for 8 hours runs into 早班 at 08:00
        rota.update_pattern(actor=h.coordinator, pattern=night, name="夜班", starts_at=time(1), hours=8,
                            weekdays="0123456")
    night = rota.update_pattern(actor=h.coordinator, pattern=night, name="夜班", starts_at=time(0), hours=8,
                                weekdays="01234", min_seats=3)
    assert (night.weekdays, night.min_seats) == ("01234", 3)
    detail = AuditLog.objects.get(action="hotline.pattern_update").detail
    assert detail["changed"] == ["min_seats", "weekdays"]
    assert detail["weekdays"] == ["0", "1", "2", "3", "4"]
    # on the audit page: the days and the changed fields by their labels, no codes
    from nuanxin.core.templatetags.nuanxin_audit import audit_detail

    shown = audit_detail(detail, "hotline.pattern_update")
    assert "Changed: [Minimum seats, Days]" in shown
    assert "Days: [Mon, Tue, Wed, Thu, Fri]" in shown
    assert "weekdays" not in shown and "min_seats" not in shown
    rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    rota.delete_pattern(actor=h.coordinator, pattern=night)
    assert h.city.patterns.count() == 2
    # Its shifts stay on the rota, without a pattern.
    assert Shift.objects.filter(hotline=h.city, pattern__isnull=True).count() == 5
    with pytest.raises(NotAllowed):
        rota.delete_pattern(actor=h.counsellor, pattern=h.city.patterns.first())


# --- generating shifts -----------------------------------------------------------------------


def test_generate_three_shifts_a_day(three):
    h = three
    created = rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    assert len(created) == 21
    first = created[0]
    assert (first.starts_at, first.ends_at, first.min_seats) == (local(MONDAY, 0), local(MONDAY, 8), 2)
    assert first.pattern.name == "夜班"
    evening = shift_at(h, MONDAY, 16)
    assert evening.ends_at == local(MONDAY + timedelta(days=1), 0)  # 16:00 + 8 h = midnight
    assert [s.starts_at for s in created[-3:]] == [local(date(2026, 3, 8), hour) for hour in (0, 8, 16)]
    log = AuditLog.objects.get(action="hotline.shifts_generate")
    assert log.detail == {"hotline": h.city.pk, "start": "2026-03-02", "weeks": 1, "created": 21, "kept": 0}
    assert log.actor == h.coordinator


def test_generating_again_keeps_what_exists(three):
    h = three
    rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    duty = rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 8), counsellor=h.counsellor)
    assert rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1) == []
    # Two weeks from the same Monday: only the second week is new.
    assert len(rota.generate_shifts(actor=SYSTEM, hotline=h.city, start=MONDAY, weeks=2)) == 21
    assert Shift.objects.filter(hotline=h.city).count() == 42
    assert ShiftAssignment.objects.get(pk=duty.pk).shift == shift_at(h, MONDAY, 8)
    assert AuditLog.objects.filter(action="hotline.shifts_generate").order_by("pk").last().detail["kept"] == 21


def test_a_shift_crossing_midnight(h):
    rota.create_pattern(actor=h.coordinator, hotline=h.city, name="晚班", starts_at=time(22), hours=10,
                        weekdays="6", min_seats=1)
    [sunday] = rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    assert sunday.starts_at == local(date(2026, 3, 8), 22)
    assert sunday.ends_at == local(date(2026, 3, 9), 8)
    assert sunday.min_seats == 1


def test_shifts_already_over_are_not_made(three, clock):
    h = three
    clock.move_to(local(MONDAY + timedelta(days=2), 9))  # Wednesday 09:00
    created = rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    # Wednesday's 08:00 shift is running (made), its 00:00 one is over (not made).
    assert created[0].starts_at == local(MONDAY + timedelta(days=2), 8)
    assert len(created) == 3 * 5 - 1


def test_generate_refusals(three, english):
    h = three
    for weeks in (0, 13, "x"):
        with pytest.raises(ServiceError) as exc:
            rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=weeks)
        assert exc.value.message == "Generate between 1 and 12 weeks at a time."
    for actor in (h.counsellor, h.supervisor, h.stranger):
        with pytest.raises(NotAllowed):
            rota.generate_shifts(actor=actor, hotline=h.city, start=MONDAY, weeks=1)
    h.city.active = False
    h.city.save()
    with pytest.raises(ServiceError) as exc:
        rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    assert exc.value.message == "This hotline is closed: no shifts are planned for it."
    assert Shift.objects.count() == 0


def test_the_organisations_admin_plans_too(three, personas):
    assert len(rota.generate_shifts(actor=personas.jia, hotline=three.city, start=MONDAY, weeks=1)) == 21
    with pytest.raises(NotAllowed):  # 丙 administers 市北区, not the medical union
        rota.generate_shifts(actor=personas.bing, hotline=three.city, start=MONDAY, weeks=1)


# --- duties ----------------------------------------------------------------------------------


@pytest.fixture
def week(three):
    rota.generate_shifts(actor=three.coordinator, hotline=three.city, start=MONDAY, weeks=1)
    return three


def test_assign_and_unassign(week, english):
    h = week
    shift = shift_at(h, MONDAY, 8)
    duty = rota.assign(actor=h.coordinator, shift=shift, counsellor=h.counsellor)
    assert (duty.counsellor, duty.created_by) == (h.counsellor, h.coordinator)
    rota.assign(actor=h.coordinator, shift=shift, counsellor=h.supervisor)  # supervisors take duties too
    assert AuditLog.objects.get(action="hotline.duty_assign", object_id=str(duty.pk)).detail == {
        "hotline": h.city.pk, "shift": shift.pk, "user": h.counsellor.pk,
    }
    with pytest.raises(Conflict) as exc:
        rota.assign(actor=h.coordinator, shift=shift, counsellor=h.counsellor)
    assert exc.value.message == "心理援助师 is already on this shift."
    rota.unassign(actor=h.coordinator, shift=shift, counsellor=h.counsellor)
    assert list(shift.assignments.values_list("counsellor", flat=True)) == [h.supervisor.pk]
    with pytest.raises(Conflict) as exc:
        rota.unassign(actor=h.coordinator, shift=shift, counsellor=h.counsellor)
    assert exc.value.message == "心理援助师 is not on this shift."
    assert AuditLog.objects.filter(action="hotline.duty_unassign").count() == 1


def test_only_the_hotlines_counsellors_and_supervisors_hold_duties(week, personas, english):
    h = week
    shift = shift_at(h, MONDAY, 8)
    for person in (h.coordinator, h.stranger, personas.jia):
        with pytest.raises(ServiceError) as exc:
            rota.assign(actor=h.coordinator, shift=shift, counsellor=person)
        assert exc.value.field == "counsellor"
    member = HotlineMember.objects.get(hotline=h.city, user=h.colleague, kind=MemberKind.COUNSELLOR)
    hotline_services.remove_member(actor=SYSTEM, member=member)
    with pytest.raises(ServiceError) as exc:
        rota.assign(actor=h.coordinator, shift=shift, counsellor=h.colleague)
    assert exc.value.message == "hotline-colleague is not a counsellor or supervisor of this hotline."
    for actor in (h.counsellor, h.supervisor, h.stranger, personas.viewer, personas.auditor):
        with pytest.raises(NotAllowed):
            rota.assign(actor=actor, shift=shift, counsellor=h.counsellor)
    assert ShiftAssignment.objects.count() == 0


def test_nobody_is_booked_twice_at_the_same_time(week, personas, english):
    h = week
    rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 8), counsellor=h.counsellor)
    # An extra shift over the afternoon, made by an overlapping pattern on purpose.
    rota.create_pattern(actor=h.coordinator, hotline=h.city, name="加班", starts_at=time(12), hours=6,
                        allow_overlap=True)
    rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    extra = shift_at(h, MONDAY, 12)
    with pytest.raises(Conflict) as exc:
        rota.assign(actor=h.coordinator, shift=extra, counsellor=h.counsellor)
    assert exc.value.message == (
        "心理援助师 is already on duty then: 青岛市总工会心理健康服务基地, 2026-03-02 08:00–16:00."
    )
    # Back to back is allowed; so is the same time on another day.
    rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 16), counsellor=h.counsellor)
    rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY + timedelta(days=1), 8), counsellor=h.counsellor)
    # On another hotline too: the counsellor joins 市北区's hotline and is busy there at 12:00.
    org_services.grant_role(actor=SYSTEM, user=h.counsellor, role=Role.COUNSELLOR, organisation=personas.shibei)
    hotline_services.add_member(actor=SYSTEM, hotline=h.other, user=h.counsellor, kind=MemberKind.COUNSELLOR)
    rota.create_pattern(actor=SYSTEM, hotline=h.other, name="白班", starts_at=time(12), hours=4)
    rota.generate_shifts(actor=SYSTEM, hotline=h.other, start=MONDAY, weeks=1)
    elsewhere = Shift.objects.get(hotline=h.other, starts_at=local(MONDAY + timedelta(days=1), 12))
    with pytest.raises(Conflict):
        rota.assign(actor=SYSTEM, shift=elsewhere, counsellor=h.counsellor)
    assert ShiftAssignment.objects.filter(counsellor=h.counsellor).count() == 3


def test_a_shift_that_is_over_is_not_changed(week, clock, english):
    h = week
    shift = shift_at(h, MONDAY, 8)
    rota.assign(actor=h.coordinator, shift=shift, counsellor=h.counsellor)
    clock.move_to(local(MONDAY, 12))  # running: still changed
    rota.assign(actor=h.coordinator, shift=shift, counsellor=h.colleague)
    clock.move_to(local(MONDAY, 16))  # over
    for call in (rota.assign, rota.unassign):
        with pytest.raises(ServiceError) as exc:
            call(actor=h.coordinator, shift=shift, counsellor=h.supervisor if call is rota.assign else h.counsellor)
        assert exc.value.message == "This shift is over: its duties can no longer be changed."
    assert shift.assignments.count() == 2


def test_delete_a_shift(week, english):
    h = week
    shift = shift_at(h, MONDAY, 8)
    rota.assign(actor=h.coordinator, shift=shift, counsellor=h.counsellor)
    with pytest.raises(ServiceError) as exc:
        rota.delete_shift(actor=h.coordinator, shift=shift)
    assert exc.value.message == "Take everyone off this shift before removing it."
    rota.unassign(actor=h.coordinator, shift=shift, counsellor=h.counsellor)
    rota.delete_shift(actor=h.coordinator, shift=shift)
    assert Shift.objects.filter(hotline=h.city).count() == 20


# --- swaps -----------------------------------------------------------------------------------


@pytest.fixture
def duties(week):
    h = week
    h.mine = rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 8), counsellor=h.counsellor)
    h.theirs = rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY + timedelta(days=1), 8),
                           counsellor=h.colleague)
    return h


def test_a_swap_approved_moves_the_duty(duties):
    h = duties
    swap = rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.colleague, note="家里有事")
    assert (swap.status, swap.requested_by, swap.taker, swap.offered) == (
        SwapStatus.PENDING, h.counsellor, h.colleague, None
    )
    assert AuditLog.objects.get(action="hotline.swap_request").detail == {
        "hotline": h.city.pk, "shift": h.mine.shift_id, "requested_by": h.counsellor.pk, "taker": h.colleague.pk,
        "offered_shift": None, "note": {"chars": 4},
    }
    assert Notification.objects.filter(recipient=h.coordinator, kind="hotline.swap_requested").count() == 1
    swap = rota.decide_swap(actor=h.coordinator, swap=swap, approve=True)
    assert (swap.status, swap.decided_by) == (SwapStatus.APPROVED, h.coordinator)
    assert ShiftAssignment.objects.get(pk=h.mine.pk).counsellor == h.colleague
    assert ShiftAssignment.objects.get(pk=h.theirs.pk).counsellor == h.colleague
    assert Notification.objects.filter(kind="hotline.swap_decided").count() == 2
    with pytest.raises(Conflict):
        rota.decide_swap(actor=h.coordinator, swap=swap, approve=False)


def test_the_audit_names_an_approved_swap_by_who_asked_and_who_takes(duties):
    """The duty's holder is the taker once approved: the swap's name comes from the request's
    own fields ("<shift> <requester> → <taker>"), never the holder twice."""
    h = duties
    swap = rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.colleague)
    rota.decide_swap(actor=h.coordinator, swap=swap, approve=True)
    shift = str(h.mine.shift)
    expected = f"{shift} {h.counsellor} → {h.colleague}"
    assert str(h.counsellor) != str(h.colleague)
    assert list(
        AuditLog.objects.filter(action__startswith="hotline.swap_").order_by("pk").values_list("action", "object_repr")
    ) == [("hotline.swap_request", expected), ("hotline.swap_approve", expected)]
    assert AuditLog.objects.get(action="hotline.swap_approve").detail == {
        "hotline": h.city.pk, "shift": h.mine.shift_id, "requested_by": h.counsellor.pk, "taker": h.colleague.pk,
        "offered_shift": None,
    }


def test_a_swap_in_exchange_moves_both_duties(duties, personas):
    h = duties
    swap = rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.colleague, offered=h.theirs)
    rota.decide_swap(actor=personas.jia, swap=swap, approve=True)  # an administrator of the organisation
    assert ShiftAssignment.objects.get(pk=h.mine.pk).counsellor == h.colleague
    assert ShiftAssignment.objects.get(pk=h.theirs.pk).counsellor == h.counsellor
    assert AuditLog.objects.get(action="hotline.swap_approve").detail["offered_shift"] == h.theirs.shift_id


def test_swap_refusals(duties, personas, english):
    h = duties
    with pytest.raises(NotAllowed):  # only the counsellor on duty asks
        rota.request_swap(actor=h.colleague, assignment=h.mine, taker=h.colleague)
    with pytest.raises(NotAllowed):
        rota.request_swap(actor=h.coordinator, assignment=h.mine, taker=h.colleague)
    with pytest.raises(ServiceError) as exc:
        rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.stranger)
    assert exc.value.field == "taker"
    with pytest.raises(ServiceError) as exc:
        rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.counsellor)
    assert exc.value.message == "Choose the colleague who takes the duty."
    with pytest.raises(ServiceError) as exc:  # the offered duty must be the colleague's
        rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.supervisor, offered=h.theirs)
    assert exc.value.message == "Choose one of the colleague's duties on this hotline."
    # The colleague is busy at that time already: refused at once.
    busy = rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 8), counsellor=h.supervisor)
    with pytest.raises(Conflict):
        rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.supervisor)
    rota.unassign(actor=h.coordinator, shift=busy.shift, counsellor=h.supervisor)
    swap = rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.supervisor)
    with pytest.raises(Conflict) as exc:
        rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.colleague)
    assert exc.value.message == "A swap of this duty is already waiting for the coordinator."
    # Deciding: planners only, never one's own request.
    for actor in (h.counsellor, h.colleague, h.supervisor, h.stranger, personas.bing, personas.auditor):
        with pytest.raises(NotAllowed):
            rota.decide_swap(actor=actor, swap=swap, approve=True)
    # A duty with a swap waiting is not taken off the rota.
    with pytest.raises(Conflict):
        rota.unassign(actor=h.coordinator, shift=h.mine.shift, counsellor=h.counsellor)
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.PENDING


def test_approval_checks_double_booking_again(duties, english):
    h = duties
    swap = rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.supervisor)
    # Meanwhile the supervisor was put on an overlapping shift.
    rota.create_pattern(actor=h.coordinator, hotline=h.city, name="加班", starts_at=time(12), hours=6,
                        weekdays="0", allow_overlap=True)
    rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 12), counsellor=h.supervisor)
    with pytest.raises(Conflict) as exc:
        rota.decide_swap(actor=h.coordinator, swap=swap, approve=True)
    assert exc.value.message == (
        "hotline-supervisor is already on duty then: 青岛市总工会心理健康服务基地, 2026-03-02 12:00–18:00."
    )
    assert ShiftAssignment.objects.get(pk=h.mine.pk).counsellor == h.counsellor
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.PENDING
    # Rejecting needs no check.
    assert rota.decide_swap(actor=h.coordinator, swap=swap, approve=False).status == SwapStatus.REJECTED
    assert ShiftAssignment.objects.get(pk=h.mine.pk).counsellor == h.counsellor


def test_approval_after_the_shift_started_is_refused(duties, clock, english):
    h = duties
    swap = rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.colleague)
    clock.move_to(local(MONDAY, 9))
    with pytest.raises(Conflict) as exc:
        rota.decide_swap(actor=h.coordinator, swap=swap, approve=True)
    assert exc.value.message == "A shift of this swap has started: it can no longer be approved."


def test_withdraw_a_swap(duties):
    h = duties
    swap = rota.request_swap(actor=h.counsellor, assignment=h.mine, taker=h.colleague)
    with pytest.raises(NotAllowed):
        rota.withdraw_swap(actor=h.colleague, swap=swap)
    assert rota.withdraw_swap(actor=h.counsellor, swap=swap).status == SwapStatus.CANCELLED
    with pytest.raises(Conflict):
        rota.withdraw_swap(actor=h.counsellor, swap=swap)
    with pytest.raises(Conflict):
        rota.decide_swap(actor=h.coordinator, swap=swap, approve=True)
    assert AuditLog.objects.filter(action="hotline.swap_withdraw").count() == 1


# --- gap notices -----------------------------------------------------------------------------


def test_gaps_are_notified_once_per_shift_and_state(week, clock, settings):
    h = week
    settings.NUANXIN_HOTLINE_GAP_NOTICE_DAYS = 1
    clock.move_to(local(MONDAY, 7))
    # Within a day from Monday 07:00: Monday 08:00 and 16:00, Tuesday 00:00.
    rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 16), counsellor=h.counsellor)
    rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 16), counsellor=h.colleague)
    assert rota.notify_gaps() == 2  # 08:00 (nobody) and Tuesday 00:00 (nobody), to the coordinator
    notes = Notification.objects.filter(recipient=h.coordinator, kind="hotline.shift_gap").order_by("pk")
    assert [n.key for n in notes] == [
        f"hotline.shift_gap:{shift_at(h, MONDAY, 8).pk}:0:{h.coordinator.pk}",
        f"hotline.shift_gap:{shift_at(h, MONDAY + timedelta(days=1), 0).pk}:0:{h.coordinator.pk}",
    ]
    assert notes[0].texts["en"][0] == "Shift 2026-03-02 08:00–16:00 is 2 people short"
    assert notes[0].texts["zh-hans"][1].startswith("青岛市总工会心理健康服务基地")
    assert rota.notify_gaps() == 0  # nothing new
    assert AuditLog.objects.filter(action="hotline.gaps_notified").count() == 1
    assert shift_at(h, MONDAY, 8).gap_notified_at == local(MONDAY, 7)
    # One person taken off the full shift: a new gap state, notified again.
    rota.unassign(actor=h.coordinator, shift=shift_at(h, MONDAY, 16), counsellor=h.colleague)
    assert rota.notify_gaps() == 1
    assert Notification.objects.filter(kind="hotline.shift_gap").count() == 3


def test_without_a_coordinator_the_admins_are_told(week, personas, clock):
    h = week
    member = HotlineMember.objects.get(hotline=h.city, kind=MemberKind.COORDINATOR)
    hotline_services.remove_member(actor=SYSTEM, member=member)
    clock.move_to(local(MONDAY, 7, 30))
    assert rota.notify_gaps() == 9  # every shift starting by Thursday 07:30, to 甲 (city admin)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {personas.jia.pk}


# --- the calendar address --------------------------------------------------------------------


def test_calendar_address(duties, personas, clock):
    h = duties
    feed, token = rota.create_feed(actor=h.counsellor)
    assert len(token) >= 40 and feed.token_hash == rota.feed_hash(token) != token
    assert CalendarFeed.objects.filter(token_hash__contains=token).count() == 0
    assert rota.feed_user(token) == h.counsellor
    assert CalendarFeed.objects.get(pk=feed.pk).last_used_at == local(MONDAY - timedelta(days=3), 10)
    # A new address ends the old one.
    feed2, token2 = rota.create_feed(actor=h.counsellor)
    assert rota.feed_user(token) is None and rota.feed_user(token2) == h.counsellor
    assert AuditLog.objects.filter(action="hotline.calendar_create").order_by("pk").last().detail == {"replaced": 1}
    with pytest.raises(NotAllowed):
        rota.revoke_feed(actor=h.colleague, feed=feed2)
    rota.revoke_feed(actor=h.counsellor, feed=feed2)
    assert rota.feed_user(token2) is None
    assert rota.feed_user("") is None and rota.feed_user("x" * 200) is None
    for outsider in (personas.viewer, personas.jia, h.coordinator):
        with pytest.raises(NotAllowed):
            rota.create_feed(actor=outsider)
    _feed, token3 = rota.create_feed(actor=h.counsellor)
    h.counsellor.is_active = False
    h.counsellor.save()
    assert rota.feed_user(token3) is None


def test_the_calendar_document(duties, clock):
    h = duties
    rota.assign(actor=h.coordinator, shift=shift_at(h, MONDAY, 16), counsellor=h.counsellor)
    body = ical.calendar(h.counsellor).decode()
    assert body.count("BEGIN:VEVENT") == 2
    assert "DTSTART;TZID=Asia/Shanghai:20260302T080000" in body
    assert body.count("BEGIN:VTIMEZONE") == 1 and "TZID:Asia/Shanghai" in body
    assert "DTEND;TZID=Asia/Shanghai:20260303T000000" in body
    assert f"UID:hotline-duty-{h.mine.shift_id}-{h.counsellor.pk}@" in body
    assert "SUMMARY:青岛市总工会心理健康服务基地" in body
    # A duty stays in the feed for 30 days after it ended.
    clock.move_to(local(MONDAY + timedelta(days=30), 20))  # the 08:00–16:00 duty ended 30 days 4 hours ago
    assert ical.calendar(h.counsellor).decode().count("BEGIN:VEVENT") == 1
    clock.move_to(local(MONDAY + timedelta(days=31), 1))
    assert ical.calendar(h.counsellor).decode().count("BEGIN:VEVENT") == 0


def test_a_changed_pattern_does_not_double_its_shifts(three):
    h = three
    rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    morning = h.city.patterns.get(name="早班")
    rota.update_pattern(actor=h.coordinator, pattern=morning, name="早班", starts_at=time(8), hours=9,
                        weekdays="0123456", allow_overlap=True)
    # The week's 08:00 shifts stay 8 hours long; the week after gets 9-hour ones.
    assert rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1) == []
    later = rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY + timedelta(days=7), weeks=1)
    assert shift_at(h, MONDAY, 8).ends_at == local(MONDAY, 16)
    assert [s.ends_at for s in later if s.pattern_id == morning.pk] == [
        local(MONDAY + timedelta(days=7 + n), 17) for n in range(7)
    ]
    # Two patterns starting at the same time (an extra seat, on purpose) both make their shift.
    rota.create_pattern(actor=h.coordinator, hotline=h.city, name="早班加座", starts_at=time(8), hours=4,
                        weekdays="0", min_seats=1, allow_overlap=True)
    [extra] = rota.generate_shifts(actor=h.coordinator, hotline=h.city, start=MONDAY, weeks=1)
    assert (extra.starts_at, extra.ends_at, extra.min_seats) == (local(MONDAY, 8), local(MONDAY, 12), 1)
