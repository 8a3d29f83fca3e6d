"""Background tasks and periodic jobs of the rates area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
