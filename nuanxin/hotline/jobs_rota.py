"""Background tasks of the duty rota (django-tasks). Each calls the services as ``SYSTEM`` and
is idempotent (see ``periodic/rota.py``)."""

from django_tasks import task

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.services import rota


@task()
def notify_gaps() -> int:
    """Tell the coordinators about the shifts of the next days short of their minimum seats:
    once per shift and number of people on it."""
    return rota.notify_gaps(actor=SYSTEM)
