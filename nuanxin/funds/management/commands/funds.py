"""``nuanxin funds ...``: keeping the funds' subtree totals right, from the shell, as the system
operator (``actor=SYSTEM``; a rebuild is audited as ``system:cli``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.core.policy import SYSTEM
from nuanxin.funds import totals
from nuanxin.orgs.models import Organisation

SHOWN = 50  # differences printed at most (the count is always given)


class Command(BaseCommand):
    help = (
        "The special funds' kept sums: each fund's balance and the subtree totals (the sums by organisation, "
        "month, kind and category that the figures read). rebuild-totals recomputes them all from the "
        "ledger's postings; verify-totals compares them with the postings and exits with status 1, listing "
        "the differences, when any differs."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        sub.add_parser(
            "rebuild-totals",
            help="Compute every fund's balance and every subtree total again from the postings (audited; after "
            "an organisation moved in the tree, or when verify-totals found a difference).",
        )
        verify = sub.add_parser(
            "verify-totals",
            help="Compare every fund's balance and every subtree total with the sums of the postings; print "
            "each difference and exit with status 1 if there is one (nothing is changed).",
        )
        verify.add_argument(
            "--org",
            action="append",
            default=[],
            metavar="CODE",
            help="Check only the totals of this organisation (its own and its subtree's); may be repeated.",
        )

    def handle(self, *args, **options):
        getattr(self, "do_" + options["action"].replace("-", "_"))(options)

    def do_rebuild_totals(self, options):
        count = totals.rebuild(actor=SYSTEM)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("Rebuilt the totals: %(count)s row.", "Rebuilt the totals: %(count)s rows.", count)
                % {"count": count}
            )
        )

    def do_verify_totals(self, options):
        orgs = None
        if options["org"]:
            found = {o.code: o for o in Organisation.objects.filter(code__in=options["org"])}
            missing = [code for code in options["org"] if code not in found]
            if missing:
                raise CommandError(_("No organisation has the code “%(code)s”.") % {"code": missing[0]})
            orgs = [found[code] for code in options["org"]]
        diffs = totals.differences(orgs)
        wrong_balances = totals.balance_differences(orgs)
        for b in wrong_balances[:SHOWN]:
            self.stdout.write(
                _("Fund %(fund)s: balance %(kept)s, its postings add up to %(expected)s.")
                % {"fund": b.fund_id, "kept": b.kept, "expected": b.expected}
            )
        if wrong_balances and not diffs:
            raise CommandError(
                ngettext(
                    "%(count)s fund's balance differs from its postings: run “nuanxin funds rebuild-totals”.",
                    "%(count)s funds' balances differ from their postings: run “nuanxin funds rebuild-totals”.",
                    len(wrong_balances),
                )
                % {"count": len(wrong_balances)},
                returncode=1,
            )
        if not diffs:
            self.stdout.write(self.style.SUCCESS(_("The totals equal the sums of the postings.")))
            return
        codes = dict(Organisation.objects.filter(pk__in={d.organisation_id for d in diffs}).values_list("pk", "code"))
        self.stdout.write(_("organisation\town/subtree\tmonth\tkind\tcategory\tkept\tpostings"))
        for d in diffs[:SHOWN]:
            which = _("own") if d.own else _("subtree")
            self.stdout.write(
                f"{codes.get(d.organisation_id, d.organisation_id)}\t{which}\t{d.month:%Y-%m}\t{d.kind}\t"
                f"{d.category or '-'}\t{d.kept}\t{d.expected}"
            )
        if len(diffs) > SHOWN:
            self.stdout.write(_("… and %(count)s more.") % {"count": len(diffs) - SHOWN})
        raise CommandError(
            ngettext(
                "%(count)s total differs from its postings: run “nuanxin funds rebuild-totals”.",
                "%(count)s totals differ from their postings: run “nuanxin funds rebuild-totals”.",
                len(diffs),
            )
            % {"count": len(diffs)},
            returncode=1,
        )
