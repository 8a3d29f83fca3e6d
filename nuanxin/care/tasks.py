"""Background tasks of the care work. Each calls services with ``actor=None`` and is
idempotent, catching up by itself after downtime (see ``periodic.py``)."""

from django_tasks import task

from nuanxin.care import reminders, services


@task()
def open_duties() -> dict:
    """Open every due week's duties up to this week; mark every past week's undone duty missed."""
    return services.open_duties(actor=None)


@task()
def remind_week() -> int:
    """Monday: make sure this week's duties are open, then remind each care contact."""
    services.open_duties(actor=None)
    return reminders.send_week_reminders(actor=None)


@task()
def remind_unvisited() -> int:
    """Wednesday: tell admins how many families in their scope are not visited yet."""
    return reminders.send_unvisited_reminders(actor=None)


@task()
def escalate_difficulties() -> int:
    """Notify owners of overdue difficulties and escalate them up the tree, once per level."""
    return services.escalate_overdue_difficulties(actor=None)
