"""On a phone (390 px): an administrator opens a hotline from the menu, adds its line and a
counsellor, sets its hours; the counsellor sees the hotline with its number as a tel: link;
an auditor's figures page draws its charts (ECharts under the CSP) from the JSON block. No
console error, no CSP violation, nothing wider than the screen."""

from datetime import timedelta

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from django.utils import timezone

    from conftest import build_personas
    from nuanxin.hotline.models import Call
    from nuanxin.hotline.tests.conftest import make_hotlines

    p = build_personas()
    h = make_hotlines(p)
    now = timezone.now()
    calls = [(["sleep"], "none"), (["infection", "grief"], "low"), (["work_stress"], "high")]
    for i, (topics, risk) in enumerate(calls):
        started = now - timedelta(days=i + 1)
        Call.objects.create(
            hotline=h.city, line=h.line, counsellor=h.counsellor, started_at=started,
            ended_at=started + timedelta(minutes=30 + 10 * i), topics=topics, risk=risk,
        )
    return p, h


def test_an_administrator_opens_a_hotline_on_a_phone(live_server, browser):
    from nuanxin.hotline.models import Hotline, HotlineMember

    p, h = _world()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "jia", p.password)

    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-hotlines")
    page.wait_for_selector("#nx-hotline-list")
    page.click("#nx-hotline-new")
    page.wait_for_selector("#nx-hotline-form")
    page.select_option("select[name=organisation]", str(p.shibei.pk))
    page.fill("input[name=name]", "市北区职工心理热线（二）")
    page.fill("input[name=online_channel]", "微信公众号“市北职工心理”")
    assert page_width(page) <= PHONE["width"]
    page.click("#nx-hotline-form button[type=submit]")
    page.wait_for_selector("#nx-hotline-name")
    hotline = Hotline.objects.get(name="市北区职工心理热线（二）")

    page.click("#nx-line-new")
    page.wait_for_selector("#nx-line-form")
    page.fill("input[name=label]", "心理援助热线")
    page.fill("input[name=number]", "0532-85669120")
    page.click("#nx-line-form button[type=submit]")
    page.wait_for_selector("#nx-lines a[href='tel:053285669120']")

    page.click("#nx-member-new")
    page.wait_for_selector("#nx-member-form")
    page.select_option("select[name=user]", str(h.stranger.pk))
    page.click("#nx-member-form button[type=submit]")
    page.wait_for_selector("[data-kind=counsellor] [data-member]")
    assert HotlineMember.objects.filter(hotline=hotline, user=h.stranger, active=True).count() == 1

    page.click("#nx-hotline-edit")
    page.wait_for_selector("#nx-hotline-form")
    page.uncheck("input[name=always_open]")
    page.fill("input[name=opens_at]", "08:00")
    page.fill("input[name=closes_at]", "22:00")
    page.click("#nx-hotline-form button[type=submit]")
    page.wait_for_selector("#nx-hours")
    assert page.inner_text("#nx-hours").strip() == "08:00–22:00"
    assert page_width(page) <= PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()

    # The new counsellor sees it, the number a tap away.
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    from django.contrib.auth.hashers import make_password

    type(h.stranger).objects.filter(pk=h.stranger.pk).update(password=make_password(p.password))
    sign_in(page, live_server.url, "hotline-stranger", p.password)
    page.goto(f"{live_server.url}/hotline/")
    page.wait_for_selector(f"[data-hotline='{hotline.pk}'] a[href='tel:053285669120']")
    assert page_width(page) <= PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()


def test_the_figures_draw_on_a_phone(live_server, browser):
    p, _h = _world()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "auditor", p.password)
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-hotline-stats")
    page.wait_for_selector("#nx-stats-summary")
    # The charts are drawn by hotline_stats.js, which listens for the organisation picker's
    # change first: once a chart is there, choosing sends the form (a busy machine ran the
    # script after the summary was already in the page).
    page.wait_for_selector("#nx-chart-days svg")
    with page.expect_navigation():
        page.select_option("#nx-stats-org", "YW")  # hotline_stats.js sends the form
    assert "org=YW" in page.url
    page.wait_for_selector("#nx-chart-days svg")
    page.wait_for_selector("#nx-chart-topics svg")
    assert page.inner_text("[data-figure=calls]").strip() == "3"
    box = page.locator("#nx-chart-days").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    assert page_width(page) <= PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()
