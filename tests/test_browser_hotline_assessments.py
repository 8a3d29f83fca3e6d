"""Someone opens a hotline's self-assessment link on a phone (390 px), without an account:
chooses the mood check (PHQ-9), answers with a crisis answer on question 9, and the result page
shows the numbers to call now (the hotline's, 120 and 110) before the score; they leave their
mobile with the separate consent and are told when they will be called. A counsellor of the
hotline then sees the crisis answer in the assessments list. No console error, no CSP
violation, nothing wider than the screen.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped only when
NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed).
"""

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from conftest import build_personas
    from nuanxin.hotline.tests.conftest import make_hotlines

    p = build_personas()
    return p, make_hotlines(p)


def test_a_crisis_answer_on_a_phone_shows_the_numbers_to_call_now(live_server, browser):
    from nuanxin.hotline.models import Assessment, Callback, CrisisCase

    p, h = _world()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)

    page.goto(f"{live_server.url}/hotline/p/{h.city.public_key}/")
    page.wait_for_selector("#nx-public-scales")
    assert page.locator("#nx-public-numbers a[href='tel:4008692525']").count() == 1
    assert page_width(page) <= PHONE["width"]
    page.click("#nx-public-scales a[data-scale='PHQ-9']")
    page.wait_for_selector("#nx-public-form")
    assert page.locator("#nx-public-form .nx-question").count() == 9
    assert page_width(page) <= PHONE["width"]

    # Not at all (0) to questions 1–8, "several days" (1) to question 9.
    for number in range(1, 9):
        page.click(f"label[for=id_q{number}_0]")
    page.click("label[for=id_q9_1]")
    page.click("#nx-public-submit")
    page.wait_for_selector("#nx-public-result")

    crisis = page.locator("#nx-public-crisis")
    assert crisis.is_visible()
    assert crisis.locator("a[href='tel:4008692525']").count() == 1
    assert crisis.locator("a[href='tel:120']").count() == 1
    assert crisis.locator("a[href='tel:110']").count() == 1
    # The numbers come first, above the score.
    crisis_top = crisis.bounding_box()["y"]
    assert crisis_top < page.locator("#nx-public-result").bounding_box()["y"]
    assert page.locator("#nx-score").inner_text() == "1"
    assert page_width(page) <= PHONE["width"]

    # The callback: the consent box is not ticked in advance; ticked, the number is kept.
    assert not page.locator("#id_consent").is_checked()
    page.fill("#id_mobile", "13800138000")
    page.click("label[for=id_consent]")
    page.click("#nx-callback-submit")
    page.wait_for_selector("#nx-callback-done")
    assert page.locator("#nx-public-crisis a[href='tel:120']").count() == 1
    assert page_width(page) <= PHONE["width"]

    row = Assessment.objects.get()
    assert (row.scale, row.score, row.crisis, row.mobile, row.callback_consent) == (
        "PHQ-9", 1, True, "+8613800138000", True
    )
    assert CrisisCase.objects.get().assessment == row
    assert Callback.objects.get().severity == "crisis"
    assert errors == [] and csp_violations(page) == []

    # The counsellor sees it among the hotline's assessments.
    counsellor_page = context.new_page()
    sign_in(counsellor_page, live_server.url, "counsellor", p.password)
    counsellor_page.goto(f"{live_server.url}/hotline/assessments/")
    counsellor_page.wait_for_selector("#nx-assessments")
    assert counsellor_page.locator(f"#nx-assessments a[data-assessment='{row.pk}'] .text-bg-danger").count() == 1
    assert page_width(counsellor_page) <= PHONE["width"]
    context.close()
