"""The reports home, opening a report and the report's page (filling: save and submit), in
English, at Monday 2020-02-10 09:00 (the week of 2020-02-03 is due at 12:00)."""

from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from nuanxin.core.models import AuditLog
from nuanxin.reports.choices import ReportStatus
from nuanxin.reports.models import Report
from nuanxin.reports.services import reports as services
from nuanxin.reports.tests.test_filling_data import (
    LAST_WEEK,
    NOW,
    SHANGHAI,
    build_world,
    client_for,
    report_of,
    submitted,
)


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def w(personas, clock):
    return build_world(personas)


def _open_url(w, org, start=LAST_WEEK):
    return f"{reverse('reports:report_open')}?form={w.form.pk}&period={start.isoformat()}&org={org.pk}"


def test_menu_entry_for_report_holders_only(w):
    page = client_for(w.unit_admin).get(reverse("home")).content.decode()
    assert 'id="nx-nav-reports"' in page
    page = client_for(w.p.counsellor).get(reverse("home")).content.decode()
    assert 'id="nx-nav-reports"' not in page


def test_home_lists_my_unit_this_and_last_week_with_due_times(w):
    page = client_for(w.unit_admin).get(reverse("reports:home")).content.decode()
    block = page.split(f'data-form="{w.form.pk}"')[1]
    fill = re.findall(
        r'data-org="(\d+)" data-period="([\d-]+)"', block.split('data-list="fill"')[1].split("</section>")[0]
    )
    assert fill == [(str(w.p.shinan_hospital.pk), "2020-02-10"), (str(w.p.shinan_hospital.pk), "2020-02-03")]
    assert "due 2020-02-10 12:00" in block and "due 2020-02-17 12:00" in block
    assert "data-overdue" not in block
    assert 'data-list="review"' not in block  # a unit has no obliged children


def test_home_of_the_district_shows_its_own_and_the_units_waiting(w):
    submitted(w, w.p.shinan_hospital)
    page = client_for(w.p.yi).get(reverse("reports:home")).content.decode()
    block = page.split(f'data-form="{w.form.pk}"')[1]
    assert f'data-org="{w.p.shinan.pk}" data-period="2020-02-03"' in block
    review = block.split('data-list="review"')[1]
    assert 'data-period="2020-02-03"' in review and 'data-waiting="1"' in review
    assert 'data-waiting="0"' in review  # this week: nothing submitted yet


def test_home_after_the_deadline_marks_last_week_overdue(w, clock):
    clock.move_to(datetime(2020, 2, 10, 12, 1, tzinfo=SHANGHAI))
    page = client_for(w.unit_admin).get(reverse("reports:home")).content.decode()
    assert page.count("data-overdue") == 1


def test_open_starts_a_draft_once_and_audits_it(w):
    c = client_for(w.unit_admin)
    first = c.get(_open_url(w, w.p.shinan_hospital))
    report = Report.objects.get(form=w.form, organisation=w.p.shinan_hospital, period_start=LAST_WEEK)
    assert first.status_code == 302 and first["Location"] == reverse("reports:report_detail", args=[report.pk])
    assert report.status == ReportStatus.DRAFT
    again = c.get(_open_url(w, w.p.shinan_hospital))
    assert again["Location"] == first["Location"]
    assert Report.objects.filter(form=w.form).count() == 1
    assert (
        AuditLog.objects.filter(action="reports.open", object_type="reports.report", object_id=str(report.pk)).count()
        == 1
    )


def test_open_refuses_what_is_not_to_report(w):
    c = client_for(w.unit_admin)
    assert c.get(_open_url(w, w.p.shibei_hospital)).status_code == 404  # out of reach
    # not a period's first day: the reason on the reports' home (test_review_fixes), not a 404
    assert c.get(_open_url(w, w.p.shinan_hospital).replace("2020-02-03", "2020-02-04")).status_code == 302
    yi = client_for(w.p.yi)
    assert yi.get(_open_url(w, w.p.city)).status_code == 404  # above the grant
    # a viewer does not start a report
    assert client_for(w.p.viewer).get(_open_url(w, w.p.shinan_hospital)).status_code == 404
    assert Report.objects.count() == 0


def test_the_page_shows_computed_entered_and_previous(w):
    earlier = submitted(w, w.p.shinan_hospital, audience=300, start=date_of("2020-01-27"))
    assert earlier.status == ReportStatus.SUBMITTED
    report = report_of(w, w.p.shinan_hospital)
    page = client_for(w.unit_admin).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    rows = page.split('id="nx-report-rows"')[1]
    visited = rows.split('data-key="families_visited"')[1].split('data-key="audience"')[0]
    assert '<div class="fs-5 text-end" data-value>0</div>' in visited
    assert "Previous period: 0" in visited
    audience = rows.split('data-key="audience"')[1].split('data-key="spent"')[0]
    assert 'name="v_audience"' in audience and "Previous period: 300" in audience
    assert 'id="nx-report-submit"' in page and 'id="nx-report-save"' in page
    assert 'id="nx-report-approve"' not in page and 'id="nx-report-return"' not in page
    assert "recomputed each time this page opens" in page


def date_of(text):
    from datetime import date

    return date.fromisoformat(text)


def test_save_keeps_values_and_is_versioned(w):
    report = report_of(w, w.p.shinan_hospital)
    url = reverse("reports:report_detail", args=[report.pk])
    c = client_for(w.unit_admin)
    data = {"version": report.version, "v_audience": "1,200", "v_spent": "35.5", "v_notes": "开展线上慰问"}
    response = c.post(url, data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.values == {"audience": 1200, "spent": "35.50", "notes": "开展线上慰问"}
    assert report.status == ReportStatus.DRAFT
    # the same stale form again: a conflict, nothing saved, what was typed still there
    data["v_audience"] = "999"
    page = c.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert "after you opened it. Your changes were not saved" in text
    assert 'value="999"' in text
    report.refresh_from_db()
    assert report.values["audience"] == 1200


def test_a_bad_value_is_refused_on_its_field_with_the_typing_kept(w):
    report = report_of(w, w.p.shinan_hospital)
    c = client_for(w.unit_admin)
    page = c.post(
        reverse("reports:report_detail", args=[report.pk]),
        {"version": report.version, "v_audience": "-3", "v_notes": "草稿"},
    ).content.decode()
    audience = page.split('data-key="audience"')[1].split('data-key="spent"')[0]
    assert "直播观看人次: a count cannot be negative." in audience
    assert 'value="-3"' in audience and "草稿" in page
    report.refresh_from_db()
    assert report.values == {} and report.version == 1


def test_submit_requires_the_required_and_then_freezes(w, clock):
    report = report_of(w, w.p.shinan_hospital)
    url = reverse("reports:report_submit", args=[report.pk])
    c = client_for(w.unit_admin)
    page = c.post(url, {"version": report.version, "v_audience": "", "v_notes": "写了一半"}).content.decode()
    assert "直播观看人次 is required." in page.split('data-key="audience"')[1].split('data-key="spent"')[0]
    assert "写了一半" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.values == {}
    response = c.post(url, {"version": report.version, "v_audience": "80", "v_notes": "完成"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.values == {"audience": 80, "notes": "完成"} and report.computed == {"families_visited": 0}
    assert report.submitted_by == w.unit_admin and report.submitted_at == NOW
    again = c.post(url, {"version": 1, "v_audience": "80", "v_notes": "完成"})  # a second tap
    assert again.status_code == 302 and again["Location"] == reverse("reports:report_detail", args=[report.pk])
    report.refresh_from_db()
    assert report.version == 2 and AuditLog.objects.filter(action="reports.submit").count() == 1
    page = c.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "This report is already submitted." in page
    assert 'id="nx-report-form"' not in page and 'id="nx-report-submit"' not in page
    assert "Submitted at 2020-02-10 09:00 · 单位管理员 · on time · The computed figures" in page
    assert "Submitted on time: the level above will review it." in page


def test_a_late_submission_says_so(w, clock):
    clock.move_to(datetime(2020, 2, 10, 13, 0, tzinfo=SHANGHAI))
    report = report_of(w, w.p.shinan_hospital)
    c = client_for(w.unit_admin)
    response = c.post(
        reverse("reports:report_submit", args=[report.pk]), {"version": 1, "v_audience": "5"}, follow=True
    )
    page = response.content.decode()
    assert "Submitted after the deadline: the level above sees it as late." in page
    assert "<strong>late</strong>" in page


def test_a_fall_by_more_than_half_asks_for_a_comment(w):
    submitted(w, w.p.shinan_hospital, audience=300, start=date_of("2020-01-27"))
    report = report_of(w, w.p.shinan_hospital)
    c = client_for(w.unit_admin)
    url = reverse("reports:report_submit", args=[report.pk])
    page = html.unescape(c.post(url, {"version": report.version, "v_audience": "100"}).content.decode())
    audience = page.split('data-key="audience"')[1].split('data-key="spent"')[0]
    assert "fell by more than half from the previous period's (300 to 100): say why in its comment." in page
    assert 'value="100"' in audience
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    # saved at 100, the page offers the comment field; with the comment it goes
    c.post(reverse("reports:report_detail", args=[report.pk]), {"version": report.version, "v_audience": "100"})
    report.refresh_from_db()
    page = c.get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert 'name="c_audience"' in page
    response = c.post(url, {"version": report.version, "v_audience": "100", "c_audience": "疫情停办一次"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.comments == {"audience": "疫情停办一次"}


def test_the_district_sees_its_units_sum_beside_its_own_with_disagreements(w):
    submitted(w, w.p.shinan_hospital, audience=100)
    own = report_of(w, w.p.shinan)
    services.save_values(actor=w.p.yi, report=own, values={"audience": 90}, version=own.version)
    page = html.unescape(client_for(w.p.yi).get(reverse("reports:report_detail", args=[own.pk])).content.decode())
    audience = page.split('data-key="audience"')[1].split('data-key="spent"')[0]
    assert "data-disagrees" in audience and "Children's sum: 100 · differs" in audience
    visited = page.split('data-key="families_visited"')[1].split('data-key="audience"')[0]
    assert "data-disagrees" not in visited and "Children's sum: 0" in visited
    assert "Children's sum: 1 of 1 reports submitted or approved." in page


def test_a_viewer_reads_without_buttons_or_names(w):
    report = submitted(w, w.p.shinan_hospital)
    page = client_for(w.p.viewer).get(reverse("reports:report_detail", args=[report.pk])).content.decode()
    assert "Submitted at 2020-02-10 09:00" in page
    for button in ("nx-report-form", "nx-report-approve", "nx-report-return", "nx-report-unlock"):
        assert f'id="{button}"' not in page
    assert "系统" not in page and "单位管理员" not in page


def test_a_filler_out_of_place_cannot_post(w):
    report = report_of(w, w.p.shinan_hospital)
    url = reverse("reports:report_detail", args=[report.pk])
    assert client_for(w.p.viewer).post(url, {"version": 1, "v_audience": "1"}).status_code == 403
    assert client_for(w.p.bing).post(url, {"version": 1, "v_audience": "1"}).status_code == 404
    report.refresh_from_db()
    assert report.values == {}
