"""Putting a callback in a hotline's queue (``services.cases.open_callback``), the interface the
calls and the self-assessments call."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import callers
from nuanxin.hotline.models import Assessment, Call, Callback, CallbackNote
from nuanxin.hotline.services import cases as services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 3, 9, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages compared in English."""


def test_a_self_assessment_puts_a_callback_in_the_queue(h):
    assessment = Assessment.objects.create(hotline=h.city, scale="GAD-7", answers=[2] * 7, score=14,
                                           band="moderate", flagged=True, source="public")
    with time_machine.travel(NOW, tick=False):
        callback = services.open_callback(
            actor=SYSTEM, hotline=h.city, number="+86 138-0000-1234", due_at=NOW + timedelta(hours=72),
            severity="moderate", assessment=assessment,
        )
    callback.refresh_from_db()
    assert (callback.status, callback.owner_id, callback.severity, callback.urgency) == ("due", None, "moderate",
                                                                                         "normal")
    assert callback.number == "+8613800001234"
    assert callback.caller_key == callers.caller_key("13800001234")
    assert (callback.due_at, callback.due_on.isoformat()) == (NOW + timedelta(hours=72), "2020-02-06")
    assert (callback.hotline_id, callback.organisation_id, callback.assessment_id) == (h.city.pk, h.medical.pk,
                                                                                       assessment.pk)
    assert list(CallbackNote.objects.filter(callback=callback).values_list("kind", "to_status")) == [("opened", "due")]
    row = AuditLog.objects.get(action="hotline.callback.open", object_id=str(callback.pk))
    assert row.actor_id is None
    assert row.detail == {"hotline": h.city.pk, "call": None, "assessment": assessment.pk, "crisis": None,
                          "preferred": None}  # ids only: no severity


def test_a_counsellor_opening_one_during_a_call_does_not_own_it(h):
    call = Call.objects.create(hotline=h.city, started_at=NOW, counsellor=h.counsellor, same_counsellor=True)
    callback = services.open_callback(
        actor=h.counsellor, hotline=h.city, number="0532-85669120", due_at=NOW, severity="call", call=call,
        preferred_counsellor=h.counsellor,
    )
    callback.refresh_from_db()
    assert callback.owner_id is None
    assert callback.preferred_counsellor_id == h.counsellor.pk
    assert callback.number == "+8653285669120"
    assert callback.created_by_id == h.counsellor.pk


def test_a_second_callback_for_the_same_call_makes_the_first_more_urgent(h):
    call = Call.objects.create(hotline=h.city, started_at=NOW, counsellor=h.counsellor)
    first = services.open_callback(actor=h.counsellor, hotline=h.city, number="13800001234",
                                   due_at=NOW + timedelta(hours=24), severity="severe", call=call)
    assert first.urgency == "urgent"
    same = services.open_callback(actor=h.counsellor, hotline=h.city, number="13800001234",
                                  due_at=NOW + timedelta(hours=48), severity="moderate", call=call)
    assert same.pk == first.pk
    same.refresh_from_db()
    assert (same.severity, same.due_at) == ("severe", NOW + timedelta(hours=24))  # nothing less urgent
    crisis = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="high", reason="x")
    merged = services.open_callback(actor=h.counsellor, hotline=h.city, number="13800001234", due_at=NOW,
                                    severity="crisis", call=call, crisis=crisis)
    merged.refresh_from_db()
    assert merged.pk == first.pk
    assert (merged.severity, merged.urgency, merged.due_at, merged.crisis_id) == ("crisis", "critical", NOW, crisis.pk)
    assert Callback.objects.count() == 1
    row = AuditLog.objects.get(action="hotline.callback.update", object_id=str(first.pk))
    assert row.detail == {"changed": ["crisis", "due_at", "due_on", "severity", "urgency"]}


def test_refusals_leave_nothing(h, personas):
    other_call = Call.objects.create(hotline=h.other, started_at=NOW)
    base = dict(actor=h.counsellor, hotline=h.city, number="13800001234", due_at=NOW, severity="moderate")
    cases = [
        (dict(actor=h.stranger), NotAllowed, "Only a counsellor of the hotline opens a callback."),
        (dict(actor=personas.viewer), NotAllowed, "Only a counsellor of the hotline opens a callback."),
        (dict(number=""), ServiceError, "“” is not a phone number."),
        (dict(number="abc"), ServiceError, "“abc” is not a phone number."),
        (dict(due_at=datetime(2020, 2, 3, 9, 0)), ServiceError, "Give a date and time."),
        (dict(due_at="tomorrow"), ServiceError, "Give a date and time."),
        (dict(severity=""), ServiceError, "Give the callback's severity."),
        (dict(severity="x" * 17), ServiceError, "Give the callback's severity."),
        (dict(call=other_call), ServiceError, "The record belongs to another hotline."),
        (dict(preferred_counsellor=h.stranger), ServiceError, "hotline-stranger does not serve this hotline."),
        (dict(preferred_counsellor=h.coordinator), ServiceError, "hotline-coordinator does not serve this hotline."),
    ]
    for change, error, message in cases:
        with pytest.raises(error) as refused:
            services.open_callback(**{**base, **change})
        assert str(refused.value) == message, change
    assert Callback.objects.count() == 0
    assert not AuditLog.objects.filter(action__startswith="hotline.callback").exists()
