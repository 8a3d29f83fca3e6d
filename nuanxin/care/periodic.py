"""Periodic jobs of the care work, discovered by ``nuanxin scheduler``.

The duty turn runs every night (the Monday run opens the new week; the others catch up
after downtime and are no-ops otherwise); every hour the unassigned families are checked
against the register (a repair is logged as a warning). All times are Asia/Shanghai.
"""

from nuanxin.care import tasks
from nuanxin.core.periodic import DailyAt, Every, Job, WeeklyAt

JOBS: list[Job] = [
    Job(name="care.open_duties", task=tasks.open_duties, schedule=DailyAt(hour=0, minute=10)),
    Job(name="care.remind_week", task=tasks.remind_week, schedule=WeeklyAt(weekday=0, hour=8)),
    Job(name="care.remind_unvisited", task=tasks.remind_unvisited, schedule=WeeklyAt(weekday=2, hour=9)),
    Job(name="care.sync_unassigned", task=tasks.sync_unassigned, schedule=Every(minutes=60)),
    Job(name="care.escalate_difficulties", task=tasks.escalate_difficulties, schedule=DailyAt(hour=9, minute=30)),
]
