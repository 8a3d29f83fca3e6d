"""Double submissions of a visit create one visit: the API's ``Idempotency-Key`` and the visit
form's one-time token, sequentially on both databases and with 20 parallel connections on
PostgreSQL."""

import json
import re
import threading
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.accounts.services import create_api_token
from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import Difficulty, Visit, VisitDuty
from nuanxin.care.tests.helpers import W1, at
from nuanxin.care.tests.pages_fixtures import W2, WED, client_for, page_world
from nuanxin.care.tests.test_views_week import visit_post
from nuanxin.core import idempotency
from nuanxin.core.models import AuditLog, IdempotencyKey
from nuanxin.core.policy import SYSTEM
from tests.parallel import on_postgres, run_together

PARALLEL = 20


@pytest.fixture
def world(personas):
    with page_world(personas) as w:
        yield w


def api_client(user) -> Client:
    with at(W1 - timedelta(days=30)):
        _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=365)
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    client.cookies["nuanxin_language"] = "en"
    return client


def post_visit(client, payload, key=None):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/v1/visits", json.dumps(payload), content_type="application/json", headers=headers)


def visit_payload(world, **overrides):
    payload = {
        "worker": world.a1.pk,
        "on": WED.isoformat(),
        "mode": "home",
        "visitors": "王主席",
        "items": [{"item": "口罩", "quantity": "2", "unit": "盒"}],
        "difficulties": [{"description": "需要接送孩子", "category": "childcare", "urgency": "urgent"}],
    }
    payload.update(overrides)
    return payload


def token_of(html: str) -> str:
    match = re.search(r'name="submission_token" value="([A-Za-z0-9_-]+)"', html)
    assert match, "the form has no one-time token"
    return match.group(1)


# --- API, sequential ------------------------------------------------------------------------


def test_an_api_retry_with_the_same_key_answers_the_first_visit(personas, world):
    client = api_client(personas.care)
    payload = visit_payload(world)
    first = post_visit(client, payload, key="visit-a1-2020-02-05")
    assert first.status_code == 201, first.content
    assert first.has_header("Idempotent-Replayed") is False
    again = post_visit(client, payload, key="visit-a1-2020-02-05")
    assert (again.status_code, again["Idempotent-Replayed"]) == (201, "true")
    assert again.json() == first.json()
    assert again["Content-Type"] == first["Content-Type"]
    visits = Visit.objects.filter(worker=world.a1, on=WED)
    assert visits.count() == 1
    assert first.json()["id"] == visits.get().pk
    assert Difficulty.objects.filter(worker=world.a1, visit=visits.get()).count() == 1
    assert AuditLog.objects.filter(action="visit.record", object_id=str(visits.get().pk)).count() == 1
    assert VisitDuty.objects.get(worker=world.a1, week=W2).status == DutyStatus.DONE
    assert IdempotencyKey.objects.get().key == "api:visit-a1-2020-02-05"


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(personas, world):
    client = api_client(personas.care)
    assert post_visit(client, visit_payload(world), key="k-1").status_code == 201
    other = post_visit(client, visit_payload(world, visitors="李主席"), key="k-1")
    assert other.status_code == 422
    assert other.json() == {
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for a different request. Send a new key for a new record.",
    }
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 1
    # Another family with the same key is another request too.
    assert post_visit(client, visit_payload(world, worker=world.a2.pk), key="k-1").status_code == 422
    assert Visit.objects.filter(worker=world.a2, on=WED).count() == 0


def test_keys_belong_to_one_user_and_requests_without_a_key_are_not_deduplicated(personas, world):
    care, yi = api_client(personas.care), api_client(personas.yi)
    payload = visit_payload(world)
    assert post_visit(care, payload, key="same").status_code == 201
    second = post_visit(yi, payload, key="same")  # 乙's own key: a second visit
    assert second.status_code == 201 and second.has_header("Idempotent-Replayed") is False
    assert post_visit(care, payload).status_code == 201  # no key: as before
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 3


def test_a_failed_request_keeps_its_key_free(personas, world):
    client = api_client(personas.care)
    bad = post_visit(client, visit_payload(world, worker=world.b1.pk), key="retry-me")  # 市北区: 404
    assert bad.status_code == 404
    invalid = post_visit(client, visit_payload(world, mode="fly"), key="retry-me2")
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid"
    assert IdempotencyKey.objects.count() == 0
    # The corrected request with the same key runs.
    fixed = post_visit(client, visit_payload(world, mode="phone"), key="retry-me2")
    assert fixed.status_code == 201 and fixed.json()["mode"] == "phone"
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 1


@pytest.mark.parametrize("key", ["", "a" * 256, "two words", "键"])
def test_a_malformed_key_is_a_422_and_nothing_is_saved(personas, world, key):
    client = api_client(personas.care)
    response = post_visit(client, visit_payload(world), key=key)
    assert response.status_code == 422
    message = "The Idempotency-Key header must be 1 to 255 printable ASCII characters without spaces."
    assert response.json() == {
        "code": "invalid",
        "message": message,
        "errors": [{"field": "Idempotency-Key", "in": "header", "message": message}],
    }
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 0


def test_a_key_without_a_valid_token_is_a_401(world):
    client = Client()
    response = client.post(
        "/api/v1/visits", json.dumps(visit_payload(world)), content_type="application/json",
        headers={"Idempotency-Key": "k", "Authorization": "Bearer nx_wrong"},
    )
    assert response.status_code == 401
    assert IdempotencyKey.objects.count() == 0


def test_the_openapi_schema_documents_the_header():
    schema = Client().get("/api/v1/openapi.json").json()
    for path, method in [
        ("/api/v1/visits", "post"), ("/api/v1/difficulties", "post"), ("/api/v1/workers", "post"),
        ("/api/v1/imports", "post"), ("/api/v1/care/assignments", "post"),
    ]:
        names = [p["name"] for p in schema["paths"][path][method]["parameters"] if p["in"] == "header"]
        assert names.count("Idempotency-Key") == 1, path
    assert "Idempotency-Key" not in json.dumps(schema["paths"]["/api/v1/visits"]["get"])


# --- the visit form, sequential ------------------------------------------------------------


def test_the_visit_form_sent_twice_saves_one_visit(personas, world):
    client = client_for(personas.care)
    url = reverse("care:visit_create", args=[world.a1.pk])
    token = token_of(client.get(url).content.decode())
    first = client.post(url, visit_post(submission_token=token))
    family = reverse("care:family", args=[world.a1.pk])
    assert (first.status_code, first["Location"]) == (302, family)
    again = client.post(url, visit_post(submission_token=token), follow=True)
    assert again.redirect_chain == [(family, 302)]
    shown = [str(m) for m in again.context["messages"]]
    assert shown == [  # the first answer's message was never shown (no redirect followed)
        "Visit to 安一's family recorded.",
        "This form was already sent and saved; it was not saved a second time.",
    ]
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 1
    # A fresh form is a new token: a second visit the same day is allowed on purpose.
    token2 = token_of(client.get(url).content.decode())
    assert token2 != token
    assert client.post(url, visit_post(submission_token=token2)).status_code == 302
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 2


def test_a_form_shown_again_with_errors_keeps_its_token(personas, world):
    client = client_for(personas.care)
    url = reverse("care:visit_create", args=[world.a1.pk])
    token = token_of(client.get(url).content.decode())
    wrong = client.post(url, visit_post(submission_token=token, mode=""))
    assert wrong.status_code == 200
    assert token_of(wrong.content.decode()) == token
    assert IdempotencyKey.objects.count() == 0
    assert client.post(url, visit_post(submission_token=token)).status_code == 302
    assert client.post(url, visit_post(submission_token=token)).status_code == 302
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 1


def test_a_post_without_a_token_is_accepted_and_a_bad_token_is_a_400(personas, world):
    client = client_for(personas.care)
    url = reverse("care:visit_create", args=[world.a1.pk])
    assert client.post(url, visit_post()).status_code == 302
    bad = client.post(url, visit_post(submission_token="<script>"))
    assert bad.status_code == 400
    assert "The one-time token of this form is not valid. Open the form again and send it anew." in bad.content.decode()
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 1


def test_another_user_with_the_same_token_is_not_replayed(personas, world):
    url = reverse("care:visit_create", args=[world.a1.pk])
    token = idempotency.new_token()
    assert client_for(personas.care).post(url, visit_post(submission_token=token)).status_code == 302
    assert client_for(personas.yi).post(url, visit_post(submission_token=token)).status_code == 302
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 2


# --- in parallel, PostgreSQL ----------------------------------------------------------------


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_api_creates_with_one_key_make_one_visit(personas, world):
    clients = [api_client(personas.care) for _ in range(PARALLEL)]
    payload = visit_payload(world)
    it = iter(clients)
    lock = threading.Lock()

    def send():
        with lock:
            client = next(it)
        return post_visit(client, payload, key="double-tap")

    answers = run_together(*[send] * PARALLEL)
    assert [type(a).__name__ for a in answers if isinstance(a, Exception)] == []
    assert [a.status_code for a in answers] == [201] * PARALLEL
    bodies = [a.json() for a in answers]
    assert all(body == bodies[0] for body in bodies)
    assert sum(1 for a in answers if a.has_header("Idempotent-Replayed")) == PARALLEL - 1
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 1
    assert Difficulty.objects.filter(worker=world.a1, source="visit", visit__on=WED).count() == 1
    assert AuditLog.objects.filter(action="visit.record", object_id=str(bodies[0]["id"])).count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_form_posts_with_one_token_make_one_visit(personas, world):
    url = reverse("care:visit_create", args=[world.a1.pk])
    token = token_of(client_for(personas.care).get(url).content.decode())
    clients = [client_for(personas.care) for _ in range(PARALLEL)]
    it = iter(clients)
    lock = threading.Lock()

    def send():
        with lock:
            client = next(it)
        return client.post(url, visit_post(submission_token=token))

    answers = run_together(*[send] * PARALLEL)
    assert [type(a).__name__ for a in answers if isinstance(a, Exception)] == []
    family = reverse("care:family", args=[world.a1.pk])
    assert [(a.status_code, a["Location"]) for a in answers] == [(302, family)] * PARALLEL
    assert Visit.objects.filter(worker=world.a1, on=WED).count() == 1
    assert IdempotencyKey.objects.get().location == family
