"""Background tasks and periodic jobs of the forms area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
