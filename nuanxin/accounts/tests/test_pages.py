"""The own-account pages: profile, password change, API tokens."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from nuanxin.accounts import lockout, services
from nuanxin.accounts.models import ApiToken, LoginAttempt, hash_token
from nuanxin.accounts.tests.helpers import T0, enable_totp, field_errors, form_errors, post_login
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services

NEW_PASSWORD = "Brand-new-pass-2021"


def test_profile_shows_name_organisation_roles_and_security(personas, client):
    client.force_login(personas.viewer)
    response = client.get(reverse("accounts:profile"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "卫健委" in html and "青岛市医务工会" in html
    grants = re.search(r'<ul class="list-unstyled mb-0" id="nx-grants">(.*?)</ul>', html, re.S).group(1)
    assert grants.count("<li>") == 1
    assert "Report viewer" in grants and "全市医疗机构" in grants
    assert "Set up two-step sign-in" in html
    assert "You have no API tokens." in html


def test_profile_lists_own_tokens_only(personas, client):
    mine, _ = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30, name="mine")
    _theirs, _ = services.create_api_token(actor=SYSTEM, user=personas.yi, expires_days=30, name="theirs")
    client.force_login(personas.care)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert re.findall(r'data-token="(\d+)"', html) == [str(mine.pk)]


def test_profile_with_authenticator_offers_to_turn_it_off(personas, client):
    enable_totp(personas.care)
    client.force_login(personas.care)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:totp_disable") in html
    assert f'href="{reverse("accounts:totp_setup")}"' not in html


# --- password --------------------------------------------------------------------------------


def _change(client, current, new1, new2=None):
    return client.post(reverse("accounts:password_change"), {
        "current_password": current, "new_password1": new1, "new_password2": new1 if new2 is None else new2,
    })


def test_change_own_password(personas, client):
    client.force_login(personas.care)
    other = Client()
    other.force_login(personas.care)
    assert other.get("/").status_code == 200
    response = _change(client, personas.password, NEW_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))
    personas.care.refresh_from_db()
    assert personas.care.check_password(NEW_PASSWORD)
    row = AuditLog.objects.get(action="user.password")
    assert (row.actor_id, row.object_id, row.organisation_id) == (
        personas.care.pk, str(personas.care.pk), personas.shinan_hospital.pk
    )
    # This session stays; the other one is signed out.
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_wrong_current_password_is_refused_and_counted(personas, client):
    client.force_login(personas.care)
    response = _change(client, "Not-the-password-1", NEW_PASSWORD)
    assert response.status_code == 200
    assert field_errors(response) == ["The current password is not correct."]
    personas.care.refresh_from_db()
    assert personas.care.check_password(personas.password)
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("care", False)]
    assert AuditLog.objects.get(action="auth.login_failed").detail == {"username": "care",
                                                                     "step": "password_change"}


def test_password_change_is_refused_while_locked_out(personas, client):
    for _i in range(5):
        lockout.record_login_attempt(username="care", ip="10.3.3.3", succeeded=False)
    client.force_login(personas.care)
    response = _change(client, personas.password, NEW_PASSWORD)
    assert form_errors(response) == ["Too many failed sign-in attempts. Please wait 15 minutes and try again."]
    personas.care.refresh_from_db()
    assert personas.care.check_password(personas.password)


def test_new_passwords_must_match(personas, client):
    client.force_login(personas.care)
    response = _change(client, personas.password, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert field_errors(response) == ["The two new passwords differ."]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short. It must contain at least 10 characters."),
        ("abcdefghijkl", "The password must contain both letters and digits."),
        ("1234567890123", "This password is entirely numeric."),
        ("password123", "This password is too common."),
    ],
)
def test_weak_new_password_is_refused_with_the_policy_message(personas, client, password, message):
    client.force_login(personas.care)
    response = _change(client, personas.password, password)
    assert response.status_code == 200
    assert message in field_errors(response)[0]
    assert AuditLog.objects.filter(action="user.password").count() == 0


def test_set_password_refuses_a_weak_password_with_a_message(personas):
    with pytest.raises(ServiceError) as exc:
        org_services.set_password(actor=personas.care, user=personas.care, password="abc",
                                  current_password=personas.password)
    assert exc.value.field == "password"
    assert "This password is too short. It must contain at least 10 characters." in exc.value.message
    personas.care.refresh_from_db()
    assert personas.care.check_password(personas.password)


def test_the_same_password_again_is_refused(personas):
    with pytest.raises(ServiceError):
        services.change_own_password(actor=personas.care, current_password=personas.password,
                                     new_password=personas.password)


def test_production_hashes_with_argon2():
    assert settings.PRODUCTION_PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_login_with_the_new_password(personas, client):
    services.change_own_password(actor=personas.care, current_password=personas.password, new_password=NEW_PASSWORD)
    assert post_login(client, "care", personas.password).status_code == 200
    assert post_login(client, "care", NEW_PASSWORD).status_code == 302


# --- API tokens ------------------------------------------------------------------------------


def test_create_a_token_shows_it_once(personas, client, at_t0):
    client.force_login(personas.care)
    assert client.get(reverse("accounts:token_create")).status_code == 200
    response = client.post(
        reverse("accounts:token_create"), {"name": "统计脚本", "days": "7", "current_password": personas.password}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    plaintext = re.search(r'id="nx-token-value" value="(nx_[^"]+)"', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert (token.user_id, token.name, token.key_hash) == (personas.care.pk, "统计脚本", hash_token(plaintext))
    assert token.expires_at == T0 + timedelta(days=7)
    assert plaintext not in client.get(reverse("accounts:profile")).content.decode()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/me").json()["username"] == "care"
    row = AuditLog.objects.get(action="token.create")
    assert (row.actor_id, row.organisation_id, row.detail) == (personas.care.pk, personas.shinan_hospital.pk,
                                                               {"user": "care", "days": 7})


def test_a_token_needs_the_password_and_wrong_ones_count_towards_the_lockout(personas, client):
    client.force_login(personas.care)
    for _attempt in range(5):
        response = client.post(reverse("accounts:token_create"),
                               {"name": "x", "days": "30", "current_password": "wrong"})
        assert response.status_code == 200
        assert field_errors(response) == ["The current password is not correct."]
    assert ApiToken.objects.count() == 0
    assert AuditLog.objects.filter(action="auth.login_failed").count() == 5
    # Locked out now: even the right password gets no token.
    response = client.post(reverse("accounts:token_create"),
                           {"name": "x", "days": "30", "current_password": personas.password})
    assert response.status_code == 200 and ApiToken.objects.count() == 0


def test_token_expiry_must_be_one_of_the_choices(personas, client):
    client.force_login(personas.care)
    response = client.post(
        reverse("accounts:token_create"), {"name": "x", "days": "1000", "current_password": personas.password}
    )
    assert response.status_code == 200
    assert len(field_errors(response)) == 1
    assert ApiToken.objects.count() == 0


def test_revoke_own_token(personas, client):
    token, plaintext = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    client.force_login(personas.care)
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.authenticate_token(plaintext) is None
    row = AuditLog.objects.get(action="token.revoke")
    assert (row.actor_id, row.object_id) == (personas.care.pk, str(token.pk))


def test_another_users_token_is_a_404_and_stays(personas, client):
    token, plaintext = services.create_api_token(actor=SYSTEM, user=personas.yi, expires_days=30)
    client.force_login(personas.care)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert services.authenticate_token(plaintext) == personas.yi


def test_disabled_users_cannot_get_tokens(personas):
    org_services.set_user_active(actor=personas.jia, user=personas.care, active=False)
    personas.care.refresh_from_db()
    with pytest.raises(ServiceError):
        services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)


def test_token_for_someone_else_needs_to_manage_them(personas):
    with pytest.raises(NotAllowed):
        services.create_api_token(actor=personas.bing, user=personas.care, expires_days=30)

