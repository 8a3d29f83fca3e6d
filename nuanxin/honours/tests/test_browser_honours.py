"""On a phone (390 px): a unit union's administrator opens the commendations from the menu,
the call's board, writes a nomination (the story's characters counted as they type) and submits
it; the district's administrator finds it on the board to review and returns it with a
comment. Nothing is wider than the screen, no console error, no CSP violation.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped only when
NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed)."""

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from conftest import build_personas
    from nuanxin.honours.tests.fixtures import build_honours

    return build_honours(build_personas())


def _phone(browser, live_server, username, password):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    return page, errors


def test_a_unit_nominates_and_the_district_returns_it_on_a_phone(live_server, browser):
    from nuanxin.honours.models import Nomination

    w = _world()
    page, errors = _phone(browser, live_server, "sn_unit", w.p.password)

    # The menu (collapsed on a phone) → the calls → the call's board.
    page.goto(f"{live_server.url}/")
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-honours")
    page.wait_for_selector("#nx-calls")
    page.click(f"[data-call='{w.call.pk}'] h2 a")
    page.wait_for_selector("#nx-board-below")
    assert page_width(page) <= PHONE["width"]

    # A new nomination: 工人先锋号 (a team), the story counted as it is typed.
    page.click("#nx-nominate")
    page.click("[data-award-type='gongren_xianfeng_hao']")
    page.wait_for_selector("#nx-nomination-form")
    page.fill("input[name=team_name]", "重症医学科护理团队")
    page.fill("textarea[name=story]", "坚守重症病房六十天")
    assert page.inner_text(".nx-story-count") == "9 of 3000 characters"
    assert page_width(page) <= PHONE["width"]
    page.click("#nx-nomination-save")
    page.wait_for_selector("#nx-nomination-status[data-status=draft]")
    n = Nomination.objects.get()
    assert page_width(page) <= PHONE["width"]

    # Submitted: at 市南区 now.
    page.click("#nx-do-submit")
    page.wait_for_selector("#nx-nomination-status[data-status=review]")
    assert page.inner_text("#nx-nomination-level") == "市南区总工会"

    # 市南区's administrator: the board shows it to review; returned with a comment.
    district, district_errors = _phone(browser, live_server, "yi", w.p.password)
    district.goto(f"{live_server.url}/honours/calls/{w.call.pk}/")
    district.wait_for_selector(f"#nx-board-review [data-nomination='{n.pk}']")
    assert fits(district)
    district.click(f"#nx-board-review [data-nomination='{n.pk}'] a")
    district.wait_for_selector("#nx-actions")
    assert fits(district)
    district.click("#nx-action-return summary")
    district.fill("#nx-note-return", "请补充团队成员名单。")
    district.click("#nx-do-return")
    district.wait_for_selector("#nx-nomination-status[data-status=returned]")
    assert "请补充团队成员名单。" in district.inner_text("#nx-nomination-timeline")
    assert fits(district)

    assert errors == [] and district_errors == []
    assert csp_violations(page) == [] and csp_violations(district) == []


def fits(page) -> bool:
    return page_width(page) <= PHONE["width"]
