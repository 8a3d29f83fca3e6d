"""A counsellor on a phone (390 px) logs a call in one tap from home: the caller agrees to a
callback, the earlier contact of this caller shows as soon as the number is typed (htmx), the
caller asks for the same counsellor; the call is saved, the callback is in the queue for them,
and nothing is wider than the screen, no console error, no CSP violation."""

from datetime import timedelta

import pytest

from nuanxin.core.policy import SYSTEM
from tests.browser import csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from django.utils import timezone

    from conftest import build_personas
    from nuanxin.hotline.services import calls as call_services
    from nuanxin.hotline.tests.conftest import make_hotlines

    p = build_personas()
    h = make_hotlines(p)
    earlier = call_services.record_call(
        actor=h.colleague, hotline=h.city, started_at=timezone.now() - timedelta(days=6),
        ended_at=timezone.now() - timedelta(days=6) + timedelta(minutes=65), callback_consent=True,
        callback_number="13800001234", topics=["sleep"], risk="low",
    )
    call_services.record_call(actor=SYSTEM, hotline=h.other, counsellor=h.stranger,
                              started_at=timezone.now() - timedelta(days=2), callback_consent=True,
                              callback_number="13800001234", topics=["grief"])
    return p, h, earlier


def test_a_counsellor_logs_a_call_with_a_callback_consent_on_a_phone(live_server, browser):
    from nuanxin.hotline.models import Call, Callback

    p, h, earlier = _world()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "counsellor", p.password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])

    # One tap from home.
    page.goto(f"{live_server.url}/")
    page.click("a[href='/hotline/calls/new/']")
    page.wait_for_selector("#nx-call-form")
    assert page_width(page) <= 390

    # The common case is preset (phone, listening, no risk; the call just ended, so no start
    # time to type): the minutes, the caller, the topics, the risk.
    page.fill("input[name=minutes]", "70")
    page.click("label[for=id_caller_kind_1]")  # a family member
    page.click("label[for=id_topics_1]")  # worry for a family member on the front line
    page.click("label[for=id_topics_2]")  # sleep
    page.click("label[for=id_risk_2]")  # medium
    # The callback: consent, the number → this hotline's earlier contact appears.
    page.check("#id_callback_consent")
    page.fill("input[name=callback_number]", "138 0000 1234")
    page.wait_for_selector(f"#nx-earlier-contacts li[data-call='{earlier.pk}']")
    assert page.locator("#nx-earlier-contacts li").count() == 1  # not the other hotline's
    page.check("#id_same_counsellor")
    page.select_option("select[name=outcome]", "callback")
    assert page_width(page) <= 390
    page.click("#nx-call-save")
    page.wait_for_selector("#nx-call-fields")

    call = Call.objects.exclude(pk=earlier.pk).get(hotline=h.city)
    assert (call.counsellor_id, call.caller_kind, call.risk, call.duration_minutes) == (
        h.counsellor.pk, "family", "medium", 70
    )
    assert call.topics == ["family_frontline", "sleep"]
    assert (call.callback_number, call.same_counsellor, call.outcome) == ("+8613800001234", True, "callback")
    callback = Callback.objects.get(call=call)
    assert callback.preferred_counsellor_id == h.counsellor.pk
    assert "+8613800001234" in page.inner_text("#nx-call-callback")
    assert page.locator("#nx-same-counsellor").count() == 1
    assert page_width(page) <= 390
    assert errors == []
    assert csp_violations(page) == []
    context.close()
