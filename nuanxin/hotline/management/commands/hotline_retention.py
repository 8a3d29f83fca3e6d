"""``nuanxin hotline_retention``: run the hotline's retention now (the nightly job does it too),
or see what it would do with ``--dry-run``. As the system operator; the run is audited."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.services import retention


class Command(BaseCommand):
    help = (
        "Clear the identifying fields (numbers, caller keys, links to the register, free text) of the hotline's "
        "records older than NUANXIN_HOTLINE_RETENTION_DAYS (default and minimum 3 × 365 days); the coded fields "
        "stay for the figures. Idempotent and audited. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what would be anonymised; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        days = retention.retention_days()
        if dry_run:
            counts = retention.pending()
            self.stdout.write(_("Records older than %(days)s days not yet anonymised:") % {"days": days})
        else:
            counts = retention.anonymise_old_records(actor=SYSTEM)
            self.stdout.write(_("Records older than %(days)s days anonymised:") % {"days": days})
        for key, count in counts.items():
            self.stdout.write(f"  {key}: {count}")
