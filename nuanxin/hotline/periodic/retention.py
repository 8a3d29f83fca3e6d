"""Periodic jobs of the hotline: retention. Every night the records older than
``NUANXIN_HOTLINE_RETENTION_DAYS`` lose their identifying fields (``services/retention.py``)."""

from nuanxin.core.periodic import DailyAt, Job
from nuanxin.hotline import jobs_retention

JOBS: list[Job] = [
    Job(name="hotline.retention", task=jobs_retention.anonymise_old_records, schedule=DailyAt(hour=3, minute=20)),
]
