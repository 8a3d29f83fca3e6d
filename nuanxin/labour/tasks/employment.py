"""Background tasks and periodic jobs of the employment area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
