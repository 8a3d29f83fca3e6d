"""The family produce supply's background tasks and periodic jobs, one module per area."""

from nuanxin.core.periodic import Job
from nuanxin.produce.tasks import catalogue, figures, orders, pickup, weeks

JOBS: list[Job] = [
    job
    for area in (
        catalogue,
        orders,
        pickup,
        weeks,
        figures,
    )
    for job in area.JOBS
]
