"""The REST API: token authentication, the JSON error shapes, /me, /orgs and the schema."""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from nuanxin.accounts.models import ApiToken
from nuanxin.accounts.services import create_api_token, revoke_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind

pytestmark = pytest.mark.django_db

ERROR_URLS = "nuanxin.core.tests.api_error_urls"


def bearer(user, **kwargs) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, **kwargs)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def anonymous() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


# --- authentication -------------------------------------------------------------------------


def test_a_valid_token_authenticates(personas):
    response = bearer(personas.yi).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["username"] == "yi"


UNAUTHORIZED = {
    "code": "unauthorized",
    "message": "Authentication required: send a valid API token as 'Authorization: Bearer <token>'.",
}


@pytest.mark.parametrize(
    "header",
    [None, "Bearer nx_wrong-token", "Bearer ", "Token nx_whatever", "nx_no-scheme", "Bearer " + "x" * 300],
)
def test_missing_or_wrong_tokens_are_401(personas, header):
    client = anonymous()
    if header is not None:
        client.defaults["HTTP_AUTHORIZATION"] = header
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="nuanxin"'
    assert response["Content-Type"] == "application/json"


def test_an_expired_token_is_401(personas):
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/api/v1/me").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_a_revoked_token_is_401(personas):
    token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get("/api/v1/me").status_code == 200
    revoke_api_token(actor=SYSTEM, token=token)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_a_disabled_accounts_token_is_401(personas):
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    type(personas.yi).objects.filter(pk=personas.yi.pk).update(is_active=False)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_a_session_cookie_does_not_authenticate_the_api(personas):
    client = anonymous()
    client.force_login(personas.yi)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_token_use_is_recorded_on_the_token(personas):
    token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi)
    assert token.last_used_at is None
    Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert ApiToken.objects.count() == 1


# --- error shapes ---------------------------------------------------------------------------


@pytest.mark.urls(ERROR_URLS)
@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/api/errors/service-error", 400,
         {"code": "invalid", "message": "The name is too long.", "field": "name"}),
        ("/api/errors/not-allowed", 403, {"code": "forbidden", "message": "You may not manage this account."}),
        ("/api/errors/permission-denied", 403, {"code": "forbidden", "message": "You may not do this."}),
        ("/api/errors/needs-city-admin", 403, {"code": "forbidden", "message": "You may not do this."}),
        ("/api/errors/missing", 404, {"code": "not_found", "message": "Not found."}),
        ("/api/errors/conflict", 409,
         {"code": "conflict", "message": "The organisation code is already taken.", "field": "code"}),
        ("/api/errors/boom", 500,
         {"code": "server_error", "message": "Something went wrong on our side. The error has been logged."}),
    ],
)
def test_every_error_is_json_with_a_stable_code(personas, path, status, body, caplog):
    response = bearer(personas.yi).get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json() == body
    assert b"secret" not in response.content


@pytest.mark.urls(ERROR_URLS)
def test_a_busy_database_is_503_with_retry_after(personas):
    response = bearer(personas.yi).get("/api/errors/busy")
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response.json() == {
        "code": "busy",
        "message": "The database is busy with other work; nothing was saved. Try again shortly.",
    }


@pytest.mark.urls(ERROR_URLS)
def test_a_busy_database_on_a_page_says_so_and_other_database_errors_do_not(personas):
    from django.test import Client as PageClient

    client = PageClient(raise_request_exception=False)
    client.force_login(personas.yi)
    client.cookies["nuanxin_language"] = "en"
    response = client.get("/errors/busy-page")
    assert (response.status_code, response["Retry-After"]) == (503, "30")
    page = response.content.decode()
    assert "The system is busy" in page and "so this page could not be shown" in page  # test_busy_page.py
    response = client.get("/errors/broken-page")
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()
    assert "secret_internals" not in response.content.decode()


@pytest.mark.urls(ERROR_URLS)
def test_a_server_error_is_logged_with_its_traceback(personas, caplog):
    bearer(personas.yi).get("/api/errors/boom")
    records = [r for r in caplog.records if r.name == "nuanxin.api"]
    assert [r.getMessage() for r in records] == ["API error on GET /api/errors/boom"]
    assert records[0].exc_info[0] is RuntimeError


@pytest.mark.urls(ERROR_URLS)
def test_the_city_admin_passes_require_roles(personas):
    response = bearer(personas.jia).get("/api/errors/needs-city-admin")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


@pytest.mark.urls(ERROR_URLS)
def test_invalid_input_is_422_with_per_field_errors(personas):
    response = bearer(personas.yi).post(
        "/api/errors/payload", data=json.dumps({"name": "x", "count": "many"}), content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Some values are not valid."
    assert [(e["field"], e["in"]) for e in body["errors"]] == [("count", "body")]
    assert body["errors"][0]["message"] == "Input should be a valid integer, unable to parse string as an integer"


@pytest.mark.urls(ERROR_URLS)
def test_malformed_json_is_a_json_error(personas):
    response = bearer(personas.yi).post("/api/errors/payload", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "message": "The request body is not valid JSON."}


NOT_JSON = {
    "code": "invalid",
    "message": "The request body must be JSON, sent with “Content-Type: application/json” (form fields and "
    "multipart bodies are not read here).",
}


def _non_json_bodies():
    """(label, body, content type) of what curl's -F, -d and --data-binary send."""
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return [
        ("multipart", encode_multipart(BOUNDARY, {"name": "x", "count": "1"}), MULTIPART_CONTENT),
        ("multipart without boundary", b"name=x", "multipart/form-data"),
        ("form", "name=x&count=1", "application/x-www-form-urlencoded"),
        ("text", "name x", "text/plain"),
    ]


@pytest.mark.urls(ERROR_URLS)
def test_a_form_or_multipart_body_is_400_saying_send_json(personas, caplog):
    client = bearer(personas.yi)
    for label, body, content_type in _non_json_bodies():
        response = client.generic("POST", "/api/errors/payload", body, content_type=content_type)
        assert (response.status_code, response.json()) == (400, NOT_JSON), label
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    # JSON labelled as a form (curl -d '{…}' without a Content-Type header) is still read.
    response = client.post(
        "/api/errors/payload", '{"name": "x", "count": 1}', content_type="application/x-www-form-urlencoded"
    )
    assert (response.status_code, response.json()) == (200, {"ok": True})


def test_the_body_message_is_chinese_by_default(personas):
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").post(
        "/api/v1/imports/1/apply", {"undecided": "skip"}
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        expected = translation.gettext(NOT_JSON["message"])
    assert response.json() == {"code": "invalid", "message": expected}


def test_no_write_operation_fails_on_a_form_or_multipart_body(personas, caplog):
    """Every POST/PATCH of the API, found in its schema: those reading JSON answer 400 saying
    so (a multipart POST used to be a 500: the form is parsed before the body is read), the
    others their own answer. Nothing reaches a handler, nothing is logged as an error."""
    from nuanxin.api import api

    operations = {
        f"{method.upper()} {path}": "application/json" in op.get("requestBody", {}).get("content", {})
        for path, ops in api.get_openapi_schema()["paths"].items()
        for method, op in ops.items()
        if method in ("post", "put", "patch", "delete")
    }
    others = {
        "POST /api/v1/imports": (400, {
            "code": "invalid", "field": "file",
            "message": "Send a multipart form: the table file in the field “file” and the organisation code "
            "in “org”.",
        }),
        "POST /api/v1/imports/{import_id}/undo": (404, {"code": "not_found", "message": "Not found."}),
    }
    assert sorted(op for op, json_body in operations.items() if not json_body) == sorted(others)
    assert len(operations) == 38
    client = bearer(personas.jia)
    for operation, json_body in operations.items():
        method, path = operation.split(" ")
        url = re.sub(r"\{\w+\}", "999999", path)
        for label, body, content_type in _non_json_bodies():
            response = client.generic(method, url, body, content_type=content_type)
            expected = (400, NOT_JSON) if json_body else others[operation]
            assert (response.status_code, response.json()) == expected, (operation, label)
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []


def test_a_wrong_method_is_json_405(personas):
    response = bearer(personas.yi).post("/api/v1/me")
    assert response.status_code == 405
    assert response.json() == {"code": "method_not_allowed", "message": "This method is not allowed here."}
    assert response["Allow"] == "GET"


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/no-such-thing", "/api/v2/me"])
def test_unknown_api_urls_are_json_404(personas, path):
    response = bearer(personas.yi).get(path)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found."}


def test_pagination_limits_are_validated(personas):
    client = bearer(personas.jia)
    for query, field in [("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset"), ("limit=x", "limit")]:
        response = client.get(f"/api/v1/orgs?{query}")
        assert response.status_code == 422, query
        assert [e["field"] for e in response.json()["errors"]] == [field]


def test_error_messages_follow_the_language(personas):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/me")
    assert response["Content-Language"] == "en"
    response = Client().get("/api/v1/me")
    assert response["Content-Language"] == "zh-hans"


# --- /me ------------------------------------------------------------------------------------


def test_me_for_an_org_admin(personas):
    assert bearer(personas.yi).get("/api/v1/me").json() == {
        "username": "yi",
        "full_name": "乙",
        "organisation": "SN",
        "roles": ["org_admin"],
        "grants": [{"role": "org_admin", "organisation": "SN", "group": None}],
        "scope": [{"role": "org_admin", "organisations": ["SN"]}],
    }


def test_me_for_a_group_viewer(personas):
    assert bearer(personas.viewer).get("/api/v1/me").json() == {
        "username": "viewer",
        "full_name": "卫健委",
        "organisation": "YW",
        "roles": ["viewer"],
        "grants": [{"role": "viewer", "organisation": None, "group": "MED"}],
        "scope": [{"role": "viewer", "organisations": ["SB-H1", "SN-H1"]}],  # tree order
    }


def test_me_with_two_roles_covering_nested_organisations(personas):
    org_services.grant_role(actor=SYSTEM, user=personas.yi, role="care_contact", organisation=personas.shinan_hospital)
    org_services.grant_role(actor=SYSTEM, user=personas.yi, role="org_admin", organisation=personas.shinan_hospital)
    body = bearer(personas.yi).get("/api/v1/me").json()
    assert body["roles"] == ["org_admin", "care_contact"]
    assert body["grants"] == [
        {"role": "org_admin", "organisation": "SN", "group": None},
        {"role": "care_contact", "organisation": "SN-H1", "group": None},
        {"role": "org_admin", "organisation": "SN-H1", "group": None},
    ]
    # SN-H1 lies under SN, so the org_admin scope is SN alone.
    assert body["scope"] == [
        {"role": "org_admin", "organisations": ["SN"]},
        {"role": "care_contact", "organisations": ["SN-H1"]},
    ]


def test_me_without_any_grant(personas):
    user, _ = org_services.create_user(
        actor=SYSTEM, username="nobody", organisation=personas.shinan, role="care_contact",
        password=personas.password, full_name="无名",
    )
    org_services.revoke_grant(actor=SYSTEM, grant=user.grants.get())
    body = bearer(user).get("/api/v1/me").json()
    assert (body["roles"], body["grants"], body["scope"]) == ([], [], [])


# --- /orgs ----------------------------------------------------------------------------------


def org_codes(user) -> list[tuple[str, str | None]]:
    body = bearer(user).get("/api/v1/orgs?limit=200").json()
    assert body["count"] == len(body["items"])
    return [(o["code"], o["parent_code"]) for o in body["items"]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("jia", [("CITY", None), ("SB", "CITY"), ("SB-H1", "SB"), ("SN", "CITY"), ("SN-H1", "SN"), ("YW", "CITY")]),
        ("auditor", [("CITY", None), ("SB", "CITY"), ("SB-H1", "SB"), ("SN", "CITY"), ("SN-H1", "SN"),
                     ("YW", "CITY")]),
        ("yi", [("SN", "CITY"), ("SN-H1", "SN")]),
        ("bing", [("SB", "CITY"), ("SB-H1", "SB")]),
        ("care", [("SN-H1", "SN")]),
        ("counsellor", [("YW", "CITY")]),
        ("viewer", [("SB-H1", "SB"), ("SN-H1", "SN")]),
    ],
)
def test_orgs_lists_exactly_the_scope(personas, persona, expected):
    assert org_codes(getattr(personas, persona)) == expected


def test_orgs_items_carry_code_name_kind_parent(personas):
    body = bearer(personas.yi).get("/api/v1/orgs").json()
    assert body == {
        "items": [
            {"code": "SN", "name": "市南区总工会", "kind": "district_federation", "parent_code": "CITY"},
            {"code": "SN-H1", "name": "市南区人民医院工会", "kind": "unit_union", "parent_code": "SN"},
        ],
        "count": 2,
    }


def test_orgs_pages_with_limit_and_offset(personas):
    client = bearer(personas.jia)
    page = client.get("/api/v1/orgs?limit=2&offset=3").json()
    assert page["count"] == 6
    assert [o["code"] for o in page["items"]] == ["SN", "SN-H1"]
    assert client.get("/api/v1/orgs?offset=6").json() == {"items": [], "count": 6}


def test_orgs_costs_the_same_queries_for_a_bigger_tree(personas, django_assert_num_queries):
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.jia)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    client.get("/api/v1/orgs")  # marks the token used, so the next requests write nothing
    # token lookup, grants (+ group members prefetch), count, rows with the parent code
    with django_assert_num_queries(4):
        assert client.get("/api/v1/orgs").json()["count"] == 6
    for i in range(10):
        org_services.create_organisation(actor=SYSTEM, code=f"SN-U{i}", name=f"单位{i}", kind=OrgKind.UNIT_UNION,
                                         parent=personas.shinan)
    with django_assert_num_queries(4):
        assert client.get("/api/v1/orgs").json()["count"] == 16


# --- schema and docs ------------------------------------------------------------------------


def test_openapi_lists_the_operations_with_bearer_security(db):
    schema = anonymous().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Nuanxin API"
    assert schema["info"]["version"] == "1"
    operations = {
        (method.upper(), path, op["operationId"]) for path, ops in schema["paths"].items() for method, op in ops.items()
    }
    # Other apps add theirs; these two are the platform's.
    assert {("GET", "/api/v1/me", "get_me"), ("GET", "/api/v1/orgs", "list_orgs")} <= operations
    assert all(op["security"] == [{"BearerTokenAuth": []}] for ops in schema["paths"].values() for op in ops.values())
    # Every operation documents the errors the handlers can answer for it (document_error_responses).
    assert set(schema["paths"]["/api/v1/me"]["get"]["responses"]) == {"200", "400", "401", "403", "404", "422", "503"}
    assert set(schema["paths"]["/api/v1/workers/{worker_id}"]["patch"]["responses"]) == {
        "200", "400", "401", "403", "404", "409", "422", "428", "429", "503"
    }
    assert schema["components"]["schemas"]["FieldErrorOut"]["required"] == ["field", "in", "message"]
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["code", "message"]
    assert schema["components"]["securitySchemes"] == {"BearerTokenAuth": {"type": "http", "scheme": "bearer"}}
    assert schema["paths"]["/api/v1/orgs"]["get"]["security"] == [{"BearerTokenAuth": []}]


def test_docs_page_uses_only_local_assets(db):
    response = anonymous().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui-init.js" in html
    assert '"validatorUrl": null' in html
    assert "cdn" not in html.lower()
