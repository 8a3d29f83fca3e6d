"""The form builder (city administrators): the list of report forms, a new form, and a form's
page with its settings (name, period, deadline, who reports) and its fields (figures picked
from the catalogue ``reports.figures.METRICS`` grouped by app, numbers, amounts and texts
entered by hand, in order)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from nuanxin.core import access, idempotency
from nuanxin.core.pages import posted, run_service
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.reports import figures
from nuanxin.reports.forms import forms as builder
from nuanxin.reports.models import FormField, ReportForm
from nuanxin.reports.services import forms as services

MENU: list = []  # the one reports entry is the home's (views/filling.py)
COUNTERS: list = []
HOME_PANELS: list = []


def group_label(group: str) -> str:
    return str(figures.GROUP_LABELS.get(group, group))


def _root(user: Any) -> Organisation | None:
    """The organisation a new form belongs to: where the builder's grant sits."""
    return scope.common_root(user, ReportForm.policy.roles("change"))


def _detail_url(form: ReportForm) -> str:
    return reverse("reports:form_detail", kwargs={"pk": form.pk})


@access.scoped(ReportForm, "change")
@require_safe
def form_list(request: HttpRequest) -> HttpResponse:
    rows = (
        ReportForm.objects.for_user(request.user, "change")
        .select_related("organisation")
        .prefetch_related("fields")
        .order_by("-active", "name", "id")
    )
    return render(request, "reports/form_list.html", {"rows": rows})


@access.scoped(ReportForm, "change")
@require_http_methods(["GET", "POST"])
@idempotency.form
def form_create(request: HttpRequest) -> HttpResponse:
    root = _root(request.user)
    if root is None:
        raise Http404
    form = builder.CreateForm(posted(request), root=root, initial={"deadline_days": "0.5", "period_type": "weekly"})
    if form.is_bound and form.is_valid():
        ok, created = run_service(
            form,
            services.create_form,
            actor=request.user,
            organisation=root,
            code=form.cleaned_data["code"],
            **form.values(),
        )
        if ok:
            messages.success(request, _("The report form is created: now pick its fields."))
            return redirect(_detail_url(created))
    return render(request, "reports/form_create.html", {"form": form, "root": root})


def _rows(request: HttpRequest) -> Any:
    return ReportForm.objects.select_related("organisation")


def _fields(report_form: ReportForm) -> list[FormField]:
    return list(report_form.fields.order_by("position", "id"))


@access.scoped(ReportForm, "change", lookup="pk", queryset=_rows)
@require_http_methods(["GET", "POST"])
def form_detail(request: HttpRequest, report_form: ReportForm) -> HttpResponse:
    """The form's settings and its fields, each saved by its own button (``part``)."""
    part = request.POST.get("part") if request.method == "POST" else None
    current = _fields(report_form)
    settings_form = builder.EditForm(
        request.POST if part == "settings" else None,
        root=report_form.organisation,
        version=report_form.version,
        initial=builder.settings_initial(report_form),
    )
    fields_form = builder.FieldsForm(
        request.POST if part == "fields" else None,
        metrics=figures.METRICS,
        fields=current,
        version=report_form.version,
    )
    if part == "settings" and settings_form.is_valid():
        ok, _saved = run_service(
            settings_form,
            lambda **values: services.change_form(form=report_form, **values),
            actor=request.user,
            version=settings_form.cleaned_data["version"],
            **settings_form.values(),
        )
        if ok:
            messages.success(request, _("The settings of the report form are saved."))
            return redirect(_detail_url(report_form))
    elif part == "fields" and fields_form.is_valid():
        ok, _saved = run_service(
            fields_form,
            lambda **values: services.set_fields(form=report_form, **values),
            actor=request.user,
            fields=fields_form.cleaned_data["field_list"],
            version=fields_form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("The fields of the report form are saved."))
            return redirect(_detail_url(report_form))
    elif part not in (None, "settings", "fields"):
        raise Http404
    return render(
        request,
        "reports/form_detail.html",
        {
            "report_form": report_form,
            "settings_form": settings_form,
            "fields_form": fields_form,
            "groups": [(group_label(group), rows) for group, rows in fields_form.metric_groups()],
            "fields": current,
        },
    )


urlpatterns = [
    path("forms/", form_list, name="form_list"),
    path("forms/new/", form_create, name="form_create"),
    path("forms/<int:pk>/", form_detail, name="form_detail"),
]
