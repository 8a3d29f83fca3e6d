"""Every URL and every API operation is either public or scoped, and scoping holds.

See ``tests/authz.py`` for how apps contribute their cases.
"""

from __future__ import annotations

import importlib
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from nuanxin.core import access, manifest
from nuanxin.core.policy import SYSTEM
from tests.authz import Case, fingerprint

# The shard planner's weight of this file (conftest.py):
# the matrix is one test of every case of every app (about 290 plain tests' time; whole runs, 2026-12-06).
SHARD_WEIGHT = 290

# Ninja's own schema and docs views: public by design (they describe, they hold no data).
PUBLIC_API_URL_NAMES = {"api:openapi-json", "api:openapi-view"}


def _walk(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, full)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield name, p


def page_patterns():
    """(url name, pattern) for every page URL (API URLs are checked by operation)."""
    result = []
    for name, pattern in _walk(get_resolver().url_patterns):
        if name and (name == "api" or name.startswith("api:")):
            continue
        result.append((name, pattern))
    return result


def current_api():
    """The API of the URLconf in force (``nuanxin.urls.api``, or a test's own with another app)."""
    from django.conf import settings
    from django.urls import get_urlconf

    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return (importlib.import_module(urlconf) if isinstance(urlconf, str) else urlconf).api


def api_operations() -> list[str]:
    schema = current_api().get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.append(f"{method.upper()} {path}")
    return sorted(ops)


def all_cases(p) -> list[Case]:
    """The cases of every installed app, from the module its manifest names (``authz_cases``)."""
    cases: list[Case] = []
    for module in manifest.authz_case_modules():
        cases.extend(module.cases(p))
    return cases


def test_every_page_view_declares_its_access():
    unmarked = [
        name or str(pattern.pattern)
        for name, pattern in page_patterns()
        if getattr(pattern.callback, "nuanxin_access", None) not in {access.PUBLIC, access.AUTHENTICATED, access.SCOPED}
    ]
    assert unmarked == []


def test_every_scoped_view_and_api_operation_has_a_case(personas):
    cases = all_cases(personas)
    covered = {c.target for c in cases}
    missing_pages = [
        name
        for name, pattern in page_patterns()
        if getattr(pattern.callback, "nuanxin_access", None) in {access.SCOPED, access.AUTHENTICATED}
        and name not in covered
    ]
    missing_api = [op for op in api_operations() if op not in covered]
    assert missing_pages == []
    assert missing_api == []
    unknown = sorted(
        covered - {n for n, _ in page_patterns()} - set(api_operations())
    )
    assert unknown == [], "cases name targets that do not exist"


def _url(case: Case) -> str:
    if case.is_api:
        path = case.api_path
        for key, value in case.kwargs.items():
            path = path.replace("{" + key + "}", str(value))
        assert "{" not in path, f"{case}: unfilled path parameter"
        return path + (f"?{case.query}" if case.query else "")
    return reverse(case.target, kwargs=case.kwargs) + (f"?{case.query}" if case.query else "")


def _client_for(user, case: Case) -> Client:
    from nuanxin.accounts.services import create_api_token

    client = Client()
    if user is None:
        return client
    if case.is_api:
        _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    else:
        client.force_login(user)
    return client


def _request(client: Client, case: Case):
    method = case.api_method if case.is_api else case.method
    url = _url(case)
    if method == "get":
        return client.get(url)
    files = [v for v in (case.data or {}).values() if hasattr(v, "seek")]
    for upload in files:  # every request of a case sends the whole file again
        upload.seek(0)
    if case.is_api and not files:
        import json

        return client.generic(method.upper(), url, data=json.dumps(case.data or {}),
                              content_type="application/json")
    return getattr(client, method)(url, data=case.data or {})


def _has_object_param(case: Case) -> bool:
    if case.is_api:
        return bool(re.search(r"\{[^}]+\}", case.api_path))
    return bool(case.kwargs)


def test_public_pages_answer_without_signing_in(db):
    client = Client()
    for name, pattern in page_patterns():
        if getattr(pattern.callback, "nuanxin_access", None) != access.PUBLIC or pattern.pattern.converters:
            continue
        response = client.get(reverse(name))
        assert response.status_code < 500, name


def test_api_schema_and_docs_are_public_and_local(db):
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "https://" not in html and "http://" not in html.replace("http://testserver", "")


@pytest.mark.django_db
def test_scoping_matrix(personas, subtests):
    """Anonymous, wrong role, other organisation and allowed, for every case of every app."""
    for case in all_cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)


def _audited(case: Case) -> int:
    from nuanxin.core.models import AuditLog

    return AuditLog.objects.filter(action=case.audits).count() if case.audits else 0


def _check_case(case: Case) -> None:
    modifying = (case.api_method if case.is_api else case.method) != "get"
    audited = _audited(case)
    if _has_object_param(case):
        assert case.other_org is not None or case.no_other_org_because, (
            f"{case}: an object URL needs an other-organisation check"
        )
    # Every client first (a token is a row, a sign-in stamps the user): then one fingerprint
    # before the refused requests proves that each of them changed nothing.
    refused = [(None, "anonymous", None)]
    if case.denied is not None:
        refused.append((case.denied, "wrong-role", 403))
    refused += [(outsider, f"{outsider}'s (outside)", case.other_org_status)
                for outsider in ([] if case.other_org is None else case.outsiders)]
    clients = [_client_for(user, case) for user, _label, _status in refused]
    allowed_client = _client_for(case.allowed, case)
    untouched = fingerprint() if modifying else None

    for client, (_user, label, status) in zip(clients, refused, strict=True):
        response = _request(client, case)
        if status is not None:
            assert response.status_code == status, f"{case}: {label} request got {response.status_code}"
        elif case.is_api:  # anonymous: 401 for the API, the sign-in page for pages
            assert response.status_code == 401, f"{case}: anonymous got {response.status_code}"
            assert response.json()["code"] == "unauthorized"
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], (
                f"{case}: anonymous got {response.status_code}"
            )
        if modifying:
            assert fingerprint() == untouched, f"{case}: {label} request changed data"
        assert _audited(case) == audited, f"{case}: {label} request was recorded as {case.audits}"

    before = untouched
    if case.before_allowed is not None:
        case.before_allowed()
        before = fingerprint() if modifying else None
    response = _request(allowed_client, case)
    assert response.status_code in case.ok_status, (
        f"{case}: allowed user got {response.status_code}: {response.content[:300]!r}"
    )
    if case.audits:
        # A read recorded in the audit trail: the refusals above recorded nothing.
        assert _audited(case) > audited, f"{case}: the allowed request was not recorded as {case.audits}"
    elif modifying and not case.no_change_because:
        # Otherwise the refusals above prove nothing: the data would not have worked anyway.
        assert fingerprint() != before, f"{case}: the allowed request changed nothing (check the case's data)"
