"""The volunteers' services: teams and leaders, volunteers (mobile, consent), sign-up by link,
assignment, check-in and out with the hours, no-shows, people served, cancellations."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.volunteers.choices import CheckinSource, CheckinStatus
from nuanxin.volunteers.models import Checkin, Team, Volunteer
from nuanxin.volunteers.selectors.report_figures import FIGURES, report_figures
from nuanxin.volunteers.services import shifts, teams
from nuanxin.volunteers.tests.conftest import SHANGHAI, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sign(vw, mobile="13900001111", name="新人", shift=None, consent=True):
    return shifts.sign_up(task=vw.task, shift_id=(shift or vw.shift).pk, name=name, mobile=mobile, consent=consent)


# --- teams and volunteers ---------------------------------------------------------------------


def test_a_team_name_is_once_per_organisation_and_a_leader_needs_the_role(vw):
    with pytest.raises(ServiceError, match="already has a volunteer team named “市南医院志愿队”"):
        teams.create_team(actor=vw.p.yi, organisation=vw.unit, name=" 市南医院志愿队 ")
    with pytest.raises(ServiceError) as refused:
        teams.change_team(actor=vw.p.yi, team=vw.other_team, leader=vw.p.care)
    assert refused.value.field == "leader"
    assert "holds no team leader role on 市南区人民医院工会" in refused.value.message
    team = teams.change_team(actor=vw.p.yi, team=vw.other_team, leader=vw.leader, version=1)
    assert (team.leader_id, team.version) == (vw.leader.pk, 2)
    row = AuditLog.objects.filter(action="volunteers.team.change").latest("id")
    assert row.detail == {"changed": ["leader"], "leader": vw.leader.pk}


def test_the_leader_reaches_only_the_teams_they_lead(vw):
    assert list(Team.objects.for_user(vw.leader, "view")) == [vw.team]
    teams.add_volunteer(actor=vw.leader, team=vw.team, name="领队加的", mobile="13800130009")
    with pytest.raises(NotAllowed):
        teams.add_volunteer(actor=vw.leader, team=vw.other_team, name="别队的", mobile="13800130010")
    with pytest.raises(NotAllowed):
        teams.create_team(actor=vw.leader, organisation=vw.unit, name="领队自开")
    with pytest.raises(NotAllowed):
        teams.change_team(actor=vw.leader, team=vw.team, name="改名")
    with pytest.raises(NotAllowed):
        teams.add_volunteer(actor=vw.p.bing, team=vw.team, name="丙加的", mobile="13800130011")


def test_a_mobile_is_kept_in_e164_shown_masked_and_once_per_team(vw):
    v = teams.add_volunteer(actor=vw.p.yi, team=vw.team, name=" 王 五 ", mobile="138-0013 0003", skills="驾驶")
    assert (v.mobile, teams.mask(v.mobile), v.consent_to_contact, v.consent_at) == (
        "+8613800130003",
        "138****0003",
        False,
        None,
    )
    assert v.joined_on == date(2020, 2, 3)
    with pytest.raises(ServiceError, match=r"already has the mobile 138\*\*\*\*0001"):
        teams.add_volunteer(actor=vw.p.yi, team=vw.team, name="重复", mobile="+86 138 0013 0001")
    with pytest.raises(ServiceError, match="is not a valid phone number"):
        teams.add_volunteer(actor=vw.p.yi, team=vw.team, name="错号", mobile="12345")
    # another team may have the same number
    other = teams.add_volunteer(actor=vw.p.yi, team=vw.other_team, name="志愿甲", mobile="13800130001")
    assert other.mobile == "+8613800130001"


def test_consent_is_recorded_with_its_time_and_cleared_when_withdrawn(vw):
    assert vw.a.consent_at == at(3, 9)
    vw.clock.move_to(at(3, 10))
    b = teams.change_volunteer(actor=vw.leader, volunteer=vw.b, consent_to_contact=True, version=1)
    assert (b.consent_to_contact, b.consent_at, b.version) == (True, at(3, 10), 2)
    a = teams.change_volunteer(actor=vw.leader, volunteer=vw.a, consent_to_contact=False)
    assert (a.consent_to_contact, a.consent_at) == (False, None)


def test_a_volunteer_is_linked_to_a_worker_or_a_user_and_deactivated(vw):
    from nuanxin.registry import services as registry

    worker = registry.create_worker(
        actor=SYSTEM, organisation=vw.unit, name="志愿甲", team="hubei_aid", mobile="13800130001", allow_duplicate=True
    )
    a = teams.change_volunteer(actor=vw.p.yi, volunteer=vw.a, worker=worker, user=vw.p.care, version=1)
    assert (a.worker_id, a.user_id) == (worker.pk, vw.p.care.pk)
    north_worker = registry.create_worker(
        actor=SYSTEM,
        organisation=vw.north_team.organisation,
        name="北人",
        team="hubei_aid",
        mobile="13800139999",
        allow_duplicate=True,
    )
    with pytest.raises(ServiceError, match="another organisation's subtree"):
        teams.change_volunteer(actor=vw.p.yi, volunteer=vw.a, worker=north_worker)
    gone = teams.deactivate_volunteer(actor=vw.leader, volunteer=vw.b, version=1)
    assert gone.active is False
    assert AuditLog.objects.filter(action="volunteers.volunteer.deactivate", object_id=str(vw.b.pk)).count() == 1


# --- sign-up by link ----------------------------------------------------------------------------


def test_sign_up_creates_a_volunteer_then_finds_them_by_mobile(vw):
    done = sign(vw, mobile="139 0000 1111", name=" 李 四 ")
    assert done.new_volunteer is True
    v = done.checkin.volunteer
    assert (v.team_id, v.name, v.mobile, v.consent_to_contact, v.consent_at) == (
        vw.team.pk,
        "李 四",
        "+8613900001111",
        True,
        at(3, 9),
    )
    assert (done.checkin.source, done.checkin.status, len(done.checkin.token)) == (
        CheckinSource.LINK,
        CheckinStatus.SIGNED_UP,
        22,
    )
    later = shifts.add_shift(actor=SYSTEM, task=vw.task, starts_at=at(5, 9), ends_at=at(5, 12), needed=2)
    again = sign(vw, mobile="+8613900001111", name="别的名字", shift=later)
    assert again.new_volunteer is False and again.checkin.volunteer_id == v.pk
    assert Volunteer.objects.filter(team=vw.team, mobile="+8613900001111").count() == 1
    assert Volunteer.objects.get(pk=v.pk).name == "李 四"
    assert AuditLog.objects.filter(action="volunteers.checkin.signup").count() == 2
    assert AuditLog.objects.filter(action="volunteers.volunteer.join").count() == 1


def test_an_existing_volunteer_signs_up_and_gives_consent(vw):
    done = sign(vw, mobile="13800130002", name="志愿乙")
    assert done.new_volunteer is False
    b = Volunteer.objects.get(pk=vw.b.pk)
    assert (b.consent_to_contact, b.consent_at) == (True, at(3, 9))


def test_sign_up_refusals_say_why(vw):
    with pytest.raises(ServiceError, match="Tick the box") as no_consent:
        sign(vw, consent=False)
    assert no_consent.value.field == "consent"
    with pytest.raises(ServiceError, match="Enter your name"):
        sign(vw, name=" ")
    sign(vw)
    with pytest.raises(ServiceError, match=r"You already have a place on this shift \(02-04 09:00\)\."):
        sign(vw, mobile="13900001111")
    sign(vw, mobile="13900002222")
    sign(vw, mobile="13900003333")
    with pytest.raises(ServiceError) as full:
        sign(vw, mobile="13900004444")
    assert (full.value.code, full.value.message) == (
        "full",
        "This shift is full (3 of 3 places taken): choose another one.",
    )
    assert shifts.slots(vw.shift) == "3/3"
    assert not Volunteer.objects.filter(mobile="+8613900004444").exists()
    vw.clock.move_to(at(4, 9))
    with pytest.raises(ServiceError, match=r"This shift has already started \(02-04 09:00\): choose a later one\."):
        sign(vw, mobile="13900005555")
    with pytest.raises(ServiceError, match="Choose one of the shifts listed"):
        shifts.sign_up(task=vw.task, shift_id=999999, name="某", mobile="13900005555", consent=True)
    shifts.change_task(actor=vw.leader, task=vw.task, open_for_signup=False)
    with pytest.raises(ServiceError, match="This sign-up link is closed"):
        sign(vw, mobile="13900005555")


def test_an_inactive_volunteer_cannot_sign_up_by_link(vw):
    teams.deactivate_volunteer(actor=vw.leader, volunteer=vw.a)
    with pytest.raises(ServiceError, match="please call the team leader"):
        sign(vw, mobile="13800130001")


def test_a_new_link_replaces_the_old_one(vw):
    old = vw.task.token
    task = shifts.change_task(actor=vw.leader, task=vw.task, new_link=True)
    assert task.token != old and shifts.task_by_token(old) is None and shifts.task_by_token(task.token) == task


# --- assignment and cancellation ------------------------------------------------------------------


def test_the_leader_assigns_volunteers_of_the_team_only(vw):
    c = shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.a)
    assert (c.source, c.status, c.created_by_id) == (CheckinSource.ASSIGNED, CheckinStatus.SIGNED_UP, vw.leader.pk)
    with pytest.raises(ServiceError, match="志愿甲 already has a place on this shift"):
        shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.a)
    stranger = teams.add_volunteer(actor=SYSTEM, team=vw.other_team, name="别队", mobile="13800130020")
    with pytest.raises(ServiceError, match="Only a volunteer of the task's team"):
        shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=stranger)
    with pytest.raises(NotAllowed):
        shifts.assign(actor=vw.p.bing, shift=vw.shift, volunteer=vw.b)
    vw.clock.move_to(at(4, 12))
    with pytest.raises(ServiceError, match="This shift is over"):
        shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.b)


def test_a_cancelled_place_frees_the_slot_and_can_be_taken_again(vw):
    done = sign(vw)
    assert shifts.slots(vw.shift) == "1/3"
    shifts.cancel(actor=None, checkin=done.checkin)
    assert shifts.slots(vw.shift) == "0/3"
    again = sign(vw)
    assert again.checkin.pk == done.checkin.pk and again.checkin.status == CheckinStatus.SIGNED_UP
    vw.clock.move_to(at(4, 9, 1))
    with pytest.raises(ServiceError, match=r"The shift has started: call the team leader to cancel\."):
        shifts.cancel(actor=None, checkin=done.checkin)
    cancelled = shifts.cancel(actor=vw.leader, checkin=done.checkin)
    assert cancelled.status == CheckinStatus.CANCELLED


# --- check-in, check-out, hours ----------------------------------------------------------------


def test_check_in_and_out_by_link_count_the_hours_within_the_shift(vw):
    c = sign(vw).checkin
    vw.clock.move_to(at(4, 7, 59))
    with pytest.raises(ServiceError, match=r"Check-in opens an hour before the shift starts \(02-04 09:00\)\."):
        shifts.check_in(actor=None, checkin=c)
    with pytest.raises(ServiceError, match="Check in first"):
        shifts.check_out(actor=None, checkin=c)
    vw.clock.move_to(at(4, 8, 50))
    c = shifts.check_in(actor=None, checkin=c)
    assert (c.status, c.checked_in_at) == (CheckinStatus.CHECKED_IN, at(4, 8, 50))
    with pytest.raises(ServiceError, match=r"Already checked in at 02-04 08:50\."):
        shifts.check_in(actor=None, checkin=c)
    vw.clock.move_to(at(4, 12, 30))
    c = shifts.check_out(actor=None, checkin=c)
    assert (c.status, c.checked_out_at, c.hours) == (CheckinStatus.DONE, at(4, 12, 30), Decimal("3.00"))
    with pytest.raises(ServiceError, match=r"Already checked out at 02-04 12:30\."):
        shifts.check_out(actor=None, checkin=c)


def test_the_leader_checks_in_and_out_with_the_times_given(vw):
    c = shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.a)
    vw.clock.move_to(at(4, 13))
    with pytest.raises(ServiceError, match="This shift is over"):
        shifts.check_in(actor=None, checkin=c)
    vw.clock.move_to(at(4, 11))
    c = shifts.check_in(actor=vw.leader, checkin=c, at=at(4, 9, 15))
    vw.clock.move_to(at(4, 14))
    c = shifts.check_out(actor=vw.leader, checkin=c, at=at(4, 11, 45))
    assert (c.checked_in_at, c.checked_out_at, c.hours) == (at(4, 9, 15), at(4, 11, 45), Decimal("2.50"))
    with pytest.raises(NotAllowed):
        shifts.check_in(actor=vw.p.bing, checkin=c)


def test_hours_are_capped_by_the_shift_and_never_negative(vw):
    s = vw.shift
    assert shifts.compute_hours(s, at(4, 7), at(4, 15)) == Decimal("3.00")
    assert shifts.compute_hours(s, at(4, 10), at(4, 10, 20)) == Decimal("0.33")
    assert shifts.compute_hours(s, at(4, 12, 30), at(4, 13)) == Decimal("0.00")
    assert shifts.compute_hours(s, at(4, 8), at(4, 8, 30)) == Decimal("0.00")


# --- no-shows and people served ---------------------------------------------------------------------


def test_no_shows_are_recorded_after_the_shift_ends_by_the_leader_or_the_job(vw):
    came = shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.a)
    missing = shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.b)
    vw.clock.move_to(at(4, 9))
    shifts.check_in(actor=None, checkin=came)
    with pytest.raises(ServiceError, match=r"No-shows are recorded after the shift ends \(02-04 12:00\)\."):
        shifts.mark_no_shows(actor=vw.leader, shift=vw.shift)
    vw.clock.move_to(at(4, 12))
    assert shifts.mark_due_no_shows() == 1
    assert shifts.mark_due_no_shows() == 0
    assert Checkin.objects.get(pk=missing.pk).status == CheckinStatus.NO_SHOW
    assert Checkin.objects.get(pk=came.pk).status == CheckinStatus.CHECKED_IN
    assert shifts.mark_no_shows(actor=vw.leader, shift=vw.shift) == 0
    row = AuditLog.objects.get(action="volunteers.shift.no_shows")
    assert row.detail == {"count": 1, "volunteers": [vw.b.pk]}
    with pytest.raises(ServiceError, match="You were recorded as not coming"):
        vw.clock.move_to(at(4, 11))
        shifts.check_in(actor=None, checkin=missing)
    # the leader corrects it after the shift: came from the start, hours up to the end
    vw.clock.move_to(at(4, 18))
    corrected = shifts.check_in(actor=vw.leader, checkin=missing)
    assert (corrected.status, corrected.checked_in_at) == (CheckinStatus.CHECKED_IN, at(4, 9))
    corrected = shifts.check_out(actor=vw.leader, checkin=missing)
    assert (corrected.checked_out_at, corrected.hours) == (at(4, 18), Decimal("3.00"))


def test_people_served_from_the_start_of_the_shift(vw):
    with pytest.raises(ServiceError, match="once the shift has started"):
        shifts.set_people_served(actor=vw.leader, shift=vw.shift, people_served=10)
    vw.clock.move_to(at(4, 12))
    with pytest.raises(ServiceError, match="whole number, 0 or more"):
        shifts.set_people_served(actor=vw.leader, shift=vw.shift, people_served=-1)
    s = shifts.set_people_served(actor=vw.leader, shift=vw.shift, people_served=420, version=1)
    assert (s.people_served, s.version) == (420, 2)


def test_a_shift_cannot_need_fewer_than_the_places_taken(vw):
    sign(vw)
    sign(vw, mobile="13900002222")
    with pytest.raises(ServiceError, match="2 people already have a place on this shift"):
        shifts.change_shift(actor=vw.leader, shift=vw.shift, needed=1)
    with pytest.raises(ServiceError, match="A shift ends after it starts"):
        shifts.add_shift(actor=vw.leader, task=vw.task, starts_at=at(5, 9), ends_at=at(5, 9), needed=1)


# --- the figures for the reports ----------------------------------------------------------------------


def _work(vw, volunteer, day, start, end, served=None, needed=2):
    shift = shifts.add_shift(actor=SYSTEM, task=vw.task, starts_at=at(day, start), ends_at=at(day, end), needed=needed)
    c = shifts.assign(actor=SYSTEM, shift=shift, volunteer=volunteer)
    vw.clock.move_to(at(day, start))
    shifts.check_in(actor=None, checkin=c)
    vw.clock.move_to(at(day, end))
    shifts.check_out(actor=None, checkin=c)
    if served is not None:
        shifts.set_people_served(actor=SYSTEM, shift=shift, people_served=served)
    return shift


def test_report_figures_roll_up_the_tree(vw, django_assert_max_num_queries):
    _work(vw, vw.a, 10, 8, 13, served=300)  # 5 h
    _work(vw, vw.a, 12, 9, 12, served=120)  # 3 h: 志愿甲 8 h in all, active
    _work(vw, vw.b, 12, 14, 18)  # 4 h
    teams.add_volunteer(actor=SYSTEM, team=vw.north_team, name="北甲", mobile="13800130030")
    teams.change_team(actor=SYSTEM, team=vw.other_team, active=False)
    p = vw.p
    paths = [p.shinan_hospital.path, p.shinan.path, p.shibei.path, p.city.path]
    with django_assert_max_num_queries(5):
        figures = report_figures(paths, date(2020, 2, 1), date(2020, 2, 29))
    assert set(figures[p.city.path]) == set(FIGURES)
    assert figures[p.shinan_hospital.path] == {
        "volunteer_teams": 1,
        "volunteers": 2,
        "volunteers_active": 1,
        "volunteer_hours": Decimal("12.00"),
        "people_served": 420,
    }
    assert figures[p.shinan.path] == figures[p.shinan_hospital.path]
    assert figures[p.shibei.path] == {
        "volunteer_teams": 1,
        "volunteers": 1,
        "volunteers_active": 0,
        "volunteer_hours": Decimal("0.00"),
        "people_served": 0,
    }
    assert figures[p.city.path]["volunteers"] == 3 and figures[p.city.path]["volunteer_teams"] == 2
    # the 12th only: 7 h, 120 served; 志愿甲 still active (8 h in the 30 days up to the 12th)
    day = report_figures([p.shinan.path], date(2020, 2, 12), date(2020, 2, 12))[p.shinan.path]
    assert (day["volunteer_hours"], day["people_served"], day["volunteers_active"]) == (Decimal("7.00"), 120, 1)
    # the 10th: 志愿甲 has only 5 h up to then
    assert (
        report_figures([p.shinan.path], date(2020, 2, 10), date(2020, 2, 10))[p.shinan.path]["volunteers_active"] == 0
    )
    # a month later, 30 days after the 12th have passed: nobody active
    assert report_figures([p.city.path], date(2020, 3, 13), date(2020, 3, 13))[p.city.path]["volunteers_active"] == 0
    assert report_figures([], date(2020, 2, 1), date(2020, 2, 29)) == {}


def test_report_figures_count_what_existed_by_the_end(vw):
    p = vw.p
    before = report_figures([p.shinan.path], date(2020, 1, 1), date(2020, 1, 31))[p.shinan.path]
    assert (before["volunteer_teams"], before["volunteers"]) == (0, 0)


# --- review fixes: people served at most 100,000; no two overlapping places; check-out ----------------


def test_people_served_on_one_shift_are_at_most_100000(vw):
    vw.clock.move_to(at(4, 12))
    for wrong in (100_001, 99_999_999_999, "99999999999"):
        with pytest.raises(ServiceError) as refused:
            shifts.set_people_served(actor=vw.leader, shift=vw.shift, people_served=wrong)
        assert (refused.value.field, refused.value.message) == (
            "people_served",
            f"{int(wrong)} people served on one shift is more than 100000: check the number.",
        )
    vw.shift.refresh_from_db()
    assert (vw.shift.people_served, vw.shift.version) == (None, 1)
    s = shifts.set_people_served(actor=vw.leader, shift=vw.shift, people_served=100_000, version=1)
    assert (s.people_served, s.version) == (100_000, 2)


def test_a_volunteer_cannot_hold_places_on_two_overlapping_shifts(vw):
    other_task = shifts.create_task(actor=SYSTEM, team=vw.team, title="配送物资", place="职工服务站")
    overlapping = shifts.add_shift(actor=SYSTEM, task=other_task, starts_at=at(4, 11), ends_at=at(4, 14), needed=3)
    after = shifts.add_shift(actor=SYSTEM, task=other_task, starts_at=at(4, 12), ends_at=at(4, 14), needed=3)
    shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.a)  # 09:00–12:00
    with pytest.raises(ServiceError) as refused:
        shifts.assign(actor=vw.leader, shift=overlapping, volunteer=vw.a)
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        "overlap",
        "volunteer",
        "志愿甲 already has a place on “核酸采样点协助” at 02-04 09:00–12:00, at the same time as this shift.",
    )
    # by the link: the same volunteer's mobile
    with pytest.raises(ServiceError) as by_link:
        shifts.sign_up(task=other_task, shift_id=overlapping.pk, name="志愿甲", mobile="13800130001", consent=True)
    assert (by_link.value.code, by_link.value.field, by_link.value.message) == (
        "overlap",
        "shift",
        "You already have a place on “核酸采样点协助” at 02-04 09:00–12:00, at the same time as this shift: "
        "choose another one.",
    )
    assert Checkin.objects.filter(volunteer=vw.a).count() == 1
    # one ending when the other starts does not overlap; nor does a place given up
    assert shifts.assign(actor=vw.leader, shift=after, volunteer=vw.a).status == CheckinStatus.SIGNED_UP
    b_place = shifts.assign(actor=vw.leader, shift=overlapping, volunteer=vw.b)
    shifts.cancel(actor=vw.leader, checkin=b_place)
    assert shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.b).status == CheckinStatus.SIGNED_UP
    # the place given up is not taken again while it overlaps
    with pytest.raises(ServiceError, match="志愿乙 already has a place on “核酸采样点协助” at 02-04 09:00–12:00"):
        shifts.assign(actor=vw.leader, shift=overlapping, volunteer=vw.b)
    assert Checkin.objects.get(pk=b_place.pk).status == CheckinStatus.CANCELLED


def test_a_shift_moved_onto_another_of_its_volunteers_is_refused(vw):
    later = shifts.add_shift(actor=SYSTEM, task=vw.task, starts_at=at(4, 14), ends_at=at(4, 17), needed=2)
    shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    shifts.assign(actor=SYSTEM, shift=later, volunteer=vw.a)
    with pytest.raises(ServiceError) as refused:
        shifts.change_shift(actor=vw.leader, shift=later, starts_at=at(4, 11, 30), version=1)
    assert (refused.value.code, refused.value.message) == (
        "overlap",
        "志愿甲 already has a place on “核酸采样点协助” at 02-04 09:00–12:00, at the same time as this shift.",
    )
    later.refresh_from_db()
    assert (later.starts_at, later.version) == (at(4, 14), 1)
    assert shifts.change_shift(actor=vw.leader, shift=later, starts_at=at(4, 12), version=1).starts_at == at(4, 12)


def test_a_no_show_is_not_corrected_onto_an_overlapping_place(vw):
    missed = shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)  # 09:00–12:00
    running = shifts.add_shift(actor=SYSTEM, task=vw.task, starts_at=at(4, 11), ends_at=at(4, 15), needed=2)
    vw.clock.move_to(at(4, 12))
    shifts.mark_no_shows(actor=vw.leader, shift=vw.shift)
    shifts.assign(actor=vw.leader, shift=running, volunteer=vw.a)  # the no-show holds no place
    with pytest.raises(ServiceError) as refused:
        shifts.check_in(actor=vw.leader, checkin=missed)
    assert (refused.value.code, refused.value.message) == (
        "overlap",
        "志愿甲 already has a place on “核酸采样点协助” at 02-04 11:00–15:00, at the same time as this shift.",
    )
    assert Checkin.objects.get(pk=missed.pk).status == CheckinStatus.NO_SHOW


def test_no_check_out_by_link_before_the_shift_starts(vw):
    c = sign(vw).checkin
    vw.clock.move_to(at(4, 8, 20))
    c = shifts.check_in(actor=None, checkin=c)  # early check-in is fine
    vw.clock.move_to(at(4, 8, 21))
    with pytest.raises(ServiceError) as refused:
        shifts.check_out(actor=None, checkin=c)
    assert (refused.value.code, refused.value.message) == (
        "not_started",
        "The shift starts at 02-04 09:00: you can check out once it has started.",
    )
    c.refresh_from_db()
    assert (c.status, c.checked_out_at, c.hours) == (CheckinStatus.CHECKED_IN, None, Decimal("0.00"))
    vw.clock.move_to(at(4, 9))
    c = shifts.check_out(actor=None, checkin=c)
    assert (c.status, c.hours) == (CheckinStatus.DONE, Decimal("0.00"))


def test_the_leader_may_check_out_before_the_start(vw):
    c = shifts.assign(actor=vw.leader, shift=vw.shift, volunteer=vw.a)
    vw.clock.move_to(at(4, 8, 30))
    shifts.check_in(actor=vw.leader, checkin=c)
    vw.clock.move_to(at(4, 8, 45))
    c = shifts.check_out(actor=vw.leader, checkin=c)  # left before the start: 0 hours
    assert (c.status, c.checked_out_at, c.hours) == (CheckinStatus.DONE, at(4, 8, 45), Decimal("0.00"))


def test_a_check_out_by_mistake_is_undone_by_link_within_ten_minutes_or_by_the_leader(vw):
    c = sign(vw).checkin
    vw.clock.move_to(at(4, 9))
    shifts.check_in(actor=None, checkin=c)
    vw.clock.move_to(at(4, 10))
    c = shifts.check_out(actor=None, checkin=c)
    assert c.hours == Decimal("1.00")
    vw.clock.move_to(at(4, 10, 10))
    assert shifts.may_undo_check_out(c, at(4, 10, 10)) is True
    c = shifts.undo_check_out(actor=None, checkin=c)
    assert (c.status, c.checked_in_at, c.checked_out_at, c.hours, c.version) == (
        CheckinStatus.CHECKED_IN,
        at(4, 9),
        None,
        Decimal("0"),
        4,
    )
    row = AuditLog.objects.get(action="volunteers.checkin.undo_out")
    assert (row.actor_id, row.detail) == (
        None,
        {"shift": vw.shift.pk, "undone_check_out": "02-04 10:00", "hours": "1.00"},
    )
    with pytest.raises(ServiceError, match=r"Only a place checked out can have its check-out undone\."):
        shifts.undo_check_out(actor=None, checkin=c)
    vw.clock.move_to(at(4, 12))
    c = shifts.check_out(actor=None, checkin=c)
    assert c.hours == Decimal("3.00")
    vw.clock.move_to(datetime(2020, 2, 4, 12, 10, 1, tzinfo=SHANGHAI))
    with pytest.raises(ServiceError) as late:
        shifts.undo_check_out(actor=None, checkin=c)
    assert (late.value.code, late.value.message) == (
        "too_late",
        "A check-out can be undone within 10 minutes only: ask the team leader.",
    )
    with pytest.raises(NotAllowed):
        shifts.undo_check_out(actor=vw.p.bing, checkin=c)
    c = shifts.undo_check_out(actor=vw.leader, checkin=c)
    assert (c.status, c.hours) == (CheckinStatus.CHECKED_IN, Decimal("0"))
    assert AuditLog.objects.filter(action="volunteers.checkin.undo_out").latest("id").actor_id == vw.leader.pk
