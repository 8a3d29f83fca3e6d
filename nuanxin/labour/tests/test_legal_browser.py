"""On a phone (390 px): the care contact opens a legal-aid case from a family's difficulty (the
"Follow up as" button), the right infringed 340 days ago, and sees the arbitration time-limit
warning on the case; then the district's labour-rights officer finds it highlighted in the list
and gives it a lawyer of the city's team (a full one is refused with its message). Nothing is
wider than the screen, no console error, no CSP violation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server, username, password):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    return page, errors


def fits(page) -> bool:
    return page_width(page) <= PHONE["width"]


def test_a_case_opened_from_a_difficulty_warns_of_its_time_limit(live_server, browser):
    from conftest import build_personas
    from nuanxin.care.services import difficulties
    from nuanxin.core.policy import SYSTEM
    from nuanxin.core.roles import Role
    from nuanxin.labour.models import LegalCase
    from nuanxin.labour.tests.authz_legal import assign, lawyer, legal_case, worker
    from nuanxin.orgs import services as org_services

    p = build_personas()
    org_services.create_user(
        actor=SYSTEM,
        username="officer",
        organisation=p.shinan,
        role=Role.LABOUR_OFFICER,
        password=p.password,
        full_name="劳动干事",
    )
    family = worker(p.shinan_hospital, "张三", family="李四")
    assign(p.care, family)
    difficulty = difficulties.open_difficulty(actor=p.care, worker=family, description="家属被公司辞退，未给补偿")
    full = lawyer(p.city, "满律师", specialties=["dismissal"], capacity=1)
    legal_case(worker(p.shinan_hospital, "王五"), lawyer=full)
    free = lawyer(p.city, "孙律师", specialties=["wages"], capacity=3)
    infringed = timezone.localdate() - timedelta(days=340)

    # the care contact: from the difficulty's page
    page, errors = _phone(browser, live_server, "care", p.password)
    page.goto(f"{live_server.url}/care/difficulties/{difficulty.pk}/")
    page.locator("[data-followup='legal']").first.click()
    page.wait_for_selector("#nx-legal-form")
    assert page.locator("#nx-legal-from").get_attribute("data-source") == "difficulty"
    assert page.locator("#nx-legal-form select[name=lawyer]").count() == 0  # the officers give the lawyer
    assert fits(page)
    page.check("#nx-legal-form input[name=claimant][value=family]")
    page.select_option("select[name=family_member]", label="李四 (配偶)")
    page.select_option("select[name=kind]", "dismissal")
    page.fill("input[name=other_party]", "青岛某商贸有限公司")
    page.fill("textarea[name=facts]", "援鄂期间被解除劳动合同，未支付经济补偿。")
    page.fill("input[name=infringed_on]", infringed.isoformat())
    page.click("#nx-legal-form button[type=submit]")
    page.wait_for_selector("#nx-legal-status[data-status='consultation']")
    alert = page.locator("#nx-legal-limit-alert")
    assert alert.get_attribute("data-limit") == "near" and alert.get_attribute("data-days") == "25"
    assert "25 days left" in alert.inner_text()
    case = LegalCase.objects.get(difficulty=difficulty)
    assert (case.kind, case.family_member.name, case.owner.username) == ("dismissal", "李四", "officer")
    assert page.locator("#nx-transition-form").count() == 0  # the care contact does not move it
    assert fits(page)
    assert errors == [] and csp_violations(page) == []

    # the labour-rights officer: the list, then the lawyer
    page, errors = _phone(browser, live_server, "officer", p.password)
    page.goto(f"{live_server.url}/labour/legal/")
    row = page.locator(f"#nx-legal-cases [data-case='{case.pk}']")
    row.wait_for()
    assert "table-warning" in (row.get_attribute("class") or "")
    assert fits(page)
    row.locator("a").first.click()
    page.wait_for_selector("#nx-lawyer-assign")
    assert fits(page)
    page.select_option("#nx-lawyer-assign select[name=lawyer]", str(full.pk))
    page.click("#nx-lawyer-assign button[type=submit]")
    page.wait_for_selector("#nx-lawyer-assign .invalid-feedback, #nx-lawyer-assign .alert-danger")
    assert "满律师 already has 1 open cases and takes at most 1" in page.content()
    page.select_option("#nx-lawyer-assign select[name=lawyer]", str(free.pk))
    page.click("#nx-lawyer-assign button[type=submit]")
    page.wait_for_selector("#nx-legal-lawyer:has-text('孙律师')")
    assert fits(page)
    assert errors == [] and csp_violations(page) == []
    case.refresh_from_db()
    assert case.lawyer == free
