"""A real browser logs in through the login page and sees the home page in Chinese.

Uses Playwright with Debian's Chromium through the ``browser`` fixture of ``tests/browser.py``
(skipped only when NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed).
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_to_home_in_chinese_on_a_phone(live_server, browser):
    from conftest import build_personas

    p = build_personas()
    # A phone-sized viewport with an English browser: the page must still be Chinese.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("input[name=username]", "yi")
    page.fill("input[name=password]", p.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "欢迎，乙"
    assert "市南区总工会" in page.locator("#nx-scope-list").inner_text()
    assert page.locator("[data-count=organisations]").inner_text() == "2"
    # No CSP violations or script errors on the way.
    assert errors == []
    context.close()


def test_language_switch_to_english(live_server, browser):
    from conftest import build_personas

    p = build_personas()
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "jia")
    page.fill("input[name=password]", p.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.select_option("#nx-language", "en")
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("h1").inner_text() == "Welcome, 甲"
    context.close()
