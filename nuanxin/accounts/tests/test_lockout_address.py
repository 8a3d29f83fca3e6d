"""The address bound of the sign-in lockout: many people behind one address (a hospital's
Wi-Fi, a carrier's NAT) sign in at once.

A check under way (a pending attempt) is no failure for the address: resolved failures lock
it at ``NUANXIN_LOCKOUT_ADDRESS_FAILURES`` (30) within the window, and a new check is refused
as busy while its failures within the window and its checks under way together reach
``NUANXIN_LOCKOUT_ADDRESS_FAILURES + NUANXIN_LOCKOUT_ADDRESS_CONCURRENT`` (30 + 20 = 50). So
one address gets at most 50 wrong passwords checked within any 15 minutes. A pending attempt
older than ``lockout.PENDING_STALE`` (2 minutes) counts as a failure. Addresses inside
``NUANXIN_LOCKOUT_TRUSTED_NETWORKS`` have no address bound; the username bound always holds.

The parallel tests use real connections and need PostgreSQL (tests/parallel.py)."""

import ipaddress
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts import lockout, services
from nuanxin.accounts.models import LoginAttempt, User
from nuanxin.accounts.tests.helpers import T0, form_errors, post_login
from nuanxin.core.models import AuditLog
from tests.parallel import on_postgres, run_together

LOGIN = reverse("accounts:login")
RIGHT = "Right-pass-2026"
WRONG = "The username or password is not correct."
LOCKED = "Too many failed sign-in attempts. Please wait 15 minutes and try again."
BUSY = "Many people are signing in from your network right now. Please try again in a moment."


def test_the_defaults(settings):
    assert (
        settings.NUANXIN_LOCKOUT_FAILURES,
        settings.NUANXIN_LOCKOUT_ADDRESS_FAILURES,
        settings.NUANXIN_LOCKOUT_ADDRESS_CONCURRENT,
        settings.NUANXIN_LOCKOUT_TRUSTED_NETWORKS,
        lockout.PENDING_STALE,
    ) == (5, 30, 20, (), timedelta(minutes=2))


def _reserve(n, ip, prefix="user"):
    """``n`` checks under way from ``ip``, one per username."""
    return [services.reserve_attempt(username=f"{prefix}{i}", ip=ip, step="password") for i in range(n)]


def _failures(n, ip, prefix="guess"):
    for i in range(n):
        lockout.record_login_attempt(username=f"{prefix}{i}", ip=ip, succeeded=False)


# --- one attempt at a time (SQLite and PostgreSQL) --------------------------------------------


def test_checks_under_way_from_one_address_are_no_failures(personas, at_t0):
    """49 checks under way (different usernames) from one address: none refused; the 50th
    reaches 30 + 20 and the next one is refused as busy, which is no lock."""
    assert all(r.granted for r in _reserve(50, "10.50.0.1"))
    assert lockout.lockout_reasons(username="yi", ip="10.50.0.1") == ["address_busy"]
    assert lockout.is_locked_out(username="yi", ip="10.50.0.1") is False
    refused = services.reserve_attempt(username="yi", ip="10.50.0.1", step="password")
    assert (refused.granted, refused.locks, refused.refusal) == (False, ["address_busy"], services.LoginOutcome.BUSY)
    assert LoginAttempt.objects.filter(ip="10.50.0.1", succeeded__isnull=True).count() == 50
    assert AuditLog.objects.get(action="auth.locked_out").detail == {
        "username": "yi", "locks": ["address_busy"], "step": "password"
    }
    # Another address is untouched.
    assert lockout.lockout_reasons(username="yi", ip="10.50.0.2") == []


def test_failures_and_checks_under_way_share_the_allowance(personas, at_t0):
    """29 failures leave room for 21 checks under way (29 + 21 = 50)."""
    _failures(29, "10.50.1.1")
    assert all(r.granted for r in _reserve(21, "10.50.1.1"))
    assert lockout.lockout_reasons(username="yi", ip="10.50.1.1") == ["address_busy"]
    # A check that ends leaves room again: a success is neither a failure nor under way.
    LoginAttempt.objects.filter(username="user0").update(succeeded=True)
    assert lockout.lockout_reasons(username="yi", ip="10.50.1.1") == []


def test_the_busy_refusal_on_the_page(personas, client, at_t0):
    _reserve(50, "10.50.2.1")
    response = post_login(client, "yi", personas.password, ip="10.50.2.1")
    assert (response.status_code, form_errors(response)) == (200, [BUSY])
    assert client.session.get("_auth_user_id") is None
    row = AuditLog.objects.get(action="auth.locked_out")
    assert (row.outcome, row.ip, row.object_id, row.detail) == (
        "denied", "10.50.2.1", str(personas.yi.pk), {"username": "yi", "locks": ["address_busy"], "step": "password"}
    )
    assert not LoginAttempt.objects.filter(username="yi").exists()  # nothing checked, nothing stored


def test_a_lock_is_told_before_busy(personas, client, at_t0):
    """A username locked and an address busy: the lock's message (retrying soon would not help)."""
    for i in range(5):
        lockout.record_login_attempt(username="yi", ip=f"10.50.3.{i + 10}", succeeded=False)
    _reserve(50, "10.50.3.1")
    response = post_login(client, "yi", personas.password, ip="10.50.3.1")
    assert form_errors(response) == [LOCKED]
    assert AuditLog.objects.get(action="auth.locked_out").detail["locks"] == ["username", "address_busy"]


def test_the_code_step_refused_as_busy_keeps_the_half_signed_in_state(personas, client, at_t0):
    from nuanxin.accounts.tests.helpers import code_at, enable_totp

    enable_totp(personas.yi)
    assert post_login(client, "yi", personas.password, ip="10.50.4.1").status_code == 302
    _reserve(50, "10.50.4.1")
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)}, REMOTE_ADDR="10.50.4.1")
    assert (response.status_code, form_errors(response)) == (200, [BUSY])
    LoginAttempt.objects.filter(ip="10.50.4.1", succeeded__isnull=True).update(succeeded=True)
    response = client.post(reverse("accounts:login_totp"), {"code": code_at(T0)}, REMOTE_ADDR="10.50.4.1")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_a_password_confirmation_refused_as_busy_says_so(personas, client, at_t0):
    _reserve(50, "127.0.0.1")
    client.force_login(personas.care)
    response = client.post(reverse("accounts:token_create"),
                           {"name": "x", "days": "30", "current_password": personas.password})
    assert response.status_code == 200
    assert BUSY in response.content.decode()
    assert AuditLog.objects.get(action="auth.locked_out").detail == {
        "username": "care", "locks": ["address_busy"], "step": "token_create"
    }


def test_the_address_locks_at_30_resolved_failures(personas, at_t0):
    _failures(29, "10.50.5.1")
    assert lockout.lockout_reasons(username="yi", ip="10.50.5.1") == []
    result = services.check_password_login(username="guess29", password="Wrong-pass-1", ip="10.50.5.1")
    assert result.outcome is services.LoginOutcome.LOCKED  # the 30th failure locks at once
    refused = services.reserve_attempt(username="yi", ip="10.50.5.1", step="password")
    assert (refused.granted, refused.locks, refused.refusal) == (False, ["address"], services.LoginOutcome.LOCKED)
    # The lock lasts 15 minutes from the 30th failure.
    at_t0.shift(timedelta(minutes=15, seconds=1))
    assert lockout.lockout_reasons(username="yi", ip="10.50.5.1") == []


def test_a_stale_check_under_way_counts_as_a_failure(personas, at_t0):
    """A check whose process died is never resolved: after 2 minutes it is a failure, so
    killing checks cannot escape the count."""
    _reserve(30, "10.50.6.1")
    at_t0.shift(timedelta(minutes=1, seconds=59))
    assert lockout.lockout_reasons(username="yi", ip="10.50.6.1") == []  # 30 under way: no failures yet
    at_t0.shift(timedelta(seconds=2))
    assert lockout.lockout_reasons(username="yi", ip="10.50.6.1") == ["address"]
    # For a username a check under way counts as a failure from the start, stale or not.
    for _i in range(5):
        services.reserve_attempt(username="bing", ip="10.50.6.3", step="password")
    assert lockout.lockout_reasons(username="bing", ip=None) == ["username"]


def test_a_trusted_network_has_no_address_bound(personas, client, at_t0, settings):
    settings.NUANXIN_LOCKOUT_TRUSTED_NETWORKS = (ipaddress.ip_network("10.60.0.0/16"),)
    _failures(60, "10.60.1.1")
    _reserve(60, "10.60.1.1")
    assert lockout.lockout_reasons(username="yi", ip="10.60.1.1") == []
    response = post_login(client, "yi", personas.password, ip="10.60.1.1")
    assert (response.status_code, response["Location"]) == (302, "/")
    # Just outside the network the same counts lock.
    _failures(30, "10.61.0.1")
    assert lockout.lockout_reasons(username="yi", ip="10.61.0.1") == ["address"]
    assert AuditLog.objects.filter(action="auth.locked_out").count() == 0


def test_a_trusted_network_keeps_the_username_bound(personas, at_t0, settings):
    settings.NUANXIN_LOCKOUT_TRUSTED_NETWORKS = (ipaddress.ip_network("10.60.0.0/16"),)
    outcomes = [
        services.check_password_login(username="yi", password=f"Wrong-pass-{i}", ip="10.60.2.1").outcome
        for i in range(6)
    ]
    assert outcomes == [services.LoginOutcome.FAILED] * 4 + [services.LoginOutcome.LOCKED] * 2
    assert services.check_password_login(username="yi", password=personas.password, ip="10.60.2.1").outcome is (
        services.LoginOutcome.LOCKED
    )
    assert LoginAttempt.objects.filter(username="yi", succeeded=False).count() == 5
    assert list(
        AuditLog.objects.filter(action="auth.locked_out").order_by("id").values_list("detail__locks", flat=True)
    ) == [["username"], ["username"]]


def test_is_trusted_address(settings):
    settings.NUANXIN_LOCKOUT_TRUSTED_NETWORKS = (
        ipaddress.ip_network("10.60.0.0/16"), ipaddress.ip_network("2001:db8::/32")
    )
    addresses = ("10.60.255.1", "10.61.0.1", "2001:db8::7", "::1", None, "-")
    assert [lockout.is_trusted_address(ip) for ip in addresses] == [True, False, True, False, False, False]


def test_a_bad_trusted_network_stops_the_start():
    import os
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", "check"],
        env={**os.environ, "NUANXIN_LOCKOUT_TRUSTED_NETWORKS": "10.60.0.0/16, 10.0.0.1/8"},
        capture_output=True, text=True, timeout=60,
    )
    assert (done.returncode, done.stderr) == (
        2,
        "nuanxin: NUANXIN_LOCKOUT_TRUSTED_NETWORKS must be networks separated by commas (such as "
        "10.20.0.0/16,192.0.2.7), not '10.0.0.1/8': 10.0.0.1/8 has host bits set.\n",
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_old_rows_meaning():
    """Rows written before checks under way existed keep their meaning: True a success, False
    a failure (never pending)."""
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0004_user_version")])
    old = executor.loader.project_state([("accounts", "0004_user_version")]).apps.get_model("accounts", "LoginAttempt")
    now = timezone.now()
    for i in range(5):
        old.objects.create(username="old", ip="10.70.0.1", at=now - timedelta(seconds=10 - i), succeeded=False)
    old.objects.create(username="reset", ip="10.70.0.2", at=now - timedelta(seconds=20), succeeded=False)
    old.objects.create(username="reset", ip="10.70.0.2", at=now - timedelta(seconds=5), succeeded=True)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert sorted(LoginAttempt.objects.values_list("username", "succeeded")) == [
        ("old", False), ("old", False), ("old", False), ("old", False), ("old", False),
        ("reset", False), ("reset", True),
    ]
    assert lockout.lockout_reasons(username="old", ip=None) == ["username"]
    assert lockout.lockout_reasons(username="reset", ip=None) == []


# --- in parallel (PostgreSQL) -----------------------------------------------------------------


@pytest.fixture
def held_checks(monkeypatch):
    """``held.checks``: every password the sign-in checks, in order. Each check waits until
    every attempt of the race has been decided (granted or refused), so all granted checks
    are under way at once: the hardest case for the address bound, and an exact one.
    ``held.expect(n)`` names the race's size."""
    checks: list[str] = []
    guard = threading.Lock()
    decided = threading.Event()
    state = {"expected": 0, "done": 0}

    def expect(n: int) -> None:
        state["expected"] = n
    real_reserve = services.reserve_attempt
    real_authenticate = services.authenticate

    def reserving(**kwargs):
        try:
            return real_reserve(**kwargs)
        finally:
            with guard:
                state["done"] += 1
                if state["done"] == state["expected"]:
                    decided.set()

    def checking(request=None, **credentials):
        with guard:
            checks.append(credentials["password"])
        assert decided.wait(timeout=60)
        return real_authenticate(request, **credentials)

    monkeypatch.setattr(services, "reserve_attempt", reserving)
    monkeypatch.setattr(services, "authenticate", checking)
    return SimpleNamespace(checks=checks, expect=expect)


def _race(attempts, ip):
    """POST every (username, password) of ``attempts`` at once from ``ip``, each from its own
    thread, client and database connection. Returns (status, Location, errors) in order."""

    def attempt(username, password):
        def send():
            client = Client()
            client.cookies["nuanxin_language"] = "en"
            response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)
            return (response.status_code, response.get("Location"),
                    form_errors(response) if response.status_code == 200 else None)

        return send

    results = run_together(*[attempt(username, password) for username, password in attempts])
    assert [r for r in results if isinstance(r, Exception)] == []  # a thread's failure fails the test
    return results


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_24_parallel_right_passwords_from_one_address_all_sign_in(held_checks):
    """The benchmark's case (24 parallel sign-ins behind one address, 9 refused before): all
    24 checks under way at once, none refused, 24 successes."""
    for i in range(24):
        User.objects.create_user(f"nurse{i}", password=RIGHT)
    held_checks.expect(24)
    results = _race([(f"nurse{i}", RIGHT) for i in range(24)], "10.80.0.1")
    assert results == [(302, "/", None)] * 24
    assert len(held_checks.checks) == 24
    assert LoginAttempt.objects.filter(ip="10.80.0.1", succeeded=True).count() == 24
    assert LoginAttempt.objects.exclude(succeeded=True).count() == 0
    assert AuditLog.objects.filter(action="auth.login").count() == 24
    assert AuditLog.objects.filter(action="auth.locked_out").count() == 0
    assert Session.objects.count() == 24


@on_postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("earlier_failures", "checked"), [(0, 50), (29, 21)])
def test_60_parallel_wrong_passwords_from_one_address_check_at_most_50_with_its_failures(
    held_checks, earlier_failures, checked
):
    """The worst case for one address: its failures in the window and its checks under way
    together never pass 30 + 20 = 50, so at most 50 wrong passwords are checked from it within
    15 minutes; the rest are refused as busy, and then the address is locked."""
    _failures(earlier_failures, "10.81.0.1", prefix="earlier")
    held_checks.expect(60)
    results = _race([(f"guess{i}", f"Wrong-pass-{i:02d}") for i in range(60)], "10.81.0.1")
    assert len(held_checks.checks) == checked
    shown = [r[2] for r in results]
    assert shown.count([BUSY]) == 60 - checked
    assert shown.count([WRONG]) + shown.count([LOCKED]) == checked
    assert shown.count([WRONG]) <= 29 - earlier_failures  # the 30th failure and those after it: locked
    assert LoginAttempt.objects.filter(ip="10.81.0.1", succeeded=False).count() == earlier_failures + checked == 50
    assert LoginAttempt.objects.filter(succeeded__isnull=True).count() == 0
    assert AuditLog.objects.filter(action="auth.login_failed").count() == checked
    refusals = AuditLog.objects.filter(action="auth.locked_out").values_list("detail__locks", flat=True)
    assert list(refusals) == [["address_busy"]] * (60 - checked)
    assert lockout.lockout_reasons(username="someone", ip="10.81.0.1") == ["address"]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_31_parallel_wrong_passwords_for_one_username_from_a_trusted_network_check_exactly_5(held_checks, settings):
    """Trusted: no address bound, but one username still gets exactly 5 checks."""
    settings.NUANXIN_LOCKOUT_TRUSTED_NETWORKS = (ipaddress.ip_network("10.82.0.0/16"),)
    User.objects.create_user("racer", password=RIGHT)
    held_checks.expect(31)
    results = _race([("racer", f"Wrong-pass-{i:02d}") for i in range(31)], "10.82.0.1")
    assert len(held_checks.checks) == 5
    shown = [r[2] for r in results]
    assert shown.count([LOCKED]) >= 26 and shown.count([WRONG]) + shown.count([LOCKED]) == 31
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5
    refusals = AuditLog.objects.filter(action="auth.locked_out").values_list("detail__locks", flat=True)
    assert list(refusals) == [["username"]] * 26
