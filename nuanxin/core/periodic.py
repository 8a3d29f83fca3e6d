"""Periodic jobs: the contract every app follows, slot arithmetic, discovery, and core's jobs.

An app with periodic work defines ``nuanxin/<app>/periodic.py`` with a module-level
``JOBS: list[Job]`` and names it in its manifest (``Manifest(jobs="nuanxin.<app>.periodic.JOBS")``,
``core/manifest.py``); ``nuanxin scheduler`` runs the jobs of every installed app's manifest.
The scheduler enqueues each job's task at most once per slot (``PeriodicRun`` is unique on
(job, slot)); after downtime it enqueues only the latest missed slot, so every job must be
idempotent and catch up by itself. Slots are computed in Asia/Shanghai.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django_tasks.base import Task

SCHEDULE_TZ = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")

__all__ = ["JOBS", "SCHEDULE_TZ", "DailyAt", "Every", "Job", "Task", "WeeklyAt", "discover_jobs", "latest_slot"]


@dataclass(frozen=True)
class Every:
    """Every N minutes, slots aligned to multiples of N since (local) midnight."""

    minutes: int

    def __post_init__(self):
        if not 1 <= self.minutes <= 24 * 60:
            raise ValueError("Every.minutes must be between 1 and 1440")

    def __str__(self) -> str:
        return f"every {self.minutes} min"


@dataclass(frozen=True)
class DailyAt:
    """Once a day at hour:minute, Asia/Shanghai."""

    hour: int
    minute: int = 0

    def __post_init__(self):
        _check_time(self.hour, self.minute)

    def __str__(self) -> str:
        return f"daily at {self.hour:02d}:{self.minute:02d}"


@dataclass(frozen=True)
class WeeklyAt:
    """Once a week, weekday 0 = Monday, at hour:minute, Asia/Shanghai."""

    weekday: int
    hour: int
    minute: int = 0

    def __post_init__(self):
        if not 0 <= self.weekday <= 6:
            raise ValueError("WeeklyAt.weekday must be 0 (Monday) to 6 (Sunday)")
        _check_time(self.hour, self.minute)

    def __str__(self) -> str:
        return f"weekly on day {self.weekday} at {self.hour:02d}:{self.minute:02d}"


def _check_time(hour: int, minute: int) -> None:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError("hour must be 0-23 and minute 0-59")


@dataclass(frozen=True)
class Job:
    name: str  # stable, e.g. "accounts.prune_login_attempts"
    task: Task  # a django_tasks @task function taking NO arguments
    schedule: Every | DailyAt | WeeklyAt
    # A slot found more than this late (the scheduler was down, or started for the first
    # time) is recorded as skipped instead of run: for jobs that message people, where a
    # Monday-morning reminder must not go out on a Wednesday night. None: always catch up.
    late_limit: timedelta | None = None

    def __post_init__(self):
        if self.late_limit is not None and self.late_limit <= timedelta(0):
            raise ValueError("Job.late_limit must be positive")


def _at(day: date, hour: int, minute: int, tz) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def latest_slot(schedule: Every | DailyAt | WeeklyAt, now: datetime, tz=SCHEDULE_TZ) -> datetime:
    """The start of the most recent slot of ``schedule`` at or before ``now`` (aware), in UTC.

    Slots are wall-clock times in ``tz`` (always Asia/Shanghai for real jobs; the parameter
    exists so the arithmetic can be checked in zones with daylight saving time).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(tz)
    today = local.date()
    if isinstance(schedule, Every):
        minutes = local.hour * 60 + local.minute
        start = minutes - minutes % schedule.minutes
        slot = _at(today, start // 60, start % 60, tz)
    elif isinstance(schedule, DailyAt):
        slot = _at(today, schedule.hour, schedule.minute, tz)
        if slot > local:
            slot = _at(today - timedelta(days=1), schedule.hour, schedule.minute, tz)
    elif isinstance(schedule, WeeklyAt):
        day = today - timedelta(days=(today.weekday() - schedule.weekday) % 7)
        slot = _at(day, schedule.hour, schedule.minute, tz)
        if slot > local:
            slot = _at(day - timedelta(days=7), schedule.hour, schedule.minute, tz)
    else:
        raise TypeError(f"unknown schedule {schedule!r}")
    return slot.astimezone(UTC)


def discover_jobs(app_configs=None) -> list[Job]:
    """The jobs of every installed app's manifest (or of these apps' manifests), checked:
    names unique and at most 64 characters, tasks real django_tasks tasks."""
    from nuanxin.core import manifest

    if app_configs is None:
        sources = manifest.manifests()
    else:
        sources = [m for config in app_configs if (m := manifest.get(config.label)) is not None]
    jobs: list[Job] = []
    for source in sources:
        for job in source.job_list():
            if not isinstance(job, Job) or not isinstance(job.task, Task):
                raise ImproperlyConfigured(
                    f"the jobs of {source.app}'s manifest must be Job(name, task, schedule) with a @task"
                )
            jobs.append(job)
    names = [job.name for job in jobs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ImproperlyConfigured(f"periodic job names must be unique: {', '.join(duplicates)}")
    too_long = [n for n in names if len(n) > 64]
    if too_long:
        raise ImproperlyConfigured(f"periodic job names are at most 64 characters: {', '.join(too_long)}")
    return jobs


# --- core's own jobs ------------------------------------------------------------------------

from nuanxin.core import idempotency, tasks  # noqa: E402  (they import nothing from here)

JOBS: list[Job] = [
    Job("core.clear_expired_sessions", tasks.clear_expired_sessions, Every(60)),
    Job("core.prune_background_records", tasks.prune_background_records, DailyAt(3, 30)),
    Job("core.prune_idempotency_keys", idempotency.prune_idempotency_keys, Every(60)),
    Job("core.sweep_orphan_files", tasks.sweep_orphan_files, DailyAt(3, 45)),
]
