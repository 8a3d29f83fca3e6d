"""The lockout holds under concurrency (issue 10, item 4): counting and reserving an attempt
happen in one locked transaction before any password is checked, so parallel attempts get
what they would get one after the other. For a username a check under way counts as a
failure; for an address it counts towards the concurrency allowance (test_lockout_address.py).

The race tests use real parallel connections and need PostgreSQL; on SQLite every writing
transaction already holds the database's one write lock (BEGIN IMMEDIATE)."""

import threading
import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from nuanxin.accounts import lockout, services
from nuanxin.accounts.models import LoginAttempt, User
from nuanxin.accounts.tests.helpers import form_errors, post_login
from nuanxin.core import locks
from nuanxin.core.models import AuditLog
from tests.parallel import on_postgres, run_together

LOGIN = reverse("accounts:login")
RIGHT = "Right-pass-2026"
WRONG = "The username or password is not correct."
LOCKED = "Too many failed sign-in attempts. Please wait 15 minutes and try again."
ATTEMPTS = 31

@pytest.fixture
def counted_checks(monkeypatch):
    """Every password the sign-in checks, in order. The check is made slow (a pause before
    it, as a real password hash has) so that, were counting and checking not atomic, many
    attempts would pass the count before any failure was stored."""
    checks = []
    guard = threading.Lock()
    real = services.authenticate

    def counting(request=None, **credentials):
        with guard:
            checks.append(credentials["password"])
        time.sleep(0.05)
        return real(request, **credentials)

    monkeypatch.setattr(services, "authenticate", counting)
    return checks


def _race(attempts):
    """POST every (password, address) of ``attempts`` at once, each from its own thread,
    client and database connection. Returns (password, status, Location, errors) in order."""

    def attempt(password, ip):
        def send():
            client = Client()
            client.cookies["nuanxin_language"] = "en"
            response = client.post(LOGIN, {"username": "racer", "password": password}, REMOTE_ADDR=ip)
            errors_shown = form_errors(response) if response.status_code == 200 else None
            return (password, response.status_code, response.get("Location"), errors_shown)

        return send

    results = run_together(*[attempt(pw, ip) for pw, ip in attempts])
    assert [r for r in results if isinstance(r, Exception)] == []  # a thread's failure fails the test
    return results


def _passwords():
    return [f"Wrong-pass-{i:02d}" for i in range(ATTEMPTS - 1)] + [RIGHT]


def _common_outcomes(results, checks):
    """What holds however the race went: each checked once, every attempt either checked or
    refused as locked, and the rows and audit match the checks exactly."""
    wrong = [pw for pw in checks if pw != RIGHT]
    right_checked = checks.count(RIGHT)
    assert len(set(checks)) == len(checks)
    assert right_checked in (0, 1)
    right = next(r for r in results if r[0] == RIGHT)
    if right_checked:
        assert right[1:] == (302, "/", None)
    for password, status, location, shown in results:
        if password == RIGHT:
            continue
        assert (status, location) == (200, None)
        assert shown in ([WRONG], [LOCKED])
        if password not in checks:
            assert shown == [LOCKED]
    assert LoginAttempt.objects.filter(succeeded=False).count() == len(wrong)
    assert LoginAttempt.objects.filter(succeeded=True).count() == right_checked
    assert LoginAttempt.objects.filter(succeeded__isnull=True).count() == 0  # every check resolved
    # Only the username bound refused anything: the address is far from its own bounds.
    refusals = AuditLog.objects.filter(action="auth.locked_out").values_list("detail", flat=True)
    assert {tuple(detail["locks"]) for detail in refusals} <= {("username",)}
    assert AuditLog.objects.filter(action="auth.login_failed").count() == len(wrong)
    assert AuditLog.objects.filter(action="auth.login").count() == right_checked
    assert AuditLog.objects.filter(action="auth.locked_out").count() == ATTEMPTS - len(checks)
    assert Session.objects.count() == right_checked
    return wrong, right_checked, right


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_31_parallel_attempts_from_one_address_check_at_most_4_wrong_before_the_right_one_and_5_after(
    counted_checks,
):
    """One address, one username: only the username bound applies (31 attempts are far below
    the address's 30 failures + 20 under way), as if the attempts came one after the other."""
    User.objects.create_user("racer", password=RIGHT)
    results = _race([(pw, "10.40.0.1") for pw in _passwords()])
    wrong, right_checked, right = _common_outcomes(results, counted_checks)
    if right_checked:
        # A success resets the username's counter: at most four failures were reserved
        # before it (the fifth would have locked it out) and at most five after it.
        success = LoginAttempt.objects.get(succeeded=True)
        assert LoginAttempt.objects.filter(succeeded=False, pk__lt=success.pk).count() <= 4
        assert LoginAttempt.objects.filter(succeeded=False, pk__gt=success.pk).count() <= 5
        assert len(wrong) <= 9
    else:
        # The right password came after the fifth failure: refused unchecked, as a locked
        # attempt is, and exactly five passwords were checked.
        assert right[1:] == (200, None, [LOCKED])
        assert len(wrong) == 5
        assert len(counted_checks) == 5


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_31_parallel_attempts_on_one_username_from_31_addresses(counted_checks):
    User.objects.create_user("racer", password=RIGHT)
    results = _race([(pw, f"10.41.0.{i + 1}") for i, pw in enumerate(_passwords())])
    wrong, right_checked, right = _common_outcomes(results, counted_checks)
    if right_checked:
        # A success resets the username's counter (as one after the other): at most four
        # failures were reserved before it and at most five after it.
        success = LoginAttempt.objects.get(succeeded=True)
        assert LoginAttempt.objects.filter(succeeded=False, pk__lt=success.pk).count() <= 4
        assert LoginAttempt.objects.filter(succeeded=False, pk__gt=success.pk).count() <= 5
    else:
        assert right[1:] == (200, None, [LOCKED])
        assert len(wrong) == 5
        assert len(counted_checks) == 5
    # Every address tried once: none is locked by its own count.
    assert lockout.lockout_reasons(username="someone-else", ip="10.41.0.1") == []


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_31_parallel_wrong_passwords_check_exactly_5(counted_checks):
    """Without a right password among them the outcome is exact: five checks, 26 locked."""
    User.objects.create_user("racer", password=RIGHT)
    passwords = [f"Wrong-pass-{i:02d}" for i in range(ATTEMPTS)]
    results = _race([(pw, "10.42.0.1") for pw in passwords])
    assert len(counted_checks) == 5
    assert sum(1 for r in results if r[3] == [LOCKED]) >= ATTEMPTS - 5
    assert sum(1 for r in results if r[3] == [WRONG]) <= 4
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5
    assert AuditLog.objects.filter(action="auth.locked_out").count() == ATTEMPTS - 5
    assert AuditLog.objects.filter(action="auth.login_failed").count() == 5


# --- the reservation, one attempt at a time (SQLite and PostgreSQL) --------------------------


def test_a_locked_attempt_checks_no_password(personas, client, counted_checks):
    for i in range(5):
        post_login(client, "yi", f"Wrong-pass-{i}", ip="10.43.0.1")
    assert len(counted_checks) == 5
    response = post_login(client, "yi", personas.password, ip="10.43.0.1")
    assert form_errors(response) == [LOCKED]
    assert len(counted_checks) == 5


def test_the_reservation_becomes_the_success(personas, client):
    response = post_login(client, "yi", personas.password, ip="10.43.0.2")
    assert response.status_code == 302
    assert list(LoginAttempt.objects.values_list("username", "ip", "succeeded")) == [("yi", "10.43.0.2", True)]


def test_a_reservation_is_stored_before_the_check(personas, monkeypatch):
    seen = []
    real = services.authenticate

    def looking(request=None, **credentials):
        seen.append(list(LoginAttempt.objects.values_list("username", "succeeded")))
        return real(request, **credentials)

    monkeypatch.setattr(services, "authenticate", looking)
    result = services.check_password_login(username="yi", password=personas.password, ip="10.43.0.3")
    assert result.outcome is services.LoginOutcome.OK
    assert seen == [[("yi", None)]]  # pending while checked
    assert list(LoginAttempt.objects.values_list("username", "succeeded")) == [("yi", True)]


def test_reserve_attempt_refuses_at_the_limit(personas):
    """Five checks under way for one username lock it (each may still fail); five under way
    from one address are neither a failure nor near its allowance."""
    for _i in range(4):
        assert services.reserve_attempt(username="yi", ip="10.43.0.4", step="password").granted is True
    fifth = services.reserve_attempt(username="yi", ip="10.43.0.4", step="password")
    assert (fifth.granted, fifth.locks) == (True, [])
    sixth = services.reserve_attempt(username="yi", ip="10.43.0.4", step="password")
    assert (sixth.granted, sixth.locks, sixth.refusal) == (False, ["username"], services.LoginOutcome.LOCKED)
    assert list(LoginAttempt.objects.values_list("succeeded", flat=True)) == [None] * 5
    assert AuditLog.objects.get(action="auth.locked_out").detail == {
        "username": "yi", "locks": ["username"], "step": "password"
    }
    assert services.reserve_attempt(username="bing", ip="10.43.0.4", step="password").granted is True


def test_advisory_keys_are_stable_signed_64_bit_numbers():
    """The same number in every process (not Python's salted ``hash``), in bigint's range."""
    assert locks.advisory_key("nuanxin.lockout.username:yi") == -6299023845584253308
    assert locks.advisory_key("nuanxin.lockout.address:10.0.0.1") == -4690028080295712030


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_31_parallel_wrong_codes_check_exactly_5(monkeypatch):
    """The code step reserves its attempts the same way."""
    user = User.objects.create_user("racer", password=RIGHT)
    checks = []
    guard = threading.Lock()

    def counting_verify(*, user, code):
        with guard:
            checks.append(code)
        time.sleep(0.05)
        return False

    monkeypatch.setattr(services, "verify_totp", counting_verify)
    outcomes = []

    def attempt(i):
        def send():
            result = services.check_code_login(user=user, code=f"{i:06d}", ip="10.44.0.1")
            with guard:
                outcomes.append(result.outcome)

        return send

    results = run_together(*[attempt(i) for i in range(ATTEMPTS)])
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(checks) == 5
    assert outcomes.count(services.LoginOutcome.FAILED) + outcomes.count(services.LoginOutcome.LOCKED) == ATTEMPTS
    assert outcomes.count(services.LoginOutcome.FAILED) <= 4
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5
    assert AuditLog.objects.filter(action="auth.login_failed", detail__step="code").count() == 5
    assert AuditLog.objects.filter(action="auth.locked_out", detail__step="code").count() == ATTEMPTS - 5
