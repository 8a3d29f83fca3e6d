"""Background tasks and periodic jobs of the dashboards area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
