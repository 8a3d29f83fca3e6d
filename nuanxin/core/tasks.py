"""Core's background tasks. Each calls a service with ``actor=SYSTEM`` and is idempotent."""

from django_tasks import task

from nuanxin.core import services
from nuanxin.core.policy import SYSTEM


@task()
def clear_expired_sessions() -> int:
    """Delete every expired session (Django's ``SessionStore.clear_expired``)."""
    return services.clear_expired_sessions(actor=SYSTEM)


@task()
def prune_background_records() -> dict:
    """Forget finished task results and periodic-run bookkeeping older than their retention."""
    return services.prune_background_records(actor=SYSTEM)


@task()
def sweep_orphan_files() -> int:
    """Delete private files that no attachment row names, a day after a rolled-back store."""
    from nuanxin.core import attachments

    return attachments.sweep_orphans()
