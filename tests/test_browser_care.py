"""A care contact on a phone: signs in, opens "my families this week", reaches the visit form
in two taps, logs a visit with two necessities (the second row added by care.js) and sees the
family as visited; no console error (CSP) and nothing wider than the screen. Then an admin's
completion chart draws from its JSON block without errors.

Uses Playwright with Debian's Chromium (/usr/bin/chromium), like ``tests/test_browser.py``;
skipped only when NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed.
"""

import os
import shutil
from datetime import timedelta

import pytest

CHROMIUM = os.environ.get("NUANXIN_CHROMIUM", "/usr/bin/chromium")
REQUIRED = os.environ.get("NUANXIN_REQUIRE_BROWSER", "") not in {"", "0"}

if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
    if REQUIRED:
        raise RuntimeError(f"NUANXIN_REQUIRE_BROWSER is set but Chromium was not found at {CHROMIUM}")
    pytest.skip("Chromium not installed (set NUANXIN_REQUIRE_BROWSER=1 to make this an error)", allow_module_level=True)

# Playwright's sync API runs an event loop in this thread; the live server's database work
# happens in its own thread, so Django's async-safety guard does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


def _world():
    from django.utils import timezone

    from conftest import build_personas
    from nuanxin.care import services
    from nuanxin.registry import services as registry_services

    p = build_personas()
    campaign = services.create_campaign(
        actor=None, name="关爱抗疫一线医护人员及其家庭成员暖心行动", starts_on=timezone.localdate() - timedelta(days=10)
    )
    families = []
    for i, (name, member) in enumerate([("王芳", "李强"), ("赵敏", "孙磊")]):
        worker = registry_services.create_worker(
            actor=None, organisation=p.shinan_hospital, name=name, team="hubei_aid", mobile=f"1380000{i + 11:04d}"
        )
        registry_services.add_family_member(
            actor=None, worker=worker, name=member, relation="丈夫", mobile=f"1390000{i + 11:04d}"
        )
        families.append(worker)
    services.bulk_assign(actor=p.yi, campaign=campaign, workers=families, contact=p.care)
    return p, families


@pytest.fixture
def browser():
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"),
            headless=True,
            args=LAUNCH_ARGS,
        )
        try:
            yield b
        finally:
            b.close()


def _sign_in(page, url, username, password):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")


def test_a_care_contact_logs_a_visit_on_a_phone(live_server, browser):
    from nuanxin.care.models import Visit, VisitDuty

    p, (wang, _zhao) = _world()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live_server.url, "care", p.password)

    # The menu (collapsed on a phone) → my families this week.
    page.click(".navbar-toggler")
    page.click("#nx-nav-my-week")
    page.wait_for_selector("#nx-duties-due")
    assert page.locator("#nx-duties-due > li").count() == 2
    row = page.locator(f"#nx-duties-due > li[data-worker='{wang.pk}']")
    assert row.locator("a[href^='tel:']").count() == 2  # the worker and the primary family member
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Tap 1: the family. Tap 2: "Log a visit".
    row.locator("a[data-family-link]").click()
    page.wait_for_selector("#nx-family-name")
    page.click("#nx-log-visit")
    page.wait_for_selector("#nx-visit-form")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The form: the date is today already; a phone call, two necessities, the state of mind.
    page.click("label[for=id_mode_1]")
    page.fill("input[name=items-0-item]", "大米")
    page.fill("input[name=items-0-value]", "60")
    page.click("[data-nx-add-row=items]")  # care.js adds the row without a round trip
    page.wait_for_selector("input[name=items-1-item]")
    page.fill("input[name=items-1-item]", "牛奶")
    page.fill("input[name=items-1-quantity]", "2")
    page.fill("input[name=items-1-value]", "130")
    page.fill("textarea[name=state_of_mind]", "情绪稳定，挂念在前线的妻子")
    page.click("#nx-visit-save")
    page.wait_for_selector("#nx-family-name")

    # Back on the family's page the week is done, and so in the week's list.
    assert page.locator("#nx-family-weeks [data-status=done]").count() == 1
    page.click(".navbar-toggler")
    page.click("#nx-nav-my-week")
    page.wait_for_selector("#nx-duties-done")
    assert page.locator(f"#nx-duties-done > li[data-worker='{wang.pk}']").count() == 1
    assert page.locator("#nx-duties-due > li").count() == 1
    assert errors == []
    context.close()

    visit = Visit.objects.get(worker=wang)
    assert (visit.mode, visit.state_of_mind) == ("phone", "情绪稳定，挂念在前线的妻子")
    assert [(i.item, str(i.quantity), str(i.value)) for i in visit.items.all()] == [
        ("大米", "1.00", "60.00"),
        ("牛奶", "2.00", "130.00"),
    ]
    assert VisitDuty.objects.get(worker=wang).status == "done"


def test_the_completion_chart_draws_without_errors(live_server, browser):
    p, _families = _world()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    _sign_in(page, live_server.url, "viewer", p.password)
    page.goto(f"{live_server.url}/care/chart/")
    page.wait_for_selector("#nx-chart svg")
    box = page.locator("#nx-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the tooltip
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()
