"""Background tasks of accounts: clean-ups the scheduler runs (see ``periodic.py``).

Each task calls a service with ``actor=SYSTEM`` (core/policy.py) and is idempotent: it removes
everything past its cut-off, so one run catches up however long the scheduler was down."""

from django_tasks import task

from nuanxin.accounts import lockout, services
from nuanxin.core.policy import SYSTEM


@task()
def delete_expired_tokens() -> int:
    """Remove API tokens that expired or were revoked more than 30 days ago."""
    return services.delete_expired_tokens(actor=SYSTEM)


@task()
def prune_login_attempts() -> int:
    """Remove sign-in attempt counters older than a day (the audit log keeps the record)."""
    return lockout.prune_login_attempts(actor=SYSTEM)
