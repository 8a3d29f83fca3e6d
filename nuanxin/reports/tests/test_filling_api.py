"""The reports API: forms, reports, one report, entering values (versions), submitting,
approving and returning, at Monday 2020-02-10 09:00."""

from __future__ import annotations

import json

import pytest
import time_machine

from nuanxin.reports.choices import ReportStatus
from nuanxin.reports.tests.test_filling_data import (
    LAST_WEEK,
    NOW,
    api_for,
    build_world,
    report_of,
    submitted,
)


@pytest.fixture
def w(personas):
    with time_machine.travel(NOW, tick=False):
        yield build_world(personas)


def _send(client, method, url, body, **headers):
    return client.generic(method, url, data=json.dumps(body), content_type="application/json", **headers)


def test_forms_with_their_fields(w):
    body = api_for(w.unit_admin).get("/api/v1/reports/forms").json()
    assert body["count"] == 1
    form = body["items"][0]
    assert (form["code"], form["period_type"], form["deadline_days"], form["organisation_name"]) == (
        "care-weekly",
        "weekly",
        "0.50",
        "青岛市总工会",
    )
    assert [(f["key"], f["kind"], f["required"]) for f in form["fields"]] == [
        ("families_visited", "computed", False),
        ("audience", "number", True),
        ("spent", "amount", False),
        ("notes", "text", False),
    ]
    assert api_for(w.p.counsellor).get("/api/v1/reports/forms").status_code == 403


def test_list_reports_by_form_period_and_organisation(w):
    mine = report_of(w, w.p.shinan_hospital)
    report_of(w, w.p.shibei_hospital)
    api = api_for(w.p.yi)
    body = api.get(f"/api/v1/reports?form={w.form.pk}&period=2020-02-03").json()
    assert [item["id"] for item in body["items"]] == [mine.pk]  # 市北区's is out of 乙's reach
    item = body["items"][0]
    assert (item["status"], item["late"], item["due_at"], item["version"]) == (
        "draft",
        False,
        "2020-02-10T04:00:00Z",  # 12:00 in Shanghai
        1,
    )
    assert api.get(f"/api/v1/reports?org={w.p.shibei_hospital.pk}").status_code == 404
    refused = api.get(f"/api/v1/reports?form={w.form.pk}&period=2020-02-04")
    assert refused.status_code == 400 and refused.json()["field"] == "period"


def test_one_report_with_its_rows_and_etag(w):
    report = report_of(w, w.p.shinan_hospital)
    response = api_for(w.p.yi).get(f"/api/v1/reports/{report.pk}")
    assert response.status_code == 200 and response["ETag"] == '"1"'
    rows = {row["key"]: row for row in response.json()["rows"]}
    assert rows["families_visited"]["value"] == 0 and rows["audience"]["value"] is None
    assert rows["audience"]["children_sum"] is None and rows["audience"]["needs_comment"] is False
    assert api_for(w.p.bing).get(f"/api/v1/reports/{report.pk}").status_code == 404


def test_patch_needs_the_version_and_refuses_a_stale_one(w):
    report = report_of(w, w.p.shinan_hospital)
    api = api_for(w.unit_admin)
    url = f"/api/v1/reports/{report.pk}"
    missing = _send(api, "PATCH", url, {"values": {"audience": 5}})
    assert missing.status_code == 428 and missing.json()["code"] == "version_required"
    ok = _send(api, "PATCH", url, {"values": {"audience": 5, "spent": "12.5"}, "version": 1})
    assert ok.status_code == 200 and ok["ETag"] == '"2"'
    rows = {row["key"]: row for row in ok.json()["rows"]}
    assert rows["audience"]["value"] == 5 and rows["spent"]["value"] == "12.50"
    stale = _send(api, "PATCH", url, {"values": {"audience": 6}, "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    bad = _send(api, "PATCH", url, {"values": {"audience": -1}}, HTTP_IF_MATCH='"2"')
    assert bad.status_code == 400 and bad.json()["field"] == "audience"
    report.refresh_from_db()
    assert report.values == {"audience": 5, "spent": "12.50"} and report.version == 2


def test_submit_approve_and_return_through_the_api(w):
    report = report_of(w, w.p.shinan_hospital)
    unit, yi = api_for(w.unit_admin), api_for(w.p.yi)
    refused = _send(unit, "POST", f"/api/v1/reports/{report.pk}/submit", {"version": 1})
    assert refused.status_code == 400 and refused.json()["field"] == "audience"
    _send(unit, "PATCH", f"/api/v1/reports/{report.pk}", {"values": {"audience": 9}, "version": 1})
    sent = _send(unit, "POST", f"/api/v1/reports/{report.pk}/submit", {"version": 2})
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    assert sent.json()["submitted_at"] == "2020-02-10T01:00:00Z"
    # the unit does not approve itself; 乙 (the level above) returns it, then approves it
    assert _send(unit, "POST", f"/api/v1/reports/{report.pk}/approve", {"version": 3}).status_code == 403
    no_comment = _send(yi, "POST", f"/api/v1/reports/{report.pk}/return", {"version": 3, "comment": ""})
    assert no_comment.status_code == 400 and no_comment.json()["field"] == "comment"
    back = _send(yi, "POST", f"/api/v1/reports/{report.pk}/return", {"version": 3, "comment": "请核对"})
    assert back.status_code == 200 and (back.json()["status"], back.json()["return_comment"]) == ("returned", "请核对")
    _send(unit, "POST", f"/api/v1/reports/{report.pk}/submit", {"version": 4})
    done = _send(yi, "POST", f"/api/v1/reports/{report.pk}/approve", {"version": 5})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    locked = _send(unit, "PATCH", f"/api/v1/reports/{report.pk}", {"values": {"audience": 1}, "version": 6})
    assert locked.status_code == 400 and locked.json()["code"] == "locked"
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


def test_the_district_cannot_approve_its_own_before_its_unit(w):
    submitted(w, w.p.shinan_hospital)
    own = submitted(w, w.p.shinan)
    refused = _send(api_for(w.p.yi), "POST", f"/api/v1/reports/{own.pk}/approve", {"version": own.version})
    assert refused.status_code == 400 and refused.json()["code"] == "children_not_approved"
    own.refresh_from_db()
    assert own.status == ReportStatus.SUBMITTED and own.period_start == LAST_WEEK
