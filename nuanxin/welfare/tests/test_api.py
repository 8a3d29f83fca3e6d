"""The API: the enrolments listed (scoped, filters, unknown ids 404) and a unit's team enrolled
in bulk (idempotent, never twice, scope)."""

import pytest
from django.test import Client

from nuanxin.accounts import services as account_services
from nuanxin.welfare.models import Enrolment
from nuanxin.welfare.services import enrolments

pytestmark = pytest.mark.django_db


def api(user):
    _token, secret = account_services.create_api_token(actor=user, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_bulk_enrol_and_list(w):
    c = api(w.p.yi)
    body = {"scheme": w.scheme.pk, "organisation": "SN-H1", "team_name": ""}
    r = c.post("/api/v1/welfare/enrolments", body, content_type="application/json",
               headers={"Idempotency-Key": "k-1"})
    assert r.status_code == 201, r.content
    data = r.json()
    assert sorted(e["worker_name"] for e in data["enrolled"]) == ["张援鄂", "李援鄂", "王援鄂"]
    assert {e["team_name"] for e in data["enrolled"]} == {"青岛市第2批援鄂医疗队"}
    assert data["enrolled"][0]["contribution"] == "30.00" and data["skipped"] == []
    again = c.post("/api/v1/welfare/enrolments", body, content_type="application/json",
                   headers={"Idempotency-Key": "k-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert Enrolment.objects.count() == 3
    once_more = c.post("/api/v1/welfare/enrolments", body, content_type="application/json")
    assert once_more.status_code == 400
    assert once_more.json()["message"] == "本单位已没有可参保的人员。"

    listed = c.get(f"/api/v1/welfare/enrolments?scheme={w.scheme.pk}&org=SN").json()
    assert listed["count"] == 3
    assert {i["organisation"] for i in listed["items"]} == {"SN-H1"}
    assert api(w.p.bing).get("/api/v1/welfare/enrolments").json()["count"] == 0
    assert c.get("/api/v1/welfare/enrolments?scheme=99999").status_code == 404
    assert c.get("/api/v1/welfare/enrolments?org=NOPE").status_code == 404
    assert c.get("/api/v1/welfare/enrolments?org=SB").status_code == 404


def test_chosen_workers_and_refusals(w):
    c = api(w.p.yi)
    r = c.post("/api/v1/welfare/enrolments", {"scheme": w.scheme.pk, "organisation": "SN-H1",
                                              "team_name": "市南援鄂队", "workers": [w.aid1.pk]},
               content_type="application/json")
    assert r.status_code == 201 and [e["worker"] for e in r.json()["enrolled"]] == [w.aid1.pk]
    # A worker of the other district: unknown, nothing enrolled, no name given away.
    r = c.post("/api/v1/welfare/enrolments", {"scheme": w.scheme.pk, "organisation": "SN-H1",
                                              "workers": [w.aid_b.pk]}, content_type="application/json")
    assert r.status_code == 400 and "孙援鄂" not in r.content.decode()
    r = api(w.p.bing).post("/api/v1/welfare/enrolments", {"scheme": w.scheme.pk, "organisation": "SN-H1"},
                           content_type="application/json")
    assert r.status_code == 400
    assert api(w.p.viewer).get("/api/v1/welfare/enrolments").status_code == 403
    r = c.post("/api/v1/welfare/enrolments", {"scheme": 99999, "organisation": "SN-H1"},
               content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "scheme"
    assert Enrolment.objects.count() == 1


def test_race_answers_without_a_server_error(w):
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital, workers=[w.aid1])
    r = api(w.p.yi).post("/api/v1/welfare/enrolments", {"scheme": w.scheme.pk, "organisation": "SN-H1",
                                                        "workers": [w.aid1.pk, w.aid2.pk]},
                         content_type="application/json")
    assert r.status_code == 201
    assert [e["worker"] for e in r.json()["enrolled"]] == [w.aid2.pk]
    # aid1 was sent although enrolled already: named in skipped, not silently left out.
    assert r.json()["skipped"] == [w.aid1.pk]


def test_team_name_omitted_each_under_their_own_batch(w):
    from nuanxin.welfare.tests.fixtures import aid_worker

    first = aid_worker(w.p.shinan_hospital, "陈一批", "13800000011", batch="第一批")
    r = api(w.p.yi).post("/api/v1/welfare/enrolments", {"scheme": w.scheme.pk, "organisation": "SN-H1",
                                                        "workers": [first.pk, w.aid1.pk]},
                         content_type="application/json")
    assert r.status_code == 201, r.content
    assert {e["worker_name"]: e["team_name"] for e in r.json()["enrolled"]} == {
        "陈一批": "青岛市第一批援鄂医疗队", "张援鄂": "青岛市第2批援鄂医疗队"}
    assert r.json()["skipped"] == []
