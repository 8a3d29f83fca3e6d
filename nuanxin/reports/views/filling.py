"""Filling reports: the reports home (per form: my organisations' reports of the current and
last periods, with status and due time, and the children's reports waiting for my review), the
door that opens (or starts) an organisation's report of a period, and the report's page: the
computed figures (live until submitted, frozen after), the entered fields, the previous
period's value beside each, the children's sum beside a report that rolls them up (differences
highlighted), the comments on figures that fell by more than half; save and submit for who
fills it, approve / return / unlock for who reviews it (``services.reports.may``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nuanxin.core import access
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.manifest import MenuEntry
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.reports.choices import EDITABLE, FieldKind, FormSource, PeriodType, ReportStatus
from nuanxin.reports.forms import approval as approval_forms
from nuanxin.reports.forms import filling as forms
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.services import obligations, periods
from nuanxin.reports.services import reports as services

MAX_ORGANISATIONS = 20  # "my organisations" on the home page: a user's grants, rarely more than a few


def may_use_reports(user: Any) -> bool:
    return Report.policy.may(user, "view") or Report.policy.may(user, "fill")


MENU = [
    MenuEntry(
        pgettext_lazy("menu", "Reports"),
        "reports:home",
        order=289,  # after the funds (280), before the commendations (290)
        element_id="nx-nav-reports",
        visible=may_use_reports,
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []


# --- what a user reaches ---------------------------------------------------------------------


def _reach_roles() -> frozenset[str]:
    policy = Report.policy
    return policy.roles("view") | policy.roles("fill") | policy.roles("approve")


def _ancestors(path_value: str) -> list[str]:
    step = scope.STEPLEN
    return [path_value[:i] for i in range(step, len(path_value) + 1, step)]


def visible_forms(user: Any) -> QuerySet[ReportForm]:
    """The active report forms a user reads: those of an organisation above or below one of
    their grants for reports (a unit reads the city's forms)."""
    paths = scope.scope_paths(user, _reach_roles())
    if not paths:
        return ReportForm.objects.none()
    q = Q()
    for prefix in paths:
        q |= Q(organisation__path__startswith=prefix) | Q(organisation__path__in=_ancestors(prefix))
    return ReportForm.objects.filter(q, active=True).select_related("organisation").order_by("name", "id")


def my_organisations(user: Any) -> list[Organisation]:
    """The organisations where the user's grants for reports sit (not their subtrees)."""
    paths = scope.scope_paths(user, _reach_roles())[:MAX_ORGANISATIONS]
    return list(Organisation.objects.filter(path__in=paths).order_by("path"))


def int_param(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def visible_form_or_404(user: Any, value: Any) -> ReportForm:
    pk = int_param(value)
    form = visible_forms(user).filter(pk=pk).first() if pk is not None else None
    if form is None:
        raise Http404
    return form


def period_or_404(form: ReportForm, value: Any) -> tuple[date, date]:
    try:
        return periods.parse_period(form, str(value or ""))
    except ServiceError as exc:
        raise Http404 from exc


def current_periods(form: ReportForm, today: date) -> list[tuple[date, date]]:
    """The current period and the one before (one-off forms: their one period); none outside
    the form's periods (before its first, after its last)."""
    found = periods.periods(form, until=today)
    if form.period_type != PeriodType.ONCE:
        current = periods.period_of(form, today)[0]
        found = [span for span in found if span[0] <= current]
    return found[:2]


def open_url(form: ReportForm, start: date, organisation: Organisation) -> str:
    query = urlencode({"form": form.pk, "period": start.isoformat(), "org": organisation.pk})
    return f"{reverse('reports:report_open')}?{query}"


def review_url(form: ReportForm, start: date, organisation: Organisation) -> str:
    query = urlencode({"form": form.pk, "period": start.isoformat(), "org": organisation.pk})
    return f"{reverse('reports:review')}?{query}"


def rates_base() -> str:
    """The reporting rates page (built beside these pages), or nothing while it is missing."""
    try:
        return reverse("reports:rates")
    except NoReverseMatch:
        return ""


def detail_url(report: Report) -> str:
    return reverse("reports:report_detail", kwargs={"pk": report.pk})


def is_late(report: Report, now: Any = None) -> bool:
    """Submitted after its due time, or not submitted and past it."""
    if report.submitted_at is not None:
        return report.submitted_at > report.due_at
    return (now or timezone.now()) > report.due_at


# --- the home page -----------------------------------------------------------------------------


@dataclass
class Line:
    organisation: Organisation
    start: date
    end: date
    due: Any
    report: Report | None
    url: str
    overdue: bool


@dataclass
class Waiting:
    organisation: Organisation
    start: date
    end: date
    count: int
    url: str


@dataclass
class FormBlock:
    form: ReportForm
    lines: list[Line]
    waiting: list[Waiting]


def home_blocks(user: Any, today: date) -> list[FormBlock]:
    mine = my_organisations(user)
    now = timezone.now()
    blocks = []
    for form in visible_forms(user).filter(source=FormSource.FILLED):  # the tables' duty is on its own page
        spans = current_periods(form, today)
        starts = [start for start, _end in spans]
        lines: list[Line] = []
        waiting: list[Waiting] = []
        own = [org for org in mine if obligations.is_obliged(form, org)]
        existing = {
            (r.organisation_id, r.period_start): r
            for r in Report.objects.for_user(user, "view").filter(
                form=form, organisation__in=own, period_start__in=starts
            )
        }
        for org in own:
            for start, end in spans:
                report = existing.get((org.pk, start))
                if report is None and not Report.policy.allows_in(user, "fill", org):
                    url = ""
                else:
                    url = detail_url(report) if report is not None else open_url(form, start, org)
                due = report.due_at if report is not None else periods.due_at(form, start, end)
                overdue = (report is None or report.status in EDITABLE) and now > due
                lines.append(Line(org, start, end, due, report, url, overdue))
        for org in mine:
            if not Report.policy.allows_in(user, "approve", org):
                continue
            children = obligations.obliged_children(form, org)
            if not children:
                continue
            submitted = Report.objects.filter(
                form=form, organisation__in=children, period_start__in=starts, status=ReportStatus.SUBMITTED
            )
            counts: dict[date, int] = {}
            for start in submitted.values_list("period_start", flat=True):
                counts[start] = counts.get(start, 0) + 1
            for start, end in spans:
                waiting.append(Waiting(org, start, end, counts.get(start, 0), review_url(form, start, org)))
        if lines or waiting:
            blocks.append(FormBlock(form, lines, waiting))
    return blocks


@access.scoped(Report, "view")
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "reports/home.html",
        {
            "blocks": home_blocks(request.user, today),
            "today": today,
            "may_build": ReportForm.policy.may(request.user, "change"),
            "rates_base": rates_base(),
        },
    )


# --- opening a report --------------------------------------------------------------------------


@access.scoped(Report, "view")
@require_safe
def report_open(request: HttpRequest) -> HttpResponse:
    """``?form=&period=&org=``: the organisation's report of the period, started (a draft) when
    there is none yet and the user fills reports there; 404 for a form or organisation out of
    reach or an organisation that does not report on the form; a period that has not begun yet or
    is not one of the form's: the reason, on the reports' home page."""
    user = request.user
    form = visible_form_or_404(user, request.GET.get("form"))
    org_id = int_param(request.GET.get("org"))
    organisation = Organisation.objects.filter(pk=org_id).first() if org_id is not None else None
    if organisation is None or not Report.policy.allows_in(user, "view", organisation):
        raise Http404
    try:
        start, _end = periods.parse_period(form, str(request.GET.get("period") or ""))
    except ServiceError as exc:  # not a period of the form: say so (the form is one the user sees)
        messages.error(request, exc.message)
        return redirect("reports:home")
    if start > timezone.localdate():
        messages.error(
            request,
            _("This period has not begun yet: it starts on %(day)s, and its report can be opened from then.")
            % {"day": start.isoformat()},
        )
        return redirect("reports:home")
    report = Report.objects.filter(form=form, organisation=organisation, period_start=start).first()
    if report is None:
        if not Report.policy.allows_in(user, "fill", organisation):
            raise Http404
        try:
            report = services.open_report(actor=user, form=form, organisation=organisation, period_start=start)
        except NotAllowed as exc:
            raise Http404 from exc
        except ServiceError as exc:
            raise Http404 from exc
    return redirect(detail_url(report))


# --- the report's page -------------------------------------------------------------------------


def _report_rows(request: HttpRequest) -> Any:
    return Report.objects.select_related(
        "form__organisation", "organisation", "submitted_by", "returned_by", "approved_by", "unlocked_by"
    )


def _fresh(report: Report) -> Report:
    return _report_rows(None).get(pk=report.pk)  # type: ignore[arg-type]


def field_error_name(field: str | None, keys: set[str]) -> str | None:
    """The form field a service's refusal names: a key (``audience``), ``values.audience`` or
    ``comments.audience``."""
    if not field:
        return None
    if field.startswith(("comments.", "comment.")):
        key = field.split(".", 1)[1]
        return forms.comment_name(key) if key in keys else None
    if field.startswith("values."):
        field = field.split(".", 1)[1]
    return forms.value_name(field) if field in keys else None


def place_error(form: forms.ValuesForm, exc: ServiceError) -> None:
    """A refusal on the input it is about (a missing comment on the comment's), else above."""
    keys = {row.field.key for row in form.rows}
    name = field_error_name(getattr(exc, "field", None), keys)
    if name is not None and getattr(exc, "code", "") == "comment_required":
        name = forms.comment_name(name[2:])
    form.add_error(name if name in form.fields else None, exc.message)


def report_page(
    request: HttpRequest,
    report: Report,
    *,
    values_form: forms.ValuesForm | None = None,
    return_form: Any = None,
    unlock_form: Any = None,
    action_error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    rows = services.rows(report)
    may = {action: services.may(user, action, report) for action in ("fill", "approve", "return", "unlock")}
    editable = report.status in EDITABLE and may["fill"]
    if editable and values_form is None:
        values_form = forms.ValuesForm(rows=rows, version=report.version)
    if not editable:
        values_form = None
    if may["return"] and return_form is None and report.status == ReportStatus.SUBMITTED:
        return_form = approval_forms.ReturnForm(version=report.version)
    if may["unlock"] and unlock_form is None and report.status == ReportStatus.APPROVED:
        unlock_form = approval_forms.UnlockForm(version=report.version)
    lines = [
        {
            "row": row,
            "input": values_form.value_field(row.field.key) if values_form is not None else None,
            "comment_input": values_form.comment_field(row.field.key) if values_form is not None else None,
            "computed": row.field.kind == FieldKind.COMPUTED,
            "text": row.field.kind == FieldKind.TEXT,
        }
        for row in rows
    ]
    if not services.may_read_texts(user, report.organisation):
        # Viewers and auditors: the figures only, never what a unit typed (it may name someone).
        for line, row in zip(lines, rows, strict=True):
            line["hidden"] = line["text"]
            line["row"] = dataclasses.replace(row, comment="")
    rolls_up = any(row.children_sum is not None for row in rows)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "form": report.form,
            "lines": lines,
            "rolls_up": rolls_up,
            "values_form": values_form,
            "editable": editable,
            "may": may,
            "return_form": return_form,
            "unlock_form": unlock_form,
            "action_error": action_error,
            "late": is_late(report),
            "live": report.status in EDITABLE,
            # who approved, returned or submitted: for who fills or reviews, never for a viewer
            "show_people": Report.policy.allows(user, "fill", report) or Report.policy.allows(user, "approve", report),
            "review_link": review_url(report.form, report.period_start, report.organisation)
            if Report.policy.allows_in(user, "approve", report.organisation)
            and obligations.obliged_children(report.form, report.organisation)
            else "",
        },
        status=status,
    )


@access.scoped(Report, "view", lookup="pk", queryset=_report_rows)
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, report: Report) -> HttpResponse:
    """The report; a POST saves the entered values and comments (who fills it, while it is a
    draft or returned)."""
    if request.method != "POST":
        return report_page(request, report)
    if not services.may(request.user, "fill", report):
        raise _refused()
    form = forms.ValuesForm(request.POST, rows=services.rows(report))
    if form.is_valid():
        values, comments = form.entries()
        try:
            saved = services.save_values(
                actor=request.user,
                report=report,
                values=values,
                comments=comments,
                version=form.cleaned_data["version"],
            )
        except NotAllowed as exc:
            raise _refused(exc.message) from exc
        except ServiceError as exc:
            place_error(form, exc)
        else:
            messages.success(request, _("Saved. Submit the report when it is complete."))
            return redirect(detail_url(saved))
    return report_page(request, _fresh(report), values_form=form)


def _refused(message: str = "") -> Exception:
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(message)


@access.scoped(Report, "fill", lookup="pk", queryset=_report_rows)
@require_POST
def report_submit(request: HttpRequest, report: Report) -> HttpResponse:
    """Save what the form holds, then submit: computed figures frozen, the level above told. A
    second tap on the button (the same form again, just submitted by the same person) goes to
    the report with a note, not to a conflict."""
    posted_version = int_param(request.POST.get("version"))
    if (
        report.status == ReportStatus.SUBMITTED
        and report.submitted_by_id == request.user.pk
        and posted_version is not None
        and posted_version == report.version - 1
    ):
        messages.info(request, _("This report is already submitted."))
        return redirect(detail_url(report))
    if not services.may(request.user, "fill", report):
        raise _refused()
    form = forms.ValuesForm(request.POST, rows=services.rows(report))
    if not form.is_valid():
        return report_page(request, _fresh(report), values_form=form)
    values, comments = form.entries()
    try:
        submitted = services.submit(
            actor=request.user,
            report=report,
            values=values,
            comments=comments,
            version=form.cleaned_data["version"],
        )
    except NotAllowed as exc:
        raise _refused(exc.message) from exc
    except ServiceError as exc:  # nothing saved: the form keeps what was typed
        place_error(form, exc)
        return report_page(request, _fresh(report), values_form=form)
    if submitted.submitted_at and submitted.submitted_at > submitted.due_at:
        messages.warning(request, _("Submitted after the deadline: the level above sees it as late."))
    else:
        messages.success(request, _("Submitted on time: the level above will review it."))
    return redirect(detail_url(submitted))


urlpatterns = [
    path("", home, name="home"),
    path("open/", report_open, name="report_open"),
    path("r/<int:pk>/", report_detail, name="report_detail"),
    path("r/<int:pk>/submit/", report_submit, name="report_submit"),
]
