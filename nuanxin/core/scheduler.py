"""The scheduler behind ``nuanxin scheduler``: one process holds a lease and enqueues the
periodic jobs' tasks, each at most once per slot.

- **Lease**: the ``SchedulerLease`` row names the holder and an expiry. The holder renews it
  on every tick; any other scheduler sees it held and waits, and takes over once it has
  expired (the holder died or hung). Taking and renewing is one conditional UPDATE, so two
  schedulers can never both believe they hold it.
- **Idempotency**: a ``PeriodicRun(job, slot)`` row is inserted in the same transaction as
  the enqueue; the unique constraint makes a second insert for the same slot fail, whoever
  tries it. Only each job's latest slot is ever considered, so after downtime a job runs once,
  not once per missed slot.
- **Late limit**: a job with ``late_limit`` (those that message people) does not run a slot
  found later than that; the slot is recorded as skipped and logged, and the next slot runs.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from nuanxin.core.models import PeriodicRun, SchedulerLease
from nuanxin.core.periodic import Job, discover_jobs, latest_slot

logger = logging.getLogger("nuanxin.scheduler")

LEASE_NAME = "scheduler"


def default_holder() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


class Scheduler:
    def __init__(self, jobs: list[Job] | None = None, *, holder: str | None = None, lease_seconds: int | None = None):
        self.jobs = discover_jobs() if jobs is None else jobs
        self.holder = holder or default_holder()
        self.lease_seconds = lease_seconds or settings.NUANXIN_SCHEDULER_LEASE_SECONDS

    # --- the lease ------------------------------------------------------------------------

    def acquire_lease(self, now: datetime | None = None) -> bool:
        """Take or renew the lease; False while another live scheduler holds it."""
        now = now or timezone.now()
        expires = now + timedelta(seconds=self.lease_seconds)
        taken = (
            SchedulerLease.objects.filter(name=LEASE_NAME)
            .filter(Q(holder=self.holder) | Q(expires_at__lte=now))
            .update(holder=self.holder, expires_at=expires)
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                SchedulerLease.objects.create(name=LEASE_NAME, holder=self.holder, expires_at=expires)
        except IntegrityError:
            return False
        return True

    def release_lease(self) -> None:
        """Let another scheduler take over at once (on a clean shutdown)."""
        SchedulerLease.objects.filter(name=LEASE_NAME, holder=self.holder).update(expires_at=timezone.now())

    @staticmethod
    def current_lease() -> SchedulerLease | None:
        return SchedulerLease.objects.filter(name=LEASE_NAME).first()

    # --- enqueueing -----------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> list[PeriodicRun]:
        """Enqueue every job whose latest slot has no run yet. Call while holding the lease."""
        now = now or timezone.now()
        runs = []
        for job in self.jobs:
            slot = latest_slot(job.schedule, now)
            if PeriodicRun.objects.filter(job=job.name, slot=slot).exists():
                continue
            late = now - slot
            if job.late_limit is not None and late > job.late_limit:
                self._skip(job, slot, late)
                continue
            try:
                with transaction.atomic():
                    run = PeriodicRun.objects.create(job=job.name, slot=slot)
                    result = job.task.enqueue()
                    run.task_result_id = str(result.id)[:64]
                    run.save(update_fields=["task_result_id"])
            except IntegrityError:
                continue  # another scheduler enqueued this slot first
            except Exception:
                # Nothing was recorded, so the next tick tries again; the other jobs go on.
                logger.exception("Could not enqueue %s for slot %s", job.name, _local(slot))
                continue
            logger.info("Enqueued %s for slot %s (task result %s)", job.name, _local(slot), run.task_result_id)
            runs.append(run)
        return runs

    @staticmethod
    def _skip(job: Job, slot: datetime, late: timedelta) -> None:
        """Record ``slot`` as skipped (so it is not considered again) without enqueueing."""
        try:
            with transaction.atomic():
                PeriodicRun.objects.create(job=job.name, slot=slot, skipped=True)
        except IntegrityError:
            return  # another scheduler decided this slot first
        logger.warning(
            "Skipped %s for slot %s: found %s late, over its limit of %s",
            job.name, _local(slot), duration_text(late), duration_text(job.late_limit or late),
        )

    def run_once(self) -> list[PeriodicRun] | None:
        """One tick under the lease, then give the lease back; None if another holds it."""
        if not self.acquire_lease():
            self._log_waiting()
            return None
        try:
            return self.tick()
        finally:
            self.release_lease()

    def run_forever(self, should_stop: Callable[[], bool], interval: float = 15.0) -> None:
        """Tick every ``interval`` seconds until ``should_stop()``; wait while another holds
        the lease. Database errors are logged and retried on the next tick."""
        if interval >= self.lease_seconds:
            raise ValueError("the tick interval must be shorter than the lease")
        logger.info(
            "Scheduler %s started with %d jobs: %s",
            self.holder, len(self.jobs), ", ".join(f"{j.name} ({j.schedule})" for j in self.jobs) or "none",
        )
        holding: bool | None = None
        try:
            while not should_stop():
                if not connection.in_atomic_block:  # (tests run inside one)
                    close_old_connections()  # drop a connection the database closed meanwhile
                try:
                    acquired = self.acquire_lease()
                    if acquired:
                        if holding is not True:
                            logger.info("Scheduler %s holds the lease", self.holder)
                        holding = True
                        self.tick()
                    else:
                        if holding is not False:
                            self._log_waiting()
                        holding = False
                except DatabaseError:
                    logger.exception("Database error in the scheduler; retrying")
                _sleep(interval, should_stop)
        finally:
            if holding:
                try:
                    self.release_lease()
                except DatabaseError:
                    logger.exception("Could not release the scheduler lease")
            logger.info("Scheduler %s stopped", self.holder)

    def _log_waiting(self) -> None:
        lease = self.current_lease()
        if lease is not None:
            logger.warning(
                "Another scheduler (%s) holds the lease until %s; waiting to take over",
                lease.holder, _local(lease.expires_at),
            )


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes")


def duration_text(delta: timedelta) -> str:
    """4h00m."""
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m"


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while not should_stop():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.5))
