"""The hotline's figures, computed exactly for a known set of records (built directly with the
models), the period and the organisation picker's refusals, the page and the API (the same
figures), and who sees them."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from nuanxin.accounts.services import create_api_token
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.choices import CallbackStatus, CrisisStatus, HandoverTo
from nuanxin.hotline.models import Assessment, Call, Callback, CrisisCase, Shift, ShiftAssignment
from nuanxin.hotline.selectors import stats
from nuanxin.hotline.services import hotlines as hotline_services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 10, 12, 0, tzinfo=SH)
PERIOD = stats.Period(date(2020, 2, 1), date(2020, 2, 7))


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, month: int = 2) -> datetime:
    return datetime(2020, month, day, hour, minute, second, tzinfo=SH)


def call(h, started, minutes=None, *, hotline=None, line="line", topics=(), risk="none", **extra) -> Call:
    hotline = hotline or h.city
    return Call.objects.create(
        hotline=hotline,
        line=getattr(h, line) if line else None,
        counsellor=h.counsellor if hotline == h.city else h.stranger,
        started_at=started,
        ended_at=started + timedelta(minutes=minutes) if minutes is not None else None,
        topics=list(topics),
        risk=risk,
        **extra,
    )


def assessment(hotline, scale, band, created, *, flagged=False, crisis=False, source="public") -> Assessment:
    row = Assessment.objects.create(
        hotline=hotline, scale=scale, answers=[0], score=1, band=band, flagged=flagged, crisis=crisis, source=source
    )
    Assessment.objects.filter(pk=row.pk).update(created_at=created)
    return row


def callback(h, created, due, contact=None, status=CallbackStatus.DUE) -> Callback:
    row = Callback.objects.create(
        organisation=h.medical,
        hotline=h.city,
        status=status,
        due_at=due,
        first_contact_at=contact,
        number="+8613800000001",
    )
    Callback.objects.filter(pk=row.pk).update(created_at=created)
    return row


def crisis(h, created, contact=None, status=CrisisStatus.OPEN, risk="high", handover="") -> CrisisCase:
    row = CrisisCase.objects.create(
        organisation=h.medical, hotline=h.city, status=status, risk=risk, first_contact_at=contact, handover_to=handover
    )
    CrisisCase.objects.filter(pk=row.pk).update(created_at=created)
    return row


def shift(h, start, hours, min_seats, people) -> Shift:
    row = Shift.objects.create(
        hotline=h.city, starts_at=start, ends_at=start + timedelta(hours=hours), min_seats=min_seats
    )
    for person in people:
        ShiftAssignment.objects.create(shift=row, counsellor=person)
    return row


@pytest.fixture
def records(h):
    # Calls of the city base: 30, 70 (crossing midnight: counted on the day it began), 120 and
    # 10 minutes, one without an end; one the day before the period, one at its very end.
    call(h, at(1, 10), 30, topics=["infection", "sleep"])
    call(h, at(1, 23, 30), 70, topics=["sleep", "sleep"], risk="low")
    call(h, at(3, 9), 120, line="online", topics=["grief"], risk="high")
    call(h, at(5, 14), None, line=None, risk="imminent")
    call(h, at(31, 23, 59, month=1), 15, topics=["sleep"])  # before the period
    call(h, at(7, 23, 59, 59), 10, caller_kind="family")
    call(h, at(8, 0, 0, 0), 10)  # after it
    # 市北区's hotline.
    call(h, at(2, 10), 45, hotline=h.other, line="other_line", topics=["work_stress"])
    # Self-assessments.
    assessment(h.city, "GAD-7", "moderate", at(2, 9), flagged=True)
    assessment(h.city, "GAD-7", "moderate", at(4, 9), flagged=True)
    assessment(h.city, "GAD-7", "minimal", at(4, 10))
    assessment(h.city, "PHQ-9", "mild", at(6, 10), crisis=True)
    assessment(h.city, "GAD-7", "severe", at(9, 10), flagged=True)  # after the period
    assessment(None, "GAD-7", "mild", at(3, 10))  # through no hotline
    assessment(h.other, "SAS", "normal", at(3, 11))
    # Callbacks: on time, late, overdue, waiting, closed without contact; one before the period.
    callback(h, at(2, 10), at(3, 10), at(2, 15), CallbackStatus.DONE)
    callback(h, at(2, 10), at(2, 12), at(2, 13), CallbackStatus.DONE)
    callback(h, at(4, 10), at(5, 10))
    callback(h, at(7, 10), at(20, 10))
    callback(h, at(6, 10), at(7, 10), None, CallbackStatus.CLOSED)
    callback(h, at(30, 10, month=1), at(31, 10, month=1), at(30, 11, month=1), CallbackStatus.DONE)
    # Crisis cases: first contact after 0.5, 2.5 and 4 hours; one not contacted yet.
    crisis(h, at(3, 9, 30), at(3, 10), CrisisStatus.HANDED_OVER, "imminent", HandoverTo.AMBULANCE)
    crisis(h, at(5, 14, 10), at(5, 16, 40), CrisisStatus.CLOSED)
    crisis(h, at(6, 8), None, CrisisStatus.OPEN)
    crisis(h, at(7, 8), at(7, 12), CrisisStatus.CONTACTED)
    # Shifts: one full, one short; one after the period.
    shift(h, at(1, 8), 8, 2, [h.counsellor, h.colleague])
    shift(h, at(1, 16), 8, 2, [h.counsellor])
    shift(h, at(8, 8), 8, 2, [])
    return h


def by_code(rows) -> dict:
    return {r["code"]: r["count"] for r in rows}


def test_figures_of_one_hotline(personas, records):
    h = records
    figures = stats.figures(personas.jia, h.medical, PERIOD, now=NOW)
    assert [x["id"] for x in figures["hotlines"]] == [h.city.pk]
    calls = figures["calls"]
    assert calls["total"] == 5
    assert calls["per_day"] == [
        {"day": "2020-02-01", "count": 2},
        {"day": "2020-02-02", "count": 0},
        {"day": "2020-02-03", "count": 1},
        {"day": "2020-02-04", "count": 0},
        {"day": "2020-02-05", "count": 1},
        {"day": "2020-02-06", "count": 0},
        {"day": "2020-02-07", "count": 1},
    ]
    assert [(r["line"], r["count"]) for r in calls["per_line"]] == [(h.line.pk, 3), (h.online.pk, 1), (None, 1)]
    assert calls["duration"] == {"measured": 4, "average_minutes": 57.5, "longest_minutes": 120}
    assert by_code(calls["topics"]) == {
        "infection": 1,
        "family_frontline": 0,
        "sleep": 2,
        "grief": 1,
        "work_stress": 0,
        "family_conflict": 0,
        "other": 0,
    }
    assert by_code(calls["risks"]) == {"none": 2, "low": 1, "medium": 0, "high": 1, "imminent": 1}
    assert by_code(calls["callers"]) == {"worker": 4, "family": 1, "medical": 0, "public": 0}
    assert by_code(calls["channels"]) == {"phone": 5, "online": 0, "video": 0}

    assessments = figures["assessments"]
    assert (assessments["total"], assessments["flagged"], assessments["crisis"]) == (4, 2, 1)
    gad, phq = assessments["per_scale"]
    assert (gad["scale"], gad["count"], gad["flagged"], gad["crisis"]) == ("GAD-7", 3, 2, 0)
    assert [(b["code"], b["count"]) for b in gad["bands"]] == [
        ("minimal", 1),
        ("mild", 0),
        ("moderate", 2),
        ("severe", 0),
    ]
    assert (phq["scale"], phq["count"], phq["crisis"]) == ("PHQ-9", 1, 1)
    assert by_code(phq["bands"]) == {"minimal": 0, "mild": 1, "moderate": 0, "mod_severe": 0, "severe": 0}

    callbacks = figures["callbacks"]
    assert {
        k: callbacks[k]
        for k in (
            "total",
            "reached",
            "on_time",
            "late",
            "overdue",
            "waiting",
            "closed_without_contact",
            "done",
            "on_time_percent",
        )
    } == {
        "total": 5,
        "reached": 2,
        "on_time": 1,
        "late": 1,
        "overdue": 1,
        "waiting": 1,
        "closed_without_contact": 1,
        "done": 2,
        "on_time_percent": 20,
    }

    crisis_figures = figures["crisis"]
    assert (crisis_figures["total"], crisis_figures["open"], crisis_figures["handed_over"]) == (4, 3, 1)
    # the status now: a partition of the cases opened (each case counted once)
    assert by_code(crisis_figures["statuses"]) == {
        "open": 1, "contacted": 1, "handed_over": 1, "follow_up": 0, "closed": 1
    }
    assert sum(by_code(crisis_figures["statuses"]).values()) == crisis_figures["total"]
    assert by_code(crisis_figures["risks"]) == {"high": 3, "imminent": 1}
    assert by_code(crisis_figures["handovers"]) == {"mh_centre": 0, "120": 1, "110": 0}
    assert crisis_figures["first_contact"] == {
        "contacted": 3,
        "not_yet": 1,
        "median_hours": 2.5,
        "average_hours": 2.3,
        "longest_hours": 4.0,
    }

    seats = figures["seats"]
    assert {k: v for k, v in seats.items() if k != "per_shift"} == {
        "shifts": 2,
        "full": 1,
        "short": 1,
        "empty": 0,
        "seats_needed": 4,
        "seats_filled": 3,
        "filled_percent": 75,
    }
    assert [(s["min_seats"], s["filled"]) for s in seats["per_shift"]] == [(2, 2), (2, 1)]


def test_figures_rolled_up_the_tree(personas, records):
    h = records
    figures = stats.figures(personas.jia, personas.city, PERIOD, now=NOW)
    assert {x["id"] for x in figures["hotlines"]} == {h.city.pk, h.other.pk}
    assert figures["calls"]["total"] == 6
    assert by_code(figures["calls"]["topics"])["work_stress"] == 1
    # At the root of the tree, for a city administrator: the self-assessment taken through no
    # hotline counts too (GAD-7 mild), and 市北区's SAS.
    assert figures["assessments"]["total"] == 6
    assert {s["scale"]: s["count"] for s in figures["assessments"]["per_scale"]} == {"GAD-7": 4, "PHQ-9": 1, "SAS": 1}
    # 丙 sees 市北区's only; one hotline alone is one hotline's figures.
    bing = stats.figures(personas.bing, personas.shibei, PERIOD, now=NOW)
    assert (bing["calls"]["total"], bing["assessments"]["total"], bing["callbacks"]["total"]) == (1, 1, 0)
    one = stats.figures(personas.jia, personas.city, PERIOD, h.other, now=NOW)
    assert [x["id"] for x in one["hotlines"]] == [h.other.pk]


def test_a_counsellor_sees_the_figures_of_their_hotline_only(personas, records):
    h = records
    organisation, hotline = stats.pick(h.stranger)
    assert (organisation, hotline) == (personas.shibei, None)
    assert stats.figures(h.stranger, organisation, PERIOD, now=NOW)["calls"]["total"] == 1
    with pytest.raises(stats.NotInScope):
        stats.pick(h.stranger, hotline=h.city.pk)
    with pytest.raises(stats.NotInScope):
        stats.pick(h.stranger, org=h.medical.code)


def test_the_organisation_and_hotline_picked(personas, records, english):
    h = records
    assert stats.pick(personas.jia) == (personas.city, None)
    assert stats.pick(personas.jia, hotline=str(h.city.pk)) == (h.medical, h.city)
    assert stats.pick(personas.jia, org="CITY", hotline=h.city.pk) == (personas.city, h.city)
    with pytest.raises(stats.NotInScope) as exc:
        stats.pick(personas.bing, org="YW")
    assert exc.value.message == "No organisation with the code “YW” in your reach."
    with pytest.raises(stats.NotInScope) as exc:
        stats.pick(personas.bing, org="NOPE")
    assert exc.value.message == "No organisation with the code “NOPE” in your reach."
    with pytest.raises(stats.NotInScope) as exc:
        stats.pick(personas.bing, hotline="abc")
    assert exc.value.message == "No hotline abc in your reach."
    with pytest.raises(ServiceError) as exc:
        stats.pick(personas.jia, org="SB", hotline=h.city.pk)
    assert exc.value.message == "青岛市总工会心理健康服务基地 is not run under 市北区总工会."


def test_the_period(english):
    today = date(2020, 2, 10)
    assert stats.period(today=today) == stats.Period(date(2020, 1, 12), today)
    assert stats.period("2020-02-01", "2020-02-07", today=today) == PERIOD
    assert stats.period(None, "2020-02-07", today=today).start == date(2020, 1, 9)
    for start, end, field, message in [
        ("2020-02-08", "2020-02-07", "from", "The first day comes after the last day."),
        ("2019-01-01", "2020-02-07", "from", "Ask for at most 366 days at a time."),
        ("2020-13-01", None, "from", "Give the day as YYYY-MM-DD, e.g. 2020-02-01 (“2020-13-01” is not one)."),
        (None, "yesterday", "to", "Give the day as YYYY-MM-DD, e.g. 2020-02-01 (“yesterday” is not one)."),
    ]:
        with pytest.raises(ServiceError) as exc:
            stats.period(start, end, today=today)
        assert (exc.value.field, exc.value.message) == (field, message)
    assert len(stats.period("2019-02-07", "2020-02-07").days) == 366


def page_client(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


def test_the_figures_page(personas, records):
    url = reverse("hotline:stats") + "?org=YW&from=2020-02-01&to=2020-02-07"
    with time_machine.travel(NOW, tick=False):
        page = page_client(personas.auditor).get(url)
    assert page.status_code == 200
    assert page.context["figures"]["calls"]["total"] == 5
    html = page.content.decode()
    assert 'data-figure="calls">5<' in html
    assert 'data-figure="average">57.5<' in html
    assert 'data-figure="longest">120<' in html
    assert 'data-figure="callbacks-on-time">1 / 5<' in html
    assert 'data-figure="crisis-median">2.5<' in html
    assert 'id="nx-stats-data"' in html
    assert "vendor/echarts/6.1.0/echarts.min.js" in html
    chart_ids = [c["id"] for c in page.context["chart"]["charts"]]
    assert chart_ids == [
        "nx-chart-days",
        "nx-chart-lines",
        "nx-chart-topics",
        "nx-chart-risks",
        "nx-chart-scale-GAD-7",
        "nx-chart-scale-PHQ-9",
        "nx-chart-seats",
    ]
    # Out of reach: a clear message and a 404, never another organisation's figures.
    refused = page_client(personas.bing).get(url)
    assert refused.status_code == 404
    assert "No organisation with the code “YW” in your reach." in refused.content.decode()
    assert "figures" not in refused.context
    bad = page_client(personas.jia).get(reverse("hotline:stats") + "?from=2020-02-08&to=2020-02-01")
    assert bad.status_code == 200
    assert "The first day comes after the last day." in bad.content.decode()
    assert page_client(personas.care).get(reverse("hotline:stats")).status_code == 403


def test_the_crisis_figures_on_the_page_add_up(personas, records):
    url = reverse("hotline:stats") + "?org=YW&from=2020-02-01&to=2020-02-07"
    with time_machine.travel(NOW, tick=False):
        html = page_client(personas.auditor).get(url).content.decode()
    table = re.search(r'id="nx-table-crisis">(.*?)</table>', html, re.S).group(1)
    row = r'<td class="ps-3">([^<]*)</td><td class="text-end">(\d+)<'
    rows = re.findall(r'<tr data-crisis-status="([a-z_]+)">' + row, table)
    assert [(code, label, int(n)) for code, label, n in rows] == [
        ("open", "Open", 1), ("contacted", "Contacted", 1), ("handed_over", "Handed over", 1),
        ("follow_up", "Following up", 0), ("closed", "Closed", 1),
    ]
    assert "By their status now (the rows add up to the cases opened)" in table
    assert "Handed over to (whatever their status now)" in table
    handed = re.findall(r'<tr data-crisis-handover="([^"]+)">' + row, table)
    assert handed == [("120", "Emergency medical service (120)", "1")]
    assert "Still open" not in table


def test_the_heading_says_when_the_reach_covers_part_of_the_organisation(personas, records):
    """A viewer on a group of hospitals (SN-H1, SB-H1) and on the medical union: the figures are
    those of the common root 青岛市总工会, but only of the part in the viewer's reach."""
    from nuanxin.core.roles import Role
    from nuanxin.orgs import services as org_services

    org_services.grant_role(actor=SYSTEM, user=personas.viewer, role=Role.VIEWER, organisation=records.medical)
    url = reverse("hotline:stats") + "?from=2020-02-01&to=2020-02-07"
    with time_machine.travel(NOW, tick=False):
        page = page_client(personas.viewer).get(url)
        whole = page_client(personas.jia).get(url)
    scope_line = re.search(r'<p class="mb-3" id="nx-stats-scope">([^·]*)·', page.content.decode()).group(1)
    assert scope_line.strip() == "青岛市总工会 (the part in your reach): 1 hotline"
    assert [x["id"] for x in page.context["figures"]["hotlines"]] == [records.city.pk]
    scope_line = re.search(r'<p class="mb-3" id="nx-stats-scope">([^·]*)·', whole.content.decode()).group(1)
    assert scope_line.strip() == "青岛市总工会: 2 hotlines"


def api_get(user, query: str):
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client().get("/api/v1/hotline/stats" + query, HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_answers_the_same_figures(personas, records):
    h = records
    with time_machine.travel(NOW, tick=False):
        response = api_get(personas.jia, "?org=YW&from=2020-02-01&to=2020-02-07")
        expected = stats.figures(personas.jia, h.medical, PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert body["from"] == "2020-02-01" and body["to"] == "2020-02-07"
    assert body["organisation"] == {"code": "YW", "name": "青岛市医务工会"}
    assert body["calls"] == expected["calls"]
    assert body["assessments"] == expected["assessments"]
    assert body["callbacks"] == expected["callbacks"]
    assert body["crisis"] == expected["crisis"]
    assert body["seats"]["seats_filled"] == 3
    assert [s["filled"] for s in body["seats"]["per_shift"]] == [2, 1]
    refused = api_get(personas.bing, "?org=YW")
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    bad = api_get(personas.jia, "?from=2020-02-08&to=2020-02-01")
    assert bad.status_code == 400
    assert api_get(personas.care, "").status_code == 403


def test_a_deactivated_line_still_counts(personas, records):
    h = records
    hotline_services.deactivate_line(actor=SYSTEM, line=h.line)
    figures = stats.figures(personas.jia, h.medical, PERIOD, now=NOW)
    first = figures["calls"]["per_line"][0]
    assert (first["line"], first["count"]) == (h.line.pk, 3)


def test_an_organisation_without_hotlines_has_zero_figures(personas, records):
    figures = stats.figures(personas.yi, personas.shinan, PERIOD, now=NOW)
    assert figures["hotlines"] == []
    assert (figures["calls"]["total"], figures["assessments"]["total"], figures["callbacks"]["total"]) == (0, 0, 0)
    assert figures["calls"]["duration"] == {"measured": 0, "average_minutes": None, "longest_minutes": None}
    assert figures["crisis"]["first_contact"]["median_hours"] is None
    assert figures["seats"]["filled_percent"] is None
    page = page_client(personas.yi).get(reverse("hotline:stats"))
    assert page.status_code == 200
    assert "No hotline under 市南区总工会 whose figures you may see." in page.content.decode()
