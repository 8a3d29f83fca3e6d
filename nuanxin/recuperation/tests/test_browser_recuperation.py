"""On a phone (390 px): a unit union's administrator opens 疗休养 from the menu, the programme,
the batch, nominates an aid-team member from the eligible workers of the unit; the city
administrator offers the free places by rank from the batch's page; the unit's administrator
accepts the place on the candidate's page (where the reasons of the rank are shown); a viewer
reads the figures with their chart. Nothing is wider than the screen, no console error, no CSP
violation.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped only when
NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed)."""

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from conftest import build_personas
    from nuanxin.recuperation.tests.fixtures import build_recuperation

    return build_recuperation(build_personas())


def _phone(browser, live_server, username, password):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    return page, errors


def fits(page) -> bool:
    return page_width(page) <= PHONE["width"]


def test_nominate_offer_accept_and_figures_on_a_phone(live_server, browser):
    from nuanxin.recuperation.models import Candidate
    from nuanxin.recuperation.services import candidates

    w = _world()
    candidates.nominate(actor=w.unit_admin_b, batch=w.batch, worker=w.aid_b)
    unit, errors = _phone(browser, live_server, "sn_unit", w.p.password)

    # The menu (collapsed on a phone) → the programmes → the programme → the batch.
    unit.goto(f"{live_server.url}/")
    unit.click(".navbar-toggler")
    unit.wait_for_selector("#nx-nav.show")
    unit.click("#nx-nav-recuperation")
    try:
        unit.wait_for_selector("#nx-programmes")
    except Exception as timeout:  # once in a whole run under load, never alone: say what was shown
        pytest.fail(f"no programmes at {unit.url}: {unit.inner_text('body')[:600]!r} ({timeout})")
    assert fits(unit)
    unit.click(f"[data-programme='{w.programme.pk}'] h2 a")
    unit.wait_for_selector("#nx-batches")
    assert fits(unit)
    unit.click(f"[data-batch='{w.batch.pk}'] h3 a")
    unit.wait_for_selector("#nx-batch-facts")
    assert fits(unit)

    # Nominate: the unit's eligible workers, aid-team members first.
    unit.click("#nx-nominate")
    unit.wait_for_selector("#nx-nominate-form")
    assert fits(unit)
    unit.select_option("select[name=worker]", str(w.aid_long.pk))
    unit.fill("input[name=note]", "科室已安排休假")
    unit.click("#nx-nominate-save")
    unit.wait_for_selector("#nx-candidate-status[data-status=waiting]")
    mine = Candidate.objects.get(worker=w.aid_long)
    assert fits(unit)

    # The city administrator offers the two places by rank.
    city, city_errors = _phone(browser, live_server, "jia", w.p.password)
    city.goto(f"{live_server.url}/recuperation/batches/{w.batch.pk}/")
    city.wait_for_selector("#nx-candidates")
    assert fits(city)
    city.click("#nx-batch-fill")
    city.wait_for_selector(f"[data-candidate='{mine.pk}'][data-status=offered]")
    assert fits(city)

    # The unit's administrator accepts on the candidate's page.
    unit.goto(f"{live_server.url}/recuperation/candidates/{mine.pk}/")
    unit.wait_for_selector("#nx-reasons li")
    assert "Hubei aid" in unit.inner_text("#nx-reasons") or "aid" in unit.inner_text("#nx-reasons").lower()
    assert fits(unit)
    unit.click("[data-accept]")
    unit.wait_for_selector("#nx-candidate-status[data-status=accepted]")
    assert fits(unit)

    # The viewer's figures: counts and a chart, no names.
    viewer, viewer_errors = _phone(browser, live_server, "viewer", w.p.password)
    viewer.goto(f"{live_server.url}/recuperation/programmes/{w.programme.pk}/figures/")
    viewer.wait_for_selector("#nx-recup-chart[data-drawn='1']")
    assert fits(viewer)
    assert "张援鄂" not in viewer.content()

    assert errors == [] and city_errors == [] and viewer_errors == []
    assert csp_violations(unit) == [] and csp_violations(city) == [] and csp_violations(viewer) == []
