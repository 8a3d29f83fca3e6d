"""On a phone (Chromium, no help from script): the unit's administrator types the story, then
searches for the worker with the form's own search button; the story comes back, the worker is
chosen and the draft saved. On the draft's page, 撤回 is a button that opens its labelled box."""

import pytest

from nuanxin.honours.tests.test_browser_honours import _phone, _world, fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_story_survives_the_worker_search_on_a_phone(live_server, browser):
    from nuanxin.honours.models import Nomination

    w = _world()
    page, errors = _phone(browser, live_server, "sn_unit", w.p.password)
    page.goto(f"{live_server.url}/honours/calls/{w.call.pk}/nominate/?award_type={w.type('wuyi_jiangzhang').pk}")
    page.wait_for_selector("#nx-nomination-form")
    page.fill("textarea[name=story]", "驰援武汉六十余天")
    page.fill("#nx-worker-q", "张援鄂")
    page.click("#nx-worker-search-go")
    page.wait_for_selector(f"input[name=worker][value='{w.aid_worker.pk}']")
    assert page.input_value("textarea[name=story]") == "驰援武汉六十余天"
    assert page.input_value("#nx-worker-q") == "张援鄂"
    assert fits(page)
    page.check(f"input[name=worker][value='{w.aid_worker.pk}']")
    page.click("#nx-nomination-save")
    page.wait_for_selector("#nx-nomination-status[data-status=draft]")
    n = Nomination.objects.get()
    assert (n.worker_id, n.story) == (w.aid_worker.pk, "驰援武汉六十余天")

    # 撤回: a visible button; pressed, its labelled box and confirm button show.
    summary = page.locator("#nx-open-withdraw")
    assert summary.inner_text() == "Withdraw (a comment is needed)"
    assert not page.is_visible("#nx-note-withdraw")
    summary.click()
    assert page.is_visible("#nx-note-withdraw")
    assert page.inner_text("label[for=nx-note-withdraw]") == "Why it is withdrawn"
    assert page.inner_text("#nx-do-withdraw") == "Confirm: Withdraw"
    assert fits(page)
    assert errors == []
