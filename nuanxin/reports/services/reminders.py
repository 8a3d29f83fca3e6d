"""Reminders of the reports, sent through ``nuanxin.notify`` (in-app, SMS by template, e-mail
where the user has an address), each with an idempotency key per recipient, kind and occasion
(the form, the period and the organisation): a job run twice, or a button pressed twice the same
day, sends nothing twice.

- ``remind_due`` (periodic): within ``REMIND_BEFORE`` of a period's deadline, the fillers of
  every obliged organisation whose report is not submitted (for the official tables: not sent).
- ``remind_missing`` (periodic): after the deadline (for ``CHASE_FOR``), the fillers of every
  missing organisation, and once per parent the parent's administrators with the number of
  its children missing.
- ``remind_tables`` (the tables duty page's button): the units under an organisation that have
  not sent the official tables of the period, once a day each.

The fillers are the users holding a grant on the organisation itself (``selectors.rates.contacts``).

SMS templates (our names; ``NUANXIN_SMS_TEMPLATES`` maps them to the provider's ids):

- ``reports_due_soon``: the report {form} of {org} is due at {due}
- ``reports_overdue``: the report {form} of {org} was due at {due} and is missing
- ``reports_children_missing``: {count} reports {form} of the units under {org} are missing
- ``reports_tables_reminder``: the official tables of {org} are not sent yet (due {due})
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.services import Sms, notify
from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import STEPLEN
from nuanxin.reports.choices import FormSource
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.selectors import rates as selectors
from nuanxin.reports.services import obligations, periods

REMIND_BEFORE = timedelta(hours=24)
CHASE_FOR = timedelta(days=7)


def _url(name: str, **query: Any) -> str:
    """A page of the reports (built by several hands) if it exists, else no link."""
    try:
        return reverse(name) + ("?" + urlencode(query) if query else "")
    except NoReverseMatch:
        return ""


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _candidate_periods(form: ReportForm, today: date) -> list[tuple[date, date]]:
    """The periods whose deadline may fall from ``CHASE_FOR`` ago to ``REMIND_BEFORE`` ahead."""
    back = math.ceil(form.deadline_days) + CHASE_FOR.days + 2
    found: set[tuple[date, date]] = set()
    for k in range(-1, back + 1):
        day = today - timedelta(days=k)
        if day < form.starts_on or (form.ends_on and day > form.ends_on):
            continue
        try:
            found.add(periods.period_of(form, day))
        except ServiceError:
            continue
    return sorted(found, reverse=True)


def _missing(form: ReportForm, start: date, end: date, due: datetime) -> list[Organisation]:
    obliged = list(obligations.obliged(form).only("pk", "path", "depth", "name", "code", "kind").order_by("path"))
    state_of = selectors.states(form, start, end, "", due)
    return [o for o in obliged if not state_of.get(o.pk, selectors.State()).submitted]


def _is_tables(form: ReportForm) -> bool:
    return form.source == FormSource.TABLES


def _notify_fillers(
    form: ReportForm, start: date, due: datetime, orgs: list[Organisation], *, kind: str, overdue: bool
) -> int:
    fillers = selectors.contacts(orgs, "")
    sent = 0
    for org in orgs:
        url = _url("reports:report_open", form=form.pk, period=start.isoformat(), org=org.pk)
        values = {"form": form.name, "org": org.name, "due": _when(due)}
        if overdue:
            sms_text = _("Nuanxin: the report %(form)s of %(org)s was due at %(due)s and is missing. Please submit it.")
        else:
            sms_text = _("Nuanxin: the report %(form)s of %(org)s is due at %(due)s. Please submit it in time.")
        sms_text = sms_text % values

        def texts(values: dict = values, overdue: bool = overdue) -> tuple[str, str]:
            if overdue:
                title = _("Report missing: %(form)s of %(org)s (due %(due)s)") % values
            else:
                title = _("Report due soon: %(form)s of %(org)s (due %(due)s)") % values
            return title, _("Open the report, check the figures and submit it.")

        for user in fillers.get(org.pk, []):
            if notify(
                recipient=user,
                kind=kind,
                occasion=f"{form.pk}:{start.isoformat()}:{org.pk}",
                texts=texts,
                url=url,
                sms=Sms("reports_overdue" if overdue else "reports_due_soon", values, sms_text),
            ):
                sent += 1
    return sent


def _notify_parents(form: ReportForm, start: date, due: datetime, orgs: list[Organisation]) -> int:
    by_parent: dict[str, int] = defaultdict(int)
    for org in orgs:
        if len(org.path) > STEPLEN:
            by_parent[org.path[:-STEPLEN]] += 1
    parents = list(Organisation.objects.filter(path__in=sorted(by_parent)).only("pk", "path", "name", "code"))
    admins = selectors.contacts(parents, "")
    sent = 0
    for parent in parents:
        count = by_parent[parent.path]
        values = {"form": form.name, "org": parent.name, "count": count, "due": _when(due)}
        sms_text = (
            _("Nuanxin: %(count)d reports %(form)s of the units under %(org)s are missing (due %(due)s).") % values
        )

        def texts(values: dict = values, count: int = count) -> tuple[str, str]:
            title = (
                ngettext(
                    "%(count)d report missing under %(org)s: %(form)s",
                    "%(count)d reports missing under %(org)s: %(form)s",
                    count,
                )
                % values
            )
            return title, _("The reporting rates list the missing units and whom to call.")

        for user in admins.get(parent.pk, []):
            if notify(
                recipient=user,
                kind="reports.children_missing",
                occasion=f"{form.pk}:{start.isoformat()}:{parent.pk}",
                texts=texts,
                url=_url("reports:rates", form=form.pk, period=start.isoformat(), org=parent.pk),
                sms=Sms("reports_children_missing", values, sms_text),
            ):
                sent += 1
    return sent


@transaction.atomic
def remind_due(*, actor: Any = SYSTEM, now: datetime | None = None) -> int:
    """Before a deadline: the fillers of the obliged organisations whose report is not submitted.
    Returns the number of notifications sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    total = 0
    for form in ReportForm.objects.filter(active=True).order_by("pk"):
        for start, end in _candidate_periods(form, today):
            due = periods.due_at(form, start, end)
            if not (now < due <= now + REMIND_BEFORE):
                continue
            missing = _missing(form, start, end, due)
            sent = _notify_fillers(form, start, due, missing, kind="reports.due_soon", overdue=False)
            if sent:
                audit.record(
                    actor,
                    "reports.remind.due",
                    obj=form,
                    detail={"period": start.isoformat(), "organisations": len(missing), "notified": sent},
                )
            total += sent
    return total


@transaction.atomic
def remind_missing(*, actor: Any = SYSTEM, now: datetime | None = None) -> int:
    """After a deadline (for ``CHASE_FOR``): the fillers of the missing organisations and, once
    per parent, the parent's administrators. Returns the number of notifications sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    total = 0
    for form in ReportForm.objects.filter(active=True).order_by("pk"):
        for start, end in _candidate_periods(form, today):
            due = periods.due_at(form, start, end)
            if not (due <= now < due + CHASE_FOR):
                continue
            missing = _missing(form, start, end, due)
            sent = _notify_fillers(form, start, due, missing, kind="reports.overdue", overdue=True)
            sent += _notify_parents(form, start, due, missing)
            if sent:
                audit.record(
                    actor,
                    "reports.remind.missing",
                    obj=form,
                    detail={"period": start.isoformat(), "organisations": len(missing), "notified": sent},
                )
            total += sent
    return total


@transaction.atomic
def remind_tables(*, actor: Any, form: ReportForm, organisation: Organisation, period_start: date) -> int:
    """The tables duty's button: remind the fillers of the obliged units under ``organisation``
    that have not sent the official tables of the period (once a day each). Returns how many
    notifications were sent; audited with how many units were reminded."""
    Report.policy.require_in(actor, "approve", organisation)
    if not _is_tables(form):
        raise ServiceError(_("Only a form of the official tables is reminded from this page."))
    start, end = periods.period_of(form, period_start)
    due = periods.due_at(form, start, end)
    table = selectors.rates(actor, form, start, organisation=organisation, with_contacts=False, all_missing=True)
    orgs = [m.organisation for m in table.missing]
    fillers = selectors.contacts(orgs, organisation.path)
    today = timezone.localdate().isoformat()
    sent = 0
    reached = 0
    for org in orgs:
        values = {"org": org.name, "due": _when(due), "form": form.name}
        sms_text = (
            _("Nuanxin: the official tables of %(org)s are not sent yet (due %(due)s). Please import them.") % values
        )

        def texts(values: dict = values) -> tuple[str, str]:
            return (
                _("Official tables not sent: %(org)s (due %(due)s)") % values,
                _("Import tables 1–3 of %(form)s: an applied import counts as sending.") % values,
            )

        users = fillers.get(org.pk, [])
        reached += bool(users)
        for user in users:
            if notify(
                recipient=user,
                kind="reports.tables_reminder",
                occasion=f"{form.pk}:{start.isoformat()}:{org.pk}:{today}",
                texts=texts,
                url=_url("tables:home"),
                sms=Sms("reports_tables_reminder", values, sms_text),
                actor=actor,
            ):
                sent += 1
    audit.record(
        actor,
        "reports.tables.remind",
        obj=form,
        organisation=organisation,
        detail={"period": start.isoformat(), "organisations": len(orgs), "reached": reached, "notified": sent},
    )
    return sent
