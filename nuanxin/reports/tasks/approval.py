"""Background tasks and periodic jobs of the approval area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
