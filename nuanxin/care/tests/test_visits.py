"""Visits: what they record, the duty of their week, history and optimistic concurrency."""

from datetime import timedelta
from decimal import Decimal

import pytest

from nuanxin.care import services
from nuanxin.care.choices import DifficultySource, DutyStatus
from nuanxin.care.models import Difficulty, Visit, VisitDuty
from nuanxin.care.tests.helpers import W1, at, build_world
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog

W2 = W1 + timedelta(days=7)


def duty(worker, week=W1):
    return VisitDuty.objects.get(worker=worker, week=week)


def test_record_a_visit_with_necessities_and_difficulties(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=1), 15):
        visit = services.record_visit(
            actor=personas.care,
            worker=w.a1,
            on=W1 + timedelta(days=1),
            mode="home",
            visitors="王主席、李干事",
            state_of_mind="情绪稳定，挂念在武汉的爱人",
            opinions="希望孩子的网课有人辅导",
            items=[
                {"item": "大米", "quantity": "2", "unit": "袋", "value": "120.50"},
                {"item": "口罩", "quantity": 50, "value": "¥75"},
                {"item": "", "quantity": "", "value": ""},  # an empty form row is ignored
            ],
            difficulties=[{"description": "孩子网课无人辅导", "category": "childcare", "urgency": "urgent"}],
        )
    assert visit.campaign == w.campaign and visit.recorded_by == personas.care
    assert [(i.item, i.quantity, i.unit, i.value) for i in visit.items.all()] == [
        ("大米", Decimal("2.00"), "袋", Decimal("120.50")),
        ("口罩", Decimal("50.00"), "", Decimal("75.00")),
    ]
    d = duty(w.a1)
    assert d.status == DutyStatus.DONE and d.visit == visit and d.done_at is not None
    difficulty = Difficulty.objects.get()
    assert (difficulty.source, difficulty.visit, difficulty.owner, difficulty.category) == (
        DifficultySource.VISIT,
        visit,
        personas.care,
        "childcare",
    )
    assert str(difficulty.due_on) == "2020-01-31"  # urgent: 3 days
    assert AuditLog.objects.filter(action="visit.record", object_id=str(visit.pk)).count() == 1
    assert duty(w.a2).status == DutyStatus.DUE


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"mode": "letter"}, "mode"),
        ({"items": [{"item": "米", "quantity": "-1"}]}, "items.0.quantity"),
        ({"items": [{"item": "米", "value": "abc"}]}, "items.0.value"),
        ({"items": [{"item": "", "value": "10"}]}, "items.0.item"),
        ({"on": W1 + timedelta(days=5)}, "on"),  # in the future
    ],
)
def test_bad_visits_are_refused_and_nothing_is_saved(personas, kwargs, field):
    w = build_world(personas)
    values = {"on": W1, "mode": "phone", **kwargs}
    with at(W1 + timedelta(days=1)), pytest.raises(ServiceError) as exc:
        services.record_visit(actor=personas.care, worker=w.a1, **values)
    assert exc.value.field == field
    assert Visit.objects.count() == 0


def test_only_the_familys_contact_or_an_admin_logs_visits(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=1)):
        with pytest.raises(NotAllowed):
            services.record_visit(actor=personas.bing, worker=w.a1, on=W1, mode="phone")
        with pytest.raises(NotAllowed):
            services.record_visit(actor=w.care_sb, worker=w.a1, on=W1, mode="phone")
        with pytest.raises(NotAllowed):
            services.record_visit(actor=personas.viewer, worker=w.a1, on=W1, mode="phone")
        services.unassign(actor=personas.yi, campaign=w.campaign, worker=w.a2)
        with pytest.raises(NotAllowed):
            services.record_visit(actor=personas.care, worker=w.a2, on=W1, mode="phone")
        services.record_visit(actor=personas.yi, worker=w.a2, on=W1, mode="phone")
    assert duty(w.a2).status == DutyStatus.DONE


def test_moving_or_deleting_a_visit_recomputes_the_weeks(personas):
    w = build_world(personas)
    with at(W2, 1):
        services.open_duties()
    with at(W2 + timedelta(days=1)):
        visit = services.record_visit(actor=personas.care, worker=w.a1, on=W1 + timedelta(days=3), mode="home")
        assert duty(w.a1, W1).status == DutyStatus.DONE  # logged late: missed → done
        visit = services.update_visit(actor=personas.care, visit=visit, version=1, on=W2)
        assert (duty(w.a1, W1).status, duty(w.a1, W2).status) == (DutyStatus.MISSED, DutyStatus.DONE)
        services.delete_visit(actor=personas.care, visit=visit, version=visit.version)
    assert (duty(w.a1, W1).status, duty(w.a1, W2).status) == (DutyStatus.MISSED, DutyStatus.DUE)
    assert duty(w.a1, W2).visit is None
    assert Visit.history.filter(id=visit.pk).count() == 3  # created, changed, deleted
    assert AuditLog.objects.filter(action="visit.delete").count() == 1


def test_a_second_visit_in_the_week_keeps_it_done_when_the_first_goes(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=3)):
        first = services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone")
        second = services.record_visit(actor=personas.care, worker=w.a1, on=W1 + timedelta(days=2), mode="home")
        assert duty(w.a1).visit == first
        services.delete_visit(actor=personas.yi, visit=first)
    assert duty(w.a1).status == DutyStatus.DONE and duty(w.a1).visit == second


def test_two_people_editing_the_same_visit_do_not_overwrite_each_other(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=1), 10):
        visit = services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone", notes="first")
    opened_by_care = Visit.objects.get(pk=visit.pk)  # both open the form at version 1
    opened_by_yi = Visit.objects.get(pk=visit.pk)
    with at(W1 + timedelta(days=1), 11):
        services.update_visit(
            actor=personas.yi, visit=opened_by_yi, version=opened_by_yi.version, notes="乙's correction"
        )
    with at(W1 + timedelta(days=1), 12), pytest.raises(Conflict) as exc:
        services.update_visit(
            actor=personas.care,
            visit=opened_by_care,
            version=opened_by_care.version,
            notes="care's text",
            items=[{"item": "牛奶", "value": "30"}],
        )
    assert "乙" in exc.value.message and "2020-01-28 11:00" in exc.value.message
    visit.refresh_from_db()
    assert (visit.notes, visit.version, visit.items.count()) == ("乙's correction", 2, 0)
    # Reloaded at version 2, the care contact's edit goes through.
    with at(W1 + timedelta(days=1), 13):
        visit = services.update_visit(
            actor=personas.care, visit=visit, version=2, notes="care's text", items=[{"item": "牛奶", "value": "30"}]
        )
    assert (visit.notes, visit.version, [i.item for i in visit.items.all()]) == ("care's text", 3, ["牛奶"])
    history = list(Visit.history.filter(id=visit.pk).order_by("history_id").values_list("notes", "history_user"))
    assert history == [
        ("first", personas.care.pk),
        ("乙's correction", personas.yi.pk),
        ("care's text", personas.care.pk),
    ]


def test_an_edit_that_changes_nothing_keeps_the_version(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=1)):
        visit = services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone", notes="x")
        visit = services.update_visit(actor=personas.care, visit=visit, version=1, notes="x", items=[])
    assert visit.version == 1
    with pytest.raises(ServiceError):
        services.update_visit(actor=personas.care, visit=visit, version=1, worker=w.a2)
