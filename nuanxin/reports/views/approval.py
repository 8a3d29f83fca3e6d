"""Approval up the tree: approve, return with a comment, unlock (the reviewer's buttons on the
report's page), and the review list of a period: the children's reports of an organisation
(status, submitted on time or late, a link), the level above's work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from nuanxin.core import access, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.orgs.models import Organisation
from nuanxin.reports.choices import EDITABLE, FormSource, ReportStatus
from nuanxin.reports.forms import approval as forms
from nuanxin.reports.models import Report
from nuanxin.reports.services import obligations, periods
from nuanxin.reports.services import reports as services
from nuanxin.reports.views import filling

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []


def _rows(request: HttpRequest) -> Any:
    return filling._report_rows(request)


def _act(request: HttpRequest, report: Report, action: str, form: Any, call: Any, done: str, **extra: Any) -> Any:
    """Run a reviewer's action: its refusal is shown on the report's page (its form keeps what
    was typed), its success is the message and the report's page. An action the report's state
    no longer allows (it was approved, returned or unlocked in another tab or by a colleague) is
    the house's conflict message on the report as it is now (HTTP 409), with what was typed
    quoted back; only a user who may not do it at all is refused (403)."""
    if not services.may(request.user, action, report):
        if report.status == STATE_NEEDED[action] or not services.may_in_state(request.user, action, report):
            raise PermissionDenied
        return _stale(request, report, form, extra)
    if form.is_valid():
        values = {name: form.cleaned_data[name] for name in extra}
        try:
            result = call(actor=request.user, report=report, version=form.cleaned_data["version"], **values)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields and exc.field != "version" else None, exc.message)
        else:
            messages.success(request, done)
            return redirect(filling.detail_url(result))
    return None


STATE_NEEDED = {"approve": ReportStatus.SUBMITTED, "return": ReportStatus.SUBMITTED, "unlock": ReportStatus.APPROVED}


def _stale(request: HttpRequest, report: Report, form: Any, extra: dict[str, Any]) -> HttpResponse:
    message = versioning.conflict_message(report)
    typed = [str(form.data.get(name, "")).strip() for name in extra]
    typed = [t for t in typed if t]
    if typed:
        message = " ".join([message, _("What you typed: %(text)s") % {"text": " ".join(typed)}])
    return filling.report_page(request, filling._fresh(report), action_error=message, status=409)


@access.scoped(Report, "approve", lookup="pk", queryset=_rows)
@require_POST
def report_approve(request: HttpRequest, report: Report) -> HttpResponse:
    form = forms.ApproveForm(request.POST)
    done = _act(request, report, "approve", form, services.approve, _("Approved: the report is locked."))
    if done is not None:
        return done
    errors = " ".join(str(e) for e in form.non_field_errors()) or " ".join(
        str(e) for errors in form.errors.values() for e in errors
    )
    return filling.report_page(request, filling._fresh(report), action_error=errors)


@access.scoped(Report, "return", lookup="pk", queryset=_rows)
@require_POST
def report_return(request: HttpRequest, report: Report) -> HttpResponse:
    form = forms.ReturnForm(request.POST)
    done = _act(
        request,
        report,
        "return",
        form,
        services.return_report,
        _("Returned with your comment: the organisation corrects it and submits it again."),
        comment=True,
    )
    return done or filling.report_page(request, filling._fresh(report), return_form=form)


@access.scoped(Report, "unlock", lookup="pk", queryset=_rows)
@require_POST
def report_unlock(request: HttpRequest, report: Report) -> HttpResponse:
    form = forms.UnlockForm(request.POST)
    done = _act(
        request,
        report,
        "unlock",
        form,
        services.unlock,
        _("Unlocked: the report is submitted again and may be returned or approved."),
        reason=True,
    )
    return done or filling.report_page(request, filling._fresh(report), unlock_form=form)


# --- the review list -----------------------------------------------------------------------------


@dataclass
class ChildLine:
    organisation: Organisation
    report: Report | None
    late: bool
    may_open: bool


def _reviewable(user: Any) -> list[Organisation]:
    """My organisations where I review (approve) the children's reports."""
    return [org for org in filling.my_organisations(user) if Report.policy.allows_in(user, "approve", org)]


@access.scoped(Report, "approve")
@require_safe
def review(request: HttpRequest) -> HttpResponse:
    """``?form=&period=&org=``: the children's reports of a period; without ``form`` the forms
    to choose from, without ``period`` the current one, without ``org`` my first organisation."""
    user = request.user
    forms_list = list(filling.visible_forms(user).filter(source=FormSource.FILLED))
    if not request.GET.get("form"):
        if len(forms_list) == 1:
            report_form = forms_list[0]
        else:
            return render(request, "reports/review_pick.html", {"forms": forms_list})
    else:
        report_form = filling.visible_form_or_404(user, request.GET.get("form"))
        if report_form.source != FormSource.FILLED:  # the tables are sent by import: their duty page
            raise Http404
    today = timezone.localdate()
    if request.GET.get("period"):
        start, end = filling.period_or_404(report_form, request.GET.get("period"))
    else:
        start, end = periods.period_of(report_form, today)
    mine = _reviewable(user)
    org_id = filling.int_param(request.GET.get("org"))
    if request.GET.get("org"):
        organisation = Organisation.objects.filter(pk=org_id).first() if org_id is not None else None
        if organisation is None or not Report.policy.allows_in(user, "approve", organisation):
            raise Http404
    elif mine:
        organisation = mine[0]
    else:
        raise Http404
    children = obligations.obliged_children(report_form, organisation)
    reports = {
        r.organisation_id: r
        for r in Report.objects.filter(form=report_form, organisation__in=children, period_start=start).select_related(
            "submitted_by"
        )
    }
    now = timezone.now()
    due = periods.due_at(report_form, start, end)
    lines = []
    for child in children:
        report = reports.get(child.pk)
        late = filling.is_late(report, now) if report is not None else now > due
        lines.append(ChildLine(child, report, late, report is not None))
    counts = {
        "expected": len(lines),
        "submitted": sum(1 for line in lines if line.report and line.report.status not in EDITABLE),
        "approved": sum(1 for line in lines if line.report and line.report.status == ReportStatus.APPROVED),
        "waiting": sum(1 for line in lines if line.report and line.report.status == ReportStatus.SUBMITTED),
    }
    period_choices = [(s, e) for s, e in periods.periods(report_form, until=max(today, report_form.starts_on))[:12]]
    own = Report.objects.filter(form=report_form, organisation=organisation, period_start=start).first()
    return render(
        request,
        "reports/review.html",
        {
            "report_form": report_form,
            "organisation": organisation,
            "start": start,
            "end": end,
            "due": due,
            "lines": lines,
            "counts": counts,
            "periods": period_choices,
            "mine": mine,
            "own": own,
            "own_url": filling.open_url(report_form, start, organisation)
            if own is None
            and obligations.is_obliged(report_form, organisation)
            and Report.policy.allows_in(user, "fill", organisation)
            else (filling.detail_url(own) if own is not None else ""),
            "rates_url": _rates_url(report_form, start, organisation),
            "base_query": urlencode({"form": report_form.pk, "org": organisation.pk}),
        },
    )


def _rates_url(report_form: Any, start: date, organisation: Organisation) -> str:
    base = filling.rates_base()
    if not base:
        return ""
    return f"{base}?{urlencode({'form': report_form.pk, 'period': start.isoformat(), 'org': organisation.pk})}"


urlpatterns = [
    path("r/<int:pk>/approve/", report_approve, name="report_approve"),
    path("r/<int:pk>/return/", report_return, name="report_return"),
    path("r/<int:pk>/unlock/", report_unlock, name="report_unlock"),
    path("review/", review, name="review"),
]
