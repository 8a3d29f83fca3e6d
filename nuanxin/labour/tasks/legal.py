"""Background tasks and periodic jobs of the legal area (Asia/Shanghai): the arbitration time
limits warned of every morning, and the overdue cases escalated up the tree (the case
framework's escalation). Each calls a service with ``actor=SYSTEM`` and is idempotent: a
threshold, a level is acted on once, and a day missed is caught up the next run."""

from django_tasks import task

from nuanxin.core.periodic import DailyAt, Job
from nuanxin.core.policy import SYSTEM
from nuanxin.labour.services import legal


@task()
def warn_time_limits() -> int:
    """Warn the owners and the labour-rights officers of arbitration time limits 60, 30 and 7
    days ahead, and once passed."""
    return legal.warn_time_limits(actor=SYSTEM)


@task()
def escalate_overdue() -> int:
    """Escalate the overdue legal-aid cases up the tree."""
    return legal.escalate_overdue_legal_cases(actor=SYSTEM)


JOBS: list[Job] = [
    Job(name="labour.legal_time_limits", task=warn_time_limits, schedule=DailyAt(hour=8, minute=20)),
    Job(name="labour.legal_escalate", task=escalate_overdue, schedule=DailyAt(hour=8, minute=40)),
]
