"""Periodic jobs of the hotline: crisis cases and callbacks.

Every five minutes the callbacks past the time they are next due and the crisis cases without
a first contact past its due time, each by more than ``NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES``
(30), are escalated to their hotline's supervisors (in the app and by text message). Each item
is escalated once per due time (``escalated_at`` is compared with it, and the notifications'
keys name it), so a run after downtime or a second run sends nothing twice, and a callback
retried later is escalated again if its new time passes too."""

from nuanxin.core.periodic import Every, Job
from nuanxin.hotline import jobs_cases

JOBS: list[Job] = [
    Job(name="hotline.escalate_overdue", task=jobs_cases.escalate_overdue, schedule=Every(minutes=5)),
]
