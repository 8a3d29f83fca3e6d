"""Periodic jobs: slot arithmetic, discovery, the scheduler's idempotency, catch-up and lease."""

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone, translation

from nuanxin.core.models import AuditLog, PeriodicRun, SchedulerLease
from nuanxin.core.periodic import DailyAt, Every, Job, WeeklyAt, discover_jobs, latest_slot
from nuanxin.core.scheduler import Scheduler
from nuanxin.core.tests.periodic_app import tasks as test_tasks

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


# --- slots ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "now", "slot"),
    [
        (Every(60), sh(2020, 2, 10, 9, 59, 59), sh(2020, 2, 10, 9, 0)),
        (Every(60), sh(2020, 2, 10, 9, 0), sh(2020, 2, 10, 9, 0)),
        (Every(15), sh(2020, 2, 10, 9, 44), sh(2020, 2, 10, 9, 30)),
        (Every(1), sh(2020, 2, 10, 9, 44, 30), sh(2020, 2, 10, 9, 44)),
        # Aligned to multiples of N since midnight: 7 does not divide a day, so slots restart at 00:00.
        (Every(7), sh(2020, 2, 10, 23, 59), sh(2020, 2, 10, 23, 55)),
        (Every(7), sh(2020, 2, 11, 0, 6), sh(2020, 2, 11, 0, 0)),
        (Every(1440), sh(2020, 2, 10, 23, 59), sh(2020, 2, 10, 0, 0)),
        (DailyAt(3, 30), sh(2020, 2, 10, 3, 29), sh(2020, 2, 9, 3, 30)),
        (DailyAt(3, 30), sh(2020, 2, 10, 3, 30), sh(2020, 2, 10, 3, 30)),
        (DailyAt(0), sh(2020, 3, 1, 0, 0), sh(2020, 3, 1, 0, 0)),
        (DailyAt(23, 59), sh(2020, 3, 1, 0, 0), sh(2020, 2, 29, 23, 59)),  # leap day
        # 2020-02-10 is a Monday.
        (WeeklyAt(0, 9), sh(2020, 2, 10, 8, 59), sh(2020, 2, 3, 9, 0)),
        (WeeklyAt(0, 9), sh(2020, 2, 10, 9, 0), sh(2020, 2, 10, 9, 0)),
        (WeeklyAt(0, 9), sh(2020, 2, 16, 23, 0), sh(2020, 2, 10, 9, 0)),
        (WeeklyAt(6, 20, 15), sh(2020, 2, 10, 9, 0), sh(2020, 2, 9, 20, 15)),
        (WeeklyAt(2, 0), sh(2020, 1, 1, 0, 0), sh(2020, 1, 1, 0, 0)),  # a Wednesday, new year
        (WeeklyAt(3, 0), sh(2020, 1, 1, 0, 0), sh(2019, 12, 26, 0, 0)),
    ],
)
def test_latest_slot_in_shanghai(schedule, now, slot):
    result = latest_slot(schedule, now)
    assert result == slot
    assert result.tzinfo == UTC


def test_slots_are_shanghai_wall_clock_whatever_zone_now_is_given_in():
    # 17:30 UTC on the 10th is 01:30 on the 11th in Shanghai.
    instant = datetime(2020, 2, 10, 17, 30, tzinfo=UTC)
    for now in (instant, instant.astimezone(ZoneInfo("America/New_York")), instant.astimezone(SH)):
        assert latest_slot(DailyAt(1), now) == datetime(2020, 2, 10, 17, 0, tzinfo=UTC)
        assert latest_slot(DailyAt(2), now) == datetime(2020, 2, 9, 18, 0, tzinfo=UTC)
        assert latest_slot(WeeklyAt(1, 0), now) == datetime(2020, 2, 10, 16, 0, tzinfo=UTC)  # Tue 00:00 SH
        assert latest_slot(Every(60), now) == datetime(2020, 2, 10, 17, 0, tzinfo=UTC)


def test_shanghai_has_no_daylight_saving_time():
    for month in (1, 4, 7, 10, 12):
        assert latest_slot(DailyAt(9), sh(2020, month, 15, 12, 0)) == datetime(2020, month, 15, 1, 0, tzinfo=UTC)


def test_slots_follow_the_wall_clock_in_a_zone_with_daylight_saving_time():
    winter = datetime(2020, 1, 15, 12, 0, tzinfo=BERLIN)
    summer = datetime(2020, 7, 15, 12, 0, tzinfo=BERLIN)
    assert latest_slot(DailyAt(9), winter, tz=BERLIN) == datetime(2020, 1, 15, 8, 0, tzinfo=UTC)
    assert latest_slot(DailyAt(9), summer, tz=BERLIN) == datetime(2020, 7, 15, 7, 0, tzinfo=UTC)
    # The day clocks go forward (02:00 -> 03:00): 04:10 local is 02:10 UTC.
    assert latest_slot(Every(60), datetime(2020, 3, 29, 4, 10, tzinfo=BERLIN), tz=BERLIN) == datetime(
        2020, 3, 29, 2, 0, tzinfo=UTC
    )


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="aware"):
        latest_slot(Every(5), datetime(2020, 2, 10, 9, 0))


@pytest.mark.parametrize(
    "make",
    [lambda: Every(0), lambda: Every(1441), lambda: DailyAt(24), lambda: DailyAt(1, 60), lambda: WeeklyAt(7, 0)],
)
def test_bad_schedules_are_refused(make):
    with pytest.raises(ValueError):
        make()


# --- discovery ------------------------------------------------------------------------------


def test_discovery_finds_core_jobs_among_the_installed_apps():
    jobs = {job.name: job for job in discover_jobs()}
    assert jobs["core.clear_expired_sessions"].schedule == Every(60)
    assert jobs["core.prune_background_records"].schedule == DailyAt(3, 30)
    from django.apps import apps

    labels = {c.label for c in apps.get_app_configs() if c.name.startswith("nuanxin.")}
    assert {name.split(".")[0] for name in jobs} <= labels  # names start with their app's label


def test_discovery_finds_a_new_apps_periodic_module():
    from django.conf import settings

    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "nuanxin.core.tests.periodic_app"]):
        jobs = {job.name: job for job in discover_jobs()}
    assert jobs["testapp.every_quarter"] == Job("testapp.every_quarter", test_tasks.note_call, Every(15))
    assert jobs["testapp.daily"].schedule == DailyAt(9)
    assert "testapp.daily" not in {job.name for job in discover_jobs()}


def test_discovery_refuses_duplicate_names():
    from django.apps import apps

    core = apps.get_app_config("core")
    with pytest.raises(ImproperlyConfigured, match=r"core\.clear_expired_sessions"):
        discover_jobs([core, core])


# --- the scheduler --------------------------------------------------------------------------

JOBS = [
    Job("testapp.every_quarter", test_tasks.note_call, Every(15)),
    Job("testapp.daily", test_tasks.note_other_call, DailyAt(9)),
]


@pytest.fixture
def calls():
    test_tasks.CALLS.clear()
    yield test_tasks.CALLS
    test_tasks.CALLS.clear()


def runs() -> list[tuple[str, datetime]]:
    return [(r.job, timezone.localtime(r.slot, SH).replace(tzinfo=None))
            for r in PeriodicRun.objects.order_by("slot", "job")]


@pytest.mark.django_db
def test_a_tick_enqueues_each_due_job_once(calls):
    scheduler = Scheduler(JOBS)
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        first = scheduler.tick()
        second = scheduler.tick()
    assert [r.job for r in first] == ["testapp.every_quarter", "testapp.daily"]
    assert second == []
    assert calls == ["note_call", "note_other_call"]
    assert runs() == [
        ("testapp.daily", datetime(2020, 2, 10, 9, 0)),
        ("testapp.every_quarter", datetime(2020, 2, 10, 9, 15)),
    ]
    assert all(r.task_result_id for r in PeriodicRun.objects.all())


@pytest.mark.django_db
def test_two_schedulers_on_the_same_slot_make_one_run(calls):
    a, b = Scheduler(JOBS, holder="a"), Scheduler(JOBS, holder="b")
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        a.tick()
        assert b.tick() == []
    assert len(calls) == 2
    assert PeriodicRun.objects.count() == 2


@pytest.mark.django_db
def test_the_unique_slot_refuses_a_second_run():
    slot = sh(2020, 2, 10, 9, 0)
    PeriodicRun.objects.create(job="testapp.daily", slot=slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        PeriodicRun.objects.create(job="testapp.daily", slot=slot)


@pytest.mark.django_db
def test_the_next_slot_runs_again(calls):
    scheduler = Scheduler(JOBS)
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        scheduler.tick()
    with time_machine.travel(sh(2020, 2, 10, 9, 30), tick=False):
        scheduler.tick()
    assert calls == ["note_call", "note_other_call", "note_call"]


@pytest.mark.django_db
def test_after_downtime_only_the_latest_missed_slot_runs(calls):
    scheduler = Scheduler(JOBS)
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        scheduler.tick()
    # Down for three days and a bit: 300 quarter-hour slots and three 09:00 slots missed.
    with time_machine.travel(sh(2020, 2, 13, 11, 50), tick=False):
        caught_up = scheduler.tick()
    assert [(r.job, timezone.localtime(r.slot, SH).strftime("%m-%d %H:%M")) for r in caught_up] == [
        ("testapp.every_quarter", "02-13 11:45"),
        ("testapp.daily", "02-13 09:00"),
    ]
    assert calls == ["note_call", "note_other_call", "note_call", "note_other_call"]
    assert PeriodicRun.objects.count() == 4


LIMITED = [
    Job("testapp.every_quarter", test_tasks.note_call, Every(15)),
    Job("testapp.monday_reminder", test_tasks.note_other_call, WeeklyAt(0, 8), late_limit=timedelta(hours=4)),
]


@pytest.mark.django_db
def test_a_slot_found_later_than_the_late_limit_is_skipped_not_run(calls, caplog):
    scheduler = Scheduler(LIMITED)
    # First start on Wednesday night (2020-02-12): Monday 08:00 is 61 h 30 min late.
    with time_machine.travel(sh(2020, 2, 12, 21, 30), tick=False):
        ran = scheduler.tick()
        assert scheduler.tick() == []  # decided once
    assert [r.job for r in ran] == ["testapp.every_quarter"]
    assert calls == ["note_call"]
    assert runs() == [
        ("testapp.monday_reminder", datetime(2020, 2, 10, 8, 0)),
        ("testapp.every_quarter", datetime(2020, 2, 12, 21, 30)),
    ]
    assert list(PeriodicRun.objects.order_by("slot").values_list("skipped", flat=True)) == [True, False]
    assert PeriodicRun.objects.get(job="testapp.monday_reminder").task_result_id == ""
    assert [r.getMessage() for r in caplog.records if r.name == "nuanxin.scheduler" and r.levelname == "WARNING"] == [
        "Skipped testapp.monday_reminder for slot 2020-02-10T08:00+08:00: found 61h30m late, over its limit of 4h00m"
    ]
    # The next Monday's slot runs on time.
    with time_machine.travel(sh(2020, 2, 17, 8, 0, 20), tick=False):
        assert [r.job for r in scheduler.tick()] == ["testapp.every_quarter", "testapp.monday_reminder"]
    assert calls == ["note_call", "note_call", "note_other_call"]


@pytest.mark.django_db
def test_a_slot_within_the_late_limit_still_runs(calls):
    # Down over Monday morning, back at 11:59: 3 h 59 min late, within the 4 h limit.
    with time_machine.travel(sh(2020, 2, 10, 11, 59), tick=False):
        ran = Scheduler(LIMITED).tick()
    assert [(r.job, r.skipped) for r in ran] == [("testapp.every_quarter", False), ("testapp.monday_reminder", False)]
    assert calls == ["note_call", "note_other_call"]


def test_a_late_limit_must_be_positive():
    with pytest.raises(ValueError, match="late_limit"):
        Job("testapp.bad", test_tasks.note_call, Every(15), late_limit=timedelta(0))


@pytest.mark.django_db
def test_a_failing_enqueue_records_nothing_and_is_retried(calls, monkeypatch, caplog):
    scheduler = Scheduler(JOBS)

    def broken(*args, **kwargs):
        raise RuntimeError("queue down")

    monkeypatch.setattr(type(test_tasks.note_call), "enqueue", broken)
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        assert scheduler.tick() == []
        assert PeriodicRun.objects.count() == 0
        assert [r.getMessage() for r in caplog.records if r.name == "nuanxin.scheduler"] == [
            "Could not enqueue testapp.every_quarter for slot 2020-02-10T09:15+08:00",
            "Could not enqueue testapp.daily for slot 2020-02-10T09:00+08:00",
        ]
        monkeypatch.undo()
        assert len(scheduler.tick()) == 2
    assert calls == ["note_call", "note_other_call"]


@pytest.mark.django_db
def test_one_scheduler_holds_the_lease_until_it_lapses():
    a, b = Scheduler([], holder="a", lease_seconds=60), Scheduler([], holder="b", lease_seconds=60)
    start = sh(2020, 2, 10, 9, 0)
    with time_machine.travel(start, tick=False):
        assert a.acquire_lease() is True
        assert b.acquire_lease() is False
        assert a.acquire_lease() is True  # renewal
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert b.acquire_lease() is False  # renewed at `start`, so still held
        assert a.acquire_lease() is True
    with time_machine.travel(start + timedelta(seconds=59 + 61), tick=False):
        assert b.acquire_lease() is True  # a stopped renewing: b takes over
        assert a.acquire_lease() is False
    lease = SchedulerLease.objects.get()
    assert (lease.holder, lease.expires_at) == ("b", start + timedelta(seconds=59 + 61 + 60))


@pytest.mark.django_db
def test_releasing_the_lease_lets_another_take_over_at_once():
    a, b = Scheduler([], holder="a"), Scheduler([], holder="b")
    assert a.acquire_lease() is True
    assert b.acquire_lease() is False
    b.release_lease()  # not the holder: changes nothing
    assert b.acquire_lease() is False
    a.release_lease()
    assert b.acquire_lease() is True


@pytest.mark.django_db
def test_run_once_does_nothing_while_another_holds_the_lease(calls, caplog):
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        Scheduler([], holder="elsewhere:1").acquire_lease()
        assert Scheduler(JOBS, holder="me").run_once() is None
    assert calls == []
    assert PeriodicRun.objects.count() == 0
    assert [r.getMessage() for r in caplog.records if r.name == "nuanxin.scheduler"] == [
        "Another scheduler (elsewhere:1) holds the lease until 2020-02-10T09:21+08:00; waiting to take over"
    ]


class CountingScheduler(Scheduler):
    """Stops after ``rounds`` lease attempts."""

    def __init__(self, *args, rounds: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = rounds
        self.attempts = 0

    def acquire_lease(self, now=None):
        self.attempts += 1
        return super().acquire_lease(now)

    def done(self) -> bool:
        return self.attempts >= self.rounds


@pytest.mark.django_db
def test_run_forever_ticks_under_the_lease_and_releases_it(calls, caplog):
    caplog.set_level(logging.INFO, logger="nuanxin.scheduler")
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        scheduler = CountingScheduler(JOBS, holder="me", rounds=3)
        scheduler.run_forever(scheduler.done, interval=0.01)
    assert scheduler.attempts == 3
    assert calls == ["note_call", "note_other_call"]
    lease = SchedulerLease.objects.get()
    assert lease.holder == "me" and lease.expires_at == sh(2020, 2, 10, 9, 20)
    assert [r.getMessage() for r in caplog.records if r.name == "nuanxin.scheduler"] == [
        "Scheduler me started with 2 jobs: testapp.every_quarter (every 15 min), testapp.daily (daily at 09:00)",
        "Scheduler me holds the lease",
        "Enqueued testapp.every_quarter for slot 2020-02-10T09:15+08:00 (task result "
        + PeriodicRun.objects.get(job="testapp.every_quarter").task_result_id + ")",
        "Enqueued testapp.daily for slot 2020-02-10T09:00+08:00 (task result "
        + PeriodicRun.objects.get(job="testapp.daily").task_result_id + ")",
        "Scheduler me stopped",
    ]


@pytest.mark.django_db
def test_a_waiting_scheduler_logs_once_and_enqueues_nothing(calls, caplog):
    caplog.set_level(logging.INFO, logger="nuanxin.scheduler")
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        Scheduler([], holder="other").acquire_lease()
        scheduler = CountingScheduler(JOBS, holder="me", rounds=3)
        scheduler.run_forever(scheduler.done, interval=0.01)
    assert calls == []
    messages = [r.getMessage() for r in caplog.records if r.name == "nuanxin.scheduler"]
    assert messages == [
        "Scheduler me started with 2 jobs: testapp.every_quarter (every 15 min), testapp.daily (daily at 09:00)",
        "Another scheduler (other) holds the lease until 2020-02-10T09:21+08:00; waiting to take over",
        "Scheduler me stopped",
    ]
    assert SchedulerLease.objects.get().holder == "other"


@pytest.mark.django_db
def test_the_scheduler_command_once_enqueues_every_discovered_job(english):
    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        from io import StringIO

        out = StringIO()
        call_command("scheduler", "--once", stdout=out)
        count = len(discover_jobs())
        # Monday 09:20: Wednesday's reminder of the week before is over its late limit.
        assert out.getvalue() == f"Enqueued {count - 1} jobs.\n"
        assert PeriodicRun.objects.count() == count
        assert list(PeriodicRun.objects.filter(skipped=True).values_list("job", flat=True)) == [
            "care.remind_unvisited"
        ]
        out = StringIO()
        call_command("scheduler", "--once", stdout=out)
        assert out.getvalue() == "Enqueued 0 jobs.\n"
    assert SchedulerLease.objects.get().expires_at == sh(2020, 2, 10, 9, 20)  # released


@pytest.mark.django_db
def test_the_scheduler_command_once_says_when_another_holds_the_lease(english):
    from io import StringIO

    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        Scheduler([], holder="elsewhere:1").acquire_lease()
        out = StringIO()
        call_command("scheduler", "--once", stdout=out)
    assert out.getvalue() == "Another scheduler holds the lease; nothing enqueued.\n"
    assert PeriodicRun.objects.count() == 0


@pytest.mark.django_db
def test_the_scheduler_command_speaks_the_default_language():
    """No language activated, as from a shell: the summary is in LANGUAGE_CODE (Chinese)."""
    from io import StringIO

    with time_machine.travel(sh(2020, 2, 10, 9, 20), tick=False):
        call_command("scheduler", "--once", stdout=StringIO())
        out = StringIO()
        call_command("scheduler", "--once", stdout=out)
    with translation.override("zh-hans"):
        expected = translation.ngettext("Enqueued %(count)s job.", "Enqueued %(count)s jobs.", 0) % {"count": 0}
    assert out.getvalue() == expected + "\n"


# --- core's jobs ----------------------------------------------------------------------------


def make_session(expires: datetime) -> str:
    store = SessionStore()
    store["x"] = 1
    store.set_expiry(expires)
    store.save()
    return store.session_key


@pytest.mark.django_db
def test_clear_expired_sessions_job(calls):
    now = timezone.now()
    kept = make_session(now + timedelta(minutes=5))
    make_session(now - timedelta(seconds=1))
    make_session(now - timedelta(days=3))
    job = next(j for j in discover_jobs() if j.name == "core.clear_expired_sessions")
    result = job.task.enqueue()
    assert result.return_value == 2
    assert list(Session.objects.values_list("session_key", flat=True)) == [kept]
    row = AuditLog.objects.get()
    assert (row.action, row.actor, row.actor_name, row.detail) == (
        "session.clear_expired", None, "system:cli", {"deleted": 2}
    )
    # Nothing left to clear: nothing deleted, nothing audited.
    assert job.task.enqueue().return_value == 0
    assert AuditLog.objects.count() == 1


@pytest.mark.django_db
def test_prune_background_records_job():
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    for days in (31, 29):
        PeriodicRun.objects.create(job=f"x.{days}", slot=now - timedelta(days=days))
    for days, status in ((15, "SUCCESSFUL"), (13, "SUCCESSFUL"), (15, "READY")):
        DBTaskResult.objects.create(
            task_path="nuanxin.core.tasks.clear_expired_sessions", status=status,
            args_kwargs={"args": [], "kwargs": {}},
            finished_at=now - timedelta(days=days) if status != "READY" else None,
            backend_name="default", queue_name="default",
        )
    job = next(j for j in discover_jobs() if j.name == "core.prune_background_records")
    assert job.task.enqueue().return_value == {"task_results": 1, "periodic_runs": 1}
    assert sorted(PeriodicRun.objects.values_list("job", flat=True)) == ["x.29"]
    assert DBTaskResult.objects.count() == 2
    assert AuditLog.objects.get().action == "background.prune"


# --- the worker -----------------------------------------------------------------------------

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_what_the_scheduler_enqueued(monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from nuanxin.core.tests.periodic_app import tasks as app_tasks

    make_session(timezone.now() - timedelta(days=1))
    jobs = [j for j in discover_jobs() if j.name == "core.clear_expired_sessions"]
    with override_settings(TASKS=DB_TASKS):
        Scheduler(jobs).run_once()
        assert DBTaskResult.objects.get().status == "READY"
        assert Session.objects.count() == 1
        call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert Session.objects.count() == 0
    row = AuditLog.objects.get(action="session.clear_expired")
    assert (row.actor_name, row.channel, row.detail) == ("system:task", "task", {"deleted": 1})
    assert app_tasks.CALLS == []


def test_the_worker_processes_every_queue_by_default():
    from nuanxin.core.management.commands.worker import Command

    with override_settings(TASKS=DB_TASKS):  # the parser checks that the backend is a database one
        defaults = vars(Command().create_parser("nuanxin", "worker").parse_args([]))
    assert (defaults["queue_name"], defaults["reload"], defaults["interval"]) == ("*", False, 2.0)


def test_the_list_shows_each_jobs_schedule_slot_and_late_limit(english):
    from io import StringIO

    out = StringIO()
    with time_machine.travel(sh(2020, 2, 12, 21, 30), tick=False):
        call_command("scheduler", "--list", stdout=out)
    lines = {line.split("\t")[0]: line for line in out.getvalue().splitlines()}
    assert lines["care.remind_week"] == (
        "care.remind_week\tweekly on Monday at 08:00\tlatest slot 2020-02-10 08:00\tskipped if found over 4h00m late"
    )
    assert lines["care.open_duties"] == "care.open_duties\tdaily at 00:10\tlatest slot 2020-02-12 00:10"
    assert lines["care.sync_unassigned"] == "care.sync_unassigned\tevery 60 minutes\tlatest slot 2020-02-12 21:00"


@pytest.mark.parametrize(
    ("schedule", "text"),
    [
        (Every(1), "every 1 minute"),
        (Every(15), "every 15 minutes"),
        (DailyAt(9, 5), "daily at 09:05"),
        (WeeklyAt(6, 23, 59), "weekly on Sunday at 23:59"),
    ],
)
def test_the_list_writes_schedules_in_the_operators_language(schedule, text, english):
    from nuanxin.core.management.commands.scheduler import schedule_text

    assert schedule_text(schedule) == text
    with translation.override("zh-hans"):
        weekday = translation.gettext("Monday")
        assert weekday == "星期一"  # Django's own catalogue names the weekdays
        assert schedule_text(WeeklyAt(0, 8)) == translation.gettext("weekly on %(weekday)s at %(time)s") % {
            "weekday": "星期一", "time": "08:00"
        }
