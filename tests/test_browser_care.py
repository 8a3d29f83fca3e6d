"""A care contact on a phone: signs in, opens "my families this week", reaches the visit form
in two taps, logs a visit with two necessities (the second row added by care.js) and sees the
family as visited; no console error (CSP) and nothing wider than the screen. Then an admin's
completion chart draws from its JSON block without errors.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped only when
NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed).
"""

from datetime import timedelta

import pytest

from nuanxin.core.policy import SYSTEM
from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from django.utils import timezone

    from conftest import build_personas
    from nuanxin.care import services
    from nuanxin.registry import services as registry_services

    p = build_personas()
    campaign = services.create_campaign(
        actor=SYSTEM, name="关爱抗疫一线医护人员及其家庭成员暖心行动",
        starts_on=timezone.localdate() - timedelta(days=10),
    )
    families = []
    for i, (name, member) in enumerate([("王芳", "李强"), ("赵敏", "孙磊")]):
        worker = registry_services.create_worker(
            actor=SYSTEM, organisation=p.shinan_hospital, name=name, team="hubei_aid", mobile=f"1380000{i + 11:04d}"
        )
        registry_services.add_family_member(
            actor=SYSTEM, worker=worker, name=member, relation="丈夫", mobile=f"1390000{i + 11:04d}"
        )
        families.append(worker)
    services.bulk_assign(actor=p.yi, campaign=campaign, workers=families, contact=p.care)
    return p, families


def test_a_care_contact_logs_a_visit_on_a_phone(live_server, browser):
    from nuanxin.care.models import Visit, VisitDuty

    p, (wang, _zhao) = _world()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server.url, "care", p.password)

    # The menu (collapsed on a phone) → my families this week.
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
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
    page.wait_for_selector("#nx-nav.show")
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
    sign_in(page, live_server.url, "viewer", p.password)
    page.goto(f"{live_server.url}/care/chart/")
    page.wait_for_selector("#nx-chart svg")
    box = page.locator("#nx-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # the tooltip
    page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()
