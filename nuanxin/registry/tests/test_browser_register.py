"""The register in a real browser on a phone: search, reveal a number (htmx), the sensitive
panel, adding a family member; no CSP violation, nothing wider than the screen.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped without it).
"""

import pytest

from nuanxin.core.policy import SYSTEM
from tests.browser import PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_on_a_phone(live_server, browser):
    from conftest import build_personas
    from nuanxin.core.models import AuditLog
    from nuanxin.registry import services
    from nuanxin.registry.tests.helpers import make_worker

    p = build_personas()
    zhang = make_worker(p.shinan_hospital, "张三", mobile="13812345678", category="nurse", post_title="主管护师")
    services.add_family_member(actor=SYSTEM, worker=zhang, name="李明", relation="丈夫", mobile="13900001111")
    services.update_sensitive(actor=SYSTEM, worker=zhang, maternity="lactating")
    make_worker(p.shinan_hospital, "李四", mobile="13800004321", team="cdc")

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, live_server.url, "yi", p.password)

    page.goto(f"{live_server.url}/register/?q=zs")
    rows = page.locator("#nx-workers tbody tr")
    assert rows.count() == 1
    assert "138****5678" in rows.first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rows.first.locator("button").click()
    page.wait_for_selector("#nx-workers .nx-revealed")
    assert page.locator("#nx-workers .nx-revealed").inner_text() == "13812345678"
    assert page.url == f"{live_server.url}/register/?q=zs"  # swapped in place

    page.click("#nx-workers a[href*='/register/']")
    page.wait_for_selector("#nx-worker-name")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#nx-sensitive-load button")
    page.wait_for_selector("#nx-sensitive-panel")
    assert (
        "哺乳期" in page.locator("#nx-sensitive-panel").inner_text()
        or "Lactating" in page.locator("#nx-sensitive-panel").inner_text()
    )

    page.click("a[href$='/family/new/']")
    page.fill("input[name=name]", "张小")
    page.fill("input[name=mobile]", "123")
    page.click("form.nx-form button[type=submit]")
    assert page.locator("[data-field=mobile] .invalid-feedback").count() == 1
    page.fill("input[name=mobile]", "139 0000 2222")
    page.click("form.nx-form button[type=submit]")
    page.wait_for_selector("#nx-family")
    assert page.locator("#nx-family li").count() == 2
    assert errors == []
    context.close()
    assert AuditLog.objects.filter(action="worker.mobile_reveal").count() == 1
    assert AuditLog.objects.filter(action="worker.sensitive_read").count() == 1


def test_import_dry_run_on_a_phone(live_server, browser):
    """The dry-run page of a messy file on a phone: each row's name and outcome stay at the
    top of the row (they sat in the middle of a ten-line details cell), a pasted 60-character
    name wraps inside its column, nothing is wider than the screen."""
    import io

    from conftest import build_personas
    from nuanxin.tables.imports import services as import_services
    from nuanxin.tables.tests.import_fixtures import build_world, table1
    from tests.browser import csp_violations, page_width, watch

    world = build_world(build_personas())
    rows = [
        [1, "钱多多", "男", "医生", "主任医师", "13805327001", "钱太太（妻）、钱小宝(儿子)", "13905327001", "", "口罩"],
        [2, "李" * 60, "男", "医生", "医生", "13805327007", "", "", "", ""],
    ]
    upload = io.BytesIO(table1(rows))
    batch = import_services.create_batch(
        actor=world.p.yi, organisation=world.unit, upload=upload, filename="messy.xlsx", background=False
    )
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "yi", world.p.password)
    page.goto(f"{live_server.url}/register/imports/{batch.pk}/")
    cells = page.locator("#nx-import-rows tbody tr").first.locator("td")
    assert [cells.nth(i).evaluate("e => getComputedStyle(e).verticalAlign") for i in range(3)] == ["top"] * 3
    tops = [cells.nth(i).bounding_box()["y"] for i in range(3)]
    assert tops[0] == tops[1] == tops[2]
    names = page.locator("#nx-import-rows .nx-import-who .fw-semibold")
    assert names.nth(0).bounding_box()["y"] - tops[0] < 10  # at the top of its row, not halfway down
    assert names.nth(1).inner_text() == "李" * 60
    assert page.locator("#nx-import-rows .nx-import-who").nth(1).bounding_box()["width"] < 390 / 2
    assert page_width(page) <= 390
    assert errors == [] and csp_violations(page) == []
    context.close()
