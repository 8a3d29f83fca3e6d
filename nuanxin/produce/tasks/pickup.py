"""Background tasks and periodic jobs of the pickup area: the parcels nobody came for are
marked when the week is settled (``tasks/weeks.py``'s ``produce.settle_due``)."""

from nuanxin.core.periodic import Job

JOBS: list[Job] = []
