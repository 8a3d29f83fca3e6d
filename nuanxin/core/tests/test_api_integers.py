"""Numbers no database can hold (ids and offsets past 64 bits, negative ids) are a 404 or a
422 on every API operation, never a 500, on SQLite and PostgreSQL alike (issue 10, item 3)."""

import re

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.api import api
from nuanxin.core import apiutils
from nuanxin.core.policy import SYSTEM
from nuanxin.tables.tests.import_fixtures import build_world as build_import_world
from nuanxin.tables.tests.import_fixtures import import_path, sample
from tests.authz import fingerprint

pytestmark = pytest.mark.django_db

BIGINT_MAX = 2**63 - 1
OUT_OF_RANGE = [2**63, 10**20, -(2**63) - 1]
PAGINATED = [
    "/api/v1/orgs", "/api/v1/workers", "/api/v1/visits", "/api/v1/difficulties", "/api/v1/care/campaigns",
    "/api/v1/care/duties",
]


def bearer(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def _integer_parameters() -> list[tuple[str, str, str, str, bool]]:
    """(method, path, parameter, where, whether ``{}`` is an invalid body) of every integer
    path or query parameter of every operation, read from the OpenAPI schema."""
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})

    def empty_body_invalid(operation) -> bool:
        content = operation.get("requestBody", {}).get("content", {})
        body_schema = content.get("application/json", {}).get("schema", {})
        if "$ref" in body_schema:
            body_schema = components[body_schema["$ref"].rsplit("/", 1)[-1]]
        return bool(body_schema.get("required"))

    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = empty_body_invalid(operation)
            for parameter in operation.get("parameters", []):
                kinds = {parameter["schema"].get("type")} | {
                    alt.get("type") for alt in parameter["schema"].get("anyOf", [])
                }
                if "integer" in kinds and parameter["in"] in ("path", "query"):
                    found.append((method.upper(), path, parameter["name"], parameter["in"], body))
    return found


INTEGER_PARAMETERS = _integer_parameters()


def test_every_paginated_list_and_the_import_rows_are_found():
    """The enumeration below covers what issue 10 named (a change to the API that drops one
    of these parameters fails here first)."""
    names = {(method, path, name) for method, path, name, _where, _body in INTEGER_PARAMETERS}
    for path in PAGINATED:
        assert ("GET", path, "offset") in names
        assert ("GET", path, "limit") in names
    assert ("GET", "/api/v1/imports/{import_id}", "offset") in names
    assert ("GET", "/api/v1/workers/{worker_id}", "worker_id") in names
    assert ("GET", "/api/v1/visits", "worker") in names


@pytest.fixture
def world(personas):
    """A batch of table 1 (so the import operations find one) and the token of the city admin."""
    from nuanxin.hotline.tests.conftest import make_hotlines

    import_world = build_import_world(personas)
    batch = import_path(personas.jia, import_world.unit, sample("table1_aid_team.xlsx"))
    # The hotline's records are for its counsellors and supervisors only (the city admin is
    # refused before any lookup): its operations are asked by the hotline's supervisor.
    hotlines = make_hotlines(personas)
    return {"import_id": batch.pk, "client": bearer(personas.jia), "hotline_client": bearer(hotlines.supervisor)}


# Query parameters an operation requires beside the one tried (the rates are of a form).
REQUIRED_QUERY = {"/api/v1/reports/rates": {"form": 1}}


def _url(world, path: str, name: str, where: str, value: int) -> str:
    ids = {"import_id": world["import_id"]}
    filled = re.sub(r"\{(\w+)\}", lambda m: str(value if m.group(1) == name else ids.get(m.group(1), 1)), path)
    query = {k: v for k, v in REQUIRED_QUERY.get(path, {}).items() if k != name}
    if where == "query":
        query[name] = value
    return filled + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _expected(path: str, name: str, method: str) -> set[int]:
    if path == "/api/v1/imports/{import_id}" and name == "limit":
        return {200}  # documented as clamped to 0–5000 rows
    if name in ("offset", "limit"):
        return {422}  # out of the documented range
    if method != "GET":
        # The empty body may be refused (422) before the object is looked up (404); which one
        # comes first is the operation's business (a version or a key may be required).
        return {404, 422}
    return {404}  # no such object (an id or a filter naming one)


def test_numbers_out_of_range_are_404_or_422(world, subtests):
    """Every integer path or query parameter of every operation, with each out-of-range value: a
    subtest each, against one world (built once: the cases only read or are refused), which none
    of them changed."""
    before = fingerprint()
    for method, path, name, where, has_body in INTEGER_PARAMETERS:
        for value in OUT_OF_RANGE:
            with subtests.test(operation=f"{method} {path} {name}", value=value):
                url = _url(world, path, name, where, value)
                client = world["hotline_client"] if path.startswith("/api/v1/hotline/") else world["client"]
                response = client.generic(method, url, "{}" if has_body else "", content_type="application/json")
                expected = _expected(path, name, method)
                assert response.status_code in expected, response.content
                if response.status_code != 200:
                    assert response.json()["code"] == ("invalid" if response.status_code == 422 else "not_found")
    assert fingerprint() == before


@pytest.mark.parametrize("path", PAGINATED)
def test_a_huge_offset_is_a_422_naming_the_offset(personas, path):
    response = bearer(personas.jia).get(f"{path}?offset=9223372036854775808")
    assert response.status_code == 422
    assert response.json() == {
        "code": "invalid",
        "message": "Some values are not valid.",
        "errors": [{"field": "offset", "in": "query", "message": "Input should be less than or equal to 1000000000"}],
    }


@pytest.mark.parametrize("path", PAGINATED)
def test_the_largest_offset_allowed_answers_an_empty_page(personas, path):
    response = bearer(personas.jia).get(f"{path}?offset={apiutils.MAX_OFFSET}")
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_the_import_rows_offset_is_bounded_too(personas):
    world = build_import_world(personas)
    batch = import_path(personas.jia, world.unit, sample("table1_aid_team.xlsx"))
    client = bearer(personas.jia)
    response = client.get(f"/api/v1/imports/{batch.pk}?offset=9223372036854775808")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "offset", "in": "query", "message": "Input should be less than or equal to 1000000000"}
    ]
    response = client.get(f"/api/v1/imports/{batch.pk}?offset={apiutils.MAX_OFFSET}")
    assert response.status_code == 200
    assert response.json()["rows"] == []
    assert response.json()["rows_count"] == batch.rows.count()


def test_the_largest_bigint_as_an_id_is_not_found(personas):
    response = bearer(personas.jia).get(f"/api/v1/workers/{BIGINT_MAX}")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found."}


@pytest.mark.parametrize(
    "exc_factory",
    [lambda: OverflowError("Python int too large to convert to SQLite INTEGER")],
)
def test_a_number_the_database_refuses_is_a_422_not_a_500(personas, monkeypatch, exc_factory):
    """The handler's net under the schema's bounds: whatever number still reaches the database
    and is refused there is the user's error, said in their language."""
    from nuanxin.orgs import api as orgs_api

    def explode(queryset):
        raise exc_factory()

    monkeypatch.setattr(orgs_api, "with_parent_code", explode)
    response = bearer(personas.jia).get("/api/v1/orgs")
    assert response.status_code == 422
    assert response.json() == {"code": "invalid", "message": "A number in the request is too large or too small."}
