"""A declared life cycle: what it allows, what it derives, what it refuses to declare."""

from datetime import date
from typing import Any

import pytest
from django.db import models

from nuanxin.care.choices import DIFFICULTY_LIFECYCLE, DIFFICULTY_TRANSITIONS
from nuanxin.cases.lifecycle import LifeCycle, Transition, Urgency


class Callback(models.TextChoices):
    WAITING = "waiting", "Waiting"
    CALLED = "called", "Called back"
    DONE = "done", "Done"


def callback_lifecycle(**overrides: Any) -> LifeCycle:
    declared = {
        "statuses": Callback,
        "initial": Callback.WAITING,
        "active": frozenset({Callback.WAITING}),
        "transitions": (
            Transition(Callback.WAITING, Callback.CALLED),
            Transition(Callback.CALLED, Callback.DONE, action="manage"),
            Transition(Callback.DONE, Callback.WAITING, reason=True),
        ),
        "due_days": {Urgency.NORMAL: 2, Urgency.URGENT: 1, Urgency.CRITICAL: 1},
        "stamps": {Callback.DONE: "closed_at"},
        "audit_prefix": "callback",
    }
    return LifeCycle(**{**declared, **overrides})


def test_what_a_life_cycle_derives() -> None:
    cycle = callback_lifecycle()
    assert cycle.table() == {
        "waiting": frozenset({"called"}),
        "called": frozenset({"done"}),
        "done": frozenset({"waiting"}),
    }
    close = cycle.transition("called", "done")
    assert close is not None and close.action == "manage"
    assert cycle.transition("waiting", "done") is None
    assert cycle.reopens("done", "waiting") and not cycle.reopens("waiting", "called")
    assert cycle.needs_reason("done", "waiting") and not cycle.needs_reason("waiting", "called")
    assert cycle.reason_targets("done", ["waiting"]) == ["waiting"]
    assert cycle.due_on(Urgency.NORMAL, date(2020, 1, 30)) == date(2020, 2, 1)
    assert cycle.label("called") == "Called back"
    assert cycle.is_active("waiting") and not cycle.is_active("called")


def test_a_life_cycle_naming_unknown_statuses_is_refused() -> None:
    with pytest.raises(AssertionError):
        callback_lifecycle(initial="lost")
    with pytest.raises(AssertionError):
        callback_lifecycle(active=frozenset({"lost"}))
    with pytest.raises(AssertionError):
        callback_lifecycle(transitions=(Transition("waiting", "lost"),))
    with pytest.raises(AssertionError):
        callback_lifecycle(stamps={"lost": "closed_at"})


def test_the_difficulty_life_cycle_is_the_one_care_always_had() -> None:
    assert DIFFICULTY_TRANSITIONS == {
        "open": frozenset({"in_progress", "resolved"}),
        "in_progress": frozenset({"open", "resolved"}),
        "resolved": frozenset({"closed", "open"}),
        "closed": frozenset({"open"}),
    }
    assert DIFFICULTY_LIFECYCLE.active == frozenset({"open", "in_progress"})
    assert dict(DIFFICULTY_LIFECYCLE.due_days) == {"normal": 14, "urgent": 3, "critical": 1}
    # closing is for administrators; a reopen from resolved or closed needs a reason
    assert {(t.source, t.target) for t in DIFFICULTY_LIFECYCLE.transitions if t.action} == {("resolved", "closed")}
    assert {(t.source, t.target) for t in DIFFICULTY_LIFECYCLE.transitions if t.reason} == {
        ("resolved", "open"),
        ("closed", "open"),
    }
