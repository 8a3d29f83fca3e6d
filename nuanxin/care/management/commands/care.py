"""``nuanxin care ...``: campaign and weekly-duty operations from the shell, as the system
operator (``actor=SYSTEM``; every change is audited as ``system:cli``)."""

from __future__ import annotations

import argparse
import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.care import reminders, services, weeks
from nuanxin.care.choices import Cadence
from nuanxin.care.models import Campaign
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import TeamType


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        # Read while parsing the arguments: argparse reports it as a usage error (status 2); a
        # CommandError raised here would escape as a traceback.
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a date: write YYYY-MM-DD.") % {"value": value}
        ) from None


def _cadence(pairs: list[str]) -> dict:
    result = {}
    for pair in pairs or []:
        team, sep, value = pair.partition("=")
        if not sep or team not in TeamType.values or value not in Cadence.values:
            raise CommandError(
                _("“%(pair)s” is not TEAM=CADENCE with TEAM one of %(teams)s and CADENCE one of %(cadences)s.")
                % {"pair": pair, "teams": ", ".join(TeamType.values), "cadences": ", ".join(Cadence.values)}
            )
        result[team] = value
    return result


class Command(BaseCommand):
    help = (
        "Care campaigns and weekly visit duties: list, create, cadence, declare the end, open duties, remind, "
        "escalate, sync the unassigned families, rebuild the weekly totals."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        sub.add_parser("list", help="List the campaigns with their cadence and declared end.")

        create = sub.add_parser("create", help="Create a campaign.")
        create.add_argument("--name", required=True)
        create.add_argument("--start", required=True, type=_date, help="Start date, YYYY-MM-DD.")
        create.add_argument(
            "--cadence",
            nargs="*",
            default=[],
            metavar="TEAM=CADENCE",
            help="e.g. hubei_aid=weekly cdc=fortnightly (default: aid teams weekly, others none).",
        )

        cadence = sub.add_parser("set-cadence", help="Change the visit cadence of some teams from this week on.")
        cadence.add_argument("--campaign", required=True, type=int)
        cadence.add_argument("cadence", nargs="+", metavar="TEAM=CADENCE")

        end = sub.add_parser(
            "declare-end",
            help="Declare the epidemic over: the week of DATE is the last with duties (--clear withdraws it).",
        )
        end.add_argument("--campaign", required=True, type=int)
        group = end.add_mutually_exclusive_group(required=True)
        group.add_argument("--on", type=_date, help="The date of the declaration, YYYY-MM-DD.")
        group.add_argument("--clear", action="store_true", help="Withdraw a declaration made by mistake.")

        opening = sub.add_parser(
            "open-duties",
            help="Open every due week's duties up to this week and mark past weeks' undone duties missed.",
        )
        opening.add_argument("--rebuild", action="store_true", help="Check every week since each campaign's start.")

        sub.add_parser("remind-week", help="Send this week's reminders to care contacts (once per week).")
        sub.add_parser("remind-unvisited", help="Tell admins how many families are not visited yet (once per week).")
        sub.add_parser("escalate", help="Notify and escalate overdue difficulties (once per level).")
        sub.add_parser(
            "sync-unassigned",
            help="Recompute every campaign's unassigned families from the register (what the hourly job does).",
        )

        totals = sub.add_parser(
            "rebuild-totals",
            help="Recount the weekly totals of the overview and the chart from the duties and repair any difference.",
        )
        totals.add_argument("--campaign", type=int, help="Only this campaign (default: all).")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            getattr(self, "do_" + action.replace("-", "_"))(options)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        except Campaign.DoesNotExist:
            raise CommandError(_("No campaign has the id %(id)s.") % {"id": options.get("campaign")}) from None

    def do_list(self, options):
        for c in Campaign.objects.order_by("starts_on", "pk"):
            cadence = {team: c.cadence_for(team) for team in TeamType.values}
            start = _("starts %(date)s") % {"date": c.starts_on.isoformat()}
            if c.declared_end_on:
                end = _("ends %(date)s") % {"date": c.declared_end_on.isoformat()}
            else:
                end = _("no end declared")
            self.stdout.write(f"{c.pk}\t{c.name}\t{start}\t{end}\t{json.dumps(cadence, ensure_ascii=False)}")

    def do_create(self, options):
        campaign = services.create_campaign(
            actor=SYSTEM, name=options["name"], starts_on=options["start"], cadence=_cadence(options["cadence"])
        )
        self.stdout.write(
            self.style.SUCCESS(_("Created campaign %(id)s: %(name)s.") % {"id": campaign.pk, "name": campaign.name})
        )

    def do_set_cadence(self, options):
        campaign = Campaign.objects.get(pk=options["campaign"])
        services.set_cadence(actor=SYSTEM, campaign=campaign, cadence=_cadence(options["cadence"]))
        self.stdout.write(self.style.SUCCESS(_("Cadence of campaign %(id)s changed.") % {"id": campaign.pk}))

    def do_declare_end(self, options):
        campaign = Campaign.objects.get(pk=options["campaign"])
        on = None if options["clear"] else options["on"]
        services.declare_end(actor=SYSTEM, campaign=campaign, on=on)
        if on is None:
            self.stdout.write(
                self.style.SUCCESS(_("Declared end of campaign %(id)s withdrawn.") % {"id": campaign.pk})
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Campaign %(id)s ends on %(date)s: no duties after week %(week)s.")
                    % {"id": campaign.pk, "date": on.isoformat(), "week": weeks.label(weeks.monday(on))}
                )
            )

    def do_open_duties(self, options):
        result = services.open_duties(actor=SYSTEM, rebuild=options["rebuild"])
        self.stdout.write(
            ngettext(
                "Opened %(opened)s duty, marked %(missed)s missed.",
                "Opened %(opened)s duties, marked %(missed)s missed.",
                result["opened"],
            )
            % {"opened": result["opened"], "missed": result["missed"]}
        )

    def do_remind_week(self, options):
        count = reminders.send_week_reminders(actor=SYSTEM)
        self.stdout.write(
            ngettext("Reminded %(count)s care contact.", "Reminded %(count)s care contacts.", count) % {"count": count}
        )

    def do_remind_unvisited(self, options):
        count = reminders.send_unvisited_reminders(actor=SYSTEM)
        self.stdout.write(ngettext("Reminded %(count)s admin.", "Reminded %(count)s admins.", count) % {"count": count})

    def do_escalate(self, options):
        count = services.escalate_overdue_difficulties(actor=SYSTEM)
        self.stdout.write(
            ngettext("Escalated %(count)s difficulty.", "Escalated %(count)s difficulties.", count) % {"count": count}
        )

    def do_sync_unassigned(self, options):
        with transaction.atomic():
            result = services.sync_unassigned()
        self.stdout.write(
            _("Unassigned families: %(added)s added, %(removed)s removed.")
            % {"added": result["added"], "removed": result["removed"]}
        )

    def do_rebuild_totals(self, options):
        campaign = Campaign.objects.get(pk=options["campaign"]) if options["campaign"] else None
        result = services.rebuild_week_totals(actor=SYSTEM, campaign=campaign)
        self.stdout.write(
            _("Weekly totals: %(rows)s rows counted, %(repaired)s repaired.")
            % {"rows": result["rows"], "repaired": result["repaired"]}
        )
