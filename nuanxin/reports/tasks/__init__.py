"""Reports up the tree: background tasks and periodic jobs, one module per area."""

from nuanxin.core.periodic import Job
from nuanxin.reports.tasks import approval, dashboards, filling, forms, rates

JOBS: list[Job] = [
    job
    for area in (
        forms,
        filling,
        approval,
        rates,
        dashboards,
    )
    for job in area.JOBS
]
