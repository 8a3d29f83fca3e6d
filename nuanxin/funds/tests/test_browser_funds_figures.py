"""On a phone (390 px): the viewer opens the fund figures from the menu; the chart (ECharts
under the CSP) is drawn from the JSON block, the tables are there, and nothing is wider than
the screen. No console error, no CSP violation, no beneficiary's name."""

from datetime import date
from decimal import Decimal

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from conftest import build_personas
    from nuanxin.core.policy import SYSTEM
    from nuanxin.funds.services import ledger
    from nuanxin.funds.tests.fixtures import approve_fully, build_people, fund_with
    from nuanxin.registry.services import create_worker

    p = build_personas()
    fp = build_people(p)
    fund = fund_with(fp.clerk, fp.approver, p.shinan_hospital, "50000", on=date(2020, 1, 20))
    person = create_worker(actor=SYSTEM, organisation=p.shinan_hospital, name="林援鄂", team="hubei_aid",
                           mobile="13900001234", allow_duplicate=True)  # fmt: skip
    approve_fully(ledger.record_expenditure(
        actor=fp.clerk, fund=fund, amount="2000", category="condolence", on=date(2020, 3, 3), payee_kind="person",
        beneficiaries=[ledger.Payment(person, Decimal("2000"))],
    ), fp.approver)  # fmt: skip
    for month, category in ((2, "protective"), (3, "comfort"), (4, "protective"), (5, "living")):
        approve_fully(ledger.record_expenditure(actor=fp.clerk, fund=fund, amount=str(1000 * month),
                                                category=category, on=date(2020, month, 9), payee="某公司"),
                      fp.approver)  # fmt: skip
    return p


def test_the_fund_figures_draw_on_a_phone(live_server, browser):
    p = _world()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "viewer", p.password)
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-funds")
    page.click("#nx-funds-tabs a[data-tab=figures]")
    page.wait_for_selector("#nx-figures-summary")
    page.wait_for_selector("#nx-figures-chart svg")
    assert page.get_attribute("#nx-figures-chart", "data-drawn") == "1"
    assert page.inner_text("[data-figure=spent]").strip() == "¥16,000.00"
    assert page.locator("#nx-figures-months tbody tr").count() == 12
    box = page.locator("#nx-figures-chart").bounding_box()
    assert box["height"] >= 300 and box["width"] <= PHONE["width"]
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    assert page_width(page) <= PHONE["width"]
    assert "林援鄂" not in page.content()
    # Picking the hospital sends the form (funds-figures.js).
    with page.expect_navigation():
        page.select_option("#nx-figures-org", "SN-H1")
    assert "org=SN-H1" in page.url
    page.wait_for_selector("#nx-figures-chart svg")
    assert page_width(page) <= PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()
