"""``nuanxin scheduler``: enqueue the periodic jobs' tasks on time (one works at a time; a second one is a standby)."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.core.periodic import DailyAt, Every, WeeklyAt, latest_slot
from nuanxin.core.scheduler import Scheduler, duration_text


def schedule_text(schedule) -> str:
    """The schedule in the operator's language (its ``str()`` stays English for the logs)."""
    if isinstance(schedule, Every):
        return ngettext("every %(count)s minute", "every %(count)s minutes", schedule.minutes) % {
            "count": schedule.minutes
        }
    if isinstance(schedule, DailyAt):
        return _("daily at %(time)s") % {"time": f"{schedule.hour:02d}:{schedule.minute:02d}"}
    if isinstance(schedule, WeeklyAt):
        return _("weekly on %(weekday)s at %(time)s") % {
            "weekday": WEEKDAYS[schedule.weekday], "time": f"{schedule.hour:02d}:{schedule.minute:02d}"
        }
    return str(schedule)


class Command(BaseCommand):
    help = (
        "Run the periodic-job scheduler: it enqueues each job's task once per slot (Asia/Shanghai) "
        "for `nuanxin worker` to run. One works at a time per site; a second one (a standby, e.g. on "
        "another node) waits until the "
        "first one's lease lapses, then takes over. After downtime only each job's latest missed "
        "slot is enqueued, unless it is later than the job's late limit (reminders). Stops cleanly "
        "on Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true",
            help="Run one tick (enqueue what is due now) and exit; for tests or cron.",
        )
        parser.add_argument(
            "--interval", type=float, default=min(15.0, settings.NUANXIN_SCHEDULER_LEASE_SECONDS / 3),
            help="Seconds between ticks (default: %(default)s, 15 or a third of "
            "NUANXIN_SCHEDULER_LEASE_SECONDS when shorter; must be shorter than the lease).",
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_jobs",
            help="List the discovered jobs, their schedules and latest slots, then exit.",
        )

    def handle(self, *, once: bool, interval: float, list_jobs: bool, **options):
        scheduler = Scheduler()
        if list_jobs:
            now = timezone.now()
            for job in scheduler.jobs:
                slot = timezone.localtime(latest_slot(job.schedule, now))
                latest = _("latest slot %(slot)s") % {"slot": f"{slot:%Y-%m-%d %H:%M}"}
                columns = [job.name, schedule_text(job.schedule), latest]
                if job.late_limit:
                    late = duration_text(job.late_limit)
                    columns.append(_("skipped if found over %(duration)s late") % {"duration": late})
                self.stdout.write("\t".join(columns))
            return
        if once:
            runs = scheduler.run_once()
            if runs is None:
                self.stdout.write(_("Another scheduler holds the lease; nothing enqueued."))
            else:
                self.stdout.write(ngettext("Enqueued %(count)s job.", "Enqueued %(count)s jobs.", len(runs)) % {
                    "count": len(runs)
                })
            return

        stopping = []

        def stop(signum, frame):
            stopping.append(signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        scheduler.run_forever(lambda: bool(stopping), interval=interval)
