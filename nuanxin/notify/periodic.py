"""Periodic jobs of notify, discovered by ``nuanxin scheduler`` (see ``nuanxin.core.periodic``)."""

from nuanxin.core.periodic import Every, Job
from nuanxin.notify import tasks

JOBS: list[Job] = [
    Job(name="notify.retry_deliveries", task=tasks.retry_deliveries, schedule=Every(minutes=5)),
]
