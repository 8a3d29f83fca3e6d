"""Volunteer teams: background tasks and periodic jobs, one module per area."""

from nuanxin.core.periodic import Job
from nuanxin.volunteers.tasks import figures, shifts, teams

JOBS: list[Job] = [
    job
    for area in (
        teams,
        shifts,
        figures,
    )
    for job in area.JOBS
]
