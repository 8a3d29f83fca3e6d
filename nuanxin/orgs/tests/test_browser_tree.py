"""The organisation tree in a real phone-sized browser: it collapses, expands, and runs
under the CSP without script errors. Uses Debian's Chromium (/usr/bin/chromium)."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("NUANXIN_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("NUANXIN_REQUIRE_BROWSER", "") not in {"", "0"}

if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
    if REQUIRED:
        raise RuntimeError(f"NUANXIN_REQUIRE_BROWSER is set but Chromium was not found at {CHROMIUM}")
    pytest.skip("Chromium not installed (set NUANXIN_REQUIRE_BROWSER=1 to make this an error)",
                allow_module_level=True)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def page(live_server):
    from conftest import build_personas

    p = build_personas()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
                                     headless=True, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.nx_errors = []
        page.on("console", lambda msg: page.nx_errors.append(msg.text) if msg.type == "error" else None)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "jia")
        page.fill("input[name=password]", p.password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        try:
            yield page
        finally:
            browser.close()


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
