"""``nuanxin hotline_shifts``: generate the duty rota's shifts for weeks ahead from the shift
patterns, for one hotline or all, as the system operator (``actor=SYSTEM``; audited as
``system:cli``). Run it from cron or by hand; it is idempotent."""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import textlimits
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Hotline, ShiftPattern
from nuanxin.hotline.services import rota

EXIT_STATUS = "Exit status: 0 done; 1 refused (an unknown hotline, a closed one); 2 usage error."


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(_("“%(value)s” is not a date: write YYYY-MM-DD.") % {"value": value}) from None


def _weeks(value: str) -> int:
    try:
        weeks = int(value)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= rota.MAX_WEEKS:
        raise argparse.ArgumentTypeError(
            _("Generate between 1 and %(max)d weeks at a time.") % {"max": rota.MAX_WEEKS}
        )
    return weeks


class Command(BaseCommand):
    help = (
        "Generate the duty rota's shifts from each hotline's shift patterns for WEEKS weeks from START "
        "(default: this week's Monday, 2 weeks), for one hotline (--hotline ID) or every open hotline "
        "(--all). Shifts already on the rota are kept with their counsellors and nothing is made twice, "
        "so running it again (e.g. weekly from cron) only adds the new days; shifts already over are not "
        "made. Times are Asia/Shanghai local times. " + EXIT_STATUS
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--hotline", type=int, metavar="ID", help="the hotline's id (see --list)")
        which.add_argument("--all", action="store_true", help="every open hotline that has shift patterns")
        which.add_argument("--list", action="store_true", help="list the hotlines: id, name, patterns; change nothing")
        parser.add_argument(
            "--weeks", type=_weeks, default=2, metavar="WEEKS",
            help=f"how many weeks to generate, 1 to {rota.MAX_WEEKS} (default 2)",
        )
        parser.add_argument(
            "--start", type=_date, metavar="YYYY-MM-DD",
            help="the first day (default: Monday of this week)",
        )

    def handle(self, *args, **options):
        if options["list"]:
            for hotline in Hotline.objects.order_by("pk"):
                patterns = ShiftPattern.objects.filter(hotline=hotline, active=True).count()
                state = "" if hotline.active else "\t" + _("closed")
                self.stdout.write(f"{hotline.pk}\t{hotline.name}\t" + _("%(count)d patterns") % {"count": patterns}
                                  + state)
            return
        today = timezone.localdate()
        start = options["start"] or today - timedelta(days=today.weekday())
        weeks = options["weeks"]
        if options["all"]:
            hotlines = list(
                Hotline.objects.filter(active=True, patterns__active=True).distinct().order_by("pk")
            )
        else:
            hotline = Hotline.objects.filter(pk=options["hotline"]).first()
            if hotline is None:
                raise CommandError(_("No hotline has the id %(id)s.") % {"id": options["hotline"]})
            hotlines = [hotline]
        total = 0
        for hotline in hotlines:
            try:
                created = rota.generate_shifts(actor=SYSTEM, hotline=hotline, start=start, weeks=weeks)
            except ServiceError as exc:
                raise CommandError(f"{textlimits.with_colon(hotline.name)}{exc.message}") from None
            total += len(created)
            self.stdout.write(
                _("%(name)s: %(count)d new shifts from %(start)s for %(weeks)d weeks.")
                % {"name": hotline.name, "count": len(created), "start": start.isoformat(), "weeks": weeks}
            )
        if options["all"]:
            self.stdout.write(_("%(count)d new shifts in all.") % {"count": total})
