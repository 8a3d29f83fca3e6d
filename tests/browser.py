"""The browser tests' one place: Playwright on Debian's Chromium, the skip rule, sign-in and
error watching. A pytest plugin, registered from the root ``conftest.py``.

- ``browser``: a headless Chromium launched from ``NUANXIN_CHROMIUM`` (default
  ``/usr/bin/chromium``, else ``chromium`` on PATH); never ``playwright install``.
- The rule: a test using it is **skipped** only when no Chromium is found and
  ``NUANXIN_REQUIRE_BROWSER`` is unset (or ``0``); when it is set and Chromium is missing,
  the test is an **error**, so CI cannot pass by skipping.
- ``sign_in(page, base_url, username, password)`` signs in through the real login page;
  ``watch(page)`` collects console errors, uncaught exceptions and CSP violations.
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("NUANXIN_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
CSP_WATCH = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


def chromium_path() -> str | None:
    """Where Chromium is, or None."""
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


def browser_required() -> bool:
    return os.environ.get("NUANXIN_REQUIRE_BROWSER", "") not in {"", "0"}


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """Chromium's path; skips the test without one, unless the browser is required."""
    path = chromium_path()
    if path is None:
        if browser_required():
            pytest.fail(f"NUANXIN_REQUIRE_BROWSER is set but Chromium was not found at {CHROMIUM}", pytrace=False)
        pytest.skip("Chromium not installed (set NUANXIN_REQUIRE_BROWSER=1 to make this an error)")
    return path


@pytest.fixture
def browser(chromium_executable, monkeypatch):
    """A headless Chromium for one test."""
    # Playwright's sync API runs an event loop in this thread; the live server's database work
    # happens in its own thread, so Django's async-safety guard does not apply to this test.
    # Set for the test only: nothing else (e.g. a deployment check) inherits it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_executable, headless=True, args=LAUNCH_ARGS)
        try:
            yield b
        finally:
            b.close()
            # The test's own database work ran in Playwright's context, where Django keeps
            # connections apart from the main context's: close them here, or PostgreSQL
            # refuses to drop the test database at the end of the session.
            connections.close_all()


def sign_in(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the login page and wait for the home page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def watch(page) -> list[str]:
    """Console errors and uncaught exceptions of the page from now on, in a list that grows;
    CSP violations are read with ``csp_violations(page)``."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(CSP_WATCH)
    return errors


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def page_width(page) -> int:
    """How wide the page's content is (more than the viewport: it scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth")
