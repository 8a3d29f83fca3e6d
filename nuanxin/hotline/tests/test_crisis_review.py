"""The review's findings on crisis cases and callbacks: the audit trail carries ids, statuses,
counts and lengths only (never the risk, the assessment's answers, the hand-over, the severity
or the attempt's result); the reason is a code shown in the reader's language; a supervisor
without a mobile is named on the case (nobody is left untold silently); the words of the pages
take the hotline's sense ("Due" of a callback, its "Source")."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Assessment, Call
from nuanxin.hotline.selectors import cases as selectors
from nuanxin.hotline.services import cases as services
from nuanxin.hotline.services import escalation
from nuanxin.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 3, 21, 15, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages compared in English."""


def client_for(user, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["nuanxin_language"] = language
    return client


def a_call(h, risk: str) -> Call:
    return Call.objects.create(hotline=h.city, started_at=NOW - timedelta(minutes=30), counsellor=h.counsellor,
                               risk=risk)


def test_no_audit_row_of_a_crisis_case_or_callback_holds_a_clinical_value(h):
    """The whole way of a crisis case and its callback: every audit row names ids, statuses,
    counts and lengths only."""
    call = a_call(h, "imminent")
    with time_machine.travel(NOW, tick=False):
        case = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="imminent", reason="已有计划",
                                    call=call, contact_number="13800001234")
        services.assess_crisis(actor=h.counsellor, case=case, ideation=True, plan=True, means=True,
                               past_attempts=False, protective_factors="女儿", note="夜班后", risk="imminent")
        services.hand_over(actor=h.counsellor, case=case, to="mh_centre", at=NOW, person="王医生", note="已接手")
        services.add_crisis_note(actor=h.counsellor, case=case, text="次日随访")
        callback = case.callbacks.get()
        services.claim_callback(actor=h.colleague, callback=callback)
        services.release_callback(actor=h.colleague, callback=callback)
        services.record_attempt(actor=h.counsellor, callback=callback, result="no_answer",
                                retry_at=NOW + timedelta(hours=1))
        services.add_callback_note(actor=h.counsellor, callback=callback, text="再试")
        services.record_attempt(actor=h.counsellor, callback=callback, result="declined")
        services.record_contact(actor=h.counsellor, case=case, note="平稳")
        services.change_crisis_status(actor=h.counsellor, case=case, to="follow_up")
        services.change_crisis_status(actor=h.supervisor, case=case, to="closed", note="结案")
        other = services.open_callback(actor=SYSTEM, hotline=h.city, number="13800005678", due_at=NOW,
                                       severity="severe")
    escalation.escalate_overdue(now=NOW + timedelta(hours=2))
    rows = list(AuditLog.objects.filter(action__regex=r"^hotline\.(crisis|callback)\.").order_by("id"))
    actions = {row.action for row in rows}
    assert actions == {
        "hotline.crisis.open", "hotline.crisis.assess", "hotline.crisis.handover", "hotline.crisis.note",
        "hotline.crisis.contact", "hotline.crisis.transition", "hotline.callback.open", "hotline.callback.claim",
        "hotline.callback.release", "hotline.callback.attempt", "hotline.callback.transition",
        "hotline.callback.note", "hotline.callback.escalate",
    }
    allowed = {
        "hotline.crisis.open": {"hotline", "call", "assessment"},
        "hotline.crisis.assess": {"answered", "protective_factors", "note"},
        "hotline.crisis.handover": {"note"},
        "hotline.crisis.contact": {"note"},
        "hotline.crisis.note": {"note"},
        "hotline.crisis.transition": {"from", "to", "note"},
        "hotline.callback.open": {"hotline", "call", "assessment", "crisis", "preferred"},
        "hotline.callback.claim": {"from", "owner"},
        "hotline.callback.release": {"to", "owner"},
        "hotline.callback.attempt": {"attempt", "note"},
        "hotline.callback.transition": {"from", "to", "note"},
        "hotline.callback.note": {"note"},
        "hotline.callback.escalate": {"due", "supervisors", "level"},
    }
    for row in rows:
        assert set(row.detail) <= allowed[row.action], (row.action, row.detail)
        text = json.dumps(row.detail, ensure_ascii=False)
        for clinical in ("imminent", "high", "mh_centre", "王医生", "severe", ": \"crisis\"", "declined", "no_answer",
                         "true", "13800001234", "已有计划", "女儿", "夜班后"):
            assert clinical not in text, (row.action, row.detail)
        assert row.object_repr in (f"crisis case #{case.pk}", f"callback #{callback.pk}", f"callback #{other.pk}")
    assess = next(row for row in rows if row.action == "hotline.crisis.assess")
    assert assess.detail == {"answered": 4, "protective_factors": {"chars": 2}, "note": {"chars": 3}}


def test_the_reason_is_a_code_shown_in_the_readers_language(h):
    with time_machine.travel(NOW, tick=False):
        from_call = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="high",
                                         reason="Call marked at high risk", call=a_call(h, "high"))
        assessment = Assessment.objects.create(
            hotline=h.city, scale="PHQ-9", answers=[1, 1, 1, 1, 1, 1, 1, 1, 2], score=10, band="moderate",
            crisis=True, source="public",
        )
        from_scale = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9 第9题回答高于0",
                                          assessment=assessment)
        by_hand = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="high", reason="来电者有自杀念头")
    assert (from_call.reason, from_scale.reason, by_hand.reason) == ("call_high", "phq9_item9", "来电者有自杀念头")
    with translation.override("en"):
        assert services.reason_label(from_call.reason) == "A call marked at high risk"
        assert services.reason_label(from_scale.reason) == (
            "PHQ-9 question 9 (thoughts of death or self-harm) answered above 0"
        )
        assert services.reason_label("call_imminent,phq9_item9") == (
            "A call marked at imminent risk; PHQ-9 question 9 (thoughts of death or self-harm) answered above 0"
        )
        assert services.reason_label(by_hand.reason) == "来电者有自杀念头"  # free text as stored
        assert services.reason_label("call_high, 自述") == "call_high, 自述"  # not all codes: as stored
    with translation.override("zh-hans"):
        assert services.reason_label(from_scale.reason) == "PHQ-9 第9题（轻生或自伤的念头）回答高于0"
    # the pages put it into words
    client = client_for(h.counsellor)
    detail = client.get(reverse("hotline:crisis_detail", args=[from_call.pk])).content.decode()
    assert '<dd class="col-7 col-md-9" id="nx-crisis-reason">A call marked at high risk</dd>' in detail
    listing = client.get(reverse("hotline:crisis_list")).content.decode()
    assert "PHQ-9 question 9" in listing and "phq9_item9" not in listing and "call_high" not in listing


def test_a_supervisor_without_a_mobile_is_named_on_the_case(h):
    assert not h.supervisor.mobile
    with time_machine.travel(NOW, tick=False):
        case = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="high", reason="x")
    # told in the app, without a text message
    note = Notification.objects.get(recipient=h.supervisor, kind="hotline.crisis_opened")
    assert not Delivery.objects.filter(notification=note, channel="sms").exists()
    # on the page, by name (from the notification and its deliveries: nothing stored in words)
    alerts = selectors.crisis_alerts(case)
    assert alerts["untexted"] == [h.supervisor]
    html = client_for(h.counsellor).get(reverse("hotline:crisis_detail", args=[case.pk])).content.decode()
    assert 'id="nx-crisis-untexted"' in html
    assert f'<li data-supervisor="{h.supervisor.pk}">{h.supervisor.display_name}</li>' in html
    assert 'id="nx-crisis-untold"' not in html


def test_no_supervisor_at_all_is_said_on_the_case(h):
    from nuanxin.hotline.services import hotlines

    hotlines.remove_member(actor=SYSTEM, member=h.city.members.get(user=h.supervisor))
    with time_machine.travel(NOW, tick=False):
        case = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="high", reason="x")
    assert Notification.objects.filter(kind="hotline.crisis_opened").count() == 0
    assert selectors.crisis_alerts(case) == {"told": 0, "untexted": []}
    html = client_for(h.counsellor).get(reverse("hotline:crisis_detail", args=[case.pk])).content.decode()
    assert 'id="nx-crisis-untold"' in html and 'id="nx-crisis-untexted"' not in html


def test_a_supervisor_with_a_mobile_is_texted_and_nothing_is_said(h):
    h.supervisor.mobile = "13800001111"
    h.supervisor.save(update_fields=["mobile"])
    case = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="high", reason="x")
    assert Delivery.objects.filter(channel="sms", recipient=h.supervisor).count() == 1
    assert selectors.crisis_alerts(case) == {"told": 1, "untexted": []}
    html = client_for(h.counsellor).get(reverse("hotline:crisis_detail", args=[case.pk])).content.decode()
    assert 'id="nx-crisis-untexted"' not in html and 'id="nx-crisis-untold"' not in html


def test_the_callback_page_speaks_of_the_hotlines_due_and_source(h):
    call = a_call(h, "none")
    callback = services.open_callback(actor=SYSTEM, hotline=h.city, number="13800001234", due_at=NOW,
                                      severity="moderate", call=call)
    url = reverse("hotline:callback_detail", args=[callback.pk])
    html = client_for(h.counsellor).get(url).content.decode()
    assert ">Source</dt>" in html and ">From</dt>" not in html
    assert f'id="nx-callback-source">Call {call.started_at.astimezone(SH):%Y-%m-%d %H:%M}</dd>' in html
    # in Chinese, not the care work's words (走访 = a home visit, 起始 = a start, 拨打 = to dial)
    chinese = client_for(h.counsellor, "zh-hans")
    for page in (url, reverse("hotline:callback_list")):
        html = chinese.get(page).content.decode()
        assert "待走访" not in html and ">起始<" not in html and ">拨打 " not in html, page
