"""``nuanxin orgs load FILE`` and ``nuanxin orgs list``: the organisation tree from the shell."""

from __future__ import annotations

import argparse
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import loader, selectors
from nuanxin.orgs.models import Organisation

EXIT_STATUS = (
    "Exit status: 0 done; 1 refused (a wrong line in the file, an unknown code); "
    "2 usage error (bad options, a missing or unsupported file)."
)


class Command(BaseCommand):
    help = "Load the organisation tree from a CSV or spreadsheet file, or list it. " + EXIT_STATUS

    def add_arguments(self, parser):
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,list}")
        load = sub.add_parser(
            "load",
            help="Create, rename and move organisations as a file says (all or nothing).",
            description=(
                "Read FILE (.csv in UTF-8 or GBK, .xlsx, .xls or .ods) with the columns code, name, kind, "
                "parent_code and bring the tree in line with it: new codes are created, changed names or kinds "
                "updated, a changed parent_code moves the organisation with everything under it. Every line is "
                "checked first; if any line is wrong (unknown parent, cycle, duplicate code, unknown kind, empty "
                "name) each is reported with its line number and nothing is written. Loading the same file again "
                "changes nothing. kind is one of city_federation, district_federation, industry_union, "
                "unit_union, health_bureau, other, or its Chinese name (e.g. 基层工会). Only an empty tree may "
                "get a root (a line with an empty parent_code). " + EXIT_STATUS
            ),
        )
        load.add_argument("file", metavar="FILE", help="the organisation file")
        load.add_argument("--dry-run", action="store_true",
                          help="check the file and report what would change, writing nothing")
        listing = sub.add_parser(
            "list",
            help="Print the tree, indented: code, name, kind.",
            description="Print the organisation tree (or the part under CODE), two spaces of indent per level: "
                        "code, name and kind. " + EXIT_STATUS,
        )
        listing.add_argument("--under", metavar="CODE", help="only this organisation and everything under it")

    def handle(self, *args, **options):
        if options["action"] == "load":
            return self.load(options["file"], dry_run=options["dry_run"])
        return self.list(options.get("under"))

    def load(self, filename: str, *, dry_run: bool) -> None:
        path = Path(filename)
        if path.suffix.lower() not in loader.SUFFIXES:
            raise CommandError(
                _("Unsupported file type “%(suffix)s”: use .csv, .xlsx, .xls or .ods.") % {"suffix": path.suffix},
                returncode=2,
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": filename, "error": exc.strerror},
                               returncode=2) from exc
        try:
            rows = loader.read_rows(data, path.name)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        result = loader.load_organisations(actor=SYSTEM, rows=rows, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s line(s) wrong: nothing was written.") % {"count": len(result.errors)}
            )
        for outcome in result.outcomes:
            line = _describe(outcome)
            if line:
                self.stdout.write(line)
        summary = _("Created %(created)s, updated %(updated)s, moved %(moved)s, unchanged %(unchanged)s.") % {
            "created": result.count(loader.Action.CREATED),
            "updated": result.count(loader.Action.UPDATED, loader.Action.UPDATED_MOVED),
            "moved": result.count(loader.Action.MOVED, loader.Action.UPDATED_MOVED),
            "unchanged": result.count(loader.Action.UNCHANGED),
        }
        if dry_run:
            summary = _("Dry run, nothing written. %(summary)s") % {"summary": summary}
        self.stdout.write(summary)

    def list(self, under_code: str | None) -> None:
        under = None
        if under_code:
            under = Organisation.objects.filter(code=under_code).first()
            if under is None:
                raise CommandError(_("No organisation has the code “%(code)s”.") % {"code": under_code})
        orgs = selectors.org_subtree(under)
        base = orgs[0].depth if orgs else 1
        for org in orgs:
            self.stdout.write(f"{'  ' * (org.depth - base)}{org.code}  {org.name}  ({org.kind})")


def _describe(outcome: loader.RowOutcome) -> str:
    values = {"line": outcome.line, "code": outcome.code, "old": outcome.old_parent, "new": outcome.new_parent}
    if outcome.action == loader.Action.CREATED:
        return _("Line %(line)s: created %(code)s.") % values
    if outcome.action == loader.Action.UPDATED:
        return _("Line %(line)s: updated %(code)s.") % values
    if outcome.action == loader.Action.MOVED:
        return _("Line %(line)s: moved %(code)s from %(old)s to %(new)s.") % values
    if outcome.action == loader.Action.UPDATED_MOVED:
        return _("Line %(line)s: updated %(code)s and moved it from %(old)s to %(new)s.") % values
    return ""
