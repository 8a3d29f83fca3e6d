"""Background tasks of the care work. Each calls services with ``actor=SYSTEM`` and is
idempotent, catching up by itself after downtime (see ``periodic.py``)."""

import logging

from django.db import transaction
from django_tasks import task

from nuanxin.care import reminders, services
from nuanxin.core.policy import SYSTEM

logger = logging.getLogger(__name__)


@task()
def open_duties() -> dict:
    """Open every due week's duties up to this week; mark every past week's undone duty missed."""
    return services.open_duties(actor=SYSTEM)


@task()
def remind_week() -> int:
    """Monday: make sure this week's duties are open, then remind each care contact."""
    services.open_duties(actor=SYSTEM)
    return reminders.send_week_reminders(actor=SYSTEM)


@task()
def remind_unvisited() -> int:
    """Wednesday: tell admins how many families in their scope are not visited yet."""
    return reminders.send_unvisited_reminders(actor=SYSTEM)


@task()
def escalate_difficulties() -> int:
    """Notify owners of overdue difficulties and escalate them up the tree, once per level."""
    return services.escalate_overdue_difficulties(actor=SYSTEM)


@task()
def sync_unassigned() -> dict:
    """Recompute every campaign's unassigned families from the register and the assignments.
    Every write keeps them in step already; a difference found here is logged as a warning
    (a write path that missed the sync) and repaired."""
    with transaction.atomic():
        result = services.sync_unassigned()
    if result["added"] or result["removed"]:
        logger.warning("care.sync_unassigned repaired %(added)d missing and %(removed)d stale rows", result)
    return result
