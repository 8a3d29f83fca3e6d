"""A viewer (and an auditor) reads a report's figures, never its texts: a unit may type a
person's name in a text field or a comment on a fall. Those who fill or review the report read
them. The page, the API and the brief alike."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core.policy import SYSTEM
from nuanxin.reports.services import briefs
from nuanxin.reports.services import reports as services
from nuanxin.reports.tests.test_filling_data import LAST_WEEK, api_for, build_world, client_for, report_of
from nuanxin.reports.tests.test_filling_pages import clock  # noqa: F401 (fixture)

NAME = "张三家中有困难"


@pytest.fixture
def w(personas, clock):  # noqa: F811
    return build_world(personas)


@pytest.fixture
def sent(w):
    report = report_of(w, w.p.shinan_hospital)
    report = services.save_values(
        actor=SYSTEM, report=report, values={"audience": 5, "notes": NAME}, version=report.version
    )
    return services.submit(actor=SYSTEM, report=report, version=report.version)


def test_the_page_hides_the_texts_from_the_viewer_only(w, sent):
    url = reverse("reports:report_detail", args=[sent.pk])
    viewer = client_for(w.p.viewer).get(url)
    assert viewer.status_code == 200
    page = viewer.content.decode()
    assert NAME not in page
    assert page.count("data-hidden-text") == 1
    assert "Shown to those who fill or review this report only." in page
    reviewer = client_for(w.p.yi).get(url).content.decode()
    assert NAME in reviewer and "data-hidden-text" not in reviewer


def test_the_api_leaves_the_texts_out_for_the_viewer(w, sent):
    url = f"/api/v1/reports/{sent.pk}"
    rows = {r["key"]: r for r in api_for(w.p.viewer).get(url).json()["rows"]}
    assert (rows["notes"]["value"], rows["notes"]["comment"]) == (None, "")
    assert rows["audience"]["value"] == 5
    rows = {r["key"]: r for r in api_for(w.p.yi).get(url).json()["rows"]}
    assert rows["notes"]["value"] == NAME


def test_the_brief_has_no_text_column_for_the_viewer(w, sent):
    def sheet(user):
        content, _name = briefs.brief_xlsx(
            actor=user, form=w.form, organisation=w.p.shinan_hospital, period_start=LAST_WEEK
        )
        return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()

    viewer = sheet(w.p.viewer)
    assert viewer[0] == ["组织", "报表状态", "走访慰问家庭数", "直播观看人次", "自筹资金（元）"]
    assert NAME not in str(viewer)
    reviewer = sheet(w.p.yi)
    assert reviewer[0][-1] == "工作简述" and reviewer[1][-1] == NAME
