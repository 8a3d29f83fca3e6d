"""Background tasks and periodic jobs of the arrangements area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
