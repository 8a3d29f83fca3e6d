"""Idempotent creation across the project: every create page is guarded by a one-time token and
every create operation of the API by ``Idempotency-Key``; a repeat of each allowed create of the
authorization matrix changes nothing and answers like the first; the keys are pruned after
24 hours. (The visit's races on PostgreSQL: ``care/tests/test_idempotent_visits.py``.)"""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import timedelta

import pytest
from django.template import Context, RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import get_resolver
from django.utils import timezone

from nuanxin.core import idempotency
from nuanxin.core.models import AuditLog, IdempotencyKey
from nuanxin.core.periodic import discover_jobs
from nuanxin.core.policy import SYSTEM
from tests.authz import fingerprint
from tests.test_authorization import _client_for, _request, _walk, all_cases

# The shard planner's weight of this file (conftest.py):
# its few tests send many requests each (about 50 plain tests' time; whole runs, 2026-12-06).
SHARD_WEIGHT = 50

# Every page that creates a row on POST (the register's, the care work's, the organisation
# tree's, the accounts', the importer's upload and the hotline's).
CREATE_PAGES = {
    "accounts:token_create",
    "care:visit_create",
    "care:difficulty_create",
    "care:difficulty_note",
    "care:campaign_create",
    "orgs:org_create",
    "orgs:user_create",
    "orgs:grant_create",
    "orgs:group_create",
    "registry:worker_create",
    "registry:family_create",
    "registry:deployment_create",
    "tables:imports:list",
    "hotline:hotline_create",
    "hotline:line_create",
    "hotline:member_create",
    "hotline:call_create",
    "hotline:referral_create",
    "hotline:assessment_take",
    "hotline:callback_attempt",
    "hotline:callback_note",
    "hotline:crisis_note",
    "funds:fund_create",
    "funds:income_create",
    "funds:allocation_create",
    "funds:return_create",
    "funds:reversal_create",
    "funds:expenditure_create",
    "funds:round_create",
    "funds:round_add",
    "funds:receipt_add",
    "honours:award_type_create",
    "honours:call_create",
    "honours:nomination_create",
    "honours:nomination_file_add",
    "honours:nomination_note",
    "honours:objection_create",
    "welfare:scheme_create",
    "welfare:unit_enrol",
    "welfare:import_create",
    "welfare:charge",
    "recuperation:programme_create",
    "recuperation:base_create",
    "recuperation:batch_create",
    "recuperation:nominate",
    "telecom:dispatch_create",
    "telecom:reply_create",
    "labour:arrangement_create",
    "labour:lawyer_create",
    "labour:legal_create",
    "labour:legal_note",
    "labour:legal_documents",
    "labour:employer_create",
    "labour:lead_create",
    "labour:employment_create",
    "labour:employment_refer",
    "labour:employment_note",
    "produce:supplier_list",
    "produce:point_list",
    "produce:offer_list",
    "produce:offer_copy",
    "produce:family",
    "reports:form_create",
    "volunteers:team_list",
    "volunteers:team_detail",
    "volunteers:task_create",
    "volunteers:task_detail",
}
CREATE_OPERATIONS = {
    "POST /api/v1/visits",
    "POST /api/v1/difficulties",
    "POST /api/v1/workers",
    "POST /api/v1/imports",
    "POST /api/v1/care/assignments",
    "POST /api/v1/hotline/calls",
    "POST /api/v1/hotline/assessments",
    "POST /api/v1/hotline/callbacks/{callback_id}/attempts",
    "POST /api/v1/funds",
    "POST /api/v1/funds/{fund_id}/income",
    "POST /api/v1/funds/{fund_id}/allocations",
    "POST /api/v1/funds/{fund_id}/expenditures",
    "POST /api/v1/honours/nominations",
    "POST /api/v1/welfare/enrolments",
    "POST /api/v1/recuperation/offers/{offer_id}/accept",
    "POST /api/v1/recuperation/offers/{offer_id}/decline",
    "POST /api/v1/telecom/waivers/{waiver_id}/transitions",
    "POST /api/v1/labour/arrangements",
    "POST /api/v1/labour/legal-cases",
    "POST /api/v1/labour/employment-cases",
    "POST /api/v1/produce/orders",
    "POST /api/v1/volunteers/teams",
    "POST /api/v1/volunteers/shifts",
    "POST /api/v1/volunteers/shifts/{shift_id}/checkins",
}
REPLAYED_MESSAGE = "This form was already sent and saved; it was not saved a second time."


def test_every_create_page_is_guarded_by_a_one_time_token():
    views = {name: pattern.callback for name, pattern in _walk(get_resolver().url_patterns) if name}
    guarded = {name for name, view in views.items() if getattr(view, "nuanxin_idempotent", False)}
    assert guarded == CREATE_PAGES
    # Any page named "…create" is a create page: a new one must be added above.
    assert {name for name in views if name.endswith("create")} <= CREATE_PAGES


def test_every_create_operation_documents_the_idempotency_key(db):
    schema = Client().get("/api/v1/openapi.json").json()
    with_key, creates = set(), set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            target = f"{method.upper()} {path}"
            if any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in operation.get("parameters", [])):
                with_key.add(target)
            if "201" in operation["responses"]:
                creates.add(target)
    assert with_key == CREATE_OPERATIONS
    assert creates <= CREATE_OPERATIONS


@pytest.mark.django_db
def test_each_create_of_the_matrix_sent_twice_changes_the_database_once(personas, subtests, english):
    cases = [
        c for c in all_cases(personas)
        if (c.target in CREATE_OPERATIONS if c.is_api else c.target in CREATE_PAGES and c.method == "post")
    ]
    assert {c.target for c in cases} == CREATE_PAGES | CREATE_OPERATIONS
    for n, case in enumerate(cases):
        with subtests.test(case=str(case)):
            if case.before_allowed is not None:
                case.before_allowed()
            client = _client_for(case.allowed, case)
            client.cookies["nuanxin_language"] = "en"
            if case.is_api:
                client.defaults["HTTP_IDEMPOTENCY_KEY"] = f"matrix-{n}"
            else:
                token = f"matrix-token-{n:04d}-xyz"
                case = dataclasses.replace(case, data={**(case.data or {}), idempotency.FIELD: token})
            first = _request(client, case)
            assert first.status_code in case.ok_status, first.content[:300]
            after_first = fingerprint()
            second = _request(client, case)
            assert fingerprint() == after_first, f"{case}: the repeat changed data"
            if case.is_api:
                assert (second.status_code, second["Idempotent-Replayed"]) == (first.status_code, "true")
                assert second.json() == first.json()
            else:
                row = IdempotencyKey.objects.get(key__startswith=f"form:matrix-token-{n:04d}-xyz:")
                expected = first["Location"] if first.status_code == 302 else row.location
                assert (second.status_code, second["Location"]) == (302, expected)
                assert REPLAYED_MESSAGE in [str(m) for m in second.wsgi_request._messages]


# --- pages in detail ------------------------------------------------------------------------


def test_a_token_shown_once_is_not_issued_twice(personas, english):
    from nuanxin.accounts.models import ApiToken

    client = Client()
    client.force_login(personas.care)
    client.cookies["nuanxin_language"] = "en"
    page = client.get("/accounts/me/tokens/new/").content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    data = {"name": "手机", "days": "30", "current_password": personas.password, idempotency.FIELD: token}
    first = client.post("/accounts/me/tokens/new/", data)
    assert first.status_code == 200 and "nx_" in first.content.decode()
    again = client.post("/accounts/me/tokens/new/", data)
    assert (again.status_code, again["Location"]) == (302, "/accounts/me/")
    assert "nx_" not in again.content.decode()
    assert ApiToken.objects.filter(user=personas.care).count() == 1
    assert IdempotencyKey.objects.get().body == ""  # the secret is never stored


def test_the_template_tag_makes_a_new_token_or_keeps_the_posted_one():
    template = Template("{% load idempotency %}{% submission_token %}")
    factory = RequestFactory()
    fresh = [template.render(RequestContext(factory.get("/"))) for _ in range(2)]
    assert fresh[0] != fresh[1]
    assert re.fullmatch(r'<input type="hidden" name="submission_token" value="[A-Za-z0-9_-]{32}">', fresh[0])
    kept = template.render(RequestContext(factory.post("/", {"submission_token": "abcdefghijklmnop-_12"})))
    assert kept == '<input type="hidden" name="submission_token" value="abcdefghijklmnop-_12">'
    bad = template.render(RequestContext(factory.post("/", {"submission_token": '"><b>x'})))
    assert "<b>" not in bad and 'name="submission_token"' in bad
    assert template.render(Context({})).startswith('<input type="hidden" name="submission_token"')


# --- pruning ------------------------------------------------------------------------------


def test_keys_older_than_a_day_are_pruned_by_an_hourly_job(personas):
    jobs = {job.name: job for job in discover_jobs()}
    job = jobs["core.prune_idempotency_keys"]
    assert (str(job.schedule), job.task) == ("every 60 min", idempotency.prune_idempotency_keys)
    now = timezone.now()
    for n, age in enumerate([timedelta(hours=25), timedelta(hours=24, seconds=1), timedelta(hours=23)]):
        row = IdempotencyKey.objects.create(
            user=personas.care, key=f"api:k{n}", method="POST", path="/", fingerprint="x"
        )
        IdempotencyKey.objects.filter(pk=row.pk).update(created_at=now - age)
    assert idempotency.prune(now=now) == 2
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["api:k2"]
    audit = AuditLog.objects.get(action="idempotency.prune")
    assert (audit.actor_id, audit.detail) == (None, {"count": 2})
    assert idempotency.prune(now=now) == 0
    assert AuditLog.objects.filter(action="idempotency.prune").count() == 1
    # The task itself (no arguments, as the scheduler calls it) keeps the fresh key.
    assert idempotency.prune_idempotency_keys.call() == 0
    assert IdempotencyKey.objects.count() == 1


def test_an_upload_with_the_same_key_and_another_file_is_refused(personas, english):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from nuanxin.accounts.services import create_api_token

    _t, plaintext = create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_IDEMPOTENCY_KEY="upload-1")
    csv1 = SimpleUploadedFile("a.csv", "姓名,手机号\n张三,13800000001\n".encode())
    first = client.post("/api/v1/imports", {"file": csv1, "org": "SN-H1"})
    assert first.status_code == 201, first.content
    csv1.seek(0)
    again = client.post("/api/v1/imports", {"file": csv1, "org": "SN-H1"})
    assert (again.status_code, again.json()) == (201, first.json())
    csv2 = SimpleUploadedFile("a.csv", "姓名,手机号\n李四,13800000002\n".encode())
    other = client.post("/api/v1/imports", {"file": csv2, "org": "SN-H1"})
    assert (other.status_code, other.json()["code"]) == (422, "idempotency_key_reused")
    from nuanxin.registry.import_models import ImportBatch

    assert ImportBatch.objects.count() == 1
    assert json.loads(IdempotencyKey.objects.get().body)["id"] == first.json()["id"]


def test_a_busy_database_while_claiming_a_key_is_a_503_and_saves_nothing(personas, english, monkeypatch):
    from django.db import OperationalError

    from nuanxin.accounts.services import create_api_token
    from nuanxin.registry.models import Worker

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    _t, plaintext = create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    monkeypatch.setattr(idempotency, "_claim", locked)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_IDEMPOTENCY_KEY="busy-1")
    answer = api.post(
        "/api/v1/workers", json.dumps({"org": "SN-H1", "name": "王五", "team": "cdc", "mobile": "13900005555"}),
        content_type="application/json",
    )
    assert (answer.status_code, answer.json()["code"], answer["Retry-After"]) == (503, "busy", "30")
    page = Client()
    page.force_login(personas.yi)
    page.cookies["nuanxin_language"] = "en"
    form = page.post("/register/new/", {"organisation": "SN-H1", "name": "王五", "team": "cdc",
                                        idempotency.FIELD: "busy-token-0000-0000"})
    assert form.status_code == 503
    assert Worker.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
