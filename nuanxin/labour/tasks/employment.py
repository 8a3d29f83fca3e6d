"""Background tasks and periodic jobs of the employment area: the daily escalation of overdue
employment cases (Asia/Shanghai), idempotent (each level once)."""

from django_tasks import task

from nuanxin.core.periodic import DailyAt, Job
from nuanxin.core.policy import SYSTEM


@task()
def escalate_overdue() -> int:
    """Escalate the overdue employment cases up the tree and tell who follows them."""
    from nuanxin.labour.services import employment

    return employment.escalate_overdue_employment(actor=SYSTEM)


JOBS: list[Job] = [
    Job(name="labour.employment.escalate_overdue", task=escalate_overdue, schedule=DailyAt(hour=8, minute=40)),
]
