"""Two-step sign-in: setup, the code step, reused codes, drift, disabling and resetting."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from nuanxin.accounts import lockout, services
from nuanxin.accounts.models import LoginAttempt, TOTPDevice
from nuanxin.accounts.tests.helpers import SECRET, T0, code_at, enable_totp, field_errors, form_errors, post_login
from nuanxin.accounts.views import TOTP_SETUP_SECRET
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services

WRONG_CODE = "The code is not correct or has already been used."
LOCKED = "Too many failed sign-in attempts. Please wait 15 minutes and try again."
REQUIRE_ADMINS = override_settings(NUANXIN_TOTP_REQUIRED_ROLES=["city_admin", "org_admin", "auditor"])


def signed_in_as(client):
    return client.session.get("_auth_user_id")


# --- setup -----------------------------------------------------------------------------------


def test_setup_page_shows_a_qr_code_and_the_secret(personas, client):
    client.force_login(personas.care)
    response = client.get(reverse("accounts:totp_setup"))
    html = response.content.decode()
    secret = client.session[TOTP_SETUP_SECRET]
    assert response.status_code == 200
    assert len(secret) == 32
    assert 'src="data:image/svg+xml' in html
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in html
    # Reloading keeps the same secret (the app may already have scanned it); nothing is stored yet.
    client.get(reverse("accounts:totp_setup"))
    assert client.session[TOTP_SETUP_SECRET] == secret
    assert TOTPDevice.objects.count() == 0


def test_setup_is_confirmed_with_a_code(personas, client, at_t0):
    client.force_login(personas.care)
    client.get(reverse("accounts:totp_setup"))
    secret = client.session[TOTP_SETUP_SECRET]
    response = client.post(reverse("accounts:totp_setup"), {"code": "123456" if code_at(T0, secret) != "123456"
                                                            else "654321"})
    assert response.status_code == 200
    assert field_errors(response) == ["The code is not correct. Check the time on your phone and try again."]
    assert TOTPDevice.objects.count() == 0
    code = code_at(T0, secret)
    response = client.post(reverse("accounts:totp_setup"), {"code": f"{code[:3]} {code[3:]}"})
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:profile"))
    device = TOTPDevice.objects.get()
    assert (device.user_id, device.secret, device.confirmed) == (personas.care.pk, secret, True)
    assert device.last_used_step == int(T0.timestamp()) // 30
    assert TOTP_SETUP_SECRET not in client.session
    row = AuditLog.objects.get(action="auth.totp_enabled")
    assert (row.actor_id, row.object_id, row.organisation_id) == (
        personas.care.pk, str(personas.care.pk), personas.shinan_hospital.pk
    )
    # Setting up again is refused while one is on.
    response = client.get(reverse("accounts:totp_setup"))
    assert response["Location"] == reverse("accounts:profile")
    with pytest.raises(ServiceError):
        services.confirm_totp(actor=personas.care, secret=SECRET, code=code_at(T0))


def test_code_used_at_setup_cannot_sign_in(personas, client, at_t0):
    client.force_login(personas.care)
    client.get(reverse("accounts:totp_setup"))
    secret = client.session[TOTP_SETUP_SECRET]
    client.post(reverse("accounts:totp_setup"), {"code": code_at(T0, secret)})
    assert services.verify_totp(user=personas.care, code=code_at(T0, secret)) is False


# --- the code step at sign-in ----------------------------------------------------------------


def test_sign_in_with_an_authenticator_asks_for_the_code(personas, client, at_t0):
    enable_totp(personas.yi)
    response = post_login(client, "yi", personas.password, next="/accounts/me/")
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login_totp"))
    # Half-signed-in is not signed in.
    assert signed_in_as(client) is None
    assert client.get("/").status_code == 302
    assert AuditLog.objects.filter(action="auth.login").count() == 0
    response = client.get(reverse("accounts:login_totp"))
    assert response.status_code == 200
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)})
    assert (response.status_code, response["Location"]) == (302, "/accounts/me/")
    assert signed_in_as(client) == str(personas.yi.pk)
    row = AuditLog.objects.get(action="auth.login")
    assert (row.actor_id, row.organisation_id, row.detail) == (personas.yi.pk, personas.shinan.pk,
                                                               {"two_factor": True})
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("yi", True)]


def test_a_code_cannot_be_used_twice(personas, client, at_t0):
    enable_totp(personas.yi)
    post_login(client, "yi", personas.password)
    assert client.post(reverse("accounts:login_totp"), {"code": code_at(T0)}).status_code == 302
    client.post(reverse("accounts:logout"))
    post_login(client, "yi", personas.password)
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)})
    assert response.status_code == 200
    assert field_errors(response) == [WRONG_CODE]
    assert signed_in_as(client) is None
    row = AuditLog.objects.get(action="auth.login_failed")
    assert (row.object_id, row.organisation_id, row.outcome, row.detail) == (
        str(personas.yi.pk), personas.shinan.pk, "failure", {"username": "yi", "step": "code"}
    )
    # The next 30-second code works.
    at_t0.shift(timedelta(seconds=30))
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0 + timedelta(seconds=30))})
    assert response.status_code == 302
    assert signed_in_as(client) == str(personas.yi.pk)


@pytest.mark.parametrize(("offset", "accepted"), [(-60, False), (-30, True), (0, True), (30, True), (60, False)])
def test_one_step_of_clock_drift_is_allowed(personas, at_t0, offset, accepted):
    enable_totp(personas.yi)
    assert services.verify_totp(user=personas.yi, code=code_at(T0 + timedelta(seconds=offset))) is accepted


def test_an_older_code_after_a_newer_one_is_refused(personas, at_t0):
    enable_totp(personas.yi)
    assert services.verify_totp(user=personas.yi, code=code_at(T0 + timedelta(seconds=30))) is True
    assert services.verify_totp(user=personas.yi, code=code_at(T0)) is False


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12345a"])
def test_malformed_codes_are_refused(personas, at_t0, code):
    enable_totp(personas.yi)
    assert services.verify_totp(user=personas.yi, code=code) is False


def test_code_failures_count_towards_the_lockout(personas, client, at_t0):
    enable_totp(personas.yi)
    post_login(client, "yi", personas.password)
    for _i in range(4):
        response = client.post(reverse("accounts:login_totp"), {"code": "000000"})
        assert field_errors(response) == [WRONG_CODE]
    response = client.post(reverse("accounts:login_totp"), {"code": "000000"})
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    # The half-signed-in state is gone and the right password is now refused too.
    assert client.get(reverse("accounts:login_totp"))["Location"] == reverse("accounts:login")
    response = post_login(client, "yi", personas.password)
    assert form_errors(response) == [LOCKED]
    assert AuditLog.objects.filter(action="auth.login_failed", detail__step="code").count() == 5


def test_locked_out_code_step_does_not_check_the_code(personas, client, at_t0):
    enable_totp(personas.yi)
    post_login(client, "yi", personas.password)
    for _i in range(5):
        lockout.record_login_attempt(username="yi", ip="10.2.2.2", succeeded=False)
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)})
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_as(client) is None
    assert TOTPDevice.objects.get().last_used_step == 0
    assert AuditLog.objects.get(action="auth.locked_out").detail == {
        "username": "yi", "locks": ["username"], "step": "code"
    }


def test_the_code_step_expires(personas, client, at_t0):
    enable_totp(personas.yi)
    post_login(client, "yi", personas.password)
    at_t0.shift(timedelta(minutes=5, seconds=1))
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0 + timedelta(minutes=5, seconds=1))})
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert signed_in_as(client) is None


def test_code_step_without_a_password_goes_to_sign_in(db, client):
    response = client.post(reverse("accounts:login_totp"), {"code": "123456"})
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))


def test_a_user_disabled_between_the_steps_cannot_finish(personas, client, at_t0):
    enable_totp(personas.care)
    post_login(client, "care", personas.password)
    org_services.set_user_active(actor=personas.jia, user=personas.care, active=False)
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)})
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_as(client) is None


# --- turning it off, resetting ---------------------------------------------------------------


def test_disable_with_a_code(personas, client, at_t0):
    enable_totp(personas.care)
    client.force_login(personas.care)
    assert client.get(reverse("accounts:totp_disable")).status_code == 200
    response = client.post(reverse("accounts:totp_disable"), {"code": "000000"})
    assert field_errors(response) == [WRONG_CODE]
    assert TOTPDevice.objects.count() == 1
    response = client.post(reverse("accounts:totp_disable"), {"code": code_at(T0)})
    assert response["Location"] == reverse("accounts:profile")
    assert TOTPDevice.objects.count() == 0
    row = AuditLog.objects.get(action="auth.totp_disabled")
    assert (row.actor_id, row.object_id, row.organisation_id, row.detail) == (
        personas.care.pk, str(personas.care.pk), personas.shinan_hospital.pk, {"user": "care"}
    )


@REQUIRE_ADMINS
def test_disable_is_refused_when_the_role_requires_it(personas, client, at_t0):
    enable_totp(personas.yi)
    client.force_login(personas.yi)
    response = client.get(reverse("accounts:totp_disable"))
    assert 'id="nx-totp-required"' in response.content.decode()
    response = client.post(reverse("accounts:totp_disable"), {"code": code_at(T0)})
    assert response.status_code == 200
    assert 'id="nx-totp-required"' in response.content.decode()
    assert TOTPDevice.objects.count() == 1
    with pytest.raises(NotAllowed):
        services.disable_totp(actor=personas.yi, code=code_at(T0 + timedelta(seconds=30)))
    assert TOTPDevice.objects.count() == 1


@REQUIRE_ADMINS
def test_switching_scope_to_a_lesser_role_does_not_lift_the_requirement(personas):
    org_services.grant_role(actor=SYSTEM, user=personas.yi, role=Role.CARE_CONTACT,
                            organisation=personas.shinan_hospital)
    personas.yi.nuanxin_active_grant_id = personas.yi.grants.get(role=Role.CARE_CONTACT).pk
    assert services.totp_required(personas.yi) is True


def test_an_admin_resets_the_authenticator_of_a_user_they_manage(personas, at_t0):
    enable_totp(personas.care)
    with pytest.raises(NotAllowed):
        services.reset_totp(actor=personas.bing, user=personas.care)  # 市北区 admin: not theirs
    with pytest.raises(NotAllowed):
        services.reset_totp(actor=personas.care, user=personas.care)
    assert TOTPDevice.objects.count() == 1
    assert services.reset_totp(actor=personas.yi, user=personas.care) is True
    assert TOTPDevice.objects.count() == 0
    row = AuditLog.objects.get(action="auth.totp_reset")
    assert (row.actor_id, row.object_id, row.organisation_id, row.detail) == (
        personas.yi.pk, str(personas.care.pk), personas.shinan_hospital.pk, {"user": "care"}
    )
    assert services.reset_totp(actor=personas.yi, user=personas.care) is False
    assert AuditLog.objects.filter(action="auth.totp_reset").count() == 1


def test_admins_cannot_reset_a_superior(personas):
    enable_totp(personas.jia)
    with pytest.raises(NotAllowed):
        services.reset_totp(actor=personas.yi, user=personas.jia)
    assert TOTPDevice.objects.count() == 1


def test_operator_command_resets_only_with_yes(personas, capsys):
    enable_totp(personas.jia)
    call_command("reset_totp", "jia")
    assert capsys.readouterr().out == "Would remove the authenticator of jia. Run again with --yes to do it.\n"
    assert TOTPDevice.objects.count() == 1
    call_command("reset_totp", "JIA", "--yes")
    assert capsys.readouterr().out == "Removed the authenticator of jia.\n"
    assert TOTPDevice.objects.count() == 0
    call_command("reset_totp", "jia", "--yes")
    assert capsys.readouterr().out == "jia has no authenticator; nothing to do.\n"
    with pytest.raises(CommandError) as exc:
        call_command("reset_totp", "nobody", "--yes")
    assert str(exc.value) == "No account has the username “nobody”."
    row = AuditLog.objects.get(action="auth.totp_reset")
    assert (row.actor_id, row.actor_name, row.object_id) == (None, "system:cli", str(personas.jia.pk))
