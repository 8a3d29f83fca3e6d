"""Background tasks and periodic jobs of the shifts area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
