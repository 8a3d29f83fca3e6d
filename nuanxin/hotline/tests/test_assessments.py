"""``services.assessments.take``: the result stored with the hotline, nothing identifying kept
without consent (PIPL art. 29), refusals that save nothing, the audit row, and the follow-up:
a crisis answer opens a crisis case, a result at or above the cut-off or a request to be called
puts a callback in the queue, due by severity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import callers
from nuanxin.hotline.choices import AssessmentSource
from nuanxin.hotline.models import Assessment, Call, Callback, CrisisCase
from nuanxin.hotline.services import assessments

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
GAD7_SEVERE = [3, 3, 3, 2, 2, 2, 1]  # 16
GAD7_MODERATE = [2, 2, 2, 1, 1, 1, 1]  # 10
GAD7_MILD = [1, 1, 1, 1, 1, 1, 0]  # 6
GAD7_MINIMAL = [1, 1, 0, 0, 0, 0, 0]  # 2
PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]  # 1, minimal, crisis
PHQ9_MOD_SEVERE = [2, 2, 2, 2, 2, 2, 2, 1, 0]  # 15


def _call(h, counsellor=None) -> Call:
    return Call.objects.create(hotline=h.city, line=h.line, counsellor=counsellor or h.counsellor, started_at=NOW)


@time_machine.travel(NOW, tick=False)
def test_a_counsellor_records_a_gad7_during_a_call(h):
    call = _call(h)
    row = assessments.take(
        actor=h.counsellor, scale="GAD-7", answers=GAD7_MODERATE, source=AssessmentSource.CALL, call=call
    )
    row.refresh_from_db()
    assert (row.hotline, row.call, row.scale, row.answers, row.score, row.standard_score, row.band) == (
        h.city,
        call,
        "GAD-7",
        GAD7_MODERATE,
        10,
        None,
        "moderate",
    )
    assert (row.flagged, row.crisis, row.source, row.created_by) == (True, False, "call", h.counsellor)
    assert (row.mobile, row.caller_key, row.callback_consent, row.consented_at) == ("", "", False, None)
    assert row.created_at == NOW
    # Flagged but no number: nobody to call back.
    assert Callback.objects.count() == 0
    log = AuditLog.objects.get(action="hotline.assessment.take")
    assert (log.actor, log.organisation, log.object_id) == (h.counsellor, h.medical, str(row.pk))
    # The audit trail names the record by kind and id, never the scale, the answers, the score or the band.
    assert log.object_repr == f"测评 #{row.pk}"
    assert log.detail == {
        "source": "call",
        "hotline": h.city.pk,
        "call": call.pk,
        "callback_consent": False,
    }


def test_sas_stores_the_standard_score(h):
    row = assessments.take(actor=h.supervisor, scale="sas", answers=[2] * 20, hotline=h.city, source="api")
    assert (row.scale, row.score, row.standard_score, row.band, row.flagged) == ("SAS", 45, 56, "mild", True)


@time_machine.travel(NOW, tick=False)
def test_the_mobile_is_kept_only_with_consent(h):
    row = assessments.take(
        actor=SYSTEM,
        scale="GAD-7",
        answers=GAD7_MINIMAL,
        hotline=h.city,
        source="public",
        mobile="138 0013 8000",
        consent=True,
    )
    row.refresh_from_db()
    assert (row.mobile, row.callback_consent, row.consented_at) == ("+8613800138000", True, NOW)
    assert row.caller_key == callers.caller_key("+8613800138000") and len(row.caller_key) == 64


@pytest.mark.parametrize(
    ("mobile", "consent", "field", "message"),
    [
        (
            "13800138000",
            False,
            "consent",
            "We keep a number only with your consent: tick the box to agree to be called back, "
            "or leave the number empty.",
        ),
        ("", True, "mobile", "Enter the mobile number to call back."),
        ("12", True, "mobile", "“12” is not a phone number."),
    ],
)
def test_number_and_consent_go_together(h, english, mobile, consent, field, message):
    with pytest.raises(ServiceError) as refused:
        assessments.take(
            actor=SYSTEM,
            scale="GAD-7",
            answers=GAD7_SEVERE,
            hotline=h.city,
            source="public",
            mobile=mobile,
            consent=consent,
        )
    assert (refused.value.field, refused.value.message) == (field, message)
    assert Assessment.objects.count() == 0
    assert Callback.objects.count() == 0
    assert AuditLog.objects.filter(action="hotline.assessment.take").count() == 0


@pytest.mark.parametrize(
    ("scale", "answers", "field", "message"),
    [
        ("BDI", [0] * 21, "scale", "There is no scale “BDI”: choose one of GAD-7, PHQ-9, SAS."),
        ("GAD-7", [0] * 6, "answers", "GAD-7 has 7 questions: answer each of them once (6 answers were given)."),
        ("SAS", [0] * 20, "answers", "The answer to question 1 must be one of 1, 2, 3, 4, not 0."),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(h, english, scale, answers, field, message):
    with pytest.raises(ServiceError) as refused:
        assessments.take(actor=h.counsellor, scale=scale, answers=answers, hotline=h.city, source="api")
    assert (refused.value.field, refused.value.message) == (field, message)
    assert Assessment.objects.count() == 0


def test_only_the_hotlines_counsellors_and_supervisors_record(h, personas, english):
    for outsider in (h.stranger, h.coordinator, personas.jia, personas.viewer, personas.auditor):
        with pytest.raises(NotAllowed) as refused:
            assessments.take(actor=outsider, scale="GAD-7", answers=GAD7_MILD, hotline=h.city, source="api")
        assert refused.value.message == "Only a counsellor or supervisor of the hotline records an assessment."
    # No hotline: nobody but the system may keep an assessment without one.
    with pytest.raises(NotAllowed):
        assessments.take(actor=h.counsellor, scale="GAD-7", answers=GAD7_MILD, source="api")
    assert Assessment.objects.count() == 0
    assert (
        assessments.take(actor=h.colleague, scale="GAD-7", answers=GAD7_MILD, hotline=h.city, source="api").band
        == "mild"
    )


def test_a_public_assessment_needs_an_open_hotline(h, english):
    h.city.self_assessment_open = False
    h.city.save()
    with pytest.raises(ServiceError) as refused:
        assessments.take(actor=SYSTEM, scale="GAD-7", answers=GAD7_MILD, hotline=h.city, source="public")
    assert refused.value.message == "This hotline's self-assessment is closed."
    with pytest.raises(ServiceError) as refused:
        assessments.take(actor=SYSTEM, scale="GAD-7", answers=GAD7_MILD, source="public")
    assert refused.value.message == "Name the hotline of the self-assessment."
    with pytest.raises(ServiceError) as refused:
        assessments.take(actor=SYSTEM, scale="GAD-7", answers=GAD7_MILD, hotline=h.city, source="somewhere")
    assert refused.value.field == "source"
    assert Assessment.objects.count() == 0


def test_a_call_of_another_hotline_is_refused(h, english):
    call = _call(h)
    with pytest.raises(ServiceError) as refused:
        assessments.take(actor=SYSTEM, scale="GAD-7", answers=GAD7_MILD, hotline=h.other, source="call", call=call)
    assert (refused.value.field, refused.value.message) == ("call", "The call belongs to another hotline.")


# --- the follow-up: crisis cases and callbacks (area E's services) --------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_crisis_answer_opens_a_crisis_case_and_a_callback_due_now(h):
    row = assessments.take(
        actor=SYSTEM,
        scale="PHQ-9",
        answers=PHQ9_ITEM9,
        hotline=h.city,
        source="public",
        mobile="13800138001",
        consent=True,
    )
    assert (row.score, row.band, row.flagged, row.crisis) == (1, "minimal", False, True)
    crisis = CrisisCase.objects.get()
    assert (crisis.hotline, crisis.assessment, crisis.risk, crisis.contact_number) == (
        h.city,
        row,
        "high",
        "+8613800138001",
    )
    assert crisis.reason == "phq9_item9"  # area E stores the rule's code, put into words when shown
    callback = Callback.objects.get()
    assert (callback.hotline, callback.severity, callback.due_at, callback.number, callback.owner) == (
        h.city,
        "crisis",
        NOW,
        "+8613800138001",
        None,
    )


@time_machine.travel(NOW, tick=False)
def test_a_crisis_answer_without_a_number_still_opens_the_crisis_case(h):
    row = assessments.take(actor=SYSTEM, scale="PHQ-9", answers=PHQ9_ITEM9, hotline=h.city, source="public")
    assert CrisisCase.objects.get().assessment == row
    assert Callback.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_crisis_answer_during_a_call_joins_the_calls_crisis_case(h):
    from nuanxin.hotline.services import cases

    call = _call(h)
    existing = cases.open_crisis(actor=h.counsellor, hotline=h.city, risk="high", reason="call", call=call)
    assessments.take(actor=h.counsellor, scale="PHQ-9", answers=PHQ9_ITEM9, source="call", call=call)
    assert list(CrisisCase.objects.all()) == [existing]


@pytest.mark.parametrize(
    ("scale", "answers", "severity", "hours"),
    [
        ("GAD-7", GAD7_SEVERE, "severe", 24),
        ("GAD-7", GAD7_MODERATE, "moderate", 72),
        ("PHQ-9", PHQ9_MOD_SEVERE, "mod_severe", 24),
        ("SAS", [2] * 20, "mild", 120),  # flagged (56) in the mild band
        ("GAD-7", GAD7_MILD, "mild", 120),  # not flagged: asked to be called
        ("GAD-7", GAD7_MINIMAL, "minimal", 120),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_a_callback_is_due_by_severity(h, scale, answers, severity, hours):
    row = assessments.take(
        actor=SYSTEM, scale=scale, answers=answers, hotline=h.city, source="public", mobile="13800138002", consent=True
    )
    callback = Callback.objects.get()
    assert (callback.assessment, callback.severity, callback.due_at, callback.number) == (
        row,
        severity,
        NOW + timedelta(hours=hours),
        "+8613800138002",
    )
    assert CrisisCase.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_the_callback_hours_are_a_setting(h, settings):
    settings.NUANXIN_HOTLINE_CALLBACK_HOURS = {"severe": 4}
    assert assessments.callback_hours() == {"crisis": 0, "severe": 4, "moderate": 72, "mild": 120}
    assessments.take(
        actor=SYSTEM,
        scale="GAD-7",
        answers=GAD7_SEVERE,
        hotline=h.city,
        source="public",
        mobile="13800138003",
        consent=True,
    )
    assert Callback.objects.get().due_at == NOW + timedelta(hours=4)


def test_a_flagged_result_without_a_number_puts_nothing_in_the_queue(h):
    assessments.take(actor=SYSTEM, scale="GAD-7", answers=GAD7_SEVERE, hotline=h.city, source="public")
    assert Callback.objects.count() == 0
    assert CrisisCase.objects.count() == 0
    assert Assessment.objects.get().flagged is True


@time_machine.travel(NOW, tick=False)
def test_a_callback_asked_for_after_the_result(h, english):
    row = assessments.take(actor=SYSTEM, scale="GAD-7", answers=GAD7_MODERATE, hotline=h.city, source="public")
    with pytest.raises(ServiceError) as refused:
        assessments.request_callback(actor=SYSTEM, assessment=row, mobile="13800138004", consent=False)
    assert (refused.value.field, refused.value.message) == (
        "consent",
        "Tick the box to agree that the hotline keeps your number and calls you back.",
    )
    assert Callback.objects.count() == 0
    assessments.request_callback(actor=SYSTEM, assessment=row, mobile="13800138004", consent=True)
    row.refresh_from_db()
    assert (row.mobile, row.callback_consent, row.consented_at) == ("+8613800138004", True, NOW)
    callback = Callback.objects.get()
    assert (callback.assessment, callback.severity, callback.due_at) == (row, "moderate", NOW + timedelta(hours=72))
    log = AuditLog.objects.get(action="hotline.assessment.callback")
    assert log.detail == {"hotline": h.city.pk, "callback_consent": True}
    with pytest.raises(ServiceError) as refused:
        assessments.request_callback(actor=SYSTEM, assessment=row, mobile="13800138005", consent=True)
    assert refused.value.message == "A callback has already been asked for."
    # A counsellor of another hotline may not add a number to this record.
    other = assessments.take(actor=SYSTEM, scale="GAD-7", answers=GAD7_MILD, hotline=h.city, source="public")
    with pytest.raises(NotAllowed):
        assessments.request_callback(actor=h.stranger, assessment=other, mobile="13800138006", consent=True)
    assert Callback.objects.count() == 1
