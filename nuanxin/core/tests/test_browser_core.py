"""Core's pages in a real browser: the API docs under the site's CSP from local assets, and the
audit log on a phone."""

import pytest

from tests.browser import CSP_WATCH

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_swagger_docs_render_without_csp_violations_or_foreign_hosts(live_server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    errors, hosts = [], set()
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("request", lambda req: hosts.add(req.url.split("/")[2]))
    page.add_init_script(CSP_WATCH)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Nuanxin API")
    page.wait_for_selector("#operations-me-get_me")
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert paths[:2] == ["/api/v1/me", "/api/v1/orgs"]
    page.locator("#operations-me-get_me .opblock-summary").click()
    page.wait_for_selector("#operations-me-get_me .opblock-body")
    assert page.evaluate("window.__csp") == []
    assert errors == []
    assert hosts == {live_server.url.split("/")[2]}


def test_audit_log_on_a_phone(live_server, browser):
    from conftest import build_personas

    p = build_personas()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.add_init_script(CSP_WATCH)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "auditor")
    page.fill("input[name=password]", p.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/audit/?action=org.create")
    # Phones get one card per record, no table, and nothing wider than the screen.
    assert page.locator("#nx-audit-table").is_visible() is False
    cards = page.locator("#nx-audit-cards > li")
    assert cards.count() == 6  # the six organisations of the personas
    assert cards.first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The filters open and filter.
    assert page.locator("#nx-audit-filters").get_attribute("open") == ""
    page.select_option("#id_organisation", "SN")
    page.click("#nx-audit-filter button[type=submit]")
    page.wait_for_url("**organisation=SN**")
    assert page.locator("#nx-audit-cards > li").count() == 2
    # The export link downloads the filtered rows.
    with page.expect_download() as download:
        page.click("#nx-audit-export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert page.evaluate("window.__csp") == []
    assert errors == []
    context.close()
