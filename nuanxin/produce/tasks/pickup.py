"""Background tasks and periodic jobs of the pickup area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
