"""``nuanxin care ...``: campaign and weekly-duty operations from the shell, as the system
operator (``actor=None``; every change is audited as ``system:cli``)."""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nuanxin.care import reminders, services, weeks
from nuanxin.care.choices import Cadence
from nuanxin.care.models import Campaign
from nuanxin.core.errors import ServiceError
from nuanxin.registry.choices import TeamType


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _cadence(pairs: list[str]) -> dict:
    result = {}
    for pair in pairs or []:
        team, sep, value = pair.partition("=")
        if not sep or team not in TeamType.values or value not in Cadence.values:
            raise CommandError(
                f"cadence must be TEAM=CADENCE with TEAM in {', '.join(TeamType.values)} "
                f"and CADENCE in {', '.join(Cadence.values)}: {pair!r}"
            )
        result[team] = value
    return result


class Command(BaseCommand):
    help = (
        "Care campaigns and weekly visit duties: list, create, cadence, declare the end, open duties, remind, "
        "escalate, sync the unassigned families."
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

    def handle(self, *args, **options):
        action = options["action"]
        try:
            getattr(self, "do_" + action.replace("-", "_"))(options)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        except Campaign.DoesNotExist:
            raise CommandError(f"no campaign with id {options.get('campaign')}") from None

    def do_list(self, options):
        for c in Campaign.objects.order_by("starts_on", "pk"):
            cadence = {team: c.cadence_for(team) for team in TeamType.values}
            end = c.declared_end_on.isoformat() if c.declared_end_on else "-"
            self.stdout.write(
                f"{c.pk}\t{c.name}\tstart {c.starts_on}\tend {end}\t{json.dumps(cadence, ensure_ascii=False)}"
            )

    def do_create(self, options):
        campaign = services.create_campaign(
            actor=None, name=options["name"], starts_on=options["start"], cadence=_cadence(options["cadence"])
        )
        self.stdout.write(self.style.SUCCESS(f"Created campaign {campaign.pk}: {campaign.name}"))

    def do_set_cadence(self, options):
        campaign = Campaign.objects.get(pk=options["campaign"])
        services.set_cadence(actor=None, campaign=campaign, cadence=_cadence(options["cadence"]))
        self.stdout.write(self.style.SUCCESS(f"Cadence of campaign {campaign.pk} changed."))

    def do_declare_end(self, options):
        campaign = Campaign.objects.get(pk=options["campaign"])
        on = None if options["clear"] else options["on"]
        services.declare_end(actor=None, campaign=campaign, on=on)
        if on is None:
            self.stdout.write(self.style.SUCCESS(f"Declared end of campaign {campaign.pk} withdrawn."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Campaign {campaign.pk} ends on {on}: no duties after week {weeks.label(weeks.monday(on))}."
                )
            )

    def do_open_duties(self, options):
        result = services.open_duties(actor=None, rebuild=options["rebuild"])
        self.stdout.write(f"Opened {result['opened']} duties, marked {result['missed']} missed.")

    def do_remind_week(self, options):
        self.stdout.write(f"Reminded {reminders.send_week_reminders(actor=None)} care contacts.")

    def do_remind_unvisited(self, options):
        self.stdout.write(f"Reminded {reminders.send_unvisited_reminders(actor=None)} admins.")

    def do_escalate(self, options):
        self.stdout.write(f"Escalated {services.escalate_overdue_difficulties(actor=None)} difficulties.")

    def do_sync_unassigned(self, options):
        with transaction.atomic():
            result = services.sync_unassigned()
        self.stdout.write(f"Unassigned families: {result['added']} rows added, {result['removed']} removed.")
