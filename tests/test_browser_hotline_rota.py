"""A hotline coordinator on a phone (390 px): opens the rota from the menu, goes to next week,
generates its shifts from the three 8-hour patterns, sees every shift short of its seats (the
gap), opens Monday's morning shift, puts a counsellor on duty and sees one seat still missing
on the week. Then the hours chart draws from its JSON block. No console error, no CSP
violation, nothing wider than the screen.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped only when
NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed).
"""

from datetime import time, timedelta

import pytest

from nuanxin.core.policy import SYSTEM
from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from conftest import PASSWORD, build_personas
    from nuanxin.hotline.services import rota
    from nuanxin.hotline.tests.conftest import make_hotlines

    h = make_hotlines(build_personas())
    h.coordinator.set_password(PASSWORD)
    h.coordinator.save()
    h.counsellor.full_name = "张敏"
    h.counsellor.save()
    for name, hour in (("早班", 8), ("中班", 16), ("夜班", 0)):
        rota.create_pattern(actor=SYSTEM, hotline=h.city, name=name, starts_at=time(hour), hours=8)
    return h


def test_a_coordinator_plans_next_week_on_a_phone(live_server, browser):
    from django.utils import timezone

    from conftest import PASSWORD
    from nuanxin.hotline.models import Shift, ShiftAssignment

    h = _world()
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "hotline-coordinator", PASSWORD)

    # The menu (collapsed on a phone) → the rota: this week, nothing planned yet.
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-rota")
    page.wait_for_selector("#nx-rota-empty")
    page.click("#nx-rota-next")
    page.wait_for_url(f"**week={monday.isoformat()}")

    # Generate next week's shifts: 21, every one short of its two seats, listed by day.
    page.click("#nx-rota-generate button[type=submit]")
    page.wait_for_selector("#nx-rota-short")
    assert Shift.objects.filter(hotline=h.city).count() == 21
    assert "21" in page.inner_text("#nx-rota-short")
    assert page.locator("#nx-rota-list a[data-short='2']").count() == 21
    assert page.locator("#nx-rota-grid").is_visible() is False  # the desktop grid is hidden on a phone
    assert page_width(page) <= PHONE["width"]

    # Monday's morning shift: put the counsellor on duty.
    morning = Shift.objects.get(hotline=h.city, starts_at__date=monday, pattern__name="早班")
    page.click(f"#nx-rota-list a[data-shift='{morning.pk}']")
    page.wait_for_selector("#nx-shift-assign")
    page.select_option("select[name=counsellor]", str(h.counsellor.pk))
    page.click("#nx-shift-assign button[type=submit]")
    page.wait_for_selector(f"#nx-shift-people li[data-person='{h.counsellor.pk}']")
    assert page.locator("#nx-shift-seats [data-gap]").count() == 1  # one seat still missing
    assert page_width(page) <= PHONE["width"]
    assert ShiftAssignment.objects.filter(shift=morning, counsellor=h.counsellor).count() == 1

    # Back on the week the shift shows the gap of one seat.
    page.click("#nx-shift-week")
    page.wait_for_selector("#nx-rota-list")
    assert page.locator(f"#nx-rota-list a[data-shift='{morning.pk}'][data-short='1']").count() == 1
    assert "张敏" in page.inner_text(f"#nx-rota-list a[data-shift='{morning.pk}']")
    assert page.locator("#nx-rota-list a[data-short='2']").count() == 20

    # Hours per counsellor in that month: the bar chart draws.
    page.goto(f"{live_server.url}/hotline/rota/{h.city.pk}/hours/?month={monday:%Y-%m}")
    page.wait_for_selector("#nx-hours-chart svg")
    assert page_width(page) <= PHONE["width"]
    assert errors == []
    assert csp_violations(page) == []
    context.close()
