"""What a new user stumbled on, tried in Chromium (issue 11, item 10): the completion chart's
week in progress, the audit log in words on a desktop (the organisation column readable) and
on a phone, the action filter by label."""

from datetime import timedelta

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch
from tests.test_browser_care import _world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_chart_draws_this_week_as_in_progress(live_server, browser, viewport):
    from django.utils import timezone

    p, (wang, _zhao) = _world()
    from nuanxin.care import services

    services.record_visit(actor=p.care, worker=wang, on=timezone.localdate() - timedelta(days=7), mode="phone")
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "viewer", p.password)
    page.goto(f"{live_server.url}/care/chart/")
    page.wait_for_selector("#nx-chart svg")
    svg = page.locator("#nx-chart svg").inner_html()
    assert "stroke-dasharray" in svg  # the step into this week is dashed
    assert "本周进行中" in svg  # and the week is labelled as going on
    box = page.locator("#nx-chart").bounding_box()
    page.mouse.move(box["x"] + box["width"] - 30, box["y"] + box["height"] / 2)  # this week's tooltip
    page.wait_for_timeout(300)
    assert page_width(page) <= viewport["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()


def _audit_rows():
    from conftest import build_personas
    from nuanxin.core import audit, context
    from nuanxin.core.policy import SYSTEM

    p = build_personas()
    for i in range(3):
        audit.record(p.yi, "worker.mobile_reveal", object_type="registry.worker", object_id=58 + i,
                     object_repr="张三", organisation=p.shinan_hospital,
                     detail={"whose": "worker", "id": 58 + i, "mobile": "138****0001", "purpose": "show",
                             "note": {"chars": 6}, "long": "很长的说明文字" * 20})
    # The command line's channel, whatever an earlier test left in this thread's context.
    token = context.set_current(context.RequestContext(channel="cli"))
    try:
        audit.record(SYSTEM, "org.create", obj=p.medical_union, organisation=p.city,
                     detail={"code": "MU", "kind": "industry_union"})
    finally:
        context.reset(token)
    return p


def test_the_audit_log_in_words_on_a_desktop(live_server, browser):
    p = _audit_rows()
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "auditor", p.password)
    page.goto(f"{live_server.url}/audit/")
    table = page.locator("#nx-audit-table")
    assert table.is_visible()
    assert table.locator(".nx-audit-action[title='worker.mobile_reveal']").first.inner_text() == "查看完整手机号"
    assert table.locator(".nx-audit-actor[title='system:cli']").first.inner_text() == "系统（命令行）"
    # the organisation's name is on one or two lines, not one or two characters a line
    cell = table.locator("tr", has_text="查看完整手机号").first.locator(".nx-audit-org")
    assert cell.inner_text() == "市南区人民医院工会"
    lines = cell.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e);"
                          " return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
    assert lines == 1
    assert cell.bounding_box()["width"] >= 8 * 14  # at least eight characters wide
    # the filter: type part of a label, pick nothing else, get the rows
    page.click("#nx-audit-filters summary")
    page.fill("input[name=action]", "手机号")
    page.click("#nx-audit-filter button[type=submit]")
    page.wait_for_url("**/audit/?*")
    assert page.locator("#nx-audit-table tbody tr").count() == 3
    option = page.locator("datalist#nx-audit-actions option[value='worker.mobile_reveal']")
    assert option.get_attribute("label") == "查看完整手机号"
    assert errors == [] and csp_violations(page) == []
    context.close()


def test_the_audit_log_in_words_on_a_phone(live_server, browser):
    p = _audit_rows()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "auditor", p.password)
    page.goto(f"{live_server.url}/audit/?action=mobile_reveal")
    cards = page.locator("#nx-audit-cards > li")
    assert cards.count() == 3
    assert cards.first.locator(".nx-audit-action").inner_text() == "查看完整手机号"
    assert "备注：6 个字" in cards.first.inner_text()
    assert page_width(page) <= PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()


WIDE = {"width": 1440, "height": 900}

# Every entry on one line: its height is that of one line of text (not one or two characters a line).
ONE_LINE_ENTRIES = """() => [...document.querySelectorAll('#nx-nav .nav-link')].filter(a => a.offsetParent !== null)
  .map(a => [a.innerText.trim(), a.getBoundingClientRect().height <= 2 * parseFloat(getComputedStyle(a).lineHeight)])"""


@pytest.mark.parametrize("viewport", [DESKTOP, WIDE], ids=["desktop", "wide"])
def test_the_city_administrators_menu_keeps_every_entry_on_one_line(live_server, browser, personas, viewport):
    """Issue 14's review: with the measures' entries (twenty for a city administrator) the open
    bar broke every entry character by character at 1280 px. Below 1400 px the menu button opens
    rows of whole entries; from 1400 px the bar lies open, wrapping whole entries."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "jia", personas.password)
    toggler = page.locator(".navbar-toggler")
    if viewport is DESKTOP:
        assert toggler.is_visible()
        toggler.click()
        page.locator("#nx-nav.show").wait_for()
    else:
        assert not toggler.is_visible()
    entries = page.evaluate(ONE_LINE_ENTRIES)
    labels = [label for label, _one_line in entries]
    assert {"登记簿", "专项资金", "互助保障", "疗休养", "通讯免费"} <= set(labels)
    assert [label for label, one_line in entries if not one_line] == []
    assert page_width(page) <= viewport["width"]
    assert page.locator("body").inner_text().startswith("暖心")  # nothing printed above the bar
    assert errors == [] and csp_violations(page) == []
    context.close()


def test_the_language_switch_names_each_language_in_itself(live_server, browser, personas):
    """The switch says "English" on a Chinese page (it said 英语: a reader of English alone could
    not find it) and 简体中文 on an English one."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "jia", personas.password)
    options = page.locator("#nx-language option")
    assert options.all_inner_texts() == ["简体中文", "English"]
    page.select_option("#nx-language", "en")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("#nx-language option").all_inner_texts() == ["简体中文", "English"]
    context.close()
