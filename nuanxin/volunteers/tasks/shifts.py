"""Background tasks and periodic jobs of the shifts area: the no-shows of the shifts that have
ended (every place still "signed up"), idempotent, catching up by itself."""

from django_tasks import task

from nuanxin.core.periodic import Every, Job
from nuanxin.core.policy import SYSTEM
from nuanxin.volunteers.services import shifts


@task()
def mark_no_shows() -> int:
    """Every place still "signed up" on a shift that has ended becomes a no-show."""
    return shifts.mark_due_no_shows(actor=SYSTEM)


JOBS: list[Job] = [
    Job("volunteers.mark_no_shows", mark_no_shows, Every(30)),
]
