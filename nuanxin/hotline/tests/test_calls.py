"""Call records: what a counsellor may log, the refusals with their messages, the edit's
version check, the repeat caller's earlier contacts (this hotline's only) and the exact
register lookup, all audited without free text or numbers."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import callers
from nuanxin.hotline.choices import CallerKind, CallOutcome, Channel, Intervention, RiskLevel, Topic
from nuanxin.hotline.models import Call
from nuanxin.hotline.selectors import calls as selectors
from nuanxin.hotline.services import calls as services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

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
    values = {
        "actor": h.counsellor,
        "hotline": h.city,
        "started_at": NOW - timedelta(minutes=70),
        "ended_at": NOW - timedelta(minutes=5),
        "line": h.line,
    }
    values.update(kwargs)
    return services.record_call(**values)


def refusal(h, **kwargs) -> ServiceError:
    with pytest.raises(ServiceError) as exc:
        log(h, **kwargs)
    return exc.value


def test_a_counsellor_logs_an_anonymous_call(h):
    call = log(
        h,
        channel=Channel.PHONE,
        caller_kind=CallerKind.FAMILY,
        gender="f",
        age_band="30-39",
        topics=[Topic.SLEEP, Topic.INFECTION, Topic.SLEEP],
        interventions=[Intervention.RELAXATION, Intervention.LISTENING],
        technique="",
        risk=RiskLevel.LOW,
        notes="担心在一线的丈夫，失眠两周。",
    )
    call.refresh_from_db()
    assert call.counsellor == h.counsellor
    assert call.created_by == h.counsellor
    assert call.duration_minutes == 65
    assert call.topics == ["infection", "sleep"]  # known codes, no repeats, in the topics' order
    assert call.interventions == ["listening", "relaxation"]
    assert call.callback_number == "" and call.caller_key == ""
    assert call.worker_id is None and call.family_member_id is None
    assert call.version == 1
    row = AuditLog.objects.get(action="hotline.call.record")
    assert row.object_id == str(call.pk)
    assert row.organisation == h.medical
    assert row.detail == {
        "hotline": h.city.pk,
        "minutes": 65,
        "notes_chars": 14,
        "topic_note_chars": 0,
        "technique_chars": 0,
    }
    assert row.object_repr == f"call #{call.pk}"
    assert "失眠" not in str(row.detail)


def test_a_call_in_progress_has_no_end_yet(h):
    call = log(h, ended_at=None)
    assert call.duration_minutes is None


def test_a_named_technique_and_another_topic_imply_their_codes(h):
    call = log(h, interventions=[], technique="正念呼吸", topics=[], topic_note="孩子网课")
    assert call.interventions == ["technique"]
    assert call.topics == ["other"]
    assert refusal(h, interventions=["technique"], technique="").message == "Name the technique used."


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"ended_at": NOW - timedelta(minutes=80)}, "ended_at", "The call cannot end before it started."),
        ({"started_at": NOW + timedelta(minutes=30), "ended_at": None}, "started_at",
         "A call cannot start in the future."),
        ({"ended_at": NOW + timedelta(minutes=30)}, "ended_at", "A call cannot end in the future."),
        ({"started_at": NOW - timedelta(hours=13)}, "ended_at",
         "A call lasts at most 12 hours: check the start and the end."),
        ({"started_at": NOW - timedelta(days=400), "ended_at": None}, "started_at",
         "A call can be logged up to 365 days after it took place."),
        ({"started_at": "yesterday"}, "started_at", "Enter the start as a date and time."),
        ({"channel": "fax"}, "channel", "Choose the channel of the call."),
        ({"caller_kind": "alien"}, "caller_kind", "Choose who called."),
        ({"risk": "extreme"}, "risk", "Choose the risk level."),
        ({"outcome": "lunch"}, "outcome", "Choose the outcome of the call."),
        ({"topics": ["sleep", "money"]}, "topics", "Unknown topics: money."),
        ({"callback_number": "13800001234"}, "callback_number",
         "The caller's number is kept only with their consent to a callback: tick the consent, or leave the "
         "number out."),
        ({"callback_consent": True}, "callback_number", "Enter the number to call back."),
        ({"callback_consent": True, "callback_number": "12"}, "callback_number", "“12” is not a phone number."),
        ({"outcome": CallOutcome.CALLBACK}, "callback_consent",
         "A callback needs the caller's consent and the number to call."),
        ({"notes": "x" * 5001}, "notes", "At most 5000 characters, now 5001."),
        ({"notes": "坏\u202e字"}, "notes",
         "notes contains invisible control characters (U+202E), such as ones that reverse the direction of the "
         "text: type it again rather than pasting it."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(h, kwargs, field, message):
    error = refusal(h, **kwargs)
    assert (error.field, error.message) == (field, message)
    assert Call.objects.count() == 0
    assert AuditLog.objects.filter(action="hotline.call.record").count() == 0


def test_a_line_of_another_hotline_is_refused(h):
    error = refusal(h, line=h.other_line)
    assert (error.field, error.message) == ("line", "This line is not one of this hotline's lines.")


def test_only_the_hotlines_counsellors_and_supervisors_log_its_calls(personas, h):
    for outsider in (h.stranger, h.coordinator, personas.jia, personas.viewer, personas.auditor, personas.bing):
        with pytest.raises(NotAllowed) as exc:
            log(h, actor=outsider)
        assert exc.value.message == "Only a counsellor of this hotline logs its calls."
    assert log(h, actor=h.supervisor).counsellor == h.supervisor
    assert Call.objects.count() == 1


def test_only_a_supervisor_or_the_system_logs_for_another_counsellor(h):
    with pytest.raises(NotAllowed):
        log(h, actor=h.counsellor, counsellor=h.colleague)
    assert log(h, actor=h.supervisor, counsellor=h.colleague).counsellor == h.colleague
    assert log(h, actor=SYSTEM, counsellor=h.colleague).created_by is None
    error = refusal(h, actor=SYSTEM, counsellor=h.stranger)
    assert error.field == "counsellor"


def test_consent_keeps_the_number_and_its_key(h):
    call = log(h, callback_consent=True, callback_number="138 0000 1234", same_counsellor=True)
    assert call.callback_number == "+8613800001234"
    assert call.caller_key == callers.caller_key("13800001234")
    detail = AuditLog.objects.get(action="hotline.call.record").detail
    assert "1234" not in str(detail)


def test_an_edit_starts_from_the_version_it_read(h):
    call = log(h, notes="first")
    updated = services.update_call(actor=h.colleague, call=call, version=1, risk=RiskLevel.MEDIUM, notes="second")
    assert (updated.version, updated.risk, updated.notes) == (2, "medium", "second")
    with pytest.raises(Conflict) as exc:
        services.update_call(actor=h.counsellor, call=call, version=1, notes="third")
    assert exc.value.message.startswith("someone else changed this call record at 2026-03-02 10:00")
    call.refresh_from_db()
    assert call.notes == "second"
    row = AuditLog.objects.get(action="hotline.call.update")
    assert row.detail == {
        "hotline": h.city.pk,
        "minutes": 65,
        "notes_chars": 6,
        "topic_note_chars": 0,
        "technique_chars": 0,
        "fields": 2,
        "version": 2,
    }
    assert row.object_repr == f"call #{call.pk}"


def test_an_edit_without_change_saves_nothing(h):
    call = log(h)
    same = services.update_call(actor=h.counsellor, call=call, version=1, notes="")
    assert same.version == 1
    assert AuditLog.objects.filter(action="hotline.call.update").count() == 0


def test_withdrawing_consent_drops_the_number(h):
    call = log(h, callback_consent=True, callback_number="13800001234")
    call = services.update_call(actor=h.counsellor, call=call, version=1, callback_consent=False)
    assert (call.callback_number, call.caller_key) == ("", "")


def test_an_edit_is_refused_outside_the_hotline_and_for_unknown_fields(h):
    call = log(h)
    with pytest.raises(NotAllowed):
        services.update_call(actor=h.stranger, call=call, version=1, notes="x")
    with pytest.raises(ServiceError) as exc:
        services.update_call(actor=h.counsellor, call=call, version=1, hotline=h.other)
    assert exc.value.message == "These fields cannot be changed: hotline."


def test_earlier_contacts_are_this_hotlines_only_and_audited(h):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        first = log(h, started_at=NOW - timedelta(days=3, hours=1), ended_at=None, callback_consent=True,
                    callback_number="13800001234", topics=["sleep"])
    log(h, callback_consent=True, callback_number="13900009999")  # someone else
    services.record_call(actor=h.stranger, hotline=h.other, started_at=NOW - timedelta(hours=2),
                         callback_consent=True, callback_number="13800001234")  # another hotline
    shown = selectors.earlier_contacts(h.counsellor, h.city, "+86 138-0000-1234")
    assert shown == [first]
    row = AuditLog.objects.get(action="hotline.call.caller_history")
    assert row.detail == {"hotline": h.city.pk, "calls": [first.pk]}
    assert row.actor == h.counsellor
    with pytest.raises(NotAllowed):
        selectors.earlier_contacts(h.stranger, h.city, "13800001234")
    assert AuditLog.objects.filter(action="hotline.call.caller_history").count() == 1


def test_the_register_lookup_is_exact_inside_the_subtree_and_audited(personas, h):
    inside = registry_services.create_worker(
        actor=SYSTEM, organisation=h.medical, name="王护士", team=TeamType.HUBEI_AID, mobile="13700001111"
    )
    registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="外单位", team=TeamType.HUBEI_AID,
        mobile="13700002222",
    )
    assert selectors.find_registered(h.counsellor, h.city, "137 0000 1111", CallerKind.WORKER) == inside
    assert selectors.find_registered(h.counsellor, h.city, "13700002222", CallerKind.WORKER) is None
    assert selectors.find_registered(h.counsellor, h.city, "13700003333", CallerKind.WORKER) is None
    with pytest.raises(ServiceError):  # not a number: refused before any lookup
        selectors.find_registered(h.counsellor, h.city, "1370000111", CallerKind.WORKER)
    rows = list(AuditLog.objects.filter(action="hotline.register_lookup").order_by("id"))
    assert [r.detail for r in rows] == [{"hotline": h.city.pk, "found": n} for n in (1, 0, 0)]
    assert "13700001111" not in str([r.detail for r in rows])
    with pytest.raises(NotAllowed):
        selectors.find_registered(personas.jia, h.city, "13700001111", CallerKind.WORKER)
    call = log(h, worker=inside)
    assert call.worker == inside
    outside = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shibei_hospital, name="北区", team=TeamType.HUBEI_AID,
        mobile="13700003333",
    )
    assert refusal(h, worker=outside).message == "This worker is not in the hotline's organisation."
    assert refusal(h, worker=inside, caller_kind=CallerKind.PUBLIC).message == (
        "Only a worker's call can be linked to a worker."
    )


def test_the_list_filters_by_day_risk_and_counsellor(h):
    a = log(h, started_at=NOW - timedelta(days=2), ended_at=None, risk=RiskLevel.LOW)
    b = log(h, actor=h.colleague, started_at=NOW - timedelta(hours=1), ended_at=None)
    services.record_call(actor=h.stranger, hotline=h.other, started_at=NOW - timedelta(hours=1))
    assert list(selectors.calls(h.counsellor)) == [b, a]
    assert list(selectors.calls(h.counsellor, risk="low")) == [a]
    assert list(selectors.calls(h.counsellor, counsellor=h.colleague)) == [b]
    today = timezone.localdate()
    assert list(selectors.calls(h.counsellor, start=today, end=today)) == [b]
    assert list(selectors.calls(h.coordinator)) == []
    with pytest.raises(ServiceError):
        selectors.calls(h.counsellor, start=today, end=today - timedelta(days=1))


# --- numbers: only a number a person can be reached on ------------------------------------


@pytest.mark.parametrize(
    ("given", "e164"),
    [
        ("13800001234", "+8613800001234"),
        ("+86 138 0000 1234", "+8613800001234"),
        ("138-0000-1234", "+8613800001234"),
        ("0532-85669120", "+8653285669120"),
        ("010 12345678", "+861012345678"),
    ],
)
def test_a_mobile_or_a_landline_with_its_area_code_is_a_number(given, e164):
    assert callers.normalise(given) == e164


@pytest.mark.parametrize("given", ["12345", "+8612345", "1370000111", "138000012345", "85669120", "abc", ""])
def test_a_number_that_only_looks_possible_is_refused(given):
    with pytest.raises(ServiceError) as exc:
        callers.normalise(given, field="callback_number")
    assert (exc.value.field, exc.value.message) == ("callback_number", f"“{given}” is not a phone number.")


@pytest.mark.parametrize("given", ["400-8692-525", "4008692525", "800-810-8888"])
def test_a_service_number_is_no_callers_number(given):
    with pytest.raises(ServiceError) as exc:
        callers.normalise(given)
    assert exc.value.message == (
        f"“{given}” is a service number (400/800): enter a mobile or a landline (with its area code) the caller "
        "can be reached on."
    )


def test_a_call_with_a_nonsense_callback_number_saves_nothing(h):
    with pytest.raises(ServiceError) as exc:
        log(h, callback_consent=True, callback_number="12345", outcome=CallOutcome.CALLBACK)
    assert (exc.value.field, exc.value.message) == ("callback_number", "“12345” is not a phone number.")
    assert Call.objects.count() == 0
    assert AuditLog.objects.filter(action__startswith="hotline.call").count() == 0


# --- the audit trail holds no clinical value ------------------------------------------------


def test_the_audit_rows_of_calls_and_referrals_hold_ids_counts_and_lengths_only(h):
    from nuanxin.hotline.services import referrals

    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=h.medical, name="王护士", team=TeamType.HUBEI_AID, mobile="13700001111"
    )
    call = log(
        h,
        caller_kind=CallerKind.WORKER,
        worker=worker,
        gender="f",
        age_band="30-39",
        topics=[Topic.SLEEP, Topic.GRIEF],
        topic_note="婆媳关系",
        interventions=[Intervention.TECHNIQUE],
        technique="空椅子",
        risk=RiskLevel.MEDIUM,
        callback_consent=True,
        callback_number="13800001234",
        same_counsellor=True,
        outcome=CallOutcome.SUPPORTED,
        notes="失眠两周",
    )
    services.update_call(actor=h.counsellor, call=call, version=1, outcome=CallOutcome.REFERRED, age_band="40-49")
    selectors.find_registered(h.counsellor, h.city, "13700001111", CallerKind.WORKER)
    selectors.earlier_contacts(h.counsellor, h.city, "13800001234")
    referrals.refer(actor=h.counsellor, call=call, target="legal_aid", note="法律援助")
    rows = list(
        AuditLog.objects.filter(
            action__in=[
                "hotline.call.record",
                "hotline.call.update",
                "hotline.register_lookup",
                "hotline.call.caller_history",
                "hotline.referral.create",
            ]
        ).order_by("id")
    )
    assert [r.action for r in rows] == [
        "hotline.call.record",
        "hotline.call.update",
        "hotline.register_lookup",
        "hotline.call.caller_history",
        "hotline.referral.create",
    ]
    allowed = {
        "hotline", "call", "calls", "found", "minutes", "notes_chars", "topic_note_chars", "technique_chars",
        "fields", "version", "summary", "note", "difficulty",
    }
    clinical = [
        "worker", "family", "female", "30-39", "40-49", "sleep", "grief", "technique", "medium", "supported",
        "referred", "legal_aid", "1234", "1111", "婆媳", "空椅子", "失眠", "法律",
    ]
    for row in rows:
        assert set(row.detail) <= allowed, row.detail
        values = json.dumps(list(row.detail.values()), ensure_ascii=False)
        assert [word for word in clinical if word in values] == [], row.action
        assert all(v is None or isinstance(v, int) or (isinstance(v, list) and all(isinstance(i, int) for i in v))
                   for v in row.detail.values()), row.detail
    record, update, lookup, history, referral = rows
    assert record.object_repr == f"call #{call.pk}" and update.object_repr == f"call #{call.pk}"
    assert referral.object_repr.startswith("referral #")
    assert lookup.detail == {"hotline": h.city.pk, "found": 1}
    assert history.detail == {"hotline": h.city.pk, "calls": [call.pk]}
