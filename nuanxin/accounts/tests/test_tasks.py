"""The periodic clean-ups: API tokens long expired or revoked, old sign-in counters."""

from datetime import timedelta

from django.utils import timezone

from nuanxin.accounts import services, tasks
from nuanxin.accounts.models import ApiToken, LoginAttempt
from nuanxin.accounts.tests.helpers import T0
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM


def test_delete_expired_tokens(personas, at_t0):
    old, _ = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=7)
    revoked, _ = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=365)
    services.revoke_api_token(actor=SYSTEM, token=revoked)
    recent, _ = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30)
    fresh, _ = services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=365)
    at_t0.shift(timedelta(days=38))  # old expired 31 days ago, revoked 38 days ago, recent 8 days ago
    result = tasks.delete_expired_tokens.enqueue()
    assert result.return_value == 2
    assert sorted(ApiToken.objects.values_list("pk", flat=True)) == sorted([recent.pk, fresh.pk])
    row = AuditLog.objects.get(action="token.delete_expired")
    assert (row.actor_id, row.detail["count"], row.detail["prefixes"]) == (
        None, 2, sorted([old.prefix, revoked.prefix])
    )
    # Idempotent: nothing more to do, no further audit row.
    assert tasks.delete_expired_tokens.enqueue().return_value == 0
    assert AuditLog.objects.filter(action="token.delete_expired").count() == 1


def test_prune_login_attempts(db, at_t0):
    for hours in (30, 25, 23, 1):
        LoginAttempt.objects.create(username="yi", ip="10.0.0.1", at=T0 - timedelta(hours=hours))
    assert tasks.prune_login_attempts.enqueue().return_value == 2
    assert sorted(LoginAttempt.objects.values_list("at", flat=True)) == [
        T0 - timedelta(hours=23), T0 - timedelta(hours=1)
    ]
    assert tasks.prune_login_attempts.enqueue().return_value == 0
    assert timezone.now() == T0


def test_periodic_jobs_are_declared_and_discovered():
    from nuanxin.core import periodic

    by_name = {job.name: job for job in periodic.discover_jobs() if job.name.startswith("accounts.")}
    assert sorted(by_name) == ["accounts.delete_expired_tokens", "accounts.prune_login_attempts"]
    assert by_name["accounts.delete_expired_tokens"].task is tasks.delete_expired_tokens
    assert by_name["accounts.delete_expired_tokens"].schedule == periodic.DailyAt(hour=3, minute=20)
    assert by_name["accounts.prune_login_attempts"].task is tasks.prune_login_attempts
    assert by_name["accounts.prune_login_attempts"].schedule == periodic.Every(minutes=60)
