"""The care API through HTTP: scoping for every operation, as_of, conflicts, bulk assign."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services
from nuanxin.care.models import CareAssignment, Difficulty, Visit, VisitDuty
from nuanxin.care.tests.helpers import W1, at, build_world
from nuanxin.core.policy import SYSTEM

W2 = W1 + timedelta(days=7)


class Api:
    def __init__(self, user):
        self.client = Client()
        _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=365)
        self.client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"

    def get(self, path, **params):
        return self.client.get("/api/v1" + path, params)

    def send(self, method, path, data):
        return self.client.generic(method, "/api/v1" + path, json.dumps(data), content_type="application/json")


@pytest.fixture
def world(personas):
    with at(W1 - timedelta(days=30)):  # tokens valid through the weeks tested
        apis = {name: Api(getattr(personas, name)) for name in ("yi", "bing", "care", "viewer", "counsellor", "jia")}
    w = build_world(personas)
    w.api = apis
    return w


def names(response):
    assert response.status_code == 200, response.content
    return sorted(item["worker"]["name"] for item in response.json()["items"])


def test_duties_are_scoped(personas, world):
    api = world.api
    with at(W1 + timedelta(days=1)):
        assert names(api["yi"].get("/care/duties", org="SN", week="2020-W05")) == ["安一", "安三", "安二"]
        assert names(api["jia"].get("/care/duties", week="2020-W05")) == ["北一", "安一", "安三", "安二"]
        assert names(api["care"].get("/care/duties")) == ["安一", "安三", "安二"]
        assert api["bing"].get("/care/duties", org="SN").status_code == 404  # 丙 sees nothing of 市南区
        assert names(api["bing"].get("/care/duties")) == ["北一"]
        assert api["viewer"].get("/care/duties").status_code == 403
        assert api["counsellor"].get("/care/duties").status_code == 403
        bad = api["yi"].get("/care/duties", week="week 5")
        assert (bad.status_code, bad.json()["field"]) == (400, "week")
        assert api["yi"].get("/care/duties", status="late").status_code == 422
        item = api["yi"].get("/care/duties", org="SN-H1", status="due").json()["items"][0]
    assert set(item) == {
        "id", "campaign", "week", "week_start", "worker", "unit", "status", "excuse_reason", "visit",
        "done_at", "missed_at", "excused_at",
    }  # fmt: skip
    assert [item[k] for k in ("week", "week_start", "unit", "status")] == ["2020-W05", "2020-01-27", "SN-H1", "due"]


def test_duties_as_of_a_past_day(personas, world):
    api = world.api["yi"]
    with at(W2, 0, 10):
        services.open_duties()
    with at(W2 + timedelta(days=1)):
        services.record_visit(actor=personas.care, worker=world.a1, on=W1 + timedelta(days=4), mode="phone")
        sunday = api.get("/care/duties", week="2020-W05", as_of="2020-02-02")
        monday = api.get("/care/duties", week="2020-W05", as_of="2020-02-03", status="missed")
        tuesday = api.get("/care/duties", week="2020-W05", as_of="2020-02-04", status="done")
        now = api.get("/care/duties", week="2020-W05", status="missed")
    assert {i["status"] for i in sunday.json()["items"]} == {"due"} and sunday.json()["count"] == 3
    assert names(monday) == ["安一", "安三", "安二"]
    assert names(tuesday) == ["安一"]
    assert names(now) == ["安三", "安二"]


def test_log_a_visit_then_edit_it_with_a_stale_version(personas, world):
    api = world.api
    payload = {
        "worker": world.a1.pk,
        "on": "2020-01-28",
        "mode": "home",
        "visitors": "王主席",
        "state_of_mind": "情绪稳定",
        "items": [{"item": "蔬菜", "quantity": "5", "unit": "斤", "value": "40.00"}],
        "difficulties": [{"description": "需要接送孩子", "category": "childcare", "urgency": "urgent"}],
    }
    with at(W1 + timedelta(days=1), 10):
        assert api["bing"].send("POST", "/visits", payload).status_code == 404
        assert api["counsellor"].send("POST", "/visits", payload).status_code == 403
        assert Visit.objects.count() == 0
        created = api["care"].send("POST", "/visits", payload)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["week"], body["version"], body["recorded_by"], body["items"]) == (
        "2020-W05",
        1,
        "care",
        [{"item": "蔬菜", "quantity": "5.00", "unit": "斤", "value": "40.00"}],
    )
    assert VisitDuty.objects.get(worker=world.a1, week=W1).status == "done"
    assert Difficulty.objects.get().source == "visit"
    path = f"/visits/{body['id']}"
    with at(W1 + timedelta(days=1), 11):
        first = api["yi"].send("PATCH", path, {"version": 1, "opinions": "希望恢复上学"})
        stale = api["care"].send("PATCH", path, {"version": 1, "notes": "被覆盖？"})
        assert api["bing"].send("PATCH", path, {"version": 2, "notes": "x"}).status_code == 404
    assert (first.status_code, first.json()["version"]) == (200, 2)
    assert (stale.status_code, stale.json()["code"], stale.json()["field"]) == (409, "conflict", "version")
    assert "乙" in stale.json()["message"]
    visit = Visit.objects.get()
    assert (visit.opinions, visit.notes, visit.version) == ("希望恢复上学", "", 2)
    with at(W1 + timedelta(days=2)):
        assert names(api["care"].get("/visits", worker=world.a1.pk)) == ["安一"]
        assert api["bing"].get("/visits", worker=world.a1.pk).status_code == 404
        assert names(api["bing"].get("/visits")) == []


def test_difficulties_list_create_and_transitions(personas, world):
    api = world.api
    with at(W1 + timedelta(days=1)):
        made = api["care"].send(
            "POST", "/difficulties", {"worker": world.a2.pk, "description": "老人看病难", "category": "medical"}
        )
        assert made.status_code == 201, made.content
        pk = made.json()["id"]
        assert made.json()["owner"] == "care" and made.json()["due_on"] == "2020-02-11"
        assert api["bing"].send("POST", "/difficulties", {"worker": world.a2.pk, "description": "x"}).status_code == 404
        services.open_difficulty(actor=world.care_sb, worker=world.b1, description="北区困难", category="life")
        step = f"/difficulties/{pk}/transitions"
        assert api["bing"].send("POST", step, {"to": "in_progress"}).status_code == 404
        assert api["care"].send("POST", step, {"to": "closed"}).status_code == 400
        assert api["care"].send("POST", step, {"to": "in_progress"}).json()["status"] == "in_progress"
        assert api["care"].send("POST", step, {"to": "resolved"}).json()["status"] == "resolved"
        assert api["care"].send("POST", step, {"to": "closed"}).status_code == 403  # admins close
        assert api["yi"].send("POST", step, {"to": "closed", "note": "已核实"}).json()["status"] == "closed"
        listing = api["jia"].get("/difficulties", status="closed")
        by_category = api["jia"].get("/difficulties", category="life")
        in_sn = api["yi"].get("/difficulties", org="SN")
        assert api["bing"].get("/difficulties", org="SN").status_code == 404
        assert api["counsellor"].get("/difficulties").status_code == 403
    assert names(listing) == ["安二"]
    assert names(by_category) == ["北一"]
    assert names(in_sn) == ["安二"]
    assert Difficulty.objects.get(pk=pk).notes.count() == 4


def test_bulk_assignments(personas, world):
    api = world.api
    from nuanxin.care.tests.helpers import care_contact, worker

    other = care_contact("care2", personas.shinan_hospital, "二号")
    new = worker(personas.shinan_hospital, "新来的")
    body = {"campaign": world.campaign.pk, "contact": other.pk, "workers": [world.a1.pk, new.pk]}
    with at(W1 + timedelta(days=1)):
        assert api["care"].send("POST", "/care/assignments", body).status_code == 403
        assert api["bing"].send("POST", "/care/assignments", body).status_code == 404
        wrong = {**body, "contact": world.care_sb.pk}
        assert api["yi"].send("POST", "/care/assignments", wrong).status_code == 400
        ok = api["yi"].send("POST", "/care/assignments", body)
        ended = api["yi"].send("POST", "/care/assignments", {**body, "contact": None})
    assert ok.json() == {"assigned": 2, "ended": 1, "unchanged": 0}
    assert ended.json() == {"assigned": 0, "ended": 2, "unchanged": 0}
    assert CareAssignment.objects.current().filter(worker__in=[world.a1, new]).count() == 0


def test_campaigns(personas, world):
    with at(W1):
        response = world.api["viewer"].get("/care/campaigns")
    assert response.json()["items"][0]["cadence"]["hubei_aid"] == "weekly"
    assert response.json()["items"][0]["cadence"]["cdc"] == "none"
