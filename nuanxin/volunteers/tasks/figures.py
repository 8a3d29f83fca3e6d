"""Background tasks and periodic jobs of the figures area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
