"""The register's REST operations, through HTTP with bearer tokens."""

import json

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services
from nuanxin.registry.models import Worker
from nuanxin.registry.tests.helpers import assign, make_worker

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def send(client, method, url, data):
    return client.generic(method, url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def people(personas):
    zhang = make_worker(personas.shinan_hospital, "张三", mobile="13812345678", category="nurse")
    services.add_family_member(actor=SYSTEM, worker=zhang, name="李明", relation="丈夫", mobile="13900001111")
    services.save_deployment(
        actor=SYSTEM,
        worker=zhang,
        batch="第一批",
        destination="湖北省武汉市",
        departed_on="2020-02-09",
        deployed_mobile="18600001234",
    )
    li = make_worker(personas.shinan_hospital, "李四", mobile="13800004321", team="cdc")
    zhao = make_worker(personas.shibei_hospital, "赵六", mobile="13800006666")
    return {"zhang": zhang, "li": li, "zhao": zhao}


def test_list_is_paginated_filtered_and_scoped(personas, people):
    response = api(personas.yi).get("/api/v1/workers")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [(w["name"], w["mobile"], w["org"]) for w in body["items"]] == [
        ("李四", "138****4321", "SN-H1"),
        ("张三", "138****5678", "SN-H1"),
    ]
    assert api(personas.yi).get("/api/v1/workers?q=zs").json()["count"] == 1
    assert api(personas.yi).get("/api/v1/workers?q=4321").json()["items"][0]["name"] == "李四"
    assert api(personas.jia).get("/api/v1/workers?team=hubei_aid").json()["count"] == 2
    assert api(personas.jia).get("/api/v1/workers?org=SB").json()["count"] == 1
    page = api(personas.jia).get("/api/v1/workers?limit=1&offset=1").json()
    assert (page["count"], [w["name"] for w in page["items"]]) == (3, ["张三"])
    refused = api(personas.yi).get("/api/v1/workers?org=SB")
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("invalid", "org")
    assert api(personas.care).get("/api/v1/workers").json()["count"] == 0
    assign(people["zhang"], personas.care)
    assert api(personas.care).get("/api/v1/workers").json()["count"] == 1
    assert api(personas.viewer).get("/api/v1/workers").status_code == 403


def test_detail_masks_unless_revealed(personas, people):
    zhang = people["zhang"]
    body = api(personas.yi).get(f"/api/v1/workers/{zhang.pk}").json()
    assert body["mobile"] == "138****5678"
    assert [(m["name"], m["mobile"], m["is_primary"]) for m in body["family"]] == [("李明", "139****1111", True)]
    assert [(d["batch"], d["deployed_mobile"], d["carrier"], d["departed_on"]) for d in body["deployments"]] == [
        ("第一批", "186****1234", "unicom", "2020-02-09")
    ]
    assert AuditLog.objects.filter(action="worker.mobile_reveal").count() == 0
    body = api(personas.yi).get(f"/api/v1/workers/{zhang.pk}?reveal=1").json()
    assert (body["mobile"], body["family"][0]["mobile"], body["deployments"][0]["deployed_mobile"]) == (
        "13812345678",
        "13900001111",
        "18600001234",
    )
    rows = AuditLog.objects.filter(action="worker.mobile_reveal").order_by("id")
    assert [(r.channel, r.detail["whose"]) for r in rows] == [
        ("api", "worker"),
        ("api", "family"),
        ("api", "deployment"),
    ]
    assert api(personas.bing).get(f"/api/v1/workers/{zhang.pk}").status_code == 404
    assert api(personas.bing).get("/api/v1/workers/999999").json()["code"] == "not_found"


def test_create(personas, people):
    client = api(personas.yi)
    response = send(
        client,
        "POST",
        "/api/v1/workers",
        {"org": "SN-H1", "name": "王 五", "team": "援鄂医疗队", "mobile": "+86 139 0000 5555", "gender": "男"},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["team"], body["gender"], body["mobile"]) == ("王五", "hubei_aid", "male", "139****5555")
    worker = Worker.objects.get(pk=body["id"])
    assert (worker.created_by, worker.mobile) == (personas.yi, "+8613900005555")
    assert AuditLog.objects.get(action="worker.create", object_id=str(worker.pk)).channel == "api"
    # The same person again: 409, never a second worker.
    response = send(
        client, "POST", "/api/v1/workers", {"org": "SN-H1", "name": "王五", "team": "cdc", "mobile": "13900005555"}
    )
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("same_person", "mobile")
    response = send(client, "POST", "/api/v1/workers", {"org": "SN-H1", "name": "王五", "team": "cdc"})
    assert (response.status_code, response.json()["code"]) == (409, "likely_duplicate")
    response = send(
        client, "POST", "/api/v1/workers", {"org": "SN-H1", "name": "王五", "team": "cdc", "allow_duplicate": True}
    )
    assert response.status_code == 201
    response = send(client, "POST", "/api/v1/workers", {"org": "SN-H1", "name": "赵七", "team": "cdc", "mobile": "12"})
    assert (response.status_code, response.json()["field"]) == (400, "mobile")
    response = send(client, "POST", "/api/v1/workers", {"org": "SB-H1", "name": "赵七", "team": "cdc"})
    assert (response.status_code, response.json()["field"]) == (400, "org")
    response = send(client, "POST", "/api/v1/workers", {"org": "SN-H1"})
    assert response.status_code == 422
    assert Worker.objects.count() == 5
    assert (
        send(api(personas.care), "POST", "/api/v1/workers", {"org": "SN-H1", "name": "x", "team": "cdc"}).status_code
        == 403
    )


def test_patch(personas, people):
    zhang = people["zhang"]
    client = api(personas.yi)
    response = send(
        client, "PATCH", f"/api/v1/workers/{zhang.pk}",
        {"post_title": "主任护师", "mobile": "13812340000", "version": 1},
    )
    assert response.status_code == 200
    assert (response.json()["post_title"], response.json()["mobile"]) == ("主任护师", "138****0000")
    assert AuditLog.objects.get(action="worker.update").detail == {
        "changes": {"post_title": ["", "主任护师"], "mobile": ["138****5678", "138****0000"]}
    }
    response = send(client, "PATCH", f"/api/v1/workers/{zhang.pk}", {"org": "SB-H1", "version": 2})
    assert (response.status_code, response.json()["field"]) == (400, "org")
    response = send(client, "PATCH", f"/api/v1/workers/{zhang.pk}", {"name": None, "version": 2})
    assert (response.status_code, response.json()["field"]) == (400, "name")
    response = send(client, "PATCH", f"/api/v1/workers/{zhang.pk}", {"status": "gone", "version": 2})
    assert (response.status_code, response.json()["field"]) == (400, "status")
    outside = send(api(personas.bing), "PATCH", f"/api/v1/workers/{zhang.pk}", {"notes": "x", "version": 2})
    assert outside.status_code == 404
    zhang.refresh_from_db()
    assert (zhang.status, zhang.notes) == ("on_duty", "")
