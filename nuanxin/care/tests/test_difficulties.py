"""Difficulties: life cycle, timeline, escalation when overdue, imported ones."""

from datetime import date, timedelta

import pytest

from nuanxin.care import services
from nuanxin.care.choices import DifficultySource, DifficultyStatus
from nuanxin.care.models import Difficulty
from nuanxin.care.tests.helpers import W1, at, build_world
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.models import Notification


def test_life_cycle_with_timeline(personas):
    w = build_world(personas)
    day = W1 + timedelta(days=1)
    with at(day, 9):
        d = services.open_difficulty(
            actor=personas.care, worker=w.a1, description="老人独居需照护", category="eldercare"
        )
        assert (d.status, d.owner, d.due_on) == (DifficultyStatus.OPEN, personas.care, day + timedelta(days=14))
        with pytest.raises(ServiceError):
            services.change_difficulty_status(actor=personas.care, difficulty=d, to="closed")
        d = services.change_difficulty_status(actor=personas.care, difficulty=d, to="in_progress", note="已联系社区")
        services.add_difficulty_note(actor=personas.care, difficulty=d, text="社区答应每天上门")
        d = services.change_difficulty_status(actor=personas.care, difficulty=d, to="resolved")
        assert d.resolved_at is not None
        with pytest.raises(NotAllowed):
            services.change_difficulty_status(actor=personas.care, difficulty=d, to="closed")
        d = services.change_difficulty_status(actor=personas.yi, difficulty=d, to="closed", note="回访确认")
        assert d.closed_at is not None
    with at(day + timedelta(days=20)):
        with pytest.raises(ServiceError) as exc:
            services.change_difficulty_status(actor=personas.care, difficulty=d, to="open")
        assert exc.value.field == "note"
        d = services.change_difficulty_status(actor=personas.care, difficulty=d, to="open", note="社区人员被隔离")
    assert (d.status, d.resolved_at, d.closed_at, d.due_on) == ("open", None, None, day + timedelta(days=34))
    timeline = [(n.kind, n.from_status, n.to_status, n.text, n.author) for n in d.notes.all()]
    assert timeline == [
        ("opened", "", "open", "", personas.care),
        ("status", "open", "in_progress", "已联系社区", personas.care),
        ("note", "", "", "社区答应每天上门", personas.care),
        ("status", "in_progress", "resolved", "", personas.care),
        ("status", "resolved", "closed", "回访确认", personas.yi),
        ("status", "closed", "open", "社区人员被隔离", personas.care),
    ]
    assert AuditLog.objects.filter(action="difficulty.transition", object_id=str(d.pk)).count() == 4


def test_out_of_scope_users_cannot_touch_it(personas):
    w = build_world(personas)
    with at(W1):
        d = services.open_difficulty(actor=personas.yi, worker=w.a1, description="缺口罩", category="supplies")
        for actor in (personas.bing, w.care_sb, personas.viewer, personas.counsellor):
            with pytest.raises(NotAllowed):
                services.change_difficulty_status(actor=actor, difficulty=d, to="in_progress")
            with pytest.raises(NotAllowed):
                services.open_difficulty(actor=actor, worker=w.a1, description="x")
        with pytest.raises(ServiceError):
            services.open_difficulty(actor=personas.yi, worker=w.a1, description="x", owner=w.care_sb)


def test_imported_difficulties_join_the_cycle(personas):
    w = build_world(personas)
    with at(W1):
        d = services.open_difficulty(
            actor=SYSTEM, worker=w.a3, description="家中老人需要买药", source=DifficultySource.IMPORT
        )
        assert d.owner == personas.care  # the family's care contact
        services.change_difficulty_status(actor=personas.care, difficulty=d, to="in_progress")
    assert Difficulty.objects.get(pk=d.pk).status == DifficultyStatus.IN_PROGRESS


def test_update_urgency_owner_and_category(personas):
    w = build_world(personas)
    with at(W1):
        d = services.open_difficulty(actor=personas.care, worker=w.a1, description="就医难")
        with pytest.raises(NotAllowed):
            services.update_difficulty(actor=personas.care, difficulty=d, owner=personas.yi)
    with at(W1 + timedelta(days=2)):
        d = services.update_difficulty(
            actor=personas.yi, difficulty=d, urgency="critical", category="medical", owner=personas.yi
        )
    assert (d.urgency, d.category, d.owner, d.due_on) == ("critical", "medical", personas.yi, W1 + timedelta(days=3))
    assert [n.kind for n in d.notes.all()] == ["opened", "owner", "edit"]


def test_overdue_difficulties_escalate_once_per_level(personas, django_capture_on_commit_callbacks):
    w = build_world(personas)
    opened = W1  # urgent: due 3 days later, on Thursday
    with at(opened):
        d = services.open_difficulty(actor=personas.care, worker=w.a1, description="孩子无人照看", urgency="urgent")
    assert d.due_on == date(2020, 1, 30)
    with at(date(2020, 1, 30), 12):
        assert services.escalate_overdue_difficulties() == 0  # due today: not overdue yet
    with at(date(2020, 1, 31), 9, 30), django_capture_on_commit_callbacks(execute=True):
        assert services.escalate_overdue_difficulties() == 1
        assert services.escalate_overdue_difficulties() == 0  # the job running twice
    # Level 1: the parent of 市南区人民医院 is 市南区总工会, whose admin is 乙; the owner is told.
    assert sorted(Notification.objects.values_list("recipient__username", "kind")) == [
        ("care", "care.difficulty_overdue"),
        ("yi", "care.difficulty_escalated"),
    ]
    d.refresh_from_db()
    assert d.escalation_level == 1
    with at(date(2020, 2, 2), 9, 30):
        assert services.escalate_overdue_difficulties() == 0  # still in the first period
    with at(date(2020, 2, 3), 9, 30):
        assert services.escalate_overdue_difficulties() == 1  # 4 days overdue: level 2, the city
        assert services.escalate_overdue_difficulties() == 0
    assert sorted(Notification.objects.values_list("recipient__username", "kind")) == [
        ("care", "care.difficulty_overdue"),
        ("care", "care.difficulty_overdue"),
        ("jia", "care.difficulty_escalated"),
        ("yi", "care.difficulty_escalated"),
    ]
    with at(date(2020, 3, 1), 9, 30):
        assert services.escalate_overdue_difficulties() == 0  # the root is the top
    assert [n.kind for n in Difficulty.objects.get(pk=d.pk).notes.all()] == ["opened", "escalation", "escalation"]
    assert AuditLog.objects.filter(action="difficulty.escalate").count() == 2
    # Resolved ones are no longer escalated; reopened ones start again from level 0.
    with at(date(2020, 3, 1), 10):
        services.change_difficulty_status(actor=personas.care, difficulty=d, to="resolved")
        services.change_difficulty_status(actor=personas.care, difficulty=d, to="open", note="又出现")
    with at(date(2020, 3, 5), 9, 30):
        assert services.escalate_overdue_difficulties() == 1
    assert Notification.objects.filter(recipient=personas.yi).count() == 2
