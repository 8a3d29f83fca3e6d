"""The care demo: every care page has something real to show on the day it is built, and a
second run changes nothing."""

from datetime import date

import pytest
from django.db.models import Count

from nuanxin.accounts.models import User
from nuanxin.care import demo, selectors, services, weeks
from nuanxin.care.choices import DifficultyStatus, DutyStatus
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, Visit, VisitDuty
from nuanxin.care.tests.helpers import at
from nuanxin.core import demo as core_demo
from nuanxin.core.models import AuditLog
from nuanxin.orgs.models import Organisation
from tests.snapshot import built_once

# The shard planner's weight of this file (conftest.py):
# the whole demo, put back in each test (about 45 plain tests' time; whole runs, 2026-12-06).
SHARD_WEIGHT = 45

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.fixture
def built(db):
    """The whole demo at the test's instant: built by the first test, put back for the others
    (tests/snapshot.py)."""
    with at(TODAY, 10):
        built_once(core_demo.build, out=lambda line: None)
        yield


def counts() -> dict:
    return {
        "campaigns": Campaign.objects.count(),
        "assignments": CareAssignment.objects.count(),
        "duties": VisitDuty.objects.count(),
        "visits": Visit.objects.count(),
        "difficulties": Difficulty.objects.count(),
        "users": User.objects.count(),
        "audit": AuditLog.objects.filter(action="care.demo_load").count(),
    }


def test_the_two_campaigns(built):
    old = Campaign.objects.get(name=demo.CAMPAIGN_2020)
    assert (old.starts_on, old.declared_end_on) == (date(2020, 1, 24), date(2020, 5, 8))
    now = Campaign.objects.get(name=demo.CAMPAIGN_NOW)
    assert now.starts_on == date(2026, 10, 5) and now.declared_end_on is None
    assert selectors.current_campaign() == now
    assert now.cadence == {"hubei_aid": "weekly", "cdc": "fortnightly"}
    # 2020: weeks 2020-W05 to 2020-W19, nothing after the declared end.
    old_weeks = sorted({weeks.label(w) for w in VisitDuty.objects.filter(campaign=old).values_list("week", flat=True)})
    assert (old_weeks[0], old_weeks[-1], len(old_weeks)) == ("2020-W05", "2020-W19", 15)


def test_every_duty_state_and_this_weeks_duties(built):
    by_status = dict(VisitDuty.objects.values_list("status").annotate(n=Count("pk")).order_by())
    assert set(by_status) == {DutyStatus.DUE, DutyStatus.DONE, DutyStatus.MISSED, DutyStatus.EXCUSED}
    this_week = weeks.current_week(TODAY)
    assert set(VisitDuty.objects.filter(status=DutyStatus.DUE).values_list("week", flat=True)) == {this_week}
    # The demo care contact has families to visit and visited this week.
    care = User.objects.get(username="demo-care")
    with at(TODAY, 10):
        mine = {d.status for d in selectors.my_week(care)}
    assert mine == {DutyStatus.DUE, DutyStatus.DONE}
    # Every done duty has its visit, in its week.
    done = VisitDuty.objects.filter(status=DutyStatus.DONE).select_related("visit")
    assert all(d.visit is not None and weeks.monday(d.visit.on) == d.week for d in done)


def test_difficulties_in_every_state_some_overdue(built):
    statuses = set(Difficulty.objects.values_list("status", flat=True))
    assert statuses == set(DifficultyStatus.values)
    assert Difficulty.objects.filter(status__in=["open", "in_progress"], due_on__lt=TODAY).count() >= 3
    assert Difficulty.objects.filter(escalation_level__gt=0).count() >= 1
    # The demo care contact's families, and the demo district's, have one in every state.
    care = User.objects.get(username="demo-care")
    assert set(Difficulty.objects.for_user(care).values_list("status", flat=True)) == set(DifficultyStatus.values)
    district = User.objects.get(username="demo-district")
    assert set(Difficulty.objects.for_user(district).values_list("status", flat=True)) == set(DifficultyStatus.values)


def test_assignments_with_history_unassigned_families_and_suggestions(built):
    now = Campaign.objects.get(name=demo.CAMPAIGN_NOW)
    old = Campaign.objects.get(name=demo.CAMPAIGN_2020)
    assert CareAssignment.objects.filter(campaign=old, ended_at__isnull=False).exists()  # reassigned in 2020
    root = Organisation.objects.get(code="QD")
    city = User.objects.get(username="demo-city")
    unassigned = list(selectors.unassigned_families(city, root, now))
    assert {w.organisation.code for w in unassigned} >= {"QD-JM-01", "QD-JZ-01", "QD-PD-01"}
    jm = [w for w in unassigned if w.organisation.code == "QD-JM-01" and w.contact_name_hint]
    suggestions = dict(selectors.suggest_contacts(now, jm))
    assert jm and all([u.username for u in users] == ["demo-care6"] for users in suggestions.values())
    # the rows behind the list are in step with the register after the demo's bulk writes
    assert services.sync_unassigned() == {"added": 0, "removed": 0}


def test_a_second_run_changes_nothing(built):
    before = counts()
    with at(TODAY, 11):
        core_demo.build(out=lambda line: None)
    assert counts() == before
    assert before["audit"] == 1
