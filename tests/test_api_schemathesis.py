"""Schemathesis over every operation of the REST API (issue 10, item 14).

The OpenAPI schema is the one the API serves (``nuanxin.api.api``); each operation gets a
bounded, derandomized set of generated requests (the same on every run), sent in-process to
the WSGI application with the bearer token of a real persona, and every answer must be no 5xx,
have a status the schema documents for the operation, the documented content type, and a body
that matches the documented schema. Valid requests and requests that break the schema are
both sent. Path ids are drawn half the time, and ids and organisation codes in the query or
body mostly, from objects that exist (workers, a visit, a difficulty, an import batch, a
campaign, a care contact), so the operations are driven past their 404s into the services.
"""

from __future__ import annotations

import os
from datetime import date

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from nuanxin.accounts.services import create_api_token
from nuanxin.api import api
from nuanxin.care import services as care_services
from nuanxin.care.tests.helpers import at, build_world
from nuanxin.core.policy import SYSTEM
from tests.snapshot import once

# The shard planner's weight of this file (conftest.py):
# 84 operations, 20 generated requests each (about 260 plain tests' time; whole runs, 2026-12-06).
SHARD_WEIGHT = 260

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = WSGIHandler()
OPERATIONS = sorted(result.ok().label for result in SCHEMA.get_all_operations())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# 20 in make test; more for a longer hunt: NUANXIN_SCHEMATHESIS_EXAMPLES=200 (still derandomized).
MAX_EXAMPLES = int(os.environ.get("NUANXIN_SCHEMATHESIS_EXAMPLES", "20"))
SETTINGS = hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same cases on every run
    database=None,  # nothing remembered between runs
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure reports the case as generated
    suppress_health_check=list(HealthCheck),
    report_multiple_bugs=False,
)


def test_every_operation_is_run():
    """Nothing is left out: the run covers as many operations as the schema documents."""
    documented = sum(
        1 for methods in api.get_openapi_schema()["paths"].values() for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    )
    assert len(OPERATIONS) == documented
    assert "POST /api/v1/visits" in OPERATIONS


@pytest.fixture
def in_process(settings):
    """Requests go through the whole WSGI stack in this thread, on the test's database
    connection: like Django's test client, keep the end of each request from closing it."""
    settings.ALLOWED_HOSTS = ["localhost"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(personas, in_process, settings, tmp_path):
    """Families in both districts assigned to care contacts, a visit with necessities and a
    difficulty, an import batch; the ids the generated paths may name. Built through the services
    by the first test, put back from its snapshot in the others (``tests/snapshot.once``)."""
    settings.NUANXIN_SMS_FILE = tmp_path / "sms.jsonl"
    return once(_build_world, personas)


def _build_world(p) -> dict:
    from nuanxin.tables.tests.import_fixtures import build_world as build_import_world
    from nuanxin.tables.tests.import_fixtures import import_path, sample

    care = build_world(p)
    with at(date(2020, 1, 29)):
        visit = care_services.record_visit(
            actor=p.care, worker=care.a1, on=date(2020, 1, 28), items=[{"item": "口罩", "quantity": 2, "unit": "盒"}]
        )
        difficulty = care_services.open_difficulty(
            actor=p.care, worker=care.a2, description="孩子网课没有电脑", category="childcare"
        )
    import_world = build_import_world(p)
    batch = import_path(p.yi, import_world.unit, sample("table1_aid_team.xlsx"))
    return {
        # path parameters
        "worker_id": [care.a1.pk, care.b1.pk],
        "visit_id": [visit.pk],
        "difficulty_id": [difficulty.pk],
        "import_id": [batch.pk],
        # query and body fields that name an object
        "worker": [care.a1.pk, care.a3.pk, care.b1.pk],
        "campaign": [care.campaign.pk],
        "contact": [p.care.pk],
        "owner": [p.care.pk],
        "org": [p.shinan_hospital.code, p.shinan.code, import_world.unit.code],
        "workers": [[care.a1.pk, care.a2.pk]],
    }


def run_operation(label: str, user, ids: dict) -> int:
    """Run the generated cases of one operation as ``user``; returns how many were sent."""
    operation = SCHEMA.find_operation_by_label(label)
    _token, plaintext = create_api_token(actor=SYSTEM, user=user)
    headers = {"Authorization": f"Bearer {plaintext}", "Accept-Language": "en"}
    names = [p.name for p in operation.path_parameters]
    # Valid requests, and requests that break the schema (wrong types, missing fields): both
    # must be answered without a 5xx and with a documented status and body.
    strategies = [operation.as_strategy(), operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)]
    if names and all(name in ids for name in names):
        strategies += [
            operation.as_strategy(path_parameters={name: ids[name][i % len(ids[name])] for name in names})
            for i in range(max(len(ids[name]) for name in names))
        ]
    sent = []

    @SETTINGS
    @hypothesis.given(case=st.one_of(strategies), data=st.data())
    def check(case, data):
        # Mostly a field naming an object names one that exists, so that the cases
        # reach the services instead of stopping at "not found".
        for container in (case.body, case.query):
            if isinstance(container, dict):
                for key in sorted(set(container) & set(ids)):
                    if data.draw(st.integers(0, 4), label=key):  # 4 times in 5
                        container[key] = data.draw(st.sampled_from(ids[key]), label=f"{key} value")
        case.call_and_validate(headers=headers, checks=CHECKS)
        sent.append(case)

    check()
    return len(sent)


@pytest.mark.django_db
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_as_the_city_admin(world, personas, label):
    assert run_operation(label, personas.jia, world) >= 1


CARE_OPERATIONS = [label for label in OPERATIONS if any(p in label for p in ("/visits", "/difficulties", "/care/"))]


@pytest.mark.django_db
@pytest.mark.parametrize("label", CARE_OPERATIONS)
def test_the_care_operations_as_a_care_contact(world, personas, label):
    assert run_operation(label, personas.care, world) >= 1
