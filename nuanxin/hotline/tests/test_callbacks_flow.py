"""A callback in the queue: claimed by a counsellor, attempts recorded (reached → done with the
outcome; no answer → back in the queue with a retry time; wrong number or declined → closed),
a crisis callback reaching the caller records the crisis case's first contact, and who may do
what."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Callback, CallbackAttempt, CallbackNote
from nuanxin.hotline.services import cases as services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 4, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages compared in English."""


def queued(h, severity: str = "moderate", **kw) -> Callback:
    return services.open_callback(actor=SYSTEM, hotline=kw.pop("hotline", h.city), number="13800001234",
                                  due_at=kw.pop("due_at", NOW + timedelta(hours=24)), severity=severity, **kw)


def test_claim_then_reach_the_caller(h):
    callback = queued(h)
    with time_machine.travel(NOW, tick=False):
        claimed = services.claim_callback(actor=h.counsellor, callback=callback)
        assert (claimed.status, claimed.owner_id) == ("claimed", h.counsellor.pk)
        # claiming it again is a no-op; a colleague cannot take it
        assert services.claim_callback(actor=h.counsellor, callback=callback).pk == callback.pk
        with pytest.raises(ServiceError) as taken:
            services.claim_callback(actor=h.colleague, callback=callback)
        assert str(taken.value) == "心理援助师 has claimed this callback."
        with pytest.raises(NotAllowed):
            services.record_attempt(actor=h.colleague, callback=callback, result="reached", note="x")
        attempt = services.record_attempt(
            actor=h.counsellor, callback=callback, result="reached", note="睡眠改善，约下周再聊", channel="phone"
        )
    callback.refresh_from_db()
    assert (attempt.result, attempt.by_id, attempt.at, attempt.channel) == ("reached", h.counsellor.pk, NOW, "phone")
    assert attempt.callback.status == "done"
    assert (callback.status, callback.outcome, callback.first_contact_at, callback.closed_at) == (
        "done", "睡眠改善，约下周再聊", NOW, NOW,
    )
    row = AuditLog.objects.get(action="hotline.callback.attempt")
    assert row.detail == {"attempt": attempt.pk, "note": {"chars": 10}}  # no result: the status says enough
    assert AuditLog.objects.filter(action="hotline.callback.claim").count() == 1
    kinds = list(CallbackNote.objects.filter(callback=callback).order_by("id").values_list("kind", "to_status"))
    assert kinds == [("opened", "due"), ("status", "claimed"), ("status", "done")]
    with pytest.raises(ServiceError) as finished:
        services.record_attempt(actor=h.counsellor, callback=callback, result="reached", note="x")
    assert str(finished.value) == "This callback is finished."


def test_no_answer_goes_back_to_the_queue_with_a_retry_time(h):
    callback = queued(h)
    with time_machine.travel(NOW, tick=False):
        attempt = services.record_attempt(  # not claimed yet: the attempt claims it
            actor=h.counsellor, callback=callback, result="no_answer", retry_at=NOW + timedelta(hours=3)
        )
    callback.refresh_from_db()
    assert (callback.status, callback.owner_id, callback.retry_at) == ("retry", None, NOW + timedelta(hours=3))
    assert callback.first_contact_at is None and callback.closed_at is None
    assert attempt.retry_at == NOW + timedelta(hours=3)
    # the colleague claims the retry and reaches the caller
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        services.claim_callback(actor=h.colleague, callback=callback)
        services.record_attempt(actor=h.colleague, callback=callback, result="reached", note="已联系")
    callback.refresh_from_db()
    assert (callback.status, callback.owner_id) == ("done", h.colleague.pk)
    assert callback.first_contact_at == NOW + timedelta(hours=3)
    assert list(CallbackAttempt.objects.filter(callback=callback).values_list("result", "by__username")) == [
        ("no_answer", "counsellor"), ("reached", "hotline-colleague"),
    ]


@pytest.mark.parametrize(("result", "reached"), [("wrong_number", False), ("declined", True)])
def test_wrong_number_and_declined_close_it(h, result, reached):
    callback = queued(h)
    with time_machine.travel(NOW, tick=False):
        services.record_attempt(actor=h.counsellor, callback=callback, result=result, channel="online")
    callback.refresh_from_db()
    assert (callback.status, callback.closed_at) == ("closed", NOW)
    assert (callback.first_contact_at is not None) is reached


def test_attempt_refusals_record_nothing(h, personas):
    callback = queued(h)
    good = dict(actor=h.counsellor, callback=callback, result="no_answer", retry_at=NOW + timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        for change, message in (
            ({"result": "busy"}, "Choose the result of the call."),
            ({"channel": "fax"}, "Choose a channel."),
            ({"retry_at": None}, "Say when to try again."),
            ({"retry_at": NOW - timedelta(hours=1)}, "Try again within the next two weeks."),
            ({"retry_at": NOW + timedelta(days=15)}, "Try again within the next two weeks."),
            ({"retry_at": datetime(2020, 2, 4, 12, 0)}, "Give a date and time."),
            ({"result": "reached", "note": " "}, "Write the outcome of the call."),
        ):
            with pytest.raises(ServiceError) as refused:
                services.record_attempt(**{**good, **change})
            assert str(refused.value) == message, change
        for outsider in (h.stranger, h.coordinator, personas.jia, personas.viewer):
            with pytest.raises(NotAllowed) as not_allowed:
                services.record_attempt(**{**good, "actor": outsider})
            assert str(not_allowed.value) == "Only the hotline's counsellors and supervisors change a callback."
        with pytest.raises(NotAllowed):
            services.claim_callback(actor=SYSTEM, callback=callback)
    callback.refresh_from_db()
    assert (callback.status, callback.owner_id) == ("due", None)
    assert CallbackAttempt.objects.count() == 0
    assert not AuditLog.objects.filter(action__in=["hotline.callback.attempt", "hotline.callback.claim"]).exists()


def test_release_and_the_supervisors_powers(h):
    callback = queued(h)
    services.claim_callback(actor=h.counsellor, callback=callback)
    with pytest.raises(NotAllowed) as not_theirs:
        services.release_callback(actor=h.colleague, callback=callback)
    assert str(not_theirs.value) == "心理援助师 has claimed this callback."
    released = services.release_callback(actor=h.supervisor, callback=callback)
    assert (released.status, released.owner_id) == ("due", None)
    with pytest.raises(ServiceError) as not_claimed:
        services.release_callback(actor=h.counsellor, callback=callback)
    assert str(not_claimed.value) == "Only a claimed callback goes back to the queue."
    # closing one nobody tried: a supervisor, with the reason
    with pytest.raises(NotAllowed) as counsellor:
        services.close_callback(actor=h.counsellor, callback=callback, note="重复登记")
    assert str(counsellor.value) == "Only a supervisor closes a callback nobody has tried."
    with pytest.raises(ServiceError) as no_reason:
        services.close_callback(actor=h.supervisor, callback=callback, note="")
    assert str(no_reason.value) == "Say why the case is reopened."  # the life cycle's reason text
    closed = services.close_callback(actor=h.supervisor, callback=callback, note="重复登记")
    assert closed.status == "closed"
    # a supervisor records an attempt on a callback a counsellor claimed
    other = queued(h)
    services.claim_callback(actor=h.counsellor, callback=other)
    attempt = services.record_attempt(actor=h.supervisor, callback=other, result="wrong_number")
    assert attempt.callback.status == "closed" and attempt.by_id == h.supervisor.pk


def test_reaching_a_crisis_callback_is_the_crisis_cases_first_contact(h):
    with time_machine.travel(NOW, tick=False):
        crisis = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9",
                                      contact_number="13800001234")
    callback = crisis.callbacks.get()
    with time_machine.travel(NOW + timedelta(minutes=30), tick=False):
        services.record_attempt(actor=h.counsellor, callback=callback, result="reached", note="已联系，安全")
    crisis.refresh_from_db()
    assert (crisis.status, crisis.first_contact_at, crisis.owner_id) == (
        "contacted", NOW + timedelta(minutes=30), h.counsellor.pk,
    )
    assert AuditLog.objects.get(action="hotline.crisis.contact").detail == {"note": {"chars": 31}}


def test_notes(h):
    callback = queued(h)
    note = services.add_callback_note(actor=h.counsellor, callback=callback, text="来电者希望晚上八点后联系")
    assert note.text == "来电者希望晚上八点后联系" and note.author_id == h.counsellor.pk
    with pytest.raises(NotAllowed):
        services.add_callback_note(actor=h.stranger, callback=callback, text="x")
    with pytest.raises(ServiceError) as empty:
        services.add_callback_note(actor=h.counsellor, callback=callback, text="  ")
    assert str(empty.value) == "Write the note."
