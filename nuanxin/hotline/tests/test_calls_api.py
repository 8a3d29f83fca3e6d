"""The calls API: the same policy, service and messages as the pages; every read audited."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Call, CrisisCase
from nuanxin.hotline.services import calls as services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["nuanxin_language"] = "en"
    return client


def post(client, body):
    return client.post("/api/v1/hotline/calls", data=json.dumps(body), content_type="application/json")


def test_list_filters_paginates_and_audits(h):
    old = services.record_call(actor=h.counsellor, hotline=h.city, started_at=NOW - timedelta(days=4), risk="medium")
    new = services.record_call(actor=h.colleague, hotline=h.city, started_at=NOW - timedelta(hours=1),
                               ended_at=NOW - timedelta(minutes=1), topics=["sleep"])
    services.record_call(actor=h.stranger, hotline=h.other, started_at=NOW - timedelta(hours=1))
    client = api(h.counsellor)
    body = client.get("/api/v1/hotline/calls").json()
    assert body["count"] == 2
    assert [item["id"] for item in body["items"]] == [new.pk, old.pk]
    assert body["items"][0]["minutes"] == 59
    assert body["items"][0]["topics"] == ["sleep"]
    assert body["items"][0]["counsellor"] == "hotline-colleague"
    assert body["items"][0]["linked"] is None
    assert AuditLog.objects.get(action="hotline.call.read").detail == {"page": "api", "calls": sorted([old.pk, new.pk])}
    assert [i["id"] for i in client.get("/api/v1/hotline/calls?risk=medium").json()["items"]] == [old.pk]
    assert [i["id"] for i in client.get("/api/v1/hotline/calls?from=2026-03-01&to=2026-03-02").json()["items"]] == [
        new.pk
    ]
    page = client.get("/api/v1/hotline/calls?limit=1&offset=1").json()
    assert (page["count"], [i["id"] for i in page["items"]]) == (2, [old.pk])
    assert client.get(f"/api/v1/hotline/calls?hotline={h.other.pk}").status_code == 404
    assert api(h.stranger).get("/api/v1/hotline/calls").json()["count"] == 1


def test_get_one_is_audited_and_another_hotlines_is_not_found(personas, h):
    call = services.record_call(actor=h.counsellor, hotline=h.city, started_at=NOW - timedelta(hours=1),
                                callback_consent=True, callback_number="13800001234")
    body = api(h.supervisor).get(f"/api/v1/hotline/calls/{call.pk}").json()
    assert (body["id"], body["callback_number"], body["version"]) == (call.pk, "+8613800001234", 1)
    assert AuditLog.objects.get(action="hotline.call.read").actor == h.supervisor
    assert api(h.stranger).get(f"/api/v1/hotline/calls/{call.pk}").status_code == 404
    for user in (personas.jia, personas.viewer, personas.auditor, personas.bing):
        assert api(user).get(f"/api/v1/hotline/calls/{call.pk}").status_code == 403
        assert api(user).get("/api/v1/hotline/calls").status_code == 403
    assert AuditLog.objects.filter(action="hotline.call.read").count() == 1


def test_post_logs_a_call_with_the_services_messages(h):
    client = api(h.counsellor)
    response = post(client, {"hotline": h.city.pk, "started_at": "2026-03-02T09:00:00+08:00",
                             "ended_at": "2026-03-02T09:50:00+08:00", "line": h.line.pk, "caller_kind": "medical",
                             "topics": ["work_stress"], "risk": "high", "outcome": "crisis"})
    assert response.status_code == 201
    body = response.json()
    call = Call.objects.get()
    assert (body["id"], body["minutes"], body["risk"]) == (call.pk, 50, "high")
    assert CrisisCase.objects.get().call == call
    refused = post(client, {"hotline": h.city.pk, "started_at": "2026-03-02T09:00:00+08:00",
                            "ended_at": "2026-03-02T08:00:00+08:00"})
    assert refused.status_code == 400
    assert refused.json() == {"code": "invalid", "message": "The call cannot end before it started.",
                              "field": "ended_at"}
    wrong_line = post(client, {"hotline": h.city.pk, "started_at": "2026-03-02T09:00:00+08:00",
                               "line": h.other_line.pk})
    assert wrong_line.json()["message"] == "This line is not one of this hotline's lines."
    assert post(api(h.stranger), {"hotline": h.city.pk, "started_at": "2026-03-02T09:00:00+08:00"}).status_code == 404
    assert Call.objects.count() == 1


def test_post_links_the_one_registered_worker_by_mobile(h):
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=h.medical, name="钱医生", team=TeamType.HUBEI_AID, mobile="13700006666"
    )
    client = api(h.counsellor)
    response = post(client, {"hotline": h.city.pk, "started_at": "2026-03-02T09:00:00+08:00",
                             "link_mobile": "13700006666"})
    assert response.status_code == 201
    assert response.json()["linked"] == {"kind": "worker", "name": "钱医生", "unit": "YW"}
    assert Call.objects.get().worker == worker
    missing = post(client, {"hotline": h.city.pk, "started_at": "2026-03-02T09:00:00+08:00",
                            "link_mobile": "13700007777"})
    assert missing.status_code == 400
    assert missing.json()["field"] == "link_mobile"


def test_post_counts_the_start_back_from_the_minutes_as_the_page_does(h):
    client = api(h.counsellor)
    response = post(client, {"hotline": h.city.pk, "minutes": 25})
    assert response.status_code == 201
    call = Call.objects.get()
    assert (call.started_at, call.ended_at, response.json()["minutes"]) == (
        NOW - timedelta(minutes=25), NOW, 25
    )
    started = post(client, {"hotline": h.city.pk, "started_at": "2026-03-02T08:00:00+08:00", "minutes": 40})
    assert started.status_code == 201
    assert started.json()["minutes"] == 40
    assert Call.objects.get(pk=started.json()["id"]).ended_at == NOW - timedelta(hours=1, minutes=20)
    going = post(client, {"hotline": h.city.pk})  # starts now, goes on
    assert going.status_code == 201
    assert going.json()["ended_at"] is None
    assert Call.objects.get(pk=going.json()["id"]).started_at == NOW


def test_post_refuses_minutes_with_an_end_and_an_end_without_a_start(h):
    client = api(h.counsellor)
    both = post(client, {"hotline": h.city.pk, "started_at": "2026-03-02T09:00:00+08:00",
                         "ended_at": "2026-03-02T09:30:00+08:00", "minutes": 10})
    assert both.status_code == 400
    assert both.json() == {"code": "invalid", "message": "Give the end of the call or its minutes, not both.",
                           "field": "minutes"}
    no_start = post(client, {"hotline": h.city.pk, "ended_at": "2026-03-02T09:30:00+08:00"})
    assert no_start.status_code == 400
    assert no_start.json()["field"] == "started_at"
    assert post(client, {"hotline": h.city.pk, "minutes": -5}).status_code == 422
    assert Call.objects.count() == 0


def test_post_refuses_a_nonsense_callback_number_with_the_message(h):
    response = post(api(h.counsellor), {"hotline": h.city.pk, "minutes": 10, "callback_consent": True,
                                        "callback_number": "12345", "outcome": "callback"})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "“12345” is not a phone number.",
                               "field": "callback_number"}
    assert Call.objects.count() == 0


def test_post_by_someone_who_logs_no_calls_is_forbidden_whatever_the_body(personas, h):
    for user in (personas.jia, personas.viewer):
        assert post(api(user), {"hotline": h.city.pk, "minutes": 10}).status_code == 403
    # Known limit (core.apiutils.ScopedRouter): ninja validates the body before the 403 gate,
    # so a body that fails the schema answers 422 even to them. Reported to the coordinator.
    assert post(api(h.stranger), {"hotline": h.city.pk, "minutes": 10}).status_code == 404
    assert Call.objects.count() == 0
