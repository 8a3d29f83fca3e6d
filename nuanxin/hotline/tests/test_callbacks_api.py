"""The callback API: the queue (scoped, paginated, filtered, reads audited) and recording an
attempt (the callback comes back with its new status)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Callback, CallbackAttempt
from nuanxin.hotline.services import cases as services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 4, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["nuanxin_language"] = "en"
    return client


def queued(h, due_at, severity="moderate", hotline=None, **kw) -> Callback:
    return services.open_callback(actor=SYSTEM, hotline=hotline or h.city, number="13800001234", due_at=due_at,
                                  severity=severity, **kw)


def post_attempt(client, callback, body):
    return client.post(f"/api/v1/hotline/callbacks/{callback.pk}/attempts", data=json.dumps(body),
                       content_type="application/json")


def test_the_queue(h, personas):
    later = queued(h, NOW + timedelta(hours=20), preferred_counsellor=h.colleague)
    overdue = queued(h, NOW - timedelta(hours=1))
    crisis = queued(h, NOW + timedelta(hours=5), severity="crisis")
    foreign = queued(h, NOW, hotline=h.other)
    client = api(h.counsellor)
    body = client.get("/api/v1/hotline/callbacks").json()
    assert body["count"] == 3
    assert [item["id"] for item in body["items"]] == [overdue.pk, crisis.pk, later.pk]
    first = body["items"][0]
    assert (first["status"], first["overdue"], first["owner"], first["number"]) == ("due", True, None,
                                                                                   "+8613800001234")
    assert first["next_due"] == "2020-02-04T01:00:00Z"
    assert body["items"][2]["preferred_counsellor"] == "hotline-colleague"
    assert [i["id"] for i in client.get("/api/v1/hotline/callbacks?overdue=true").json()["items"]] == [overdue.pk]
    assert [i["id"] for i in client.get(f"/api/v1/hotline/callbacks?hotline={h.city.pk}&limit=1").json()["items"]] == [
        overdue.pk
    ]
    assert client.get("/api/v1/hotline/callbacks?status=done").json()["count"] == 0
    assert client.get(f"/api/v1/hotline/callbacks?hotline={h.other.pk}").status_code == 404
    assert client.get("/api/v1/hotline/callbacks?status=lost").status_code == 422
    assert [i["id"] for i in api(h.stranger).get("/api/v1/hotline/callbacks").json()["items"]] == [foreign.pk]
    for outsider in (personas.viewer, personas.jia, personas.auditor, h.coordinator):
        assert api(outsider).get("/api/v1/hotline/callbacks").status_code == 403
    row = AuditLog.objects.filter(action="hotline.callback.read", actor=h.counsellor).order_by("id").first()
    assert row.detail == {"page": "api", "callbacks": sorted([later.pk, overdue.pk, crisis.pk])}


def test_record_attempts(h):
    callback = queued(h, NOW)
    client = api(h.counsellor)
    answer = post_attempt(client, callback, {"result": "no_answer", "retry_at": "2020-02-04T15:00:00"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["status"], body["owner"], body["retry_at"]) == ("retry", None, "2020-02-04T07:00:00Z")
    assert body["last_attempt"]["result"] == "no_answer" and body["last_attempt"]["by"] == "counsellor"
    refused = post_attempt(client, callback, {"result": "reached", "note": ""})
    assert refused.status_code == 400
    assert refused.json()["message"] == "Write the outcome of the call."
    stale = post_attempt(client, callback, {"result": "reached", "note": "好", "version": 1})
    assert stale.status_code == 409
    done = post_attempt(client, callback, {"result": "reached", "note": "已联系，情况稳定", "channel": "online",
                                           "version": body["version"]})
    assert done.status_code == 201
    assert (done.json()["status"], done.json()["outcome"], done.json()["owner"]) == ("done", "已联系，情况稳定",
                                                                                     "counsellor")
    assert CallbackAttempt.objects.filter(callback=callback).count() == 2
    assert post_attempt(api(h.stranger), callback, {"result": "reached", "note": "x"}).status_code == 404
    assert AuditLog.objects.filter(action="hotline.callback.read", detail__page="api").count() == 2
