"""The weekly turn: duties open, missed ones are marked, cadence, declared end, as_of."""

from datetime import date, timedelta

import pytest

from nuanxin.care import selectors, services, weeks
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import VisitDuty
from nuanxin.care.tests.helpers import W1, at, build_world
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM

W2 = W1 + timedelta(days=7)
W3 = W1 + timedelta(days=14)


def statuses(week):
    return sorted(VisitDuty.objects.filter(week=week).values_list("worker__name", "status"))


def test_weeks_helpers():
    assert weeks.monday(date(2020, 2, 2)) == date(2020, 1, 27)  # a Sunday
    assert weeks.label(date(2020, 1, 27)) == "2020-W05"
    assert weeks.parse("2020-W05") == date(2020, 1, 27)
    assert weeks.parse("2020w05") == date(2020, 1, 27)
    assert weeks.parse("2020-01-29") == date(2020, 1, 27)
    assert weeks.label(date(2020, 12, 28)) == "2020-W53"
    with pytest.raises(ValueError):
        weeks.parse("last week")


def test_assigning_opens_this_weeks_duty_for_aid_team_families_only(personas):
    w = build_world(personas)
    # Assigned on Monday W1: this week's duty exists at once; the CDC team has no cadence.
    assert statuses(W1) == [("北一", "due"), ("安一", "due"), ("安三", "due"), ("安二", "due")]
    assert VisitDuty.objects.count() == 4
    assert VisitDuty.objects.get(worker=w.a1).organisation == personas.shinan_hospital


def test_the_week_turns_duties_open_and_undone_ones_are_missed(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=2)):
        services.record_visit(actor=personas.care, worker=w.a1, on=W1 + timedelta(days=2), mode="phone")
    with at(W2, 0, 10):
        result = services.open_duties()
    assert result["opened"] == 4 and result["missed"] == 3
    assert statuses(W1) == [("北一", "missed"), ("安一", "done"), ("安三", "missed"), ("安二", "missed")]
    assert statuses(W2) == [("北一", "due"), ("安一", "due"), ("安三", "due"), ("安二", "due")]
    assert AuditLog.objects.filter(action="care.duties.turn").count() == 1
    # Running again (a second slot, or by hand) changes nothing and writes no audit row.
    with at(W2, 8):
        assert services.open_duties() == {"opened": 0, "missed": 0, "weeks": {}}
    assert VisitDuty.objects.count() == 8
    assert AuditLog.objects.filter(action="care.duties.turn").count() == 1


def test_catches_up_after_downtime(personas):
    w = build_world(personas)
    with at(W3 + timedelta(days=3)):  # nothing ran for two weeks
        result = services.open_duties()
    assert result["opened"] == 8 and result["missed"] == 8
    assert statuses(W2) == [("北一", "missed"), ("安一", "missed"), ("安三", "missed"), ("安二", "missed")]
    assert VisitDuty.objects.filter(week=W3, status=DutyStatus.DUE).count() == 4
    assert w.campaign.__class__.objects.get(pk=w.campaign.pk).duties_opened_through == W3


def test_no_duties_before_the_assignment_and_rebuild_is_idempotent(personas):
    build_world(personas, assign_on=W2)
    with at(W2, 9):
        services.open_duties(rebuild=True)
    assert VisitDuty.objects.filter(week__lt=W2).count() == 0
    assert VisitDuty.objects.count() == 4


def test_fortnightly_cadence_counts_from_the_campaign_start_week(personas):
    w = build_world(personas)
    with at(W1, 10):
        services.set_cadence(actor=SYSTEM, campaign=w.campaign, cadence={"cdc": "fortnightly"})
    # Start week is 2020-01-20, so W1 (01-27) is an off week for fortnightly teams.
    assert VisitDuty.objects.filter(worker=w.cdc).count() == 0
    with at(W3, 1):
        services.open_duties()
    assert list(VisitDuty.objects.filter(worker=w.cdc).values_list("week", flat=True)) == [W2]
    with at(W3 + timedelta(days=7), 1):
        services.open_duties()
    expected = [W2, W3 + timedelta(days=7)]
    assert sorted(VisitDuty.objects.filter(worker=w.cdc).values_list("week", flat=True)) == expected
    with at(W3 + timedelta(days=14), 1):
        services.open_duties()
    assert sorted(VisitDuty.objects.filter(worker=w.cdc).values_list("week", flat=True)) == expected


def test_cadence_change_applies_from_this_week(personas):
    w = build_world(personas)
    with at(W2, 1):
        services.open_duties()
    with at(W2, 10):
        services.set_cadence(actor=SYSTEM, campaign=w.campaign, cadence={"cdc": "weekly", "hubei_aid": "none"})
    assert statuses(W2) == [("疾控", "due")]
    assert VisitDuty.objects.filter(week=W1).count() == 4  # the past stays as it was
    with pytest.raises(ServiceError):
        services.set_cadence(actor=SYSTEM, campaign=w.campaign, cadence={"cdc": "daily"})
    with pytest.raises(NotAllowed):
        services.set_cadence(actor=personas.yi, campaign=w.campaign, cadence={"cdc": "weekly"})


def test_declaring_the_end_stops_new_duties(personas):
    w = build_world(personas)
    with pytest.raises(NotAllowed):
        services.declare_end(actor=personas.yi, campaign=w.campaign, on=W2 + timedelta(days=2))
    with at(W2, 1):
        services.open_duties()
    with at(W2 + timedelta(days=2)):
        services.declare_end(actor=personas.jia, campaign=w.campaign, on=W2 + timedelta(days=2))
    log = AuditLog.objects.get(action="campaign.declare_end")
    assert log.actor == personas.jia and log.detail["on"] == "2020-02-05"
    with at(W3 + timedelta(days=14), 1):
        result = services.open_duties()
    assert result["opened"] == 0 and result["missed"] == 4  # W2's undone duties
    assert VisitDuty.objects.filter(week__gt=W2).count() == 0
    assert VisitDuty.objects.count() == 8


def test_declaring_the_end_afterwards_withdraws_unfulfilled_later_duties(personas):
    w = build_world(personas)
    with at(W2 + timedelta(days=1)):
        services.open_duties()
        services.record_visit(actor=personas.care, worker=w.a1, on=W2, mode="home")
        services.declare_end(actor=SYSTEM, campaign=w.campaign, on=W1 + timedelta(days=4))
    # W2 was after the end: its duties go, except the one a visit fulfilled.
    assert statuses(W2) == [("安一", "done")]
    with pytest.raises(ServiceError):
        services.declare_end(actor=SYSTEM, campaign=w.campaign, on=date(2019, 12, 31))
    with at(W3, 1):
        services.declare_end(actor=SYSTEM, campaign=w.campaign, on=None)  # withdrawn
        services.open_duties()
    assert VisitDuty.objects.filter(week=W3).count() == 4


def test_excuse_a_week(personas):
    w = build_world(personas)
    duty = VisitDuty.objects.get(worker=w.a2, week=W1)
    with at(W1 + timedelta(days=1)):
        with pytest.raises(ServiceError):
            services.excuse_duty(actor=personas.care, duty=duty, reason=" ")
        with pytest.raises(NotAllowed):
            services.excuse_duty(actor=w.care_sb, duty=duty, reason="家属要求本周不探访")
        services.excuse_duty(actor=personas.care, duty=duty, reason="家属要求本周不探访")
    with at(W2, 1):
        services.open_duties()
    duty.refresh_from_db()
    assert duty.status == DutyStatus.EXCUSED and duty.excuse_reason == "家属要求本周不探访"
    done = VisitDuty.objects.get(worker=w.a1, week=W1)
    with at(W1 + timedelta(days=1)):
        services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="home")
        with pytest.raises(Conflict):
            services.excuse_duty(actor=personas.care, duty=done, reason="x")


def test_status_as_of_a_past_day(personas):
    w = build_world(personas)
    with at(W2, 0, 10):
        services.open_duties()  # W1's duties become missed on Monday W2
    with at(W2 + timedelta(days=1), 15):
        # A visit on Sunday of W1, logged late on Tuesday: W1 becomes done on Tuesday.
        services.record_visit(actor=personas.care, worker=w.a1, on=W1 + timedelta(days=6), mode="phone")

    def as_of(day, worker=None):
        rows = selectors.with_status_as_of(VisitDuty.objects.filter(week=W1), day)
        if worker is not None:
            rows = rows.filter(worker=worker)
        return sorted(rows.values_list("worker__name", "status_as_of"))

    sunday = W1 + timedelta(days=6)
    assert as_of(sunday) == [("北一", "due"), ("安一", "due"), ("安三", "due"), ("安二", "due")]
    assert as_of(W2) == [("北一", "missed"), ("安一", "missed"), ("安三", "missed"), ("安二", "missed")]
    assert as_of(W2 + timedelta(days=1)) == [
        ("北一", "missed"),
        ("安一", "done"),
        ("安三", "missed"),
        ("安二", "missed"),
    ]
    # Before the week began the duty did not exist yet.
    assert as_of(W1 - timedelta(days=1)) == []


def test_opening_a_week_costs_the_same_queries_for_many_families(personas, django_assert_max_num_queries):
    from nuanxin.care.tests.helpers import worker

    w = build_world(personas)
    many = [worker(personas.shinan_hospital, f"职工{i}") for i in range(40)]
    with at(W1, 10):
        services.bulk_assign(actor=SYSTEM, campaign=w.campaign, workers=many, contact=personas.care)
    with at(W2, 1), django_assert_max_num_queries(20):
        result = services.open_duties()
    assert result["opened"] == 44 and result["missed"] == 44
