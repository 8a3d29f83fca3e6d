"""Background tasks and periodic jobs of the rates area: the reminders of the reports
(``reports.services.reminders``), every hour (Asia/Shanghai): before a deadline to the fillers
of the reports not submitted, after it to the missing and their parents' administrators. Each
is idempotent (a notification per recipient, report and occasion) and audited when it sends."""

from datetime import timedelta

from django_tasks import task

from nuanxin.core.periodic import Every, Job
from nuanxin.core.policy import SYSTEM


@task()
def remind_reports_due() -> int:
    """Remind the fillers of the reports due within a day that are not submitted."""
    from nuanxin.reports.services import reminders

    return reminders.remind_due(actor=SYSTEM)


@task()
def remind_reports_missing() -> int:
    """Remind the missing reports' fillers and their parents' administrators after the deadline."""
    from nuanxin.reports.services import reminders

    return reminders.remind_missing(actor=SYSTEM)


JOBS: list[Job] = [
    Job(name="reports.remind_due", task=remind_reports_due, schedule=Every(minutes=60), late_limit=timedelta(hours=2)),
    Job(
        name="reports.remind_missing",
        task=remind_reports_missing,
        schedule=Every(minutes=60),
        late_limit=timedelta(hours=2),
    ),
]
