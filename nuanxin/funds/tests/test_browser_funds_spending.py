"""A finance clerk on a phone (375 px) pays condolence money to the Hubei aid-team members of
one hospital: the round's page, the unit and the team chosen, "select all", saved as one entry;
an approver of the same union approves it from the entry's page and the round shows everyone
paid. Nothing wider than the screen, no console error, no CSP violation."""

from datetime import date
from decimal import Decimal

import pytest

from tests.browser import csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375


def _world():
    from conftest import build_personas
    from nuanxin.funds.tests.authz_spending import worker
    from nuanxin.funds.tests.fixtures import build_people, fund_with
    from nuanxin.registry.choices import TeamType

    p = build_personas()
    fp = build_people(p)
    fund = fund_with(fp.clerk, fp.approver, p.shinan, "40000", on=date(2020, 1, 20))
    names = ["张医生", "李护士", "王护士"]
    aid = [worker(p.shinan_hospital, name, f"1390000{i:04d}") for i, name in enumerate(names, 1)]
    worker(p.shinan_hospital, "赵医生", "13900009999", team=TeamType.CDC, status="on_duty")
    worker(p.shibei_hospital, "钱护士", "13900008888")  # 市北区: never offered
    return p, fp, fund, aid


def _page(browser, live_server, username, password):
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    return page, errors


def test_a_clerk_pays_the_aid_team_of_a_unit_and_an_approver_approves(live_server, browser):
    from nuanxin.funds.models import CondolenceRound
    from nuanxin.funds.services import ledger

    p, fp, fund, aid = _world()
    assert len(aid) == 3
    page, errors = _page(browser, live_server, fp.clerk.username, p.password)
    page.goto(f"{live_server.url}/funds/{fund.pk}/rounds/new/")
    page.wait_for_selector("#nx-round-form")
    page.fill("input[name=name]", "援鄂医疗队员慰问金")
    page.fill("input[name=amount_per_person]", "2000")
    page.fill("input[name=on]", "2020-02-10")
    page.select_option("select[name=pick-unit]", "SN-H1")
    page.select_option("select[name=pick-team]", "hubei_aid")
    page.click("#nx-round-select-all")
    page.wait_for_selector("#nx-round-candidates")
    assert page.locator("#nx-round-candidates input[name=workers]").count() == 3
    assert page.locator("#nx-round-candidates input[name=workers]:checked").count() == 3
    assert page.input_value("input[name=name]") == "援鄂医疗队员慰问金"  # kept while filtering
    assert page_width(page) <= WIDTH
    page.click("#nx-round-save")
    page.wait_for_selector("#nx-round-list")
    assert page.locator("#nx-round-list li[data-status=pending]").count() == 3
    assert page_width(page) <= WIDTH
    round_ = CondolenceRound.objects.get()
    entry = round_.entries.get()
    assert entry.amount == Decimal("6000.00") and entry.status == "pending"
    assert errors == [] and csp_violations(page) == []

    approver, approver_errors = _page(browser, live_server, fp.approver.username, p.password)
    approver.goto(f"{live_server.url}/funds/entries/{entry.pk}/")
    approver.click("#nx-approve")
    approver.wait_for_load_state()
    approver.goto(f"{live_server.url}/funds/rounds/{round_.pk}/")
    approver.wait_for_selector("#nx-round-list")
    assert approver.locator("#nx-round-list li[data-status=approved]").count() == 3
    assert "¥6,000.00" in approver.inner_text("#nx-round-paid")
    assert page_width(approver) <= WIDTH
    assert approver_errors == [] and csp_violations(approver) == []
    entry.refresh_from_db()
    assert entry.status == "approved" and ledger.balance(fund) == Decimal("34000.00")
