"""Disabling an account ends its sessions and revokes its API tokens for good: enabling it
again revives neither (issue 10, item 5)."""

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from nuanxin.accounts import services
from nuanxin.accounts.models import ApiToken, User
from nuanxin.accounts.tests.helpers import post_login
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services

LOGIN = reverse("accounts:login")


def _signed_in_client(personas):
    client = Client()
    response = post_login(client, "care", personas.password)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    return client


def test_re_enabling_revives_neither_session_nor_token(personas):
    client = _signed_in_client(personas)
    other = _signed_in_client(personas)  # a second browser
    _token, plaintext = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/me").status_code == 200

    org_services.set_user_active(actor=personas.yi, user=personas.care, active=False)
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=True)

    for browser in (client, other):
        response = browser.get("/")
        assert (response.status_code, response["Location"]) == (302, f"{LOGIN}?next=/")
        assert browser.session.get("_auth_user_id") is None
    assert api.get("/api/v1/me").status_code == 401
    assert services.authenticate_token(plaintext) is None


def test_disable_is_audited_with_what_it_ended(personas):
    _signed_in_client(personas)
    _signed_in_client(personas)
    _signed_in_client(personas).post(reverse("accounts:logout"))  # a third, already ended
    yi_client = Client()
    yi_client.force_login(personas.yi)  # another user's session is left alone
    services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    old, _plain = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    services.revoke_api_token(actor=SYSTEM, token=old)
    yi_token, yi_plain = services.create_api_token(actor=SYSTEM, user=personas.yi, expires_days=30)

    org_services.set_user_active(actor=personas.yi, user=personas.care, active=False)

    row = AuditLog.objects.get(action="user.disable")
    assert (row.actor_id, row.object_id, row.detail) == (
        personas.yi.pk, str(personas.care.pk), {"sessions_ended": 2, "tokens_revoked": 2}
    )
    assert ApiToken.objects.filter(user=personas.care, revoked_at__isnull=True).count() == 0
    assert ApiToken.objects.filter(user=personas.care).count() == 3
    # Only the disabled account's sessions and tokens ended.
    assert Session.objects.count() == 1
    assert yi_client.get("/").status_code == 200
    assert services.authenticate_token(yi_plain) == personas.yi
    yi_token.refresh_from_db()
    assert yi_token.revoked_at is None

    org_services.set_user_active(actor=personas.yi, user=personas.care, active=True)
    assert AuditLog.objects.get(action="user.enable").detail == {}


def test_signing_in_again_after_re_enabling_works(personas):
    client = _signed_in_client(personas)
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=False)
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=True)
    assert client.get("/").status_code == 302
    response = post_login(client, "care", personas.password)
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").status_code == 200
    _token, plaintext = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/api/v1/me").status_code == 200
    assert User.objects.get(pk=personas.care.pk).session_generation == 1


def test_a_second_disable_ends_the_sessions_signed_in_since(personas):
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=False)
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=True)
    client = _signed_in_client(personas)
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=False)
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=True)
    assert client.get("/").status_code == 302
    assert User.objects.get(pk=personas.care.pk).session_generation == 2


def test_a_session_dropped_from_the_store_is_still_refused(personas):
    """Were the session kept elsewhere (a cache), its hash alone refuses it: the sessions'
    rows are put back after the disable, as a cache the service cannot list would keep them."""
    client = _signed_in_client(personas)
    saved = list(Session.objects.values_list("session_key", "session_data", "expire_date"))
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=False)
    org_services.set_user_active(actor=personas.yi, user=personas.care, active=True)
    for key, data, expires in saved:
        Session.objects.update_or_create(session_key=key, defaults={"session_data": data, "expire_date": expires})
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, f"{LOGIN}?next=/")


def test_a_password_change_keeps_the_generation_in_the_hash(personas):
    user = User.objects.get(pk=personas.care.pk)
    before = user.get_session_auth_hash()
    org_services.set_user_active(actor=personas.yi, user=user, active=False)
    user.refresh_from_db()
    after_disable = user.get_session_auth_hash()
    user.set_password("Another-pass-2026")
    assert len({before, after_disable, user.get_session_auth_hash()}) == 3
