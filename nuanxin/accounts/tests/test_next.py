"""Where sign-in leads: ``next`` is followed only when it is a path on this site; every other
value (a URL name, a word, an off-site or scripted URL, an overlong or odd value) falls back to
the home page, never a 500 (issue 10, item 2)."""

import pytest
from django.urls import reverse

from nuanxin.accounts.tests.helpers import T0, code_at, enable_totp, form_errors, post_login

LOGIN = "/accounts/login/"

# Values that are not a path on this site: the answer is the home page, "/".
BAD = [
    "foo",
    "home",  # a URL name: resolve_url would have turned it into "/"; not a path either
    "accounts:profile",
    "a b",
    '"',
    "<",
    ">",
    "'",
    "<script>alert(1)</script>",
    "//evil",
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "http://evil",
    "https://evil.example/",
    "http:///evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "data:text/html,<b>x</b>",
    " /accounts/me/",
    "/accounts/me/\r\nSet-Cookie: x=1",
    "/accounts/\tme/",
    "x" * 5000,
    "/" + "x" * 5000,
    "主页",
    "登记簿/",
    "%2F%2Fevil.example",
]

# Paths on this site: followed, as an ASCII Location.
GOOD = [
    ("/accounts/me/", "/accounts/me/"),
    ("/register/?q=a b", "/register/?q=a%20b"),
    ("/register/?q=程欢", "/register/?q=%E7%A8%8B%E6%AC%A2"),
    ("/搜索/", "/%E6%90%9C%E7%B4%A2/"),
    ("/%0d%0aSet-Cookie:x", "/%0d%0aSet-Cookie:x"),
    ("/" + "x" * 1999, "/" + "x" * 1999),
]


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def _hidden_next(response) -> bool:
    """Whether the sign-in form carries a ``next`` (the language switch of every page
    carries its own, written ``name="next" type="hidden"``)."""
    return '<input type="hidden" name="next"' in response.content.decode()


@pytest.mark.parametrize("value", BAD)
def test_get_signed_in_with_a_bad_next_goes_home(personas, client, value):
    client.force_login(personas.yi)
    response = client.get(LOGIN, {"next": value})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize("value", BAD)
def test_get_signed_out_with_a_bad_next_shows_the_form_without_it(db, client, value):
    response = client.get(LOGIN, {"next": value})
    assert response.status_code == 200
    assert _hidden_next(response) is False


@pytest.mark.parametrize("value", BAD)
def test_post_with_a_bad_next_signs_in_and_goes_home(personas, client, value):
    response = post_login(client, "yi", personas.password, next=value)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_as(client) == str(personas.yi.pk)


@pytest.mark.parametrize("value", BAD)
def test_post_signed_in_with_a_bad_next_goes_home(personas, client, value):
    client.force_login(personas.yi)
    response = post_login(client, "yi", personas.password, next=value)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_as(client) == str(personas.yi.pk)


@pytest.mark.parametrize("value", BAD)
def test_post_with_a_bad_next_in_the_query_goes_home(personas, client, value):
    from urllib.parse import urlencode

    response = client.post(LOGIN + "?" + urlencode({"next": value}),
                           {"username": "yi", "password": personas.password})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize("value", BAD)
def test_wrong_password_with_a_bad_next_shows_the_form_without_it(personas, client, value):
    response = post_login(client, "yi", "Wrong-pass-2020", next=value)
    assert response.status_code == 200
    assert form_errors(response) == ["The username or password is not correct."]
    assert _hidden_next(response) is False


@pytest.mark.parametrize("value", BAD)
def test_code_step_with_a_bad_next_goes_home(personas, client, at_t0, value):
    enable_totp(personas.yi)
    response = post_login(client, "yi", personas.password, next=value)
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login_totp"))
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0), "next": value})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert signed_in_as(client) == str(personas.yi.pk)


def test_code_step_ignores_a_bad_next_planted_in_the_pending_session(personas, client, at_t0):
    """Even a value that bypassed the first step (a session written by older code) is
    checked again at the code step."""
    from nuanxin.accounts.views import PENDING

    enable_totp(personas.yi)
    post_login(client, "yi", personas.password)
    session = client.session
    session[PENDING] = {**session[PENDING], "next": "foo"}
    session.save()
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)})
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize(("value", "location"), GOOD)
def test_a_path_on_this_site_is_followed(personas, client, value, location):
    response = post_login(client, "yi", personas.password, next=value)
    assert (response.status_code, response["Location"]) == (302, location)
    response = client.get(LOGIN, {"next": value})
    assert (response.status_code, response["Location"]) == (302, location)


@pytest.mark.parametrize(("value", "location"), GOOD)
def test_a_path_on_this_site_is_followed_after_the_code_step(personas, client, at_t0, value, location):
    enable_totp(personas.yi)
    post_login(client, "yi", personas.password, next=value)
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)})
    assert (response.status_code, response["Location"]) == (302, location)


def test_a_path_on_this_site_is_carried_by_the_form(db, client):
    response = client.get(LOGIN, {"next": "/register/?q=a b"})
    assert '<input type="hidden" name="next" value="/register/?q=a b">' in response.content.decode()
