"""Background tasks and periodic jobs of the catalogue area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
