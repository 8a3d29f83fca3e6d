"""Background tasks and periodic jobs of the orders area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
