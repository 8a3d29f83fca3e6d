"""The public self-assessment page (心理测评): no account, Chinese first, the result with its
guidance and the hotline's numbers, a crisis answer's numbers to call now, the separate consent
to a callback, the same 404 for every wrong key, and the rate limits (429, nothing stored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import segno
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from nuanxin.core.models import AuditLog
from nuanxin.hotline.models import Assessment, Callback, CrisisCase
from nuanxin.hotline.services import hotlines as hotline_services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def start_url(hotline) -> str:
    return reverse("hotline:public_assessment", kwargs={"key": hotline.public_key})


def scale_url(hotline, code: str) -> str:
    return reverse("hotline:public_scale", kwargs={"key": hotline.public_key, "code": code})


def callback_url(hotline) -> str:
    return reverse("hotline:public_callback", kwargs={"key": hotline.public_key})


def answers(values: list[int]) -> dict[str, str]:
    return {f"q{n}": str(v) for n, v in enumerate(values, 1)}


def token_of(response) -> str:
    return response.context["token"]


def test_the_start_page_needs_no_account_and_shows_the_numbers(h, english_client):
    chinese = Client().get(start_url(h.city))
    assert chinese.status_code == 200
    assert '<html lang="zh-hans">' in chinese.content.decode()  # Chinese first
    assert "焦虑自测（GAD-7）" in chinese.content.decode()
    response = english_client.get(start_url(h.city))
    html = response.content.decode()
    assert "Psychological self-assessment" in html and "青岛市总工会心理健康服务基地" in html
    assert 'data-scale="GAD-7"' in html and 'data-scale="PHQ-9"' in html and 'data-scale="SAS"' not in html
    assert 'href="tel:4008692525"' in html  # the phone line, tappable; the online line is no tel: link
    assert html.count('href="tel:') == 1


def test_every_wrong_key_is_the_same_404(h):
    closed = hotline_services.create_hotline(actor=_system(), organisation=h.medical, name="已关闭")
    closed.self_assessment_open = False
    closed.save()
    retired = hotline_services.create_hotline(actor=_system(), organisation=h.medical, name="已停用")
    retired.active = False
    retired.save()
    client = Client()
    answers_ = [
        client.get(f"/hotline/p/{key}/")
        for key in ("nope", "x" * 12, closed.public_key, retired.public_key, h.city.public_key + "x")
    ]
    assert [r.status_code for r in answers_] == [404] * 5
    assert {tuple(t.name for t in r.templates) for r in answers_} == {tuple(t.name for t in answers_[0].templates)}
    # An unknown scale and a scale not offered in public are the same 404.
    assert client.get(scale_url(h.city, "BDI")).status_code == 404
    assert client.get(scale_url(h.city, "SAS")).status_code == 404
    assert client.post(scale_url(closed, "GAD-7"), answers([0] * 7)).status_code == 404
    assert Assessment.objects.count() == 0


def _system():
    from nuanxin.core.policy import SYSTEM

    return SYSTEM


def test_the_questions_in_chinese_and_in_english(h, english_client):
    html = Client().get(scale_url(h.city, "GAD-7")).content.decode()
    assert "感觉紧张，焦虑或急切" in html and "几乎每天" in html
    assert html.count('type="radio"') == 7 * 4
    assert " checked" not in html  # nothing answered in advance
    html = english_client.get(scale_url(h.city, "GAD-7")).content.decode()
    assert "Feeling nervous, anxious or on edge" in html and "Nearly every day" in html


@time_machine.travel(NOW, tick=False)
def test_answering_shows_the_result_guidance_and_numbers_and_keeps_nothing_identifying(h):
    response = Client().post(scale_url(h.city, "GAD-7"), answers([2, 2, 2, 1, 1, 1, 1]), REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="nx-score">10<' in html and "中度焦虑" in html
    assert "我们会在三天内给你回电" in html  # the band's self-help guidance
    assert 'href="tel:4008692525"' in html
    assert 'id="nx-public-crisis"' not in html
    # The callback offer: a mobile field and a separate consent box, not ticked.
    assert 'name="mobile"' in html and 'type="checkbox" name="consent"' in html
    assert 'name="consent" class="form-check-input" id="id_consent" checked' not in html
    row = Assessment.objects.get()
    assert (row.hotline, row.scale, row.answers, row.score, row.band, row.flagged, row.crisis) == (
        h.city,
        "GAD-7",
        [2, 2, 2, 1, 1, 1, 1],
        10,
        "moderate",
        True,
        False,
    )
    assert (row.source, row.created_by, row.mobile, row.caller_key, row.consented_at) == ("public", None, "", "", None)
    assert Callback.objects.count() == 0  # no number, nobody to call
    log = AuditLog.objects.get(action="hotline.assessment.take")
    # Anonymous: the audit row keeps no address (nothing identifying without consent).
    assert (log.actor, log.actor_name, log.ip, log.channel) == (None, "system:web", None, "web")


def test_a_missing_answer_is_shown_and_nothing_is_stored(h, english_client):
    response = english_client.post(scale_url(h.city, "GAD-7"), {**answers([1] * 7), "q4": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Please answer every question." in html and "Answer this question." in html
    assert html.count(" checked") == 6  # the answers given stay chosen
    response = english_client.post(scale_url(h.city, "GAD-7"), {**answers([1] * 7), "q4": "7"})
    assert "Select a valid choice. 7 is not one of the available choices." in response.content.decode()
    assert Assessment.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_crisis_answer_shows_the_numbers_to_call_now_and_reaches_the_supervisors(h):
    response = Client().post(scale_url(h.city, "PHQ-9"), answers([0, 0, 0, 0, 0, 0, 0, 0, 1]))
    html = response.content.decode()
    assert response.status_code == 200
    crisis_block = html[
        html.index('id="nx-public-crisis"') : html.index("</section>", html.index('id="nx-public-crisis"'))
    ]
    assert 'href="tel:4008692525"' in crisis_block
    assert 'href="tel:120"' in crisis_block and 'href="tel:110"' in crisis_block
    assert html.index('id="nx-public-crisis"') < html.index('id="nx-public-result"')  # first on the page
    row = Assessment.objects.get()
    assert (row.score, row.band, row.crisis) == (1, "minimal", True)
    case = CrisisCase.objects.get()
    assert (case.hotline, case.assessment, case.risk, case.contact_number) == (h.city, row, "high", "")
    from nuanxin.notify.models import Notification

    assert set(Notification.objects.values_list("recipient__username", flat=True)) >= {"hotline-supervisor"}


@time_machine.travel(NOW, tick=False)
def test_asking_for_a_callback_after_the_result(h, english_client):
    client = english_client
    result = client.post(scale_url(h.city, "GAD-7"), answers([3, 3, 3, 2, 2, 2, 1]))  # 16, severe
    assert "a counsellor of the hotline will call you within 24 hours" in result.content.decode()
    response = client.post(callback_url(h.city), {"token": token_of(result), "mobile": "13800138000", "consent": "on"})
    assert response.status_code == 200
    assert 'id="nx-callback-done"' in response.content.decode()
    assert "will call you within 24 hours on the number you left" in response.content.decode()
    row = Assessment.objects.get()
    assert (row.mobile, row.callback_consent, row.consented_at) == ("+8613800138000", True, NOW)
    callback = Callback.objects.get()
    assert (callback.assessment, callback.severity, callback.due_at, callback.number) == (
        row,
        "severe",
        NOW + timedelta(hours=24),
        "+8613800138000",
    )
    # Asked again (a second tap): nothing more.
    again = client.post(callback_url(h.city), {"token": token_of(result), "mobile": "13800138000", "consent": "on"})
    assert again.status_code == 200 and Callback.objects.count() == 1
    assert "will call you within 24 hours on the number you left" in again.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_crisis_callback_is_due_at_once(h, english_client):
    client = english_client
    result = client.post(scale_url(h.city, "PHQ-9"), answers([0, 0, 0, 0, 0, 0, 0, 0, 2]))
    assert "will call you back as soon as possible" in result.content.decode()
    done = client.post(callback_url(h.city), {"token": token_of(result), "mobile": "13800138001", "consent": "on"})
    assert "will call you as soon as possible on the number you left" in done.content.decode()
    callback = Callback.objects.get()
    assert (callback.severity, callback.due_at) == ("crisis", NOW)
    assert (callback.crisis, callback.number) == (CrisisCase.objects.get(), "+8613800138001")


def test_no_number_is_kept_without_the_consent_box(h, english_client):
    result = english_client.post(scale_url(h.city, "GAD-7"), answers([3] * 7))
    response = english_client.post(callback_url(h.city), {"token": token_of(result), "mobile": "13800138000"})
    assert response.status_code == 200
    assert "Tick the box to agree that the hotline keeps your number and calls you back." in response.content.decode()
    for wrong in ("12", "12345", "0532-85669120", "1380013800", "23800138000"):
        response = english_client.post(
            callback_url(h.city), {"token": token_of(result), "mobile": wrong, "consent": "on"}
        )
        assert "Enter an 11-digit mobile number." in response.content.decode(), wrong
    row = Assessment.objects.get()
    assert (row.mobile, row.caller_key, row.callback_consent) == ("", "", False)
    assert Callback.objects.count() == 0


def test_a_forged_or_foreign_token_is_a_404(h):
    client = Client()
    result = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7))
    token = token_of(result)
    assert (
        client.post(callback_url(h.city), {"token": token + "x", "mobile": "13800138000", "consent": "on"}).status_code
        == 404
    )
    assert (
        client.post(callback_url(h.other), {"token": token, "mobile": "13800138000", "consent": "on"}).status_code
        == 404
    )
    assert client.post(callback_url(h.city), {"mobile": "13800138000", "consent": "on"}).status_code == 404
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=3)):  # the token expired
        assert (
            client.post(callback_url(h.city), {"token": token, "mobile": "13800138000", "consent": "on"}).status_code
            == 404
        )
    assert Assessment.objects.get().mobile == ""


def test_the_address_limit(h, settings, english_client):
    settings.NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR = 2
    for _ in range(2):
        assert (
            english_client.post(scale_url(h.city, "GAD-7"), answers([0] * 7), REMOTE_ADDR="198.51.100.1").status_code
            == 200
        )
    response = english_client.post(scale_url(h.city, "GAD-7"), answers([0] * 7), REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Nothing was saved." in response.content.decode()
    assert 'href="tel:4008692525"' in response.content.decode()
    # A wrong key counts too (no free guessing), and answers the same 429 once over.
    assert (
        english_client.post("/hotline/p/guess/GAD-7/", answers([0] * 7), REMOTE_ADDR="198.51.100.1").status_code == 429
    )
    assert Assessment.objects.count() == 2
    # Another address is not held back.
    assert (
        english_client.post(scale_url(h.city, "GAD-7"), answers([0] * 7), REMOTE_ADDR="198.51.100.2").status_code == 200
    )
    assert Assessment.objects.count() == 3


def test_the_mobile_limit(h, settings):
    settings.NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY = 1
    client = Client()
    first = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7), REMOTE_ADDR="198.51.100.3")
    second = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7), REMOTE_ADDR="198.51.100.4")
    ok = client.post(callback_url(h.city), {"token": token_of(first), "mobile": "138 0013 8000", "consent": "on"})
    assert ok.status_code == 200
    # The same number written another way is the same number.
    over = client.post(callback_url(h.city), {"token": token_of(second), "mobile": "+86 13800138000", "consent": "on"})
    assert over.status_code == 429
    assert Callback.objects.count() == 1
    assert Assessment.objects.filter(mobile="").count() == 1


def test_the_staff_get_the_qr_code_of_the_link(h, personas):
    client = Client()
    client.force_login(h.counsellor)
    response = client.get(reverse("hotline:public_qr", kwargs={"pk": h.city.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    link = "http://testserver" + start_url(h.city)
    expected = segno.make(link, error="m")
    svg = response.content.decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert f'viewBox="0 0 {(expected.symbol_size(scale=6, border=2))[0]} ' in svg or "width=" in svg
    download = client.get(reverse("hotline:public_qr", kwargs={"pk": h.city.pk}) + "?download=1")
    assert download["Content-Disposition"] == f'attachment; filename="self-assessment-{h.city.pk}.svg"'
    # A counsellor of another hotline: the same 404 as a missing one.
    client.force_login(h.stranger)
    assert client.get(reverse("hotline:public_qr", kwargs={"pk": h.city.pk})).status_code == 404


def test_the_hotline_page_shows_the_link_to_its_staff(h):
    client = Client()
    client.force_login(h.coordinator)
    html = client.get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk})).content.decode()
    assert 'id="nx-public-qr"' in html
    assert f"http://testserver{start_url(h.city)}" in html


def test_the_limits_keep_no_address_or_number_in_clear(h, settings):
    settings.NUANXIN_HOTLINE_CALLBACKS_PER_MOBILE_PER_DAY = 5
    client = Client()
    result = client.post(scale_url(h.city, "GAD-7"), answers([3] * 7), REMOTE_ADDR="198.51.100.77")
    client.post(
        callback_url(h.city),
        {"token": token_of(result), "mobile": "13800138077", "consent": "on"},
        REMOTE_ADDR="198.51.100.77",
    )
    keys = [str(k) for k in cache._cache]  # the local-memory cache of the tests
    assert len(keys) == 2
    assert not any("198.51.100.77" in k or "13800138077" in k for k in keys)


def test_the_qr_code_is_for_the_hotlines_staff_only(h, personas):
    from nuanxin.core.roles import Role
    from nuanxin.orgs import services as org_services

    viewer, _password = org_services.create_user(
        actor=_system(), username="qr-viewer", organisation=h.medical, role=Role.VIEWER
    )
    client = Client()
    client.force_login(viewer)  # sees the hotline (its figures), is not on its staff
    assert client.get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk})).status_code == 200
    assert client.get(reverse("hotline:public_qr", kwargs={"pk": h.city.pk})).status_code == 403
    client.force_login(personas.jia)  # the city's administrator manages every hotline
    assert client.get(reverse("hotline:public_qr", kwargs={"pk": h.city.pk})).status_code == 200
