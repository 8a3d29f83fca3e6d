"""Pages and API answers carry personal data: no browser or proxy keeps them (union offices share
computers; the back button after signing out must not show the last page from the cache)."""

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM

pytestmark = pytest.mark.django_db

NO_STORE = {"max-age=0", "no-cache", "no-store", "must-revalidate", "private"}


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/", "/register/", "/orgs/", "/audit/", "/care/week/", "/accounts/me/", "/nowhere/"])
def test_pages_of_a_signed_in_user_are_not_stored(personas, path):
    user = personas.auditor if path == "/audit/" else personas.care if path == "/care/week/" else personas.jia
    response = signed_in(user).get(path)
    assert response.status_code == (404 if path == "/nowhere/" else 200)
    assert directives(response) == NO_STORE
    assert response.has_header("Expires")


def test_a_refused_page_and_the_sign_in_page_are_not_stored_either(personas):
    assert directives(signed_in(personas.care).get("/audit/")) == NO_STORE  # 403
    assert directives(Client().get("/accounts/login/")) == NO_STORE


@pytest.mark.parametrize("path", ["/api/v1/workers", "/api/v1/orgs", "/api/v1/nowhere"])
def test_api_answers_are_not_stored(personas, path):
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get(path)
    assert response.status_code == (404 if path.endswith("nowhere") else 200)
    assert directives(response) == NO_STORE


def test_an_unauthenticated_api_answer_is_not_stored(db):
    response = Client().get("/api/v1/workers")
    assert response.status_code == 401
    assert directives(response) == NO_STORE


def test_static_files_stay_cacheable(db):
    response = Client().get("/static/nuanxin/nuanxin.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
