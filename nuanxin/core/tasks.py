"""Core's background tasks. Each calls a service with ``actor=None`` and is idempotent."""

from django_tasks import task

from nuanxin.core import services


@task()
def clear_expired_sessions() -> int:
    """Delete every expired session (Django's ``SessionStore.clear_expired``)."""
    return services.clear_expired_sessions(actor=None)


@task()
def prune_background_records() -> dict:
    """Forget finished task results and periodic-run bookkeeping older than their retention."""
    return services.prune_background_records(actor=None)


@task()
def sweep_orphan_files() -> int:
    """Delete private files that no attachment row names, a day after a rolled-back store."""
    from nuanxin.core import attachments

    return attachments.sweep_orphans()
