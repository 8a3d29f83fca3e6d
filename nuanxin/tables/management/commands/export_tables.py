"""``nuanxin export-tables --org CODE --table N --out PATH [--by-carrier] [--user USERNAME]``."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.tables import exports


class Command(BaseCommand):
    help = (
        "Write table 1 (援鄂医疗队成员联系表), 2 (抗疫一线医护职工联系表) or 3 (在鄂期间联系方式统计表) of "
        "notice 001 for the organisation CODE and every unit under it, in the official layout, as an "
        ".xlsx file. With --by-carrier, table 3 gets one sheet per carrier (for the fee waiver). With "
        "--user, only what that user may see is exported and the audit row names them; otherwise the "
        "system operator exports the whole subtree. Every export is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="code of the reporting organisation, e.g. QD-YW")
        parser.add_argument("--table", required=True, type=int, choices=[1, 2, 3], help="which table: 1, 2 or 3")
        parser.add_argument("--out", required=True, help="path of the .xlsx file to write")
        parser.add_argument("--by-carrier", action="store_true", help="table 3 only: one sheet per carrier")
        parser.add_argument("--user", help="username whose scope and name the export uses")

    def handle(self, *args, org, table, out, by_carrier, user, **options):
        from nuanxin.accounts.models import User
        from nuanxin.orgs.models import Organisation

        organisation = Organisation.objects.filter(code=org).first()
        if organisation is None:
            raise CommandError(_("No organisation has the code “%(code)s”.") % {"code": org}, returncode=2)
        actor = SYSTEM  # the operator, unless --user names an account
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("No active account has the username “%(username)s”.") % {"username": user}, returncode=2
                )
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(_("The folder %(folder)s does not exist.") % {"folder": path.parent}, returncode=2)
        try:
            result = exports.export_table(actor=actor, organisation=organisation, table=table, by_carrier=by_carrier)
        except ServiceError as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        # The tables hold full phone numbers: readable by the operator only, whatever the umask.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(result.content)
        self.stdout.write(
            ngettext("%(path)s: %(title)s, %(count)s row", "%(path)s: %(title)s, %(count)s rows", result.rows)
            % {"path": path, "title": exports.TITLES[table], "count": result.rows}
        )
