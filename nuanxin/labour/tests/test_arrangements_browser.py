"""On a phone (390 px): the care contact opens a family's page, follows up its visit as a
pregnancy arrangement ("she is pregnant and on night shifts"), sends it and is back on the family's
page with the confirmation (and no arrangement to read); the labour officer opens labour
protection from the menu, the arrangement from the list and agrees it with the employer; the
viewer's figures draw their chart. Nothing wider than the screen, no console error, no CSP
violation."""

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from datetime import timedelta

    from django.utils import timezone

    from conftest import build_personas
    from nuanxin.care import services as care_services
    from nuanxin.core.policy import SYSTEM
    from nuanxin.core.roles import Role
    from nuanxin.orgs import services as org_services
    from nuanxin.registry import services as registry_services
    from nuanxin.registry.choices import Gender, TeamType

    p = build_personas()
    today = timezone.localdate()
    worker = registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name="林护士",
        team=TeamType.HUBEI_AID,
        mobile="13800071001",
        gender=Gender.FEMALE,
    )
    campaign = care_services.create_campaign(actor=SYSTEM, name="关爱行动", starts_on=today - timedelta(days=7))
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=p.care)
    visit = care_services.record_visit(actor=p.care, worker=worker, on=today, mode="home")
    org_services.create_user(
        actor=SYSTEM,
        username="officer",
        organisation=p.shinan,
        role=Role.LABOUR_OFFICER,
        password=p.password,
        full_name="劳动干事",
    )
    return p, worker, visit, today


def _phone(browser, live_server, username, password):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    return page, errors


def fits(page) -> bool:
    return page_width(page) <= PHONE["width"]


def test_refer_from_a_visit_and_agree(live_server, browser):
    from datetime import timedelta

    from nuanxin.labour.models import Arrangement

    p, worker, visit, today = _world()
    page, errors = _phone(browser, live_server, "care", p.password)
    page.goto(f"{live_server.url}/care/families/{worker.pk}/")
    link = page.locator("[data-source='visit'] [data-followup='arrangement']").first
    link.click()
    page.wait_for_selector("#nx-arrangement-form")
    assert page.locator("#nx-arrangement-source").get_attribute("data-visit") == str(visit.pk)
    assert fits(page)
    page.check("input[name=stage][value=pregnant]")
    page.fill("input[name=expected_on]", (today + timedelta(days=150)).isoformat())
    page.check("input[name=measures][value=no_night_shifts]")
    page.fill("textarea[name=notes]", "She is pregnant and on night shifts")
    page.click("#nx-arrangement-save")
    page.wait_for_url(f"**/care/families/{worker.pk}/")
    assert "referred to the labour officers" in page.locator(".alert-success").inner_text()
    assert fits(page)
    a = Arrangement.objects.get()
    assert (a.status, a.visit_id, a.no_night_shifts, a.created_by_id) == ("referred", visit.pk, True, p.care.pk)
    assert page.locator(f"[data-arrangement='{a.pk}']").count() == 0

    officer, officer_errors = _phone(browser, live_server, "officer", p.password)
    officer.goto(f"{live_server.url}/")
    officer.click(".navbar-toggler")
    officer.wait_for_selector("#nx-nav.show")
    officer.click("#nx-nav-labour")
    officer.wait_for_selector("#nx-labour-hub")
    assert fits(officer)
    officer.click("#nx-labour-tabs [data-tab='arrangements']")
    officer.click(f"#nx-arrangement-list [data-arrangement='{a.pk}']")
    officer.wait_for_selector("#nx-arrangement-agree")
    assert fits(officer)
    officer.fill("#nx-arrangement-agree input[name=confirmed_by]", "护理部王主任")
    officer.fill("#nx-arrangement-agree input[name=confirmed_on]", today.isoformat())
    officer.fill("#nx-arrangement-agree input[name=review_on]", (today + timedelta(days=30)).isoformat())
    officer.click("#nx-arrangement-agree-save")
    officer.wait_for_selector("[data-status='agreed']")
    a.refresh_from_db()
    assert (a.status, a.confirmed_by, a.review_on) == ("agreed", "护理部王主任", today + timedelta(days=30))
    assert a.ends_on == a.expected_on and a.starts_on == today
    assert fits(officer)

    viewer, viewer_errors = _phone(browser, live_server, "viewer", p.password)
    viewer.goto(f"{live_server.url}/labour/figures/")
    viewer.wait_for_selector("#nx-labour-chart svg")
    assert fits(viewer)

    assert errors == [] and officer_errors == [] and viewer_errors == []
    assert csp_violations(page) == [] and csp_violations(officer) == [] and csp_violations(viewer) == []
