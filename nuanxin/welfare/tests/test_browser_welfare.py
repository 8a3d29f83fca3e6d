"""On a phone (390 px): a unit union's administrator opens the mutual-aid scheme from the menu,
enrols the unit's aid team under the batch's name and exports the roster; a city administrator
reads the figures (the ECharts chart drawn). Nothing is wider than the screen, no console
error, no CSP violation.

Uses the ``browser`` fixture of ``tests/browser.py`` (Debian's Chromium; skipped only when
NUANXIN_REQUIRE_BROWSER is unset and no Chromium is installed)."""

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _world():
    from conftest import build_personas
    from nuanxin.welfare.tests.fixtures import build_welfare

    return build_welfare(build_personas())


def _phone(browser, live_server, username, password):
    context = browser.new_context(viewport=PHONE, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    return page, errors


def test_a_unit_enrols_its_team_and_exports_the_roster_on_a_phone(live_server, browser):
    from nuanxin.welfare.models import Enrolment

    w = _world()
    page, errors = _phone(browser, live_server, "sn_unit", w.p.password)
    page.goto(f"{live_server.url}/")
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-welfare")
    page.wait_for_selector("#nx-schemes")
    page.click(f"[data-scheme='{w.scheme.pk}'] h2 a")
    page.wait_for_selector("#nx-welfare-units")
    assert page_width(page) <= PHONE["width"]
    page.click("[data-enrol='SN-H1']")
    page.wait_for_selector("#nx-enrol-form")
    assert page.inner_text("#nx-default-team") == "青岛市第2批援鄂医疗队"
    assert page_width(page) <= PHONE["width"]
    page.click("#nx-enrol-save")
    page.wait_for_selector("#nx-welfare-units")
    assert Enrolment.objects.filter(team_name="青岛市第2批援鄂医疗队").count() == 3
    page.click("#nx-welfare-enrolments")
    page.wait_for_selector("#nx-enrolments")
    assert page_width(page) <= PHONE["width"]
    with page.expect_download() as download:
        page.click("#nx-roster-export")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert errors == [] and csp_violations(page) == []


def test_the_figures_chart_on_a_phone(live_server, browser):
    w = _world()
    page, errors = _phone(browser, live_server, "jia", w.p.password)
    page.goto(f"{live_server.url}/welfare/schemes/{w.scheme.pk}/figures/")
    page.wait_for_selector("#nx-welfare-chart svg")
    assert page_width(page) <= PHONE["width"]
    # The table's headers on one line each (it scrolls sideways in its box), the organisation's
    # name in a readable column, not one character per line.
    heights = page.eval_on_selector_all("#nx-welfare-table th", "ths => ths.map(t => t.getBoundingClientRect().height)")
    assert heights and max(heights) < 40, heights
    org = page.locator("#nx-welfare-table td.nx-welfare-org").first.bounding_box()
    assert org["width"] >= 120 and org["height"] < 40, org
    assert errors == [] and csp_violations(page) == []


def test_the_list_check_table_stays_readable_on_a_phone_with_one_long_cell(live_server, browser):
    """A hostile or badly exported file: one name cell is a long unbroken formula text. It wraps
    inside its column; the result column keeps a readable width (its message on a few lines, not
    one character per line); a row whose ID number is unusable is matched by name and mobile,
    with a note."""
    from nuanxin.welfare.services import imports
    from nuanxin.welfare.tests.fixtures import ID_1, upload, xlsx

    w = _world()
    long_name = '=HYPERLINK("http://evil.example/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","点我")'
    content = xlsx([[1, long_name, "", "13800000077", ""], [2, "张援鄂", ID_1[:-1] + "8", "13800000001", ""]])
    imp = imports.check_list(actor=w.unit_admin, scheme=w.scheme, organisation=w.p.shinan_hospital,
                             uploaded_file=upload(content))
    page, errors = _phone(browser, live_server, "sn_unit", w.p.password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "zh-hans", "url": live_server.url}])
    page.goto(f"{live_server.url}/welfare/imports/{imp.pk}/")
    page.wait_for_selector("#nx-import-rows")
    assert page_width(page) <= PHONE["width"]
    result = page.locator("[data-line='2'] td.nx-welfare-result")
    assert result.bounding_box()["width"] >= 120
    assert result.bounding_box()["height"] < 100  # "您所辖单位中没有…" on a few lines, not 10+
    assert page.locator("[data-line='3'] [data-note='id_unusable']").inner_text() == (
        "身份证号无法使用（格式不对或校验位错误），已改按姓名和手机号匹配")
    assert page.locator("[data-line='3']").get_attribute("data-problem") == ""
    assert errors == [] and csp_violations(page) == []


def test_a_unit_of_several_batches_on_a_phone(live_server, browser):
    """The batches listed above an empty team-name field; each person enrolled under their own."""
    from nuanxin.welfare.models import Enrolment
    from nuanxin.welfare.tests.fixtures import aid_worker

    w = _world()
    aid_worker(w.p.shinan_hospital, "陈一批", "13800000011", batch="青岛市第一批援鄂医疗队")
    page, errors = _phone(browser, live_server, "sn_unit", w.p.password)
    page.goto(f"{live_server.url}/welfare/schemes/{w.scheme.pk}/units/{w.p.shinan_hospital.pk}/enrol/")
    page.wait_for_selector("#nx-enrol-batches")
    assert page_width(page) <= PHONE["width"]
    assert page.input_value("input[name=team_name]") == ""
    assert page.locator("#nx-enrol-batches li").all_inner_texts() == [
        "青岛市第2批援鄂医疗队 · 3 people", "青岛市第一批援鄂医疗队 · 1 person"]
    page.click("#nx-enrol-save")
    page.wait_for_selector("#nx-welfare-units")
    assert dict(Enrolment.objects.values_list("worker__name", "team_name")) == {
        "张援鄂": "青岛市第2批援鄂医疗队", "李援鄂": "青岛市第2批援鄂医疗队", "王援鄂": "青岛市第2批援鄂医疗队",
        "陈一批": "青岛市第一批援鄂医疗队"}
    assert errors == [] and csp_violations(page) == []
