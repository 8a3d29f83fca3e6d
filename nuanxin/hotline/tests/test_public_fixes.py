"""The review's findings on assessments and the public page: the audit trail keeps no result and
no address, the public mobile is an 11-digit mobile, a second callback form changes the number
while the callback is untouched, a crisis answer replaces the band's reassurance, crisis answers
pass the address limit (which reading pages does not use), the brand stays on the public page,
the callback promise in days, and the Chinese citation first."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from nuanxin.core import context
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import ratelimit
from nuanxin.hotline.models import Assessment, Callback, CrisisCase
from nuanxin.hotline.services import assessments
from nuanxin.hotline.services import cases as case_services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PHQ9_ITEM9 = [0, 0, 0, 0, 0, 0, 0, 0, 1]


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def scale_url(hotline, code: str) -> str:
    return reverse("hotline:public_scale", kwargs={"key": hotline.public_key, "code": code})


def callback_url(hotline) -> str:
    return reverse("hotline:public_callback", kwargs={"key": hotline.public_key})


def answers(values: list[int]) -> dict[str, str]:
    return {f"q{n}": str(v) for n, v in enumerate(values, 1)}


def english() -> Client:
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    return client


@time_machine.travel(NOW, tick=False)
def test_the_audit_rows_of_assessments_hold_no_clinical_value(h):
    token = context.set_current(context.RequestContext(ip="198.51.100.9", channel="web"))
    try:
        row = assessments.take(
            actor=h.counsellor, scale="PHQ-9", answers=[3, 3, 3, 3, 3, 3, 3, 3, 2], hotline=h.city, source="call"
        )
        public = assessments.take(actor=SYSTEM, scale="SAS", answers=[3] * 20, hotline=h.city, source="public")
        assessments.request_callback(actor=SYSTEM, assessment=public, mobile="13800138007", consent=True)
        assessments.change_callback_number(actor=SYSTEM, assessment=public, mobile="13900139007")
    finally:
        context.reset(token)
    logs = list(AuditLog.objects.filter(object_type="hotline.assessment").order_by("pk"))
    assert [(log.action, log.object_repr) for log in logs] == [
        ("hotline.assessment.take", f"测评 #{row.pk}"),
        ("hotline.assessment.take", f"测评 #{public.pk}"),
        ("hotline.assessment.callback", f"测评 #{public.pk}"),
        ("hotline.assessment.number_changed", f"测评 #{public.pk}"),
    ]
    assert logs[0].ip == "198.51.100.9"  # a counsellor's work keeps its address, as every staff action
    assert [log.detail for log in logs] == [
        {"source": "call", "hotline": h.city.pk, "call": None, "callback_consent": False},
        {"source": "public", "hotline": h.city.pk, "call": None, "callback_consent": False},
        {"hotline": h.city.pk, "callback_consent": True},
        {"hotline": h.city.pk, "callbacks": 1},
    ]
    text = json.dumps([log.detail for log in logs], ensure_ascii=False) + "".join(log.object_repr for log in logs)
    for clinical in ("PHQ-9", "SAS", "severe", "moderate", "crisis", "answers", "score", "band", "138", "139", "68"):
        assert clinical not in text, clinical


@time_machine.travel(NOW, tick=False)
def test_the_public_page_keeps_no_address_in_the_audit_trail(h):
    client = Client(REMOTE_ADDR="203.0.113.7")
    result = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7))
    done = client.post(
        callback_url(h.city), {"token": result.context["token"], "mobile": "13800138000", "consent": "on"}
    )
    assert done.status_code == 200
    changed = client.post(
        callback_url(h.city), {"token": result.context["token"], "mobile": "13900139000", "consent": "on"}
    )
    assert changed.status_code == 200
    logs = AuditLog.objects.filter(object_type="hotline.assessment")
    assert sorted(logs.values_list("action", "ip")) == [
        ("hotline.assessment.callback", None),
        ("hotline.assessment.number_changed", None),
        ("hotline.assessment.take", None),
    ]


def test_the_public_mobile_is_an_11_digit_mobile_in_chinese(h):
    client = Client()
    result = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7))
    response = client.post(callback_url(h.city), {"token": result.context["token"], "mobile": "12345", "consent": "on"})
    assert "请输入 11 位手机号码" in response.content.decode() or "Enter an 11-digit mobile number." in (
        response.content.decode()
    )
    assert Callback.objects.count() == 0
    ok = client.post(
        callback_url(h.city), {"token": result.context["token"], "mobile": "+86 138-0013-8000", "consent": "on"}
    )
    assert ok.status_code == 200 and Callback.objects.get().number == "+8613800138000"


@time_machine.travel(NOW, tick=False)
def test_a_second_form_changes_the_number_while_the_callback_is_untouched(h):
    client = english()
    result = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7))
    token = result.context["token"]
    client.post(callback_url(h.city), {"token": token, "mobile": "13800138000", "consent": "on"})
    again = client.post(callback_url(h.city), {"token": token, "mobile": "13900139000", "consent": "on"})
    assert "Your new number replaces the one you left first." in again.content.decode()
    callback = Callback.objects.get()
    row = Assessment.objects.get()
    assert (callback.number, row.mobile) == ("+8613900139000", "+8613900139000")
    assert callback.caller_key == row.caller_key != ""
    # Once a counsellor has taken it up, the number is not changed here: the page says how.
    case_services.claim_callback(actor=h.counsellor, callback=callback)
    third = client.post(callback_url(h.city), {"token": token, "mobile": "13700137000", "consent": "on"})
    assert "a counsellor has taken it up: to change the number, please call the hotline." in third.content.decode()
    callback.refresh_from_db()
    row.refresh_from_db()
    assert (callback.number, row.mobile, Callback.objects.count()) == ("+8613900139000", "+8613900139000", 1)


def test_changing_the_number_needs_a_callback_asked_for(h, english):
    row = assessments.take(actor=SYSTEM, scale="GAD-7", answers=[3] * 7, hotline=h.city, source="public")
    with pytest.raises(ServiceError) as refused:
        assessments.change_callback_number(actor=SYSTEM, assessment=row, mobile="13800138000")
    assert (refused.value.field, refused.value.message) == ("mobile", "No callback has been asked for yet.")


def test_a_crisis_answer_replaces_the_bands_reassurance(h):
    html = Client().post(scale_url(h.city, "PHQ-9"), answers(PHQ9_ITEM9)).content.decode()
    assert "无明显抑郁" not in html and "你目前没有明显的抑郁症状" not in html
    guidance = html[html.index('id="nx-guidance"') : html.index("</p>", html.index('id="nx-guidance"'))]
    assert "请现在就拨打上面的电话" in guidance or "please talk to a counsellor now" in guidance
    english_html = english().post(scale_url(h.city, "PHQ-9"), answers(PHQ9_ITEM9)).content.decode()
    assert "Minimal depression" not in english_html and "no clear signs of depression" not in english_html
    assert "Your answers need attention now" in english_html


def test_crisis_answers_pass_the_address_limit_and_reading_does_not_count(h, settings):
    settings.NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR = 1
    client = Client(REMOTE_ADDR="198.51.100.20")
    for _ in range(5):  # reading the questions is free
        assert client.get(scale_url(h.city, "PHQ-9")).status_code == 200
    assert client.post(scale_url(h.city, "GAD-7"), answers([0] * 7)).status_code == 200
    assert client.post(scale_url(h.city, "GAD-7"), answers([0] * 7)).status_code == 429
    crisis = client.post(scale_url(h.city, "PHQ-9"), answers(PHQ9_ITEM9))
    assert crisis.status_code == 200 and 'id="nx-public-crisis"' in crisis.content.decode()
    assert (Assessment.objects.count(), CrisisCase.objects.count()) == (2, 1)
    # Its callback is not held back by the address either.
    done = client.post(
        callback_url(h.city), {"token": crisis.context["token"], "mobile": "13800138000", "consent": "on"}
    )
    assert done.status_code == 200 and Callback.objects.get().severity == "crisis"
    # A new number replaces the first on the untouched crisis callback too.
    again = client.post(
        callback_url(h.city), {"token": crisis.context["token"], "mobile": "13900139000", "consent": "on"}
    )
    assert again.status_code == 200
    assert (Callback.objects.get().number, Assessment.objects.get(crisis=True).mobile) == (
        "+8613900139000",
        "+8613900139000",
    )
    # A wrong key with crisis answers is still the 429 (no free guessing).
    assert client.post("/hotline/p/guess/PHQ-9/", answers(PHQ9_ITEM9)).status_code == 429


def test_the_default_address_limit_fits_a_hospital(settings):
    del settings.NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR
    assert ratelimit.submits_per_address().limit == 60


def test_the_brand_of_a_public_page_stays_on_the_public_page(h):
    client = Client()
    start = reverse("hotline:public_assessment", kwargs={"key": h.city.public_key})
    for response in (
        client.get(start),
        client.get(scale_url(h.city, "GAD-7")),
        client.post(scale_url(h.city, "GAD-7"), answers([0] * 7)),
    ):
        html = response.content.decode()
        assert f'id="nx-public-brand" href="{start}"' in html
        assert 'href="/"' not in html and "/accounts/" not in html


@time_machine.travel(NOW, tick=False)
def test_the_callback_promise_in_days_from_48_hours(h):
    client = english()
    mild = client.post(scale_url(h.city, "GAD-7"), answers([1] * 7)).content.decode()  # asked: 120 hours
    assert "will call you within 5 days." in mild and "120 hours" not in mild
    moderate = client.post(scale_url(h.city, "GAD-7"), answers([2, 2, 2, 1, 1, 1, 1]))
    assert "will call you within 3 days." in moderate.content.decode()
    severe = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7)).content.decode()
    assert "will call you within 24 hours." in severe
    done = client.post(
        callback_url(h.city), {"token": moderate.context["token"], "mobile": "13800138000", "consent": "on"}
    )
    assert "will call you within 3 days on the number you left" in done.content.decode()
    assert Callback.objects.get().due_at == NOW + timedelta(hours=72)


def test_the_assessment_page_cites_the_chinese_version_first(h):
    row = assessments.take(actor=h.counsellor, scale="PHQ-9", answers=[1] * 9, hotline=h.city, source="api")
    client = Client()
    client.force_login(h.counsellor)
    html = client.get(reverse("hotline:assessment_detail", kwargs={"pk": row.pk})).content.decode()
    block = html[html.index('id="nx-scale-source"') :]
    assert block.index("中文版：卞崔冬") < block.index("Kroenke K, Spitzer RL")
