"""Background tasks of notify: sending one outbox row, and the retry sweep."""

from django_tasks import task

from nuanxin.core.policy import SYSTEM
from nuanxin.notify import services


@task()
def deliver(delivery_id: int) -> str:
    """Send one text message or e-mail of the outbox (retried with backoff on failure)."""
    return services.attempt_delivery(delivery_id=delivery_id, actor=SYSTEM)


@task()
def retry_deliveries() -> int:
    """Queue every outbox row whose next attempt is due."""
    return services.retry_due_deliveries(actor=SYSTEM)
