"""Input that a database cannot store is refused by the API with a 400, before any operation
runs: a NUL character in a query parameter, a JSON body or a form field (PostgreSQL refuses
NUL in text, so it used to surface as a server error there; the pages' forms refuse it too).
Files are bytes and may hold NUL: an upload is not refused for it."""

import json

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.models import Worker

pytestmark = pytest.mark.django_db


def bearer(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def _invalid(response) -> tuple:
    return response.status_code, response.json()["code"]


@pytest.mark.parametrize("path", ["/api/v1/difficulties?org=%00", "/api/v1/workers?q=a%00b", "/api/v1/orgs?x=%00"])
def test_a_nul_in_the_query_is_refused(personas, path):
    assert _invalid(bearer(personas.yi).get(path)) == (400, "invalid")


@pytest.mark.parametrize("field", ["name", "notes", "org"])
def test_a_nul_in_a_json_body_is_refused_and_nothing_is_written(personas, field):
    data = {"org": "SN-H1", "name": "零字符", "team": "cdc", "mobile": "13800001234"} | {field: "a\x00b"}
    response = bearer(personas.yi).post("/api/v1/workers", json.dumps(data), content_type="application/json")
    assert _invalid(response) == (400, "invalid")
    assert Worker.objects.count() == 0


def test_a_nul_in_a_patch_is_refused(personas):
    api = bearer(personas.yi)
    created = api.post("/api/v1/workers", json.dumps({"org": "SN-H1", "name": "零字符", "team": "cdc"}),
                       content_type="application/json")
    assert created.status_code == 201
    worker_id = created.json()["id"]
    response = api.patch(f"/api/v1/workers/{worker_id}", json.dumps({"notes": "\x00"}),
                         content_type="application/json")
    assert _invalid(response) == (400, "invalid")
    assert Worker.objects.get(pk=worker_id).notes == ""


def test_a_nul_in_a_form_field_is_refused(personas):
    response = bearer(personas.yi).post("/api/v1/imports", {"org": "SN-H1\x00"})
    assert _invalid(response) == (400, "invalid")
