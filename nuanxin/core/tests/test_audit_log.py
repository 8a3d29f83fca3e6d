"""The auditor's audit-log page and its export."""

import io
import json
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core import audit, context
from nuanxin.core.models import AuditLog, AuditOutcome
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
FEB = "since=2020-02-10&until=2020-02-12"


@contextmanager
def at(moment, ip="10.0.0.1", channel="web"):
    token = context.set_current(context.RequestContext(ip=ip, channel=channel))
    try:
        with time_machine.travel(moment, tick=False):
            yield
    finally:
        context.reset(token)


@pytest.fixture
def rows(personas):
    """Six rows in February 2020 (the personas' own rows are written today)."""
    p = personas
    made = {}
    with at(datetime(2020, 2, 10, 9, 0, tzinfo=SH)):
        made[1] = audit.record(p.yi, "worker.create", object_type="registry.worker", object_id=1,
                               object_repr="张三", organisation=p.shinan_hospital, detail={"name": "张三"})
    with at(datetime(2020, 2, 10, 10, 0, tzinfo=SH), ip="10.0.0.2"):
        made[2] = audit.record(p.bing, "worker.update", object_type="registry.worker", object_id=2,
                               object_repr="李四", organisation=p.shibei_hospital)
    with at(datetime(2020, 2, 11, 8, 0, tzinfo=SH), ip=None, channel="api"):
        made[3] = audit.record(p.jia, "org.create", obj=p.medical_union, organisation=p.city)
    with at(datetime(2020, 2, 11, 23, 59, tzinfo=SH), ip=None, channel="task"):
        made[4] = audit.record(None, "session.clear_expired", object_type="sessions.session", detail={"deleted": 3})
    with at(datetime(2020, 2, 12, 0, 0, tzinfo=SH)):
        made[5] = audit.record(p.yi, "token.create", object_type="accounts.apitoken", object_id=7,
                               organisation=p.shinan, outcome=AuditOutcome.DENIED)
    with at(datetime(2020, 2, 12, 12, 0, tzinfo=SH), ip="203.0.113.9"):
        made[6] = audit.record(None, "login.failed", actor_name="=cmd|' /C calc'!A0",
                               object_repr="@SUM(1+1)", outcome=AuditOutcome.FAILURE)
    return made


def client_for(user) -> Client:
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(user)
    return client


def numbers(response, rows) -> list[int]:
    by_pk = {row.pk: n for n, row in rows.items()}
    return [by_pk.get(row.pk, -row.pk) for row in response.context["page"].object_list]


# --- listing and filters ----------------------------------------------------------------------


def test_the_auditor_sees_every_row_newest_first(personas, rows):
    response = client_for(personas.auditor).get(reverse("audit:log"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == AuditLog.objects.count()
    response = client_for(personas.auditor).get(reverse("audit:log") + "?" + FEB)
    assert numbers(response, rows) == [6, 5, 4, 3, 2, 1]
    html = response.content.decode()
    assert html.count(f'data-audit-id="{rows[1].pk}"') == 2  # a table row and a phone card
    assert "6 records" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("since=2020-02-11&until=2020-02-12", [6, 5, 4, 3]),
        ("until=2020-02-10", [2, 1]),
        ("since=2020-02-10&until=2020-02-11", [4, 3, 2, 1]),  # 23:59 in, next midnight out
        ("since=2020-02-10&until=2020-02-10", [2, 1]),
        (FEB + "&actor=YI", [5, 1]),
        (FEB + "&actor=system:task", [4]),
        (FEB + "&action=worker.", [2, 1]),
        (FEB + "&action=worker.update", [2]),
        (FEB + "&action=token", [5]),
        (FEB + "&organisation=SN", [5, 1]),
        (FEB + "&organisation=SN-H1", [1]),
        (FEB + "&organisation=CITY", [5, 3, 2, 1]),
        (FEB + "&outcome=denied", [5]),
        (FEB + "&outcome=failure", [6]),
        (FEB + "&object_type=registry.worker", [2, 1]),
        (FEB + "&object_type=registry.worker&object_id=2", [2]),
        (FEB + "&object_id=7", [5]),
        (FEB + "&action=worker.&organisation=SB", [2]),
        (FEB + "&actor=nobody", []),
    ],
)
def test_filters(personas, rows, query, expected):
    response = client_for(personas.auditor).get(reverse("audit:log") + "?" + query)
    assert response.status_code == 200
    assert numbers(response, rows) == expected


def test_a_reversed_date_range_is_a_field_error(personas, rows):
    response = client_for(personas.auditor).get(reverse("audit:log") + "?since=2020-02-12&until=2020-02-10")
    assert response.status_code == 400
    assert response.context["form"].errors == {"until": ["The end date is before the start date."]}
    assert response.context["page"].paginator.count == 0
    assert "The end date is before the start date." in response.content.decode()


def test_a_district_auditor_sees_only_their_subtree(personas, rows):
    user, _ = org_services.create_user(actor=SYSTEM, username="sn-auditor", organisation=personas.shinan,
                                       role="auditor", password=personas.password, full_name="区审计")
    client = client_for(user)
    response = client.get(reverse("audit:log") + "?" + FEB)
    assert numbers(response, rows) == [5, 1]
    assert [o.code for o in response.context["form"].fields["organisation"].queryset] == ["SN", "SN-H1"]
    # Another district is not a choice: the filter is refused, nothing is shown.
    response = client.get(reverse("audit:log") + "?" + FEB + "&organisation=SB")
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["organisation"]
    assert numbers(response, rows) == []


@pytest.mark.parametrize("persona", ["jia", "yi", "bing", "care", "counsellor", "viewer"])
def test_only_auditors_may_read_the_log(personas, rows, persona):
    client = client_for(getattr(personas, persona))
    assert client.get(reverse("audit:log")).status_code == 403
    assert client.get(reverse("audit:export") + "?format=csv").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(db):
    for name in ("audit:log", "audit:export"):
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_the_audit_pages_accept_no_writes(personas, rows):
    client = client_for(personas.auditor)
    count = AuditLog.objects.count()
    assert client.post(reverse("audit:log"), {"since": "2020-02-10"}).status_code == 405
    assert client.post(reverse("audit:export"), {"format": "csv"}).status_code == 405
    assert AuditLog.objects.count() == count


def test_pages_of_fifty_at_a_constant_query_count(personas, django_assert_num_queries):
    with at(datetime(2020, 3, 1, 9, 0, tzinfo=SH)):
        for i in range(61):
            audit.record(personas.yi, "visit.create", object_type="care.visit", object_id=i,
                         organisation=personas.shinan_hospital if i % 2 else personas.shinan)
    client = client_for(personas.auditor)
    url = reverse("audit:log") + "?since=2020-03-01&until=2020-03-01"
    client.get(url)
    # session, user, grants, the alert of users who met many people outside their scope,
    # count, the filter's organisation choices, rows with their organisations (the session is
    # saved only when its idle clock is a minute old); the same whether the page shows 50 rows
    # or 11.
    with django_assert_num_queries(7):
        first = client.get(url)
    with django_assert_num_queries(7):
        second = client.get(url + "&page=2")
    assert [r.object_id for r in first.context["page"].object_list] == [str(i) for i in range(60, 10, -1)]
    assert [r.object_id for r in second.context["page"].object_list] == [str(i) for i in range(10, -1, -1)]
    assert "page=2" in first.content.decode() and "since=2020-03-01" in first.content.decode()


# --- export ---------------------------------------------------------------------------------

# labels in the reader's language, with the codes beside them (issue 11, item 10)
HEADERS = ["Time", "Acting user", "Action", "Action code", "Outcome", "Object type", "Object type code", "Object id",
           "Object", "Organisation code", "Organisation", "Client IP", "Channel", "Detail", "Detail (JSON)"]


def test_csv_export_of_the_filtered_rows(personas, rows):
    client = client_for(personas.auditor)
    with time_machine.travel(datetime(2020, 2, 20, 10, 5, tzinfo=SH), tick=False):
        response = client.get(reverse("audit:export") + "?" + FEB + "&outcome=failure&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="nuanxin-audit-20200220-1005.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == [
        ",".join(HEADERS),
        "2020-02-12 12:00:00,'=cmd|' /C calc'!A0,login.failed,login.failed,Failure,,,,'@SUM(1+1),,,203.0.113.9,web,,",
    ]


def test_xlsx_export_of_the_filtered_rows(personas, rows):
    client = client_for(personas.auditor)
    response = client.get(reverse("audit:export") + "?" + FEB + "&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert sheet[0] == HEADERS
    assert sheet[1:] == [
        [datetime(2020, 2, 12, 12, 0), "'=cmd|' /C calc'!A0", "login.failed", "login.failed", "Failure", "", "", "",
         "'@SUM(1+1)", "", "", "203.0.113.9", "web", "", ""],
        # calamine reads a date-time at midnight back as a date
        [date(2020, 2, 12), "yi", "API token created", "token.create", "Denied", "API token", "accounts.apitoken", "7",
         "", "SN", "市南区总工会", "10.0.0.1", "web", "", ""],
        [datetime(2020, 2, 11, 23, 59), "System (scheduled task)", "Expired sessions cleared", "session.clear_expired",
         "Success", "Session", "sessions.session", "", "", "", "", "", "task", "Deleted: 3", '{"deleted": 3}'],
        [datetime(2020, 2, 11, 8, 0), "jia", "Organisation added", "org.create", "Success", "Organisation",
         "orgs.organisation", str(personas.medical_union.pk), "青岛市医务工会", "CITY", "青岛市总工会", "", "api",
         "", ""],
        [datetime(2020, 2, 10, 10, 0), "bing", "Worker changed", "worker.update", "Success", "Worker",
         "registry.worker", "2", "李四", "SB-H1", "市北区人民医院工会", "10.0.0.2", "web", "", ""],
        [datetime(2020, 2, 10, 9, 0), "yi", "Worker added", "worker.create", "Success", "Worker",
         "registry.worker", "1", "张三", "SN-H1", "市南区人民医院工会", "10.0.0.1", "web", "Name: 张三",
         '{"name": "张三"}'],
    ]


def test_an_export_is_itself_audited(personas, rows):
    client = client_for(personas.auditor)
    client.get(reverse("audit:export") + "?" + FEB + "&action=worker.&format=xlsx")
    row = AuditLog.objects.latest("id")
    assert (row.action, row.actor, row.object_type, row.organisation, row.outcome, row.channel) == (
        "audit.export", personas.auditor, "core.auditlog", personas.city, "success", "web"
    )
    assert row.detail == {
        "format": "xlsx", "rows": 2,
        "filters": {"since": "2020-02-10", "until": "2020-02-12", "action": "worker."},
    }
    assert row.ip == "127.0.0.1"


def test_an_export_filtered_by_organisation_is_filed_under_it(personas, rows):
    client_for(personas.auditor).get(reverse("audit:export") + "?organisation=SN&format=csv")
    row = AuditLog.objects.latest("id")
    assert (row.action, row.organisation, row.detail["filters"]) == ("audit.export", personas.shinan,
                                                                      {"organisation": "SN"})


def test_export_needs_a_format_and_valid_filters(personas, rows):
    client = client_for(personas.auditor)
    count = AuditLog.objects.count()
    assert client.get(reverse("audit:export") + "?" + FEB).status_code == 400
    assert client.get(reverse("audit:export") + "?" + FEB + "&format=pdf").status_code == 400
    assert client.get(reverse("audit:export") + "?since=2020-02-12&until=2020-02-01&format=csv").status_code == 400
    assert AuditLog.objects.count() == count


def test_too_big_an_export_asks_for_narrower_filters(personas, rows, monkeypatch):
    from nuanxin.core import views

    monkeypatch.setattr(views, "AUDIT_EXPORT_MAX_ROWS", 5)
    client = client_for(personas.auditor)
    count = AuditLog.objects.count()
    response = client.get(reverse("audit:export") + "?" + FEB + "&format=csv")
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:log") + "?" + FEB
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == [
        "6 rows match; narrow the filters to at most 5 rows to export."
    ]
    assert AuditLog.objects.count() == count
    assert client.get(reverse("audit:export") + "?" + FEB + "&outcome=success&format=csv").status_code == 200


def test_the_export_links_carry_the_filters(personas, rows):
    html = client_for(personas.auditor).get(reverse("audit:log") + "?" + FEB + "&action=worker.&page=1").content
    html = html.decode()
    assert f'href="{reverse("audit:export")}?{FEB.replace("&", "&amp;")}&amp;action=worker.&amp;format=csv"' in html
    assert f'href="{reverse("audit:export")}?{FEB.replace("&", "&amp;")}&amp;action=worker.&amp;format=xlsx"' in html


def test_detail_is_exported_as_json(personas, rows):
    url = reverse("audit:export") + "?" + FEB + "&action=worker.create&format=csv"
    response = client_for(personas.auditor).get(url)
    last = response.content.decode("utf-8-sig").splitlines()[-1]
    assert last.endswith(',"{""name"": ""张三""}"')
    assert json.loads(json.dumps(rows[1].detail)) == {"name": "张三"}
