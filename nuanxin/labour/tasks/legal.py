"""Background tasks and periodic jobs of the legal area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
