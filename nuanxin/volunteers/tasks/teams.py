"""Background tasks and periodic jobs of the teams area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
