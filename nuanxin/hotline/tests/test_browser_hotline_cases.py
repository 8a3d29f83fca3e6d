"""A counsellor on a phone (390 px) opens the callback queue from the menu: the overdue crisis
callback is first; they claim it and record an attempt (no answer: try again in two hours), and
it is back in the queue to try again; then they claim the next one and reach the caller. Nothing
is wider than the screen, no console error, no CSP violation.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped only when
NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed)."""

from datetime import timedelta

import pytest

from nuanxin.core.policy import SYSTEM
from tests.browser import csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from django.utils import timezone

    from conftest import build_personas
    from nuanxin.hotline.services import cases as services
    from nuanxin.hotline.tests.conftest import make_hotlines

    p = build_personas()
    h = make_hotlines(p)
    now = timezone.now()
    later = services.open_callback(actor=SYSTEM, hotline=h.city, number="13800001111", due_at=now + timedelta(hours=20),
                                   severity="moderate", preferred_counsellor=h.counsellor)
    crisis = services.open_callback(actor=SYSTEM, hotline=h.city, number="13800002222",
                                    due_at=now - timedelta(minutes=40), severity="crisis")
    return p, h, crisis, later


def test_a_counsellor_claims_a_callback_and_records_attempts_on_a_phone(live_server, browser):
    from django.utils import timezone

    from nuanxin.hotline.models import Callback, CallbackAttempt

    p, h, crisis, later = _world()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "counsellor", p.password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])

    # The menu (collapsed on a phone) → the callback queue: the overdue crisis one first.
    page.goto(f"{live_server.url}/")
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-callbacks")
    page.wait_for_selector("#nx-callbacks")
    rows = page.locator("#nx-callbacks [data-callback]")
    assert [rows.nth(i).get_attribute("data-callback") for i in range(rows.count())] == [str(crisis.pk),
                                                                                         str(later.pk)]
    assert rows.nth(0).get_attribute("data-overdue") == "1"
    assert "Asked for 心理援助师" in rows.nth(1).inner_text()
    assert page_width(page) <= 390

    # Claim it, call, no answer: try again in two hours.
    rows.nth(0).click()
    page.wait_for_selector("#nx-claim")
    assert page.locator("#nx-callback-number").get_attribute("href") == "tel:+8613800002222"
    page.click("#nx-claim")
    page.wait_for_selector("#nx-attempt-form")
    assert page.locator("#nx-callback-status").get_attribute("data-status") == "claimed"
    assert page_width(page) <= 390
    retry = timezone.localtime() + timedelta(hours=2)
    page.click("#nx-attempt-form label:has-text('No answer')")
    page.fill("input[name=retry_at]", retry.strftime("%Y-%m-%dT%H:%M"))
    page.fill("textarea[name=note]", "无人接听")
    page.click("#nx-attempt-save")
    page.wait_for_selector("#nx-claim")  # back in the queue: anyone may claim it again
    assert page.locator("#nx-callback-status").get_attribute("data-status") == "retry"
    assert page.locator("#nx-attempts [data-result=no_answer]").count() == 1

    # The next one: the caller who asked for this counsellor is reached.
    page.goto(f"{live_server.url}/hotline/callbacks/{later.pk}/")
    page.click("#nx-claim")
    page.wait_for_selector("#nx-attempt-form")
    page.fill("textarea[name=note]", "睡眠好转，约两周后再聊")  # "Reached" is preselected
    page.click("#nx-attempt-save")
    page.wait_for_selector("#nx-callback-outcome")
    assert page.locator("#nx-callback-status").get_attribute("data-status") == "done"
    assert page_width(page) <= 390
    assert errors == []
    assert csp_violations(page) == []
    context.close()

    crisis.refresh_from_db()
    assert (crisis.status, crisis.owner_id) == ("retry", None)
    assert crisis.retry_at == retry.replace(second=0, microsecond=0)
    later.refresh_from_db()
    assert (later.status, later.owner_id, later.outcome) == ("done", h.counsellor.pk, "睡眠好转，约两周后再聊")
    assert list(CallbackAttempt.objects.order_by("id").values_list("callback_id", "result")) == [
        (crisis.pk, "no_answer"), (later.pk, "reached"),
    ]
    assert Callback.objects.filter(status="claimed").count() == 0
