"""What a call sets going in area E's cases: a high or imminent risk opens one crisis case
(with a crisis callback due now when the caller left a number), a callback the caller agreed
to goes into the queue once, for the same counsellor when asked."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from nuanxin.hotline.choices import CallOutcome, RiskLevel
from nuanxin.hotline.models import Callback, CrisisCase
from nuanxin.hotline.services import calls as services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def log(h, **kwargs):
    values = {"actor": h.counsellor, "hotline": h.city, "started_at": NOW - timedelta(minutes=40),
              "ended_at": NOW - timedelta(minutes=1)}
    values.update(kwargs)
    return services.record_call(**values)


def test_a_high_risk_call_opens_one_crisis_case_with_a_callback_due_now(h):
    call = log(h, risk=RiskLevel.HIGH, callback_consent=True, callback_number="13800001234",
               outcome=CallOutcome.CRISIS)
    case = CrisisCase.objects.get()
    assert (case.call, case.hotline, case.risk) == (call, h.city, "high")
    assert case.reason == "call_high"  # a code, put into words when shown (area E's services.cases)
    assert case.contact_number == "+8613800001234"
    callback = Callback.objects.get()
    assert (callback.crisis, callback.call, callback.severity, callback.due_at) == (case, call, "crisis", NOW)
    # Editing the call again opens nothing more.
    services.update_call(actor=h.counsellor, call=call, version=1, notes="补充", risk=RiskLevel.IMMINENT)
    assert CrisisCase.objects.count() == 1
    assert Callback.objects.count() == 1


def test_an_imminent_risk_without_a_number_opens_a_crisis_case_without_callback(h):
    log(h, risk=RiskLevel.IMMINENT, outcome=CallOutcome.CRISIS)
    case = CrisisCase.objects.get()
    assert (case.risk, case.contact_number, case.due_at) == ("imminent", "", NOW)
    assert Callback.objects.count() == 0


def test_raising_the_risk_on_an_edit_opens_the_crisis_case(h):
    call = log(h, risk=RiskLevel.MEDIUM)
    assert CrisisCase.objects.count() == 0
    services.update_call(actor=h.colleague, call=call, version=1, risk=RiskLevel.HIGH)
    assert CrisisCase.objects.get().call == call


@override_settings(NUANXIN_HOTLINE_CALL_CALLBACK_HOURS=48)
def test_an_arranged_callback_goes_into_the_queue_once_for_the_same_counsellor(h):
    call = log(h, risk=RiskLevel.LOW, callback_consent=True, callback_number="13800001234",
               same_counsellor=True, outcome=CallOutcome.CALLBACK)
    callback = Callback.objects.get()
    assert callback.call == call
    assert callback.number == "+8613800001234"
    assert callback.due_at == NOW + timedelta(hours=48)
    assert callback.severity == "low"
    assert callback.preferred_counsellor == h.counsellor
    assert callback.owner is None
    services.update_call(actor=h.counsellor, call=call, version=1, notes="再补充")
    assert Callback.objects.count() == 1


def test_a_callback_without_asking_for_the_counsellor_has_no_preference(h):
    log(h, callback_consent=True, callback_number="13800001234", outcome=CallOutcome.CALLBACK)
    callback = Callback.objects.get()
    assert callback.preferred_counsellor is None
    assert callback.due_at == NOW + timedelta(hours=24)


def test_consent_without_arranging_a_callback_opens_none(h):
    log(h, callback_consent=True, callback_number="13800001234", outcome=CallOutcome.SUPPORTED)
    assert Callback.objects.count() == 0


def test_a_crisis_call_with_a_callback_arranged_keeps_one_crisis_callback_for_the_counsellor(h):
    call = log(h, risk=RiskLevel.HIGH, callback_consent=True, callback_number="13800001234",
               same_counsellor=True, outcome=CallOutcome.CALLBACK)
    callback = Callback.objects.get()
    assert (callback.call, callback.severity, callback.due_at) == (call, "crisis", NOW)
    assert callback.preferred_counsellor == h.counsellor
