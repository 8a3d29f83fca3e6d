"""Session time limits, the two-factor requirement, and disabled accounts."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from nuanxin.accounts import services
from nuanxin.accounts.middleware import AUTH_AT, LAST_SEEN
from nuanxin.accounts.tests.helpers import T0, code_at, enable_totp, post_login
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services

EXPIRED = "Your session has expired. Please sign in again."
REQUIRE_ADMINS = override_settings(NUANXIN_TOTP_REQUIRED_ROLES=["city_admin", "org_admin", "auditor"])


def login_redirect(path="/"):
    return f"{reverse('accounts:login')}?next={path}"


# --- idle and absolute limits ---------------------------------------------------------------


def test_login_stamps_the_session(personas, client, at_t0):
    post_login(client, "yi", personas.password)
    assert client.session[AUTH_AT] == client.session[LAST_SEEN] == T0.timestamp()


def test_idle_session_expires_after_30_minutes(personas, client, at_t0):
    client.force_login(personas.yi)  # no stamps: the clocks start at the first request
    assert client.get("/").status_code == 200
    at_t0.shift(timedelta(minutes=30))
    assert client.get("/").status_code == 200  # exactly 30 minutes idle is still allowed
    at_t0.shift(timedelta(minutes=30, seconds=1))
    response = client.get("/accounts/me/")
    assert (response.status_code, response["Location"]) == (302, login_redirect("/accounts/me/"))
    row = AuditLog.objects.get(action="auth.session_expired")
    assert (row.actor_id, row.object_id, row.organisation_id, row.detail) == (
        personas.yi.pk, str(personas.yi.pk), personas.shinan.pk, {"reason": "idle"}
    )
    # Signed out for good, and the sign-in page says why.
    assert client.session.get("_auth_user_id") is None
    page = client.get(response["Location"])
    assert EXPIRED in page.content.decode()
    assert client.get("/").status_code == 302


def test_the_session_is_written_at_most_once_a_minute(personas, client, at_t0):
    """Reading pages does not write the session row each time (on SQLite such a write waits
    for an import holding the write lock); the idle clock is stamped once a minute at most."""
    from django.contrib.sessions.models import Session

    post_login(client, "yi", personas.password)
    key = client.session.session_key

    def stored():
        row = Session.objects.get(session_key=key)
        return (row.get_decoded()[LAST_SEEN], row.expire_date)

    before = stored()
    at_t0.shift(timedelta(seconds=59))
    response = client.get("/")
    assert response.status_code == 200 and settings.SESSION_COOKIE_NAME not in response.cookies  # no save
    assert stored() == before
    at_t0.shift(timedelta(seconds=1))
    assert client.get("/").status_code == 200
    assert stored()[0] == (T0 + timedelta(seconds=60)).timestamp()
    # The clock stamped a minute late still ends an idle session on time (to within that minute).
    at_t0.shift(timedelta(minutes=30, seconds=1))
    assert client.get("/").status_code == 302


def test_activity_keeps_a_session_alive_until_the_absolute_limit(personas, client, at_t0):
    post_login(client, "yi", personas.password)
    for _i in range(36):  # a request every 20 minutes for 12 hours
        at_t0.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 200
    at_t0.shift(timedelta(minutes=1))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, login_redirect("/"))
    assert AuditLog.objects.get(action="auth.session_expired").detail == {"reason": "absolute"}


def test_expired_post_goes_to_sign_in_without_acting(personas, client, at_t0):
    client.force_login(personas.yi)
    client.get("/")
    at_t0.shift(timedelta(hours=1))
    response = client.post(
        reverse("accounts:token_create"), {"name": "x", "days": "30", "current_password": personas.password}
    )
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert personas.yi.api_tokens.count() == 0


def test_expired_htmx_request_redirects_the_whole_page(personas, client, at_t0):
    client.force_login(personas.yi)
    client.get("/")
    at_t0.shift(timedelta(hours=1))
    response = client.get("/accounts/me/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == login_redirect("/accounts/me/")


def test_expired_session_on_the_api_is_just_anonymous(personas, client, at_t0):
    client.force_login(personas.yi)
    client.get("/")
    at_t0.shift(timedelta(hours=1))
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert AuditLog.objects.get(action="auth.session_expired").detail == {"reason": "idle"}


# --- two-factor requirement ------------------------------------------------------------------


@REQUIRE_ADMINS
def test_required_role_without_authenticator_is_sent_to_setup(personas, client, at_t0):
    client.force_login(personas.yi)
    setup = reverse("accounts:totp_setup")
    for path in ["/", reverse("accounts:profile"), reverse("accounts:token_create")]:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, setup), path
    response = client.post(
        reverse("accounts:token_create"), {"name": "x", "days": "30", "current_password": personas.password}
    )
    assert response["Location"] == setup
    assert personas.yi.api_tokens.count() == 0
    page = client.get(setup)
    assert page.status_code == 200
    assert 'id="nx-totp-required"' in page.content.decode()
    # The language switch and sign-out still work.
    response = client.post(reverse("set_language"), {"language": "en", "next": setup})
    assert response["Location"] == setup
    # Once set up, the pages open.
    secret = client.session["nx_totp_setup_secret"]
    client.post(setup, {"code": code_at(T0, secret)})
    assert client.get("/").status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")


@REQUIRE_ADMINS
def test_required_role_redirect_does_not_apply_to_other_roles_or_the_api(personas, client, at_t0):
    client.force_login(personas.care)
    assert client.get("/").status_code == 200
    _token, plaintext = services.create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/me").status_code == 200


@REQUIRE_ADMINS
def test_required_role_htmx_request_redirects_the_whole_page(personas, client):
    client.force_login(personas.yi)
    response = client.get("/", HTTP_HX_REQUEST="true")
    assert (response.status_code, response["HX-Redirect"]) == (204, reverse("accounts:totp_setup"))


@REQUIRE_ADMINS
def test_required_role_with_authenticator_signs_in_with_the_code(personas, client, at_t0):
    enable_totp(personas.jia)
    post_login(client, "jia", personas.password)
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)})
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


# --- disabled accounts -----------------------------------------------------------------------


def test_disabling_a_user_ends_their_session_and_tokens_at_once(personas, client):
    client.force_login(personas.care)
    assert client.get("/").status_code == 200
    _token, plaintext = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/me").status_code == 200

    org_services.set_user_active(actor=personas.yi, user=personas.care, active=False)

    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, login_redirect("/"))
    assert api.get("/api/v1/me").status_code == 401
    assert services.authenticate_token(plaintext) is None
    # Enabling again revives neither the session nor the token (issue 10, item 5).
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=True)
    assert api.get("/api/v1/me").status_code == 401
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, login_redirect("/"))


@pytest.mark.parametrize("path", ["/healthz", "/static/nuanxin/nuanxin.js"])
@REQUIRE_ADMINS
def test_required_role_redirect_spares_health_and_static(personas, client, path):
    client.force_login(personas.yi)
    response = client.get(path)
    assert response.status_code in {200, 404}
    assert response.get("Location") is None
