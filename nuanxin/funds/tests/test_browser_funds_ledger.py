"""On a phone (375 px): a finance clerk records income from the fund's page; the same clerk
sees the entry waiting for another approver, with no approve button; a second person, the
approver, approves it from the approval queue and the fund's page shows the balance. No
console error, no CSP violation, nothing wider than the screen."""

import pytest

from tests.browser import csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


def _world():
    from conftest import build_personas
    from nuanxin.funds.tests.fixtures import PASSWORD, build_people, open_fund

    p = build_personas()
    fp = build_people(p)
    fund = open_fund(fp.clerk, p.shinan, "疫情防控专项资金")
    return p, fp, fund, PASSWORD


def test_a_clerk_records_income_and_a_second_person_approves_it_on_a_phone(live_server, browser):
    from nuanxin.funds.models import Entry

    _p, fp, fund, password = _world()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, fp.clerk.username, password)
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-funds")
    page.wait_for_selector("#nx-fund-list")
    page.click(f"[data-fund='{fund.pk}'] a")
    page.wait_for_selector("#nx-fund-balance")
    assert page.get_attribute("#nx-fund-balance", "data-balance") == "0.00"
    page.click("#nx-income")
    page.wait_for_selector("#nx-income-form")
    page.fill("input[name=amount]", "20000")
    page.fill("input[name=on]", "2020-02-03")
    assert page_width(page) <= PHONE["width"]
    page.click("#nx-income-form button[type=submit]")
    page.wait_for_selector("#nx-fund-entries [data-entry]")
    entry = Entry.objects.get(fund=fund)
    page.click(f"#nx-fund-entries [data-entry='{entry.pk}'] a")
    page.wait_for_selector("#nx-waiting-other")
    assert page.query_selector("#nx-approve") is None
    assert page_width(page) <= PHONE["width"]
    # The other pages of the fund fit the phone too.
    for path, selector in ((f"/funds/{fund.pk}/allocations/new/", "#nx-allocation-form"),
                           (f"/funds/{fund.pk}/statement/", "#nx-statement"),
                           ("/funds/approvals/", "#nx-queue-mine")):
        page.goto(live_server.url + path)
        page.wait_for_selector(selector)
        assert page_width(page) <= PHONE["width"], path
    assert errors == [] and csp_violations(page) == []
    context.close()

    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, fp.approver.username, password)
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-fund-approvals")
    page.wait_for_selector(f"#nx-queue-approve [data-approve='{entry.pk}']")
    assert page_width(page) <= PHONE["width"]
    page.click(f"[data-approve='{entry.pk}']")
    page.wait_for_selector("#nx-queue-approve")
    entry.refresh_from_db()
    assert entry.status == "approved" and entry.approved_by_id == fp.approver.pk
    page.goto(f"{live_server.url}/funds/{fund.pk}/")
    page.wait_for_selector("#nx-fund-balance")
    assert page.get_attribute("#nx-fund-balance", "data-balance") == "20000.00"
    assert page.inner_text("#nx-fund-balance").strip() == "¥20,000.00"
    assert page_width(page) <= PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()
