"""Background tasks of recuperation. Each calls the services with ``actor=SYSTEM`` and is
idempotent, catching up by itself after downtime (see ``periodic.py``)."""

from django_tasks import task

from nuanxin.core.policy import SYSTEM
from nuanxin.recuperation.services import candidates


@task()
def expire_offers() -> dict:
    """Every open offer past its time expires and its place passes to the next candidate
    waiting; then every batch whose nominations have closed gets its free places offered by
    rank. Safe when run twice at once (each batch is handled under its row lock)."""
    expired = candidates.expire_due(actor=SYSTEM)
    offered = candidates.fill_due(actor=SYSTEM)
    return {"expired": expired, "offered": offered}
