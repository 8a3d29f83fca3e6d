"""Opening a crisis case (``services.cases.open_crisis``), the interface the calls and the
assessments call: due times by risk, the supervisors told at once without the caller's
details, the crisis callback, one case per call or assessment, and the refusals."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Assessment, Call, Callback, CrisisCase, CrisisNote
from nuanxin.hotline.services import cases as services
from nuanxin.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 3, 21, 15, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages compared in English."""


@pytest.fixture
def mobile_supervisor(h):
    h.supervisor.mobile = "13800001111"
    h.supervisor.save(update_fields=["mobile"])
    return h.supervisor


def url(case) -> str:
    return f"/hotline/crisis/{case.pk}/"


def a_call(h, **kw) -> Call:
    return Call.objects.create(hotline=kw.pop("hotline", h.city), started_at=NOW - timedelta(minutes=30),
                               counsellor=h.counsellor, **kw)


def an_assessment(h, **kw) -> Assessment:
    return Assessment.objects.create(
        hotline=kw.pop("hotline", h.city), scale="PHQ-9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 1], score=9,
        band="mild", crisis=True, source="public", **kw,
    )


def test_a_call_at_high_risk_opens_a_case_due_in_two_hours(h, mobile_supervisor):
    call = a_call(h, risk="high")
    with time_machine.travel(NOW, tick=False):
        case = services.open_crisis(
            actor=h.counsellor, hotline=h.city, risk="high", reason="来电者有自杀念头", call=call
        )
    case.refresh_from_db()
    assert (case.status, case.risk, case.urgency, case.owner_id) == ("open", "high", "urgent", h.counsellor.pk)
    assert (case.hotline_id, case.organisation_id, case.call_id) == (h.city.pk, h.medical.pk, call.pk)
    assert case.due_at == NOW + timedelta(hours=2)
    assert case.due_on.isoformat() == "2020-02-03"
    assert case.contact_number == ""
    assert Callback.objects.count() == 0  # no number: no callback
    assert list(CrisisNote.objects.filter(crisis=case).values_list("kind", "to_status")) == [("opened", "open")]
    row = AuditLog.objects.get(action="hotline.crisis.open", object_id=str(case.pk))
    assert row.detail == {"hotline": h.city.pk, "call": call.pk, "assessment": None}  # ids only
    # the reason is a code (put into words when shown), not the opener's words
    assert case.reason == "call_high"
    # the supervisor is told at once, in the app and by text message: the hotline and a link only
    note = Notification.objects.get(recipient=h.supervisor)
    assert note.kind == "hotline.crisis_opened"
    assert note.url == url(case)
    assert note.texts["en"][0] == "Crisis case at 青岛市总工会心理健康服务基地: action needed now"
    assert note.title == "青岛市总工会心理健康服务基地的危机个案：需立即处理"  # the default language's
    sms = Delivery.objects.get(recipient=h.supervisor, channel="sms")
    assert sms.template == "hotline_crisis_opened"
    assert sms.params == {"hotline": "青岛市总工会心理健康服务基地", "url": url(case)}
    assert sms.body == (
        f"Nuanxin: a crisis case at 青岛市总工会心理健康服务基地 needs action now. Please sign in: {url(case)}"
    )
    assert "自杀" not in sms.body and "自杀" not in note.body
    # nobody else is told: not the counsellor, not the other hotline
    assert Notification.objects.count() == 1


def test_the_site_address_starts_the_link(h, mobile_supervisor, settings):
    settings.NUANXIN_SITE_URL = "https://nuanxin.example.cn/"
    case = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9 第9题")
    sms = Delivery.objects.get(recipient=h.supervisor, channel="sms")
    assert sms.params["url"] == f"https://nuanxin.example.cn/hotline/crisis/{case.pk}/"


def test_imminent_risk_is_due_at_once_and_the_number_opens_a_crisis_callback(h, mobile_supervisor):
    call = a_call(h, risk="imminent")
    with time_machine.travel(NOW, tick=False):
        case = services.open_crisis(
            actor=h.counsellor, hotline=h.city, risk="imminent", reason="已有计划", call=call,
            contact_number="138 0000 1234",
        )
    assert (case.due_at, case.urgency, case.contact_number) == (NOW, "critical", "+8613800001234")
    callback = Callback.objects.get()
    assert (callback.crisis_id, callback.call_id, callback.hotline_id) == (case.pk, call.pk, h.city.pk)
    assert (callback.severity, callback.due_at, callback.status, callback.owner_id) == ("crisis", NOW, "due", None)
    assert callback.number == "+8613800001234"
    assert len(callback.caller_key) == 64
    assert AuditLog.objects.filter(action="hotline.callback.open").count() == 1


def test_the_settings_set_the_hours(h, settings):
    settings.NUANXIN_HOTLINE_CRISIS_CONTACT_HOURS = 4
    settings.NUANXIN_HOTLINE_CRISIS_IMMINENT_CONTACT_HOURS = 0.5
    with time_machine.travel(NOW, tick=False):
        high = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="x")
        imminent = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="imminent", reason="y")
    assert high.due_at == NOW + timedelta(hours=4)
    assert imminent.due_at == NOW + timedelta(minutes=30)


def test_one_case_per_call_and_per_assessment(h, mobile_supervisor):
    call = a_call(h, risk="high")
    assessment = an_assessment(h)
    first = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="high", reason="a", call=call)
    again = services.open_crisis(actor=h.colleague, hotline=h.city, risk="imminent", reason="b", call=call,
                                 contact_number="13800001234")
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.risk == "high"  # the second opening changes nothing but adds the missing callback
    assert Callback.objects.get().crisis_id == first.pk
    services.open_crisis(actor=h.colleague, hotline=h.city, risk="high", reason="b", call=call,
                         contact_number="13800001234")
    assert Callback.objects.count() == 1
    by_public = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9", assessment=assessment)
    assert services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9",
                                assessment=assessment).pk == by_public.pk
    assert by_public.owner_id is None and by_public.created_by_id is None
    assert CrisisCase.objects.count() == 2
    assert AuditLog.objects.filter(action="hotline.crisis.open").count() == 2
    assert Notification.objects.filter(kind="hotline.crisis_opened").count() == 2


def test_refusals_leave_nothing(h, personas):
    call = a_call(h, risk="high")
    other_call = a_call(h, hotline=h.other, risk="high")
    cases = [
        (dict(actor=h.stranger, hotline=h.city, risk="high", reason="x"), NotAllowed,
         "Only a counsellor of the hotline opens a crisis case."),
        (dict(actor=h.coordinator, hotline=h.city, risk="high", reason="x"), NotAllowed,
         "Only a counsellor of the hotline opens a crisis case."),
        (dict(actor=personas.jia, hotline=h.city, risk="high", reason="x"), NotAllowed,
         "Only a counsellor of the hotline opens a crisis case."),
        (dict(actor=h.counsellor, hotline=h.city, risk="none", reason="x"), ServiceError, "Choose the risk level."),
        (dict(actor=h.counsellor, hotline=h.city, risk="grave", reason="x"), ServiceError, "Choose the risk level."),
        (dict(actor=h.counsellor, hotline=h.city, risk="high", reason=" "), ServiceError,
         "Say why the crisis case is opened."),
        (dict(actor=h.counsellor, hotline=h.city, risk="high", reason="x" * 201), ServiceError,
         "This text must be at most 200 characters."),
        (dict(actor=h.counsellor, hotline=h.city, risk="high", reason="x", call=other_call), ServiceError,
         "The record belongs to another hotline."),
        (dict(actor=h.counsellor, hotline=h.city, risk="high", reason="x", call=call, contact_number="12"),
         ServiceError, "“12” is not a phone number."),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error) as refused:
            services.open_crisis(**kwargs)
        assert str(refused.value) == message, kwargs
    assert CrisisCase.objects.count() == 0
    assert Notification.objects.count() == 0
    assert not AuditLog.objects.filter(action__startswith="hotline.crisis").exists()


def test_a_supervisor_who_left_is_not_told(h, mobile_supervisor):
    from nuanxin.hotline.services import hotlines

    member = h.city.members.get(user=h.supervisor)
    hotlines.remove_member(actor=SYSTEM, member=member)
    services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="x")
    assert Notification.objects.count() == 0
