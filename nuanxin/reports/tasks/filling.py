"""Background tasks and periodic jobs of the filling area."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
