"""The organisation tree in a real phone-sized browser: it collapses, expands, and runs
under the CSP without script errors. Uses the ``browser`` fixture of ``tests/browser.py``."""

import pytest

from tests.browser import PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, browser):
    from conftest import build_personas

    p = build_personas()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.nx_errors = []
    page.on("console", lambda msg: page.nx_errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server.url, "jia", p.password)
    yield page
    context.close()


def test_tree_opens_one_level_on_a_phone_and_expands(page, live_server):
    page.goto(f"{live_server.url}/orgs/")

    def visible(code: str) -> bool:
        return page.locator(f'li[data-code="{code}"] a.fw-semibold').first.is_visible()

    assert [visible(code) for code in ("CITY", "SB", "SN", "YW")] == [True] * 4
    assert [visible(code) for code in ("SB-H1", "SN-H1")] == [False, False]
    page.locator('li[data-code="SN"] > details > summary').click()
    assert [visible(code) for code in ("SB-H1", "SN-H1")] == [False, True]
    page.click(".nx-tree-expand")
    assert [visible(code) for code in ("SB-H1", "SN-H1")] == [True, True]
    page.click(".nx-tree-collapse")
    assert [visible(code) for code in ("CITY", "SB", "SN-H1")] == [True, False, False]
    # The page is no wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.nx_errors == []
