"""Background tasks and periodic jobs of the weeks area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
