"""Signing in and out through the pages: lockout, audit rows, CSRF, safe redirects."""

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from nuanxin.accounts import lockout
from nuanxin.accounts.models import LoginAttempt, User
from nuanxin.accounts.tests.helpers import T0, form_errors, post_login
from nuanxin.core.models import AuditLog

WRONG = "The username or password is not correct."
LOCKED = "Too many failed sign-in attempts. Please wait 15 minutes and try again."


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_login_lands_on_home_and_is_audited(personas, client, at_t0):
    response = post_login(client, "yi", personas.password)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) == str(personas.yi.pk)
    row = AuditLog.objects.get(action="auth.login")
    assert (row.actor_id, row.actor_name, row.object_type, row.object_id, row.organisation_id) == (
        personas.yi.pk, "yi", "accounts.user", str(personas.yi.pk), personas.shinan.pk
    )
    assert (row.outcome, row.ip, row.channel, row.detail) == ("success", "127.0.0.1", "web", {"two_factor": False})
    assert list(LoginAttempt.objects.values_list("username", "ip", "succeeded")) == [("yi", "127.0.0.1", True)]
    assert client.get("/").status_code == 200


def test_login_page_renders_the_form(db, client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html and 'type="submit"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_signed_in_user_visiting_login_goes_home(personas, client):
    client.force_login(personas.yi)
    response = client.get(reverse("accounts:login"))
    assert (response.status_code, response["Location"]) == (302, "/")


def test_wrong_password_for_a_known_user(personas, client):
    response = post_login(client, "yi", "Wrong-pass-2020")
    assert response.status_code == 200
    assert form_errors(response) == [WRONG]
    assert signed_in_as(client) is None
    row = AuditLog.objects.get(action="auth.login_failed")
    assert (row.actor_id, row.actor_name, row.object_type, row.object_id, row.organisation_id) == (
        None, "anonymous", "accounts.user", str(personas.yi.pk), personas.shinan.pk
    )
    assert (row.outcome, row.ip, row.detail) == ("failure", "127.0.0.1", {"username": "yi", "step": "password"})


def test_unknown_user_gets_the_same_message(personas, client):
    known = post_login(client, "yi", "Wrong-pass-2020")
    unknown = post_login(client, "nobody", "Wrong-pass-2020")
    assert form_errors(unknown) == form_errors(known) == [WRONG]
    row = AuditLog.objects.filter(action="auth.login_failed").order_by("id").last()
    assert (row.object_type, row.object_id, row.organisation_id, row.detail) == (
        "", "", None, {"username": "nobody", "step": "password"}
    )


def test_disabled_user_with_the_right_password_gets_the_same_message(personas, client):
    from nuanxin.orgs.services import set_user_active

    set_user_active(actor=personas.jia, user=personas.care, active=False)
    response = post_login(client, "care", personas.password)
    assert form_errors(response) == [WRONG]
    assert signed_in_as(client) is None


def _fail(client, username, times, ips=None):
    responses = []
    for i in range(times):
        ip = ips[i] if ips else "10.0.0.1"
        responses.append(post_login(client, username, f"Wrong-pass-{i}", ip=ip))
    return responses


def test_lockout_of_a_known_user_refuses_even_the_right_password(personas, client, at_t0):
    ips = [f"10.0.1.{i}" for i in range(5)]  # five addresses: only the username lock applies
    responses = _fail(client, "yi", 5, ips)
    assert [form_errors(r) for r in responses] == [[WRONG]] * 4 + [[LOCKED]]
    response = post_login(client, "yi", personas.password, ip="10.0.1.99")
    assert form_errors(response) == [LOCKED]
    assert signed_in_as(client) is None
    row = AuditLog.objects.get(action="auth.locked_out")
    assert (row.actor_id, row.object_id, row.organisation_id, row.outcome, row.ip) == (
        None, str(personas.yi.pk), personas.shinan.pk, "denied", "10.0.1.99"
    )
    assert row.detail == {"username": "yi", "locks": ["username"], "step": "password"}
    # The locked attempt was not checked, so it is not counted as a failure.
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5
    assert AuditLog.objects.filter(action="auth.login_failed").count() == 5


def test_lockout_of_an_unknown_user_looks_the_same(personas, client, at_t0):
    ips = [f"10.0.2.{i}" for i in range(5)]
    _fail(client, "yi", 5, ips)
    known = post_login(client, "yi", personas.password, ip="10.0.2.99")
    ips = [f"10.0.3.{i}" for i in range(5)]
    responses = _fail(client, "ghost", 5, ips)
    assert form_errors(responses[-1]) == [LOCKED]
    unknown = post_login(client, "ghost", personas.password, ip="10.0.3.99")
    assert form_errors(unknown) == form_errors(known) == [LOCKED]
    row = AuditLog.objects.filter(action="auth.locked_out").order_by("id").last()
    assert (row.object_id, row.organisation_id, row.detail) == (
        "", None, {"username": "ghost", "locks": ["username"], "step": "password"}
    )


def test_usernames_are_counted_without_case_or_spaces(personas, client, at_t0):
    ips = [f"10.0.4.{i}" for i in range(5)]
    for i, name in enumerate(["yi", "YI", " Yi", "yI ", "yi"]):
        post_login(client, name, "Wrong-pass-1", ip=ips[i])
    response = post_login(client, "yi", personas.password, ip="10.0.4.99")
    assert form_errors(response) == [LOCKED]


def test_address_lockout_across_usernames(personas, client, at_t0):
    """30 failures from one address (NUANXIN_LOCKOUT_ADDRESS_FAILURES) lock it, whatever the
    usernames; 29 do not, and a success in between does not reset the address's count."""
    responses = [post_login(client, f"guess{i}", "Wrong-pass-1", ip="10.9.9.9") for i in range(29)]
    assert [form_errors(r) for r in responses] == [[WRONG]] * 29
    signed_in = Client()
    assert post_login(signed_in, "yi", personas.password, ip="10.9.9.9").status_code == 302
    assert form_errors(post_login(client, "guess29", "Wrong-pass-1", ip="10.9.9.9")) == [LOCKED]
    response = post_login(client, "yi", personas.password, ip="10.9.9.9")
    assert form_errors(response) == [LOCKED]
    assert LoginAttempt.objects.filter(ip="10.9.9.9", succeeded=False).count() == 30
    assert AuditLog.objects.get(action="auth.locked_out").detail == {
        "username": "yi", "locks": ["address"], "step": "password"
    }
    # From another address yi is not locked.
    response = post_login(client, "yi", personas.password, ip="10.9.9.10")
    assert response.status_code == 302


def test_lockout_ends_after_the_window(personas, client, at_t0):
    _fail(client, "yi", 5)
    at_t0.shift(timedelta(minutes=14, seconds=59))
    assert form_errors(post_login(client, "yi", personas.password)) == [LOCKED]
    at_t0.shift(timedelta(seconds=2))
    response = post_login(client, "yi", personas.password)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_failures_spread_wider_than_the_window_do_not_lock(personas, client, at_t0):
    ips = [f"10.0.5.{i}" for i in range(5)]
    for i in range(5):
        post_login(client, "yi", "Wrong-pass-1", ip=ips[i])
        at_t0.shift(timedelta(minutes=4))  # the 5th failure is 16 minutes after the 1st
    response = post_login(client, "yi", personas.password, ip="10.0.5.99")
    assert response.status_code == 302


def test_a_success_resets_the_username_counter(personas, client, at_t0):
    _fail(client, "yi", 4, [f"10.0.6.{i}" for i in range(4)])
    assert post_login(client, "yi", personas.password, ip="10.0.6.50").status_code == 302
    client.logout()
    _fail(client, "yi", 4, [f"10.0.7.{i}" for i in range(4)])
    assert post_login(client, "yi", personas.password, ip="10.0.7.50").status_code == 302


def test_lockout_reasons_service(personas, at_t0):
    for _i in range(5):
        lockout.record_login_attempt(username="yi", ip="10.1.1.1", succeeded=False)
    assert lockout.lockout_reasons(username="bing", ip="10.1.1.1") == []  # 5 of the address's 30
    for i in range(25):
        lockout.record_login_attempt(username=f"guess{i}", ip="10.1.1.1", succeeded=False)
    assert lockout.lockout_reasons(username="yi", ip="10.1.1.1") == ["username", "address"]
    assert lockout.lockout_reasons(username="yi", ip="10.1.1.2") == ["username"]
    assert lockout.lockout_reasons(username="bing", ip="10.1.1.1") == ["address"]
    assert lockout.lockout_reasons(username="bing", ip=None) == []


def test_login_form_requires_a_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    response = post_login(client, "yi", personas.password)
    assert response.status_code == 403
    assert signed_in_as(client) is None
    client.get(reverse("accounts:login"))
    token = client.cookies["csrftoken"].value
    response = post_login(client, "yi", personas.password, csrfmiddlewaretoken=token)
    assert (response.status_code, response["Location"]) == (302, "/")


def test_logout_requires_a_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.yi)
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert signed_in_as(client) == str(personas.yi.pk)


def test_safe_next_is_followed_and_unsafe_next_is_not(personas, client):
    response = post_login(client, "yi", personas.password, next="/accounts/me/")
    assert response["Location"] == "/accounts/me/"
    client.logout()
    response = post_login(client, "yi", personas.password, next="https://evil.example/")
    assert response["Location"] == "/"
    client.logout()
    response = post_login(client, "yi", personas.password, next="//evil.example/x")
    assert response["Location"] == "/"


def test_login_page_carries_next(db, client):
    response = client.get(reverse("accounts:login") + "?next=/accounts/me/")
    assert '<input type="hidden" name="next" value="/accounts/me/">' in response.content.decode()


def test_logout_is_post_only_and_audited(personas, client):
    client.force_login(personas.yi)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_as(client) == str(personas.yi.pk)
    response = client.post(reverse("accounts:logout"))
    assert (response.status_code, response["Location"]) == (302, reverse("accounts:login"))
    assert signed_in_as(client) is None
    row = AuditLog.objects.get(action="auth.logout")
    assert (row.actor_id, row.object_id, row.organisation_id) == (personas.yi.pk, str(personas.yi.pk),
                                                                  personas.shinan.pk)
    assert client.get("/").status_code == 302


def test_login_session_key_changes(personas, client):
    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "x" * 32  # a planted session id
    post_login(client, "yi", personas.password)
    assert client.cookies["sessionid"].value != "x" * 32


def test_sign_in_stamps_last_login_without_a_history_row(personas, client, at_t0):
    before = User.history.filter(id=personas.yi.pk).count()
    post_login(client, "yi", personas.password)
    personas.yi.refresh_from_db()
    assert personas.yi.last_login == T0
    assert User.history.filter(id=personas.yi.pk).count() == before
