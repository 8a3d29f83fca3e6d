"""The commendations' create pages (the calls, award types, nominations, files, notes and
objections) sent twice with the same one-time token change the database once, as the core
test does for every create page of the matrix (``core/tests/test_idempotency.py``)."""

import dataclasses

import pytest

from nuanxin.core import idempotency
from nuanxin.honours.tests import authz_pages
from tests.authz import fingerprint
from tests.test_authorization import _client_for, _request, _walk

CREATE_PAGES = {
    "honours:award_type_create",
    "honours:call_create",
    "honours:nomination_create",
    "honours:nomination_file_add",
    "honours:nomination_note",
    "honours:objection_create",
}


def test_the_create_pages_are_guarded_by_a_one_time_token():
    from django.urls import get_resolver

    views = {name: p.callback for name, p in _walk(get_resolver().url_patterns) if name and name.startswith("honours:")}
    assert {name for name, view in views.items() if getattr(view, "nuanxin_idempotent", False)} == CREATE_PAGES


@pytest.mark.django_db
def test_each_create_sent_twice_changes_the_database_once(personas, subtests):
    cases = [c for c in authz_pages.cases(personas) if c.target in CREATE_PAGES and c.method == "post"]
    assert {c.target for c in cases} == CREATE_PAGES
    for n, case in enumerate(cases):
        with subtests.test(case=str(case)):
            client = _client_for(case.allowed, case)
            client.cookies["nuanxin_language"] = "en"
            token = f"honours-token-{n:04d}-xyz"
            case = dataclasses.replace(case, data={**(case.data or {}), idempotency.FIELD: token})
            first = _request(client, case)
            assert first.status_code == 302, first.content[:300]
            after_first = fingerprint()
            second = _request(client, case)
            assert fingerprint() == after_first, f"{case}: the repeat changed data"
            assert (second.status_code, second["Location"]) == (302, first["Location"])
