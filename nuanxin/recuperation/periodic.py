"""Recuperation's periodic jobs, discovered by ``nuanxin scheduler``.

Every five minutes the offers past their time expire and pass to the next candidate waiting,
and the batches whose nominations have closed get their free places offered by rank
(``tasks.expire_offers``): an offer is held 48 hours by default, so a place waits at most five
minutes more than its time before it moves on, without anyone touching it."""

from nuanxin.core.periodic import Every, Job
from nuanxin.recuperation import tasks

JOBS: list[Job] = [
    Job(name="recuperation.expire_offers", task=tasks.expire_offers, schedule=Every(minutes=5)),
]
