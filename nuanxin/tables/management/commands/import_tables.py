"""``nuanxin import-tables PATH --org CODE``: import the official tables from the command line.

Exit status: 0 when the batch was applied (or, with --dry-run, planned), its rejected rows
listed; 1 when the file was refused as a whole (or the apply was refused because the register
changed meanwhile); 2 for a usage error (unknown organisation or user, no permission).
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import TeamType
from nuanxin.registry.import_models import BatchStatus, ImportRow, Outcome
from nuanxin.tables.imports import services
from nuanxin.tables.imports.messages import render_all
from nuanxin.tables.imports.safety import FileRefused


class Command(BaseCommand):
    help = (
        "Import the official contact tables (附件1–3 of notice 001) from an .xlsx, .xls, .ods or .csv "
        "file into the register under the organisation CODE. Without --dry-run the batch is applied "
        "(rows that are likely duplicates are left out: decide them in the web page instead). "
        "Exit status: 0 applied or planned, 1 file refused, 2 usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the table file (.xlsx, .xls, .ods or .csv)")
        parser.add_argument("--org", required=True, help="code of the organisation to import into")
        parser.add_argument("--user", help="username of the acting user (default: the system operator)")
        parser.add_argument("--dry-run", action="store_true", help="plan and report only; apply nothing")
        parser.add_argument("--json", action="store_true", help="print counts and every row's outcome as JSON")
        parser.add_argument(
            "--default-team",
            default="",
            choices=["", *TeamType.values],
            help="team of table 2 rows when the sheet does not say (default: other)",
        )

    def handle(self, *args, **opts):
        from nuanxin.accounts.models import User
        from nuanxin.orgs.models import Organisation

        path = Path(opts["path"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path}, returncode=2)
        org = Organisation.objects.filter(code=opts["org"]).first()
        if org is None:
            raise CommandError(_("No organisation has the code “%(code)s”.") % {"code": opts["org"]}, returncode=2)
        actor = SYSTEM  # the operator, unless --user names an account
        if opts.get("user"):
            actor = User.objects.filter(username=opts["user"], is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("No active account has the username “%(username)s”.") % {"username": opts["user"]}, returncode=2
                )
        try:
            with path.open("rb") as fh:
                batch = services.create_batch(
                    actor=actor,
                    organisation=org,
                    upload=fh,
                    filename=path.name,
                    default_team=opts["default_team"],
                    background=False,
                )
        except FileRefused as exc:
            return self._refused(opts, str(exc.message))
        except NotAllowed as exc:
            raise CommandError(str(exc.message), returncode=2) from None
        if batch.status != BatchStatus.PLANNED:
            return self._refused(opts, batch.message or batch.get_status_display())
        if not opts["dry_run"]:
            try:
                if batch.count(Outcome.REVIEW):
                    services.skip_undecided(actor=actor, batch=batch)
                batch.refresh_from_db()
                batch = services.apply_batch(actor=actor, batch=batch)
            except ServiceError as exc:
                return self._refused(opts, str(exc.message), batch=batch)
        batch.refresh_from_db()
        self._report(opts, batch)
        return None

    def _refused(self, opts, message: str, batch=None):
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    {"status": "refused", "batch": getattr(batch, "pk", None), "message": message}, ensure_ascii=False
                )
            )
        else:
            self.stderr.write(_("Refused: %(message)s") % {"message": message})
        sys.exit(1)

    def _report(self, opts, batch):
        rows = ImportRow.objects.filter(batch=batch).order_by("index")
        if opts["json"]:
            payload = {
                "batch": batch.pk,
                "status": batch.status,
                "applied": batch.status == BatchStatus.APPLIED,
                "counts": batch.counts,
                "sheets": [{k: s.get(k) for k in ("name", "table", "rows")} for s in batch.sheets],
                "rows": [
                    {
                        "sheet": r.sheet,
                        "line": r.line,
                        "table": r.table,
                        "outcome": r.outcome,
                        "name": r.data.get("name", ""),
                        "worker": r.worker_id,
                        "messages": render_all(r.reasons),
                        "changes": r.changes,
                    }
                    for r in rows.iterator(chunk_size=2000)
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        c = batch.counts
        self.stdout.write(
            _(
                "Batch %(id)s (%(status)s): %(total)s rows — %(create)s create, %(update)s update, "
                "%(unchanged)s unchanged, %(reject)s rejected, %(review)s need a decision."
            )
            % {
                "id": batch.pk,
                "status": batch.get_status_display(),
                "total": c.get("total", 0),
                "create": c.get("create", 0),
                "update": c.get("update", 0),
                "unchanged": c.get("unchanged", 0),
                "reject": c.get("reject", 0),
                "review": c.get("review", 0),
            }
        )
        for r in rows.filter(outcome__in=[Outcome.REJECT, Outcome.REVIEW]).iterator(chunk_size=2000):
            self.stdout.write(f"  {r.sheet}!{r.line} {r.get_outcome_display()}: {'; '.join(render_all(r.reasons))}")
