"""Approval up the tree through the pages (English), at Monday 2020-02-10 09:00: 乙 (市南区)
reviews its hospital union's reports and approves 市南区's own only after them; the city (甲)
reviews 市南区's."""

from __future__ import annotations

import html
from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from nuanxin.core.models import AuditLog
from nuanxin.reports.choices import ReportStatus
from nuanxin.reports.tests.test_filling_data import (
    LAST_WEEK,
    NOW,
    SHANGHAI,
    approved,
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


def _page(client, report) -> str:
    return html.unescape(client.get(reverse("reports:report_detail", args=[report.pk])).content.decode())


def test_returned_with_a_comment_then_resubmitted_and_approved(w, clock):
    report = submitted(w, w.p.shinan_hospital, audience=40)
    yi, unit = client_for(w.p.yi), client_for(w.unit_admin)
    page = _page(yi, report)
    assert 'id="nx-report-approve"' in page and 'id="nx-report-return"' in page
    assert 'id="nx-report-unlock"' not in page and 'id="nx-report-form"' not in page
    assert 'id="nx-report-approve"' not in _page(unit, report)  # a unit does not review itself
    response = yi.post(
        reverse("reports:report_return", args=[report.pk]), {"version": report.version, "comment": "直播人次请核对"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.return_comment == "直播人次请核对"
    page = _page(unit, report)
    assert 'data-state="returned"' in page and "直播人次请核对" in page and "Returned at 2020-02-10 09:00 · 乙" in page
    assert 'id="nx-report-submit"' in page
    clock.move_to(datetime(2020, 2, 10, 15, 0, tzinfo=SHANGHAI))
    yi, unit = client_for(w.p.yi), client_for(w.unit_admin)  # signed in again after the hours gone by
    response = unit.post(
        reverse("reports:report_submit", args=[report.pk]), {"version": report.version, "v_audience": "45"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.values == {"audience": 45}
    response = yi.post(reverse("reports:report_approve", args=[report.pk]), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.approved_by == w.p.yi
    page = _page(unit, report)
    assert "Approved and locked. Approved at 2020-02-10 15:00 · 乙" in page
    assert 'id="nx-report-form"' not in page and 'id="nx-report-approve"' not in page
    actions = list(
        AuditLog.objects.filter(object_type="reports.report", object_id=str(report.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["reports.open", "reports.submit", "reports.return", "reports.submit", "reports.approve"]


def test_a_return_needs_a_comment_and_nothing_changes_without(w):
    report = submitted(w, w.p.shinan_hospital)
    page = html.unescape(
        client_for(w.p.yi)
        .post(reverse("reports:report_return", args=[report.pk]), {"version": report.version, "comment": " "})
        .content.decode()
    )
    assert "Say what to correct: the comment goes back with the report." in page
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.version == 2


def test_the_district_approves_its_own_only_after_its_units(w):
    unit = submitted(w, w.p.shinan_hospital)
    own = submitted(w, w.p.shinan)
    yi = client_for(w.p.yi)
    page = _page(yi, own)
    assert 'id="nx-report-approve"' in page  # its own administrators approve a report that rolls up units
    assert 'id="nx-report-return"' not in page  # returning is the level above's
    page = html.unescape(
        yi.post(reverse("reports:report_approve", args=[own.pk]), {"version": own.version}).content.decode()
    )
    assert "1 obliged organisations' reports of this period are not approved yet, e.g. 市南区人民医院工会." in page
    own.refresh_from_db()
    assert own.status == ReportStatus.SUBMITTED
    assert yi.post(reverse("reports:report_approve", args=[unit.pk]), {"version": unit.version}).status_code == 302
    assert yi.post(reverse("reports:report_approve", args=[own.pk]), {"version": own.version}).status_code == 302
    own.refresh_from_db()
    assert own.status == ReportStatus.APPROVED and own.approved_by == w.p.yi


def test_a_stale_approval_is_a_conflict(w):
    report = submitted(w, w.p.shinan_hospital)
    page = html.unescape(
        client_for(w.p.yi)
        .post(reverse("reports:report_approve", args=[report.pk]), {"version": report.version - 1})
        .content.decode()
    )
    assert "after you opened it. Your changes were not saved" in page
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_unlock_by_the_level_above_with_a_reason(w):
    report = approved(w, w.p.shinan_hospital)
    yi = client_for(w.p.yi)
    assert 'id="nx-report-unlock"' in _page(yi, report)
    assert 'id="nx-report-unlock"' not in _page(client_for(w.unit_admin), report)
    page = html.unescape(
        yi.post(reverse("reports:report_unlock", args=[report.pk]), {"version": report.version}).content.decode()
    )
    assert "Give the reason for unlocking: it is recorded." in page
    response = yi.post(
        reverse("reports:report_unlock", args=[report.pk]), {"version": report.version, "reason": "更正"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.unlocked_by == w.p.yi
    assert AuditLog.objects.get(action="reports.unlock", object_id=str(report.pk)).detail == {"reason": "更正"}
    assert "Unlocked at 2020-02-10 09:00 · 乙" in _page(yi, report)


def test_no_unlock_once_the_district_is_approved(w):
    unit = approved(w, w.p.shinan_hospital)
    approved(w, w.p.shinan)
    page = html.unescape(
        client_for(w.p.yi)
        .post(reverse("reports:report_unlock", args=[unit.pk]), {"version": unit.version, "reason": "更正"})
        .content.decode()
    )
    assert "市南区总工会's report of this period is approved: unlock it first." in page
    unit.refresh_from_db()
    assert unit.status == ReportStatus.APPROVED


def test_a_unit_cannot_approve_and_the_other_district_cannot_see(w):
    report = submitted(w, w.p.shinan_hospital)
    url = reverse("reports:report_approve", args=[report.pk])
    assert client_for(w.unit_admin).post(url, {"version": report.version}).status_code == 403
    assert client_for(w.p.bing).post(url, {"version": report.version}).status_code == 404
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_the_review_list_of_a_period(w, clock):
    submitted(w, w.p.shinan_hospital)  # at 09:00, on time
    page = html.unescape(
        client_for(w.p.jia)
        .get(f"{reverse('reports:review')}?form={w.form.pk}&period={LAST_WEEK.isoformat()}&org={w.p.city.pk}")
        .content.decode()
    )
    listing = page.split('id="nx-review-list"')[1]
    assert [w.p.shibei.name in listing, w.p.shinan.name in listing] == [True, True]
    assert listing.index(w.p.shibei.name) < listing.index(w.p.shinan.name)  # by path: SB before SN
    assert 'data-status="none"' in listing and "not submitted yet" in listing
    assert "Reports expected: 2" in page and "Reports submitted: 0" in page
    yi_page = html.unescape(
        client_for(w.p.yi).get(f"{reverse('reports:review')}?form={w.form.pk}&period=2020-02-03").content.decode()
    )
    line = yi_page.split(f'data-org="{w.p.shinan_hospital.pk}"')[1].split("</a>")[0]
    assert 'data-status="submitted"' in line and "submitted 2020-02-10 09:00 · on time" in line
    assert "Waiting for review: 1" in yi_page
    clock.move_to(datetime(2020, 2, 10, 12, 30, tzinfo=SHANGHAI))
    page = html.unescape(  # a new client: the session of 09:00 has been idle too long
        client_for(w.p.jia)
        .get(f"{reverse('reports:review')}?form={w.form.pk}&period=2020-02-03&org={w.p.city.pk}")
        .content.decode()
    )
    assert page.count("missing, past the deadline") == 2
    assert (
        client_for(w.p.yi)
        .get(f"{reverse('reports:review')}?form={w.form.pk}&period=2020-02-03&org={w.p.city.pk}")
        .status_code
        == 404
    )  # the city is above 乙's grant
    assert report_of(w, w.p.shinan).status == ReportStatus.DRAFT
