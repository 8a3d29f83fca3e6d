"""Periodic jobs of the care work, discovered by ``nuanxin scheduler``.

The duty turn runs every night (the Monday run opens the new week; the others catch up
after downtime and are no-ops otherwise); every hour the unassigned families are checked
against the register (a repair is logged as a warning). The two weekly reminders are sent
only within four hours of their slot: a scheduler that was down (or starts for the first
time) later than that skips them until the next week. All times are Asia/Shanghai.
"""

from datetime import timedelta

from nuanxin.care import tasks
from nuanxin.core.periodic import DailyAt, Every, Job, WeeklyAt

REMINDER_LATE_LIMIT = timedelta(hours=4)

JOBS: list[Job] = [
    Job(name="care.open_duties", task=tasks.open_duties, schedule=DailyAt(hour=0, minute=10)),
    # Reminders go out on their morning or not at all (no message at night after downtime).
    Job(
        name="care.remind_week", task=tasks.remind_week, schedule=WeeklyAt(weekday=0, hour=8),
        late_limit=REMINDER_LATE_LIMIT,
    ),
    Job(
        name="care.remind_unvisited", task=tasks.remind_unvisited, schedule=WeeklyAt(weekday=2, hour=9),
        late_limit=REMINDER_LATE_LIMIT,
    ),
    Job(name="care.sync_unassigned", task=tasks.sync_unassigned, schedule=Every(minutes=60)),
    Job(name="care.escalate_difficulties", task=tasks.escalate_difficulties, schedule=DailyAt(hour=9, minute=30)),
]
