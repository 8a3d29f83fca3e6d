"""On a phone (390 px): the care contact opens employment help from the family's care page
(the "Follow up as" button), then the district's labour-rights officer finds the seeker in the
list, refers them to a partner employer's job (the matching one offered first) and records the
job: the case is "Employed" by that employer. Nothing is wider than the screen, no console
error, no CSP violation."""

import pytest

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


def test_a_seeker_referred_and_employed_on_a_phone(live_server, browser):
    from conftest import build_personas
    from nuanxin.labour.models import EmploymentCase, Referral
    from nuanxin.labour.tests.test_employment_fixtures import build

    p = build_personas()
    w = build(p)

    # the care contact: from the family's page
    page, errors = _phone(browser, live_server, "care", p.password)
    page.goto(f"{live_server.url}/care/families/{w.worker.pk}/")
    page.locator("[data-followup='employment']").first.click()
    page.wait_for_selector("#nx-employment-form")
    assert fits(page)
    page.select_option("select[name=family_member]", str(w.member.pk))
    page.fill("textarea[name=wishes]", "保洁")
    page.fill("input[name=area]", "市南区")
    page.click("#nx-employment-form button[type=submit]")
    page.wait_for_selector("#nx-employment-status[data-status='seeking']")
    case = EmploymentCase.objects.get()
    assert (case.seeker_name, case.owner_id) == ("就业甲妻", w.officer.pk)
    assert page.locator("#nx-refer-form").count() == 0  # the care contact refers the family, the officer the seeker
    assert fits(page)
    assert errors == [] and csp_violations(page) == []

    # the labour-rights officer: the list, the referral, the job
    page, errors = _phone(browser, live_server, "labour-sn", p.password)
    page.goto(f"{live_server.url}/labour/employment/")
    page.wait_for_selector(f"#nx-employment-cases [data-case='{case.pk}']")
    assert fits(page)
    page.click(f"#nx-employment-cases [data-case='{case.pk}'] a")
    page.wait_for_selector("#nx-refer-form")
    assert fits(page)
    assert page.locator("#nx-refer-form select[name=lead]").input_value() == str(w.cleaner.pk)  # matching first
    page.click("#nx-refer-form button[type=submit]")
    page.wait_for_selector("#nx-employment-status[data-status='referred']")
    referral = Referral.objects.get()
    item = page.locator(f"[data-referral='{referral.pk}']")
    item.locator("select[name=outcome]").select_option("employed")
    item.locator("button[type=submit]").click()
    page.wait_for_selector("#nx-employment-status[data-status='employed']")
    assert "市南物业" in page.locator("#nx-employment-employer").inner_text()
    assert page.locator(f"[data-referral='{referral.pk}']").get_attribute("data-outcome") == "employed"
    assert fits(page)
    assert errors == [] and csp_violations(page) == []
    case.refresh_from_db()
    assert (case.status, case.employer_name) == ("employed", "市南物业")
