"""Background tasks of the crisis cases and callbacks (django-tasks). Each calls the services as
``SYSTEM`` and is idempotent (see ``periodic/cases.py``)."""

from django_tasks import task

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.services import escalation


@task()
def escalate_overdue() -> dict[str, int]:
    """Escalate the overdue callbacks and the crisis cases whose first contact is overdue to
    their hotline's supervisors: once per item and due time."""
    return escalation.escalate_overdue(actor=SYSTEM)
