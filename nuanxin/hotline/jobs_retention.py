"""The retention job's task (``periodic/retention.py`` schedules it): as the system, idempotent,
catching up by itself (a missed night is done the next)."""

from __future__ import annotations

from django_tasks import task

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.services import retention


@task()
def anonymise_old_records() -> dict[str, int]:
    """Clear the identifying fields of the hotline's records older than the retention period."""
    return retention.anonymise_old_records(actor=SYSTEM)
