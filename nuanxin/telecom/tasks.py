"""Background tasks of the fee waiver. Each calls a service with ``actor=SYSTEM`` and is
idempotent, catching up by itself after downtime (see ``periodic.py``)."""

from django_tasks import task

from nuanxin.core.policy import SYSTEM
from nuanxin.telecom.services import lists, reminders


@task()
def sync_lists() -> dict:
    """The waiver lists brought up to date with table 3 (the register's deployments)."""
    result = lists.sync(actor=SYSTEM)
    return {"created": result.created, "replaced": result.replaced, "updated": result.updated,
            "ended": result.ended}


@task()
def remind_overdue() -> int:
    """Remind the units' administrators of numbers sent and not confirmed in time."""
    return reminders.remind_overdue(actor=SYSTEM)
