"""The interactive API docs render in a real browser under the site's CSP, from local assets."""

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


def test_swagger_docs_render_without_csp_violations_or_foreign_hosts(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True, args=LAUNCH_ARGS,
        )
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            errors, hosts = [], set()
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("request", lambda req: hosts.add(req.url.split("/")[2]))
            page.add_init_script(
                "window.__csp = []; document.addEventListener('securitypolicyviolation',"
                " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
            )
            page.goto(f"{live_server.url}/api/v1/docs")
            page.wait_for_selector(".swagger-ui .info .title")
            assert page.locator(".swagger-ui .info .title").inner_text().startswith("Nuanxin API")
            page.wait_for_selector("#operations-me-get_me")
            assert page.locator(".opblock-summary-path").all_inner_texts() == ["/api/v1/me", "/api/v1/orgs"]
            page.locator("#operations-me-get_me .opblock-summary").click()
            page.wait_for_selector("#operations-me-get_me .opblock-body")
            assert page.evaluate("window.__csp") == []
            assert errors == []
            assert hosts == {live_server.url.split("/")[2]}
        finally:
            browser.close()
