"""Periodic jobs of the hotline: rota.

Every hour the shifts starting within ``NUANXIN_HOTLINE_GAP_NOTICE_DAYS`` (3) days with fewer
people than their minimum seats are notified to the hotline's coordinators (none: the
administrators of its organisation). The notification's key names the shift and the number of
people on it, so a run after downtime or a second run sends nothing twice, and a shift that
loses one more person is told again."""

from nuanxin.core.periodic import Every, Job
from nuanxin.hotline import jobs_rota

JOBS: list[Job] = [
    Job(name="hotline.rota_gaps", task=jobs_rota.notify_gaps, schedule=Every(minutes=60)),
]
