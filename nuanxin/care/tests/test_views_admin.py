"""The admins' care pages through HTTP: the weekly overview and the chart (viewers: figures
only), the difficulty pages, the assignments and the campaigns; the menu by role."""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nuanxin.care import services
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, VisitDuty
from nuanxin.care.tests.helpers import care_contact, worker
from nuanxin.care.tests.pages_fixtures import W2, WED, client_for, page_world
from nuanxin.core.models import AuditLog
from nuanxin.registry.choices import TeamType


def counts(response) -> dict:
    return {r.code: (r.due, r.done, r.missed, r.excused) for r in response.context["overview"].rows}


@pytest.fixture
def world(personas):
    with page_world(personas) as w:
        yield w


# --- the overview -----------------------------------------------------------------------------


def test_the_city_overview_per_district(personas, world):
    response = client_for(personas.jia).get(reverse("care:overview"))
    assert response.status_code == 200
    assert response.context["org"] == personas.city and response.context["campaign"] == world.campaign
    assert response.context["week_label"] == "2020-W06"
    assert counts(response) == {"SN": (1, 1, 0, 1), "SB": (1, 0, 0, 0)}
    total = response.context["overview"].total
    assert (total.due, total.done, total.missed, total.excused, total.completion_percent) == (2, 1, 0, 1, 33)
    # Missed duties are those of the last ended week (W05 while W06 runs).
    assert response.context["missed_week_label"] == "2020-W05"
    assert sorted(d.worker.name for d in response.context["missed"]) == ["北一", "安三", "安二"]
    assert response.context["missed_count"] == 3
    assert response.context["due"] is None  # listed per unit only
    assert response.context["unassigned_count"] == 0
    unit = client_for(personas.jia).get(reverse("care:overview"), {"org": "SN-H1"})
    assert [d.worker.name for d in unit.context["due"]] == ["安一"] and unit.context["due_count"] == 1


def test_a_district_overview_per_unit_with_unassigned_families_and_difficulties(personas, world):
    lone = worker(personas.shinan_hospital, "无人")
    worker(personas.shibei_hospital, "北无人")
    services.open_difficulty(actor=personas.yi, worker=world.a1, description="缺口罩", category="supplies")
    services.open_difficulty(actor=personas.yi, worker=world.a2, description="孩子没人带", category="childcare")
    response = client_for(personas.yi).get(reverse("care:overview"), {"week": "2020-W05", "by": "unit"})
    assert response.context["org"] == personas.shinan
    assert counts(response) == {"SN-H1": (0, 1, 2, 0)}
    assert response.context["missed_week_label"] == "2020-W05"
    assert [w.name for w in response.context["unassigned"]] == [lone.name]
    summary = response.context["difficulties"]
    assert [(r["category"], r["ages"], r["overdue"]) for r in summary["rows"]] == [
        ("childcare", [1, 0, 0], 0),
        ("supplies", [1, 0, 0], 0),
    ]
    html = response.content.decode()
    assert "北一" not in html and "北无人" not in html  # 市北区 is not 乙's


def test_the_overview_for_a_viewer_shows_figures_without_names(personas, world):
    response = client_for(personas.viewer).get(reverse("care:overview"))
    assert response.status_code == 200
    assert response.context["people"] is False
    # The viewer's group holds both hospitals: the common ancestor is the city.
    assert response.context["org"] == personas.city
    assert counts(response) == {"SN": (1, 1, 0, 1), "SB": (1, 0, 0, 0)}
    html = response.content.decode()
    for name in ("安一", "安二", "安三", "北一"):
        assert name not in html
    assert "missed" not in response.context


def test_the_overview_is_not_for_care_contacts(personas, world):
    assert client_for(personas.care).get(reverse("care:overview")).status_code == 403
    assert client_for(personas.counsellor).get(reverse("care:overview")).status_code == 403


def test_the_overview_stays_in_scope(personas, world):
    # 丙 asking for 市南区 gets the root of their own scope instead.
    response = client_for(personas.bing).get(reverse("care:overview"), {"org": "SN"})
    assert response.context["org"] == personas.shibei
    assert counts(response) == {"SB-H1": (1, 0, 0, 0)}


def test_the_overview_queries_do_not_grow(personas, world, django_assert_num_queries):
    client = client_for(personas.jia)
    client.get(reverse("care:overview"), {"org": "SN-H1"})  # the first request stamps the session
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("care:overview"), {"org": "SN-H1"})
    more = [worker(personas.shinan_hospital, f"新{i}") for i in range(3)]
    services.bulk_assign(actor=personas.yi, campaign=world.campaign, workers=more, contact=personas.care)
    for w in more:
        services.open_difficulty(actor=personas.yi, worker=w, description="困难")
    with django_assert_num_queries(len(first)):
        response = client.get(reverse("care:overview"), {"org": "SN-H1"})
    assert response.context["due_count"] == 4


# --- the chart --------------------------------------------------------------------------------


def test_the_chart_page_feeds_echarts_from_a_json_block(personas, world):
    response = client_for(personas.jia, "zh-hans").get(reverse("care:chart"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "vendor/echarts/6.1.0/echarts.min.js" in html
    start = html.index('<script id="nx-chart-data" type="application/json">') + len(
        '<script id="nx-chart-data" type="application/json">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    assert data["locale"] == "ZH"
    assert data["weeks"] == ["2020-W04", "2020-W05", "2020-W06"]
    series = {s["name"]: s["percent"] for s in data["series"]}
    assert series == {"市南区总工会": [None, 33, 50], "市北区总工会": [None, 0, 0]}
    assert [s["name"] for s in data["series"]] == ["市北区总工会", "市南区总工会"]  # tree order
    assert set(data["labels"]) == {"yAxis", "xAxis", "done", "owed", "inProgress"}
    assert data["current"] == 2  # 2020-W06, this week, is still going on (drawn as such)
    assert [(r["name"], r["done"], r["owed"]) for r in response.context["rows"]] == [
        ("市北区总工会", 0, 2),
        ("市南区总工会", 2, 5),
    ]
    # The overview loads no chart library.
    assert "echarts" not in client_for(personas.jia).get(reverse("care:overview")).content.decode()


def test_the_chart_in_english(personas, world):
    client = client_for(personas.viewer)
    html = client.get(reverse("care:chart")).content.decode()
    assert '"locale": "EN"' in html and '"yAxis": "Completion (%)"' in html


# --- difficulties -----------------------------------------------------------------------------


@pytest.fixture
def difficulties(personas, world):
    yi = personas.yi
    a = services.open_difficulty(actor=yi, worker=world.a1, description="缺口罩", category="supplies")
    b = services.open_difficulty(
        actor=yi, worker=world.a2, description="孩子没人带", category="childcare", urgency="urgent"
    )
    c = services.open_difficulty(actor=yi, worker=world.a3, description="老人就医", category="medical")
    services.change_difficulty_status(actor=yi, difficulty=c, to="resolved")
    d = services.open_difficulty(actor=personas.bing, worker=world.b1, description="北区困难", category="life")
    Difficulty.objects.filter(pk=a.pk).update(due_on=WED - timedelta(days=1))  # overdue
    return a, b, c, d


def listed(response) -> list[str]:
    return [d.description for d in response.context["page"].object_list]


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["缺口罩", "孩子没人带"]),  # active by default, oldest due first
        ({"status": ""}, ["缺口罩", "孩子没人带", "老人就医"]),
        ({"status": "resolved"}, ["老人就医"]),
        ({"category": "childcare"}, ["孩子没人带"]),
        ({"urgency": "urgent"}, ["孩子没人带"]),
        ({"overdue": "on"}, ["缺口罩"]),
        ({"org": "SN-H1", "status": ""}, ["缺口罩", "孩子没人带", "老人就医"]),
    ],
)
def test_the_difficulty_list_filters(personas, difficulties, query, expected):
    response = client_for(personas.yi).get(reverse("care:difficulty_list"), query)
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_difficulty_list_of_a_care_contact_and_of_another_district(personas, difficulties):
    assert listed(client_for(personas.care).get(reverse("care:difficulty_list"))) == ["缺口罩", "孩子没人带"]
    assert listed(client_for(personas.bing).get(reverse("care:difficulty_list"))) == ["北区困难"]
    assert client_for(personas.viewer).get(reverse("care:difficulty_list")).status_code == 403


def test_the_difficulty_list_queries_do_not_grow(personas, difficulties, world, django_assert_num_queries):
    client = client_for(personas.jia)
    client.get(reverse("care:difficulty_list"))  # the first request stamps the session
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("care:difficulty_list"))
    for i in range(4):
        services.open_difficulty(actor=personas.jia, worker=world.b1, description=f"又一个{i}")
    with django_assert_num_queries(len(first)):
        response = client.get(reverse("care:difficulty_list"))
    assert response.context["page"].paginator.count == 7


def test_difficulty_detail_shows_only_the_allowed_transitions(personas, difficulties):
    a, _b, c, _d = difficulties
    care = client_for(personas.care)
    response = care.get(reverse("care:difficulty_detail", args=[a.pk]))
    assert [v for v, _label in response.context["transitions"]] == ["in_progress", "resolved"]
    assert response.context["owner_form"] is None
    # A resolved one: the care contact may reopen it, only an admin may close it.
    assert [v for v, _label in care.get(reverse("care:difficulty_detail", args=[c.pk])).context["transitions"]] == [
        "open"
    ]
    admin = client_for(personas.yi).get(reverse("care:difficulty_detail", args=[c.pk]))
    assert [v for v, _label in admin.context["transitions"]] == ["open", "closed"]
    assert 'data-transition="closed"' in admin.content.decode()


def test_difficulty_life_cycle_through_the_pages(personas, difficulties):
    a = difficulties[0]
    care, yi = client_for(personas.care), client_for(personas.yi)
    url = reverse("care:difficulty_transition", args=[a.pk])

    def v():  # the version the page shows now (the form's hidden field)
        return Difficulty.objects.get(pk=a.pk).version

    assert care.post(url, {"to": "in_progress", "note": "已联系社区", "version": v()}).status_code == 302
    refused = care.post(url, {"to": "closed", "version": v()})  # not from in progress: shown on the page
    assert refused.status_code == 200 and list(refused.context["transition_form"].errors) == ["to"]
    assert care.post(url, {"to": "resolved", "version": v()}).status_code == 302
    assert care.post(url, {"to": "closed", "version": v()}).status_code == 403  # closing is for admins
    assert yi.post(url, {"to": "closed", "note": "核实已解决", "version": v()}).status_code == 302
    reopen = care.post(url, {"to": "open", "version": v()})
    assert reopen.status_code == 200
    assert reopen.context["transition_form"].errors == {"note": ["Say why the difficulty is reopened."]}
    assert care.post(url, {"to": "open", "note": "口罩又用完了", "version": v()}).status_code == 302
    assert care.post(reverse("care:difficulty_note", args=[a.pk]), {"text": "已送 50 只口罩"}).status_code == 302
    empty = care.post(reverse("care:difficulty_note", args=[a.pk]), {"text": ""})
    assert empty.status_code == 200 and list(empty.context["note_form"].errors) == ["text"]
    a.refresh_from_db()
    assert a.status == "open"
    page = care.get(reverse("care:difficulty_detail", args=[a.pk]))
    kinds = [(n.kind, n.to_status) for n in page.context["timeline"]]
    assert kinds == [
        ("opened", "open"),
        ("status", "in_progress"),
        ("status", "resolved"),
        ("status", "closed"),
        ("status", "open"),
        ("note", ""),
    ]
    assert "已送 50 只口罩" in page.content.decode()


def test_change_the_owner(personas, difficulties):
    a = difficulties[0]
    other = care_contact("care2", personas.shinan_hospital, "第二联系人")
    url = reverse("care:difficulty_owner", args=[a.pk])
    page = client_for(personas.yi).get(reverse("care:difficulty_detail", args=[a.pk]))
    names = [label for _value, label in page.context["owner_form"].fields["owner"].choices]
    assert names == ["乙", "甲", "第二联系人", "联系人"]
    assert client_for(personas.care).post(url, {"owner": other.pk, "version": 1}).status_code == 403
    assert client_for(personas.bing).post(url, {"owner": other.pk, "version": 1}).status_code == 404
    bad = client_for(personas.yi).post(url, {"owner": personas.bing.pk, "version": 1})
    assert bad.status_code == 200 and list(bad.context["owner_form"].errors) == ["owner"]
    assert client_for(personas.yi).post(url, {"owner": other.pk, "version": 1}).status_code == 302
    a.refresh_from_db()
    assert a.owner == other


def test_record_a_difficulty_outside_a_visit(personas, world):
    url = reverse("care:difficulty_create", args=[world.a1.pk])
    response = client_for(personas.care).post(
        url, {"description": "家中老人行动不便", "category": "eldercare", "urgency": "critical"}
    )
    difficulty = Difficulty.objects.get(worker=world.a1)
    assert response["Location"] == reverse("care:difficulty_detail", args=[difficulty.pk])
    assert (difficulty.category, difficulty.due_on, difficulty.campaign) == (
        "eldercare",
        date(2020, 2, 6),
        world.campaign,
    )
    assert client_for(personas.bing).post(url, {"description": "x"}).status_code == 404


# --- assignments ------------------------------------------------------------------------------


def test_the_assignment_page_lists_families_with_their_contact_and_suggestions(personas, world):
    hinted = worker(personas.shinan_hospital, "有提示", contact_name_hint="联系 人")
    worker(personas.shinan_hospital, "无提示")
    response = client_for(personas.yi).get(reverse("care:assignments"), {"unassigned": "1"})
    assert response.status_code == 200
    rows = {w.name: ([a.contact for a in w.current_assignments], w.suggested) for w in response.context["workers"]}
    assert rows == {"有提示": ([], [personas.care]), "无提示": ([], [])}
    assert [(r["organisation"].code, r["count"]) for r in response.context["counts"]] == [("SN-H1", 2)]
    assert [u.username for u in response.context["contacts"]] == ["care"]
    everyone = client_for(personas.yi).get(reverse("care:assignments"), {"team": TeamType.HUBEI_AID})
    contacts = {w.name: [a.contact.username for a in w.current_assignments] for w in everyone.context["workers"]}
    assert contacts == {"安一": ["care"], "安二": ["care"], "安三": ["care"], "无提示": [], "有提示": []}
    assert hinted.pk in [w.pk for w in response.context["workers"]]


def test_bulk_assign_reassign_suggest_and_unassign(personas, world):
    hinted = worker(personas.shinan_hospital, "有提示", contact_name_hint="联系人")
    plain = worker(personas.shinan_hospital, "无提示")
    care2 = care_contact("care2", personas.shinan, "区联系人")
    client = client_for(personas.yi)
    url = reverse("care:assign")
    base = {"campaign": world.campaign.pk, "next": reverse("care:assignments")}
    # The suggestions: the hint matches the care contact's name.
    response = client.post(url, {**base, "action": "suggest", "workers": [hinted.pk, plain.pk]})
    assert response.status_code == 302 and response["Location"] == reverse("care:assignments")
    assert CareAssignment.objects.current().get(worker=hinted).contact == personas.care
    assert not CareAssignment.objects.current().filter(worker=plain).exists()
    # Reassign two families to the district's contact: history kept.
    client.post(url, {**base, "action": "assign", "contact": care2.pk, "workers": [hinted.pk, world.a1.pk]})
    assert CareAssignment.objects.current().get(worker=world.a1).contact == care2
    assert CareAssignment.objects.filter(worker=world.a1).count() == 2
    # Assign needs a contact; nothing changes without one.
    client.post(url, {**base, "action": "assign", "workers": [plain.pk]})
    assert not CareAssignment.objects.current().filter(worker=plain).exists()
    # Remove the care contact.
    client.post(url, {**base, "action": "unassign", "workers": [hinted.pk]})
    assert not CareAssignment.objects.current().filter(worker=hinted).exists()
    assert AuditLog.objects.filter(action="care.assign").count() >= 3


def test_bulk_assign_is_all_or_nothing_and_scoped(personas, world):
    url = reverse("care:assign")
    data = {"campaign": world.campaign.pk, "action": "assign", "contact": personas.care.pk}
    # A 市北区 family among them: 404, nothing assigned.
    response = client_for(personas.yi).post(url, {**data, "workers": [world.a1.pk, world.b1.pk]})
    assert response.status_code == 404
    assert CareAssignment.objects.current().get(worker=world.b1).contact == world.care_sb
    assert client_for(personas.bing).post(url, {**data, "workers": [world.a1.pk]}).status_code == 404
    assert client_for(personas.care).post(url, {**data, "workers": [world.a1.pk]}).status_code == 403
    # A care contact who does not cover the unit is refused by the service with a message.
    response = client_for(personas.jia).post(url, {**data, "workers": [world.b1.pk]})
    assert response.status_code == 302
    assert CareAssignment.objects.current().get(worker=world.b1).contact == world.care_sb


def test_the_assignment_page_queries_do_not_grow(personas, world, django_assert_num_queries):
    client = client_for(personas.jia)
    worker(personas.shinan_hospital, "南旧", contact_name_hint="联系人")
    client.get(reverse("care:assignments"))  # the first request stamps the session
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("care:assignments"))
    for i in range(3):
        worker(personas.shibei_hospital, f"北新{i}", contact_name_hint="北联系人")
        worker(personas.shinan_hospital, f"南新{i}", contact_name_hint="联系人")
    with django_assert_num_queries(len(first)):
        response = client.get(reverse("care:assignments"))
    assert response.context["page"].paginator.count == 12


# --- campaigns --------------------------------------------------------------------------------


def test_campaigns_create_cadence_and_declared_end(personas, world):
    client = client_for(personas.jia)
    assert client.get(reverse("care:campaign_list")).status_code == 200
    cadence = {f"cadence_{t}": "none" for t in TeamType.values}
    response = client.post(
        reverse("care:campaign_create"),
        {"name": "2020年秋冬关爱行动", "starts_on": "2020-02-03", **cadence, "cadence_hubei_aid": "weekly"},
    )
    assert response.status_code == 302
    created = Campaign.objects.get(name="2020年秋冬关爱行动")
    assert created.cadence_for("hubei_aid") == "weekly" and created.cadence_for("cdc") == "none"
    edit = client.post(
        reverse("care:campaign_edit", args=[world.campaign.pk]),
        {**cadence, "cadence_hubei_aid": "weekly", "cadence_cdc": "weekly", "version": world.campaign.version},
    )
    assert edit.status_code == 302
    world.campaign.refresh_from_db()
    assert world.campaign.cadence_for("cdc") == "weekly"
    assert VisitDuty.objects.filter(worker=world.cdc, week=W2).count() == 1  # opened for this week
    end = reverse("care:campaign_declare_end", args=[world.campaign.pk])
    version = world.campaign.version
    assert list(client.post(end, {"on": "2020-02-05", "version": version}).context["form"].errors) == ["confirm"]
    assert list(client.post(end, {"on": "2020-01-01", "confirm": "on", "version": version}).context["form"].errors) == [
        "on"
    ]
    assert client.post(end, {"on": "2020-02-05", "confirm": "on", "version": version}).status_code == 302
    world.campaign.refresh_from_db()
    assert world.campaign.declared_end_on == date(2020, 2, 5)
    assert AuditLog.objects.filter(action="campaign.declare_end").count() == 1


def test_campaigns_are_for_city_admins(personas, world):
    for user in (personas.yi, personas.care, personas.viewer):
        assert client_for(user).get(reverse("care:campaign_list")).status_code == 403
    url = reverse("care:campaign_declare_end", args=[world.campaign.pk])
    assert client_for(personas.yi).post(url, {"on": "2020-02-05", "confirm": "on", "version": 1}).status_code == 403
    world.campaign.refresh_from_db()
    assert world.campaign.declared_end_on is None


# --- the menu ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona, entries",
    [
        ("care", ["care:my_week", "care:difficulty_list"]),
        ("yi", ["care:overview", "care:difficulty_list", "care:assignments"]),
        ("jia", ["care:overview", "care:difficulty_list", "care:assignments", "care:campaign_list"]),
        ("viewer", ["care:overview"]),
        ("counsellor", []),
    ],
)
def test_the_menu_by_role(personas, persona, entries):
    html = client_for(getattr(personas, persona)).get(reverse("home")).content.decode()
    names = ["care:my_week", "care:overview", "care:difficulty_list", "care:assignments", "care:campaign_list"]
    shown = [n for n in names if f'class="nav-link" href="{reverse(n)}"' in html]
    assert shown == entries


def test_pages_need_signing_in(db):
    response = Client().get(reverse("care:overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
