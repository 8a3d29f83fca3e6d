"""The fee waiver's periodic jobs: the lists kept up with table 3 every 15 minutes, and the
daily reminder of numbers the carriers have not confirmed in time (Asia/Shanghai)."""

from nuanxin.core.periodic import DailyAt, Every, Job
from nuanxin.telecom import tasks

JOBS: list[Job] = [
    Job(name="telecom.sync_lists", task=tasks.sync_lists, schedule=Every(minutes=15)),
    Job(name="telecom.remind_overdue", task=tasks.remind_overdue, schedule=DailyAt(hour=9, minute=15)),
]
