"""Reports up the tree: the reporting rates (per child organisation, rolled up: expected,
submitted, on time, approved, missing; a chart; the missing with their contacts; an xlsx) and
the official tables as a reporting duty (who has sent tables 1–3 of the period, who has not,
and a button reminding those)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST, require_safe

from nuanxin.core import access, audit, exports
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.orgs.models import Organisation
from nuanxin.reports.choices import FormSource
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.selectors import rates as selectors
from nuanxin.reports.services import periods, reminders

MENU: list = []  # the one reports entry is the home's (views/filling.py); the pages link here
COUNTERS: list = []
HOME_PANELS: list = []
PERIODS_OFFERED = 26


def chosen(
    request: HttpRequest, *, source: str | None = None
) -> tuple[ReportForm | None, tuple[date, date] | None, Organisation, list[ReportForm]]:
    """The form (``?form=``, else the first one offered), its period (``?period=`` = its first
    day, else the latest one over) and the organisation (``?org=``, else the one the user's grants
    cover) of a rates, tables, dashboard or brief page; 404 for a form or an organisation out of
    reach or a period that is no date (a day outside the form's periods: the latest one over)."""
    user = request.user
    organisation = selectors.organisation_for(user, request.GET.get("org"))
    offered = selectors.visible_forms(user).filter(active=True)
    if source is not None:
        offered = offered.filter(source=source)
    forms = list(offered)
    value = request.GET.get("form")
    form = selectors.form_for(user, value) if value else (forms[0] if forms else None)
    if form is not None and source is not None and form.source != source:
        raise Http404
    if form is None:
        return None, None, organisation, forms
    return form, period_from(form, request.GET.get("period")), organisation, forms


def period_from(form: ReportForm, value: str | None) -> tuple[date, date]:
    """The period containing the day ``value`` (a picker keeps the day when the form changes:
    a week's Monday names the month it falls in), or the latest one over when it names none."""
    if not value:
        return selectors.default_period(form)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise Http404 from None
    offered = periods.periods(form, until=max(day, timezone.localdate()))
    span = periods.period_of(form, day)
    return span if span in offered else selectors.default_period(form)


def period_choices(form: ReportForm) -> list[tuple[date, date]]:
    return periods.periods(form, until=timezone.localdate())[:PERIODS_OFFERED]


def chart_data(table: selectors.RatesTable) -> dict[str, Any]:
    language = translation.get_language() or ""
    rows = table.rows
    return {
        "locale": "ZH" if language.startswith("zh") else "EN",
        "id": "nx-rates-chart",
        "categories": [
            _("%(name)s (own)") % {"name": r.organisation.name} if r.own else r.organisation.name for r in rows
        ],
        "series": [
            {"name": _("Submitted on time"), "data": [r.counts.on_time for r in rows]},
            {"name": _("Submitted late"), "data": [r.counts.late for r in rows]},
            {"name": _("Missing"), "data": [r.counts.missing for r in rows]},
        ],
    }


def _query(form: ReportForm, span: tuple[date, date], organisation: Organisation) -> str:
    return urlencode({"form": form.pk, "period": span[0].isoformat(), "org": organisation.pk})


@access.scoped(Report, "view")
@require_safe
def rates(request: HttpRequest) -> HttpResponse:
    form, span, organisation, forms = chosen(request)
    context: dict[str, Any] = {"form": form, "forms": forms, "organisation": organisation}
    if form is not None and span is not None:
        show_contacts = selectors.may_see_contacts(request.user, organisation)
        table = selectors.rates(request.user, form, span[0], organisation=organisation, with_contacts=show_contacts)
        shown = [(m.organisation, m.organisation.pk) for m in table.missing if m.contacts]
        if shown:
            audit.record(
                request.user,
                "reports.contacts.read",
                obj=form,
                organisation=organisation,
                detail={"period": span[0].isoformat(), "organisations": len(shown)},
            )
        context.update(
            table=table,
            span=span,
            periods=period_choices(form),
            show_contacts=show_contacts,
            query=_query(form, span, organisation),
            chart=chart_data(table),
            up=selectors.reachable_parent(request.user, organisation),
        )
    return render(request, "reports/rates.html", context)


@access.scoped(Report, "view")
@require_safe
def rates_xlsx(request: HttpRequest) -> HttpResponse:
    form, span, organisation, _forms = chosen(request)
    if form is None or span is None:
        raise Http404
    show_contacts = selectors.may_see_contacts(request.user, organisation)
    table = selectors.rates(
        request.user, form, span[0], organisation=organisation, with_contacts=show_contacts, all_missing=True
    )
    headers = [
        _("Organisation"),
        _("Expected"),
        pgettext("report status", "Submitted"),
        _("Submitted on time"),
        pgettext("report status", "Approved"),
        _("Missing"),
        _("Submitted rate"),
        _("On-time rate"),
    ]

    def counts(name: str, c: selectors.Counts) -> list[Any]:
        return [name, c.expected, c.submitted, c.on_time, c.approved, c.missing, c.submitted_rate, c.on_time_rate]

    rows: list[list[Any]] = [
        counts(_("%(name)s (own)") % {"name": r.organisation.name} if r.own else r.organisation.name, r.counts)
        for r in table.rows
    ]
    rows.append(counts(_("Total"), table.total))
    rows.append([])
    rows.append([_("Missing reports"), _("Parent organisation"), _("Status"), _("Contacts")])
    for m in table.missing:
        people = "；".join(f"{u.display_name} {u.mobile}".strip() for u in m.contacts) if show_contacts else ""
        rows.append([m.organisation.name, m.parent.name if m.parent else "", m.status_label, people])
    audit.record(
        request.user,
        "reports.rates.export",
        obj=form,
        organisation=organisation,
        detail={"period": span[0].isoformat(), "organisations": table.total.expected, "missing": table.missing_count},
    )
    name = f"{form.name}-{organisation.name}-{span[0].isoformat()}.xlsx"
    return exports.xlsx_response(name, headers, rows, sheet_name=_("Reporting rates"))


@access.scoped(Report, "view")
@require_safe
def tables_duty(request: HttpRequest) -> HttpResponse:
    form, span, organisation, forms = chosen(request, source=FormSource.TABLES)
    context: dict[str, Any] = {"form": form, "forms": forms, "organisation": organisation}
    if form is not None and span is not None:
        may_remind = Report.policy.allows_in(request.user, "approve", organisation)
        table = selectors.rates(
            request.user, form, span[0], organisation=organisation, with_contacts=may_remind, all_missing=True
        )
        obliged = selectors.obliged_under(form, organisation)
        due = table.due_at
        state_of = selectors.states(form, span[0], span[1], organisation.path, due)
        sent = [(o, state_of[o.pk].submitted_at, state_of[o.pk].on_time) for o in obliged if o.pk in state_of]
        context.update(
            table=table,
            span=span,
            sent=sent,
            may_remind=may_remind,
            periods=period_choices(form),
            query=_query(form, span, organisation),
        )
    return render(request, "reports/tables_duty.html", context)


@access.scoped(Report, "approve")
@require_POST
def tables_remind(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    organisation = selectors.organisation_for(user, request.POST.get("org"))
    form = selectors.form_for(user, request.POST.get("form"))
    if form.source != FormSource.TABLES:
        raise Http404
    try:
        start, _end = periods.parse_period(form, request.POST.get("period"))
    except ServiceError:
        raise Http404 from None
    if not Report.policy.allows_in(user, "approve", organisation):
        raise Http404
    back = reverse("reports:tables_duty") + "?" + _query(form, (start, _end), organisation)
    try:
        sent = reminders.remind_tables(actor=user, form=form, organisation=organisation, period_start=start)
    except NotAllowed:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    if sent:
        messages.success(
            request, ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent) % {"count": sent}
        )
    else:
        messages.info(request, _("Nobody to remind now: each was reminded today already, or has no administrator."))
    return redirect(back)


urlpatterns = [
    path("rates/", rates, name="rates"),
    path("rates/xlsx/", rates_xlsx, name="rates_xlsx"),
    path("tables/", tables_duty, name="tables_duty"),
    path("tables/remind/", tables_remind, name="tables_remind"),
]
