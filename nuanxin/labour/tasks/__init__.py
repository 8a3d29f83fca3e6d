"""The labour-protection green channel's background tasks and periodic jobs, one module per area."""

from nuanxin.core.periodic import Job
from nuanxin.labour.tasks import arrangements, employment, figures, legal

JOBS: list[Job] = [
    job
    for area in (
        arrangements,
        legal,
        employment,
        figures,
    )
    for job in area.JOBS
]
