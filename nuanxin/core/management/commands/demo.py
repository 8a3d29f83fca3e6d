"""`nuanxin demo`: load the demo organisation tree, users and people (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nuanxin.core import demo
from nuanxin.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Load the fictional demo data: a Qingdao-like organisation tree (city federation, ten "
        "districts, the medical union, the health commission and 22 unit unions), one user per "
        "role, and the people and care work each app adds. Safe to run again: it only adds "
        "what is missing. Refuses to run with NUANXIN_ENV=production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, **options):
        try:
            demo.build(out=lambda line: self.stdout.write(line))
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=1) from exc
        if not options["quiet_logins"]:
            self.stdout.write(self.style.SUCCESS(_("Demo logins (username / password — role, scope):")))
            for username, password, role, scope in demo.demo_logins():
                self.stdout.write(f"  {username:<16} {password}  — {role}, {scope}")
