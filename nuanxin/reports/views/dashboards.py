"""Reports up the tree: the dashboard of an organisation (the campaign's key figures over time,
ECharts, viewer-safe: counts and amounts only) and the brief of a period as PDF and xlsx."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from nuanxin.core import access, exports, pdf
from nuanxin.core.errors import ServiceError
from nuanxin.reports import figures
from nuanxin.reports.choices import FormSource
from nuanxin.reports.models import Report
from nuanxin.reports.selectors import dashboards as selectors
from nuanxin.reports.selectors import rates as rate_selectors
from nuanxin.reports.services import briefs
from nuanxin.reports.views.rates import chosen

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []


def chart_data(panel: selectors.Panel, unit: str, figs: list[selectors.Figure], index: int) -> dict[str, Any]:
    language = translation.get_language() or ""
    return {
        "locale": "ZH" if language.startswith("zh") else "EN",
        "id": f"nx-dash-chart-{index}",
        "categories": panel.categories,
        "series": [{"name": f.label, "data": [float(v) for v in f.values]} for f in figs],
    }


@access.scoped(Report, "view")
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    organisation = rate_selectors.organisation_for(user, request.GET.get("org"))
    form_id = request.GET.get("form")
    if form_id:
        form = rate_selectors.form_for(user, form_id)
        forms = selectors.dashboard_forms(user, form.pk)
    else:
        forms = selectors.dashboard_forms(user)
    panels = [selectors.panel(f, organisation) for f in forms]
    charts: list[dict[str, Any]] = []
    for panel in panels:
        for unit, figs in panel.by_unit():
            index = len(charts)
            charts.append(
                {
                    "panel": panel,
                    "unit": figures.UNITS.get(unit, unit),
                    "figures": figs,
                    "id": f"nx-dash-chart-{index}",
                    "source": f"nx-dash-data-{index}",
                    "data": chart_data(panel, unit, figs, index),
                }
            )
    children = rate_selectors.reachable_children(user, organisation)
    up = rate_selectors.reachable_parent(user, organisation)
    return render(
        request,
        "reports/dashboard.html",
        {
            "organisation": organisation,
            "panels": panels,
            "charts": charts,
            "children": children,
            "up": up,
            "form_id": form_id or "",
        },
    )


def _brief(request: HttpRequest, kind: str) -> HttpResponse:
    form, span, organisation, _forms = chosen(request, source=FormSource.FILLED)
    if form is None or span is None:
        raise Http404
    try:
        asked = date.fromisoformat(str(request.GET.get("period") or "").strip())
    except ValueError:
        asked = None
    if asked is not None:
        try:  # a day outside the form's periods is refused, not answered with another period's brief
            briefs.check_period(form, asked, timezone.localdate())
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("reports:rates") + "?" + urlencode({"form": form.pk, "org": organisation.pk}))
    build = briefs.brief_pdf if kind == "pdf" else briefs.brief_xlsx
    try:
        content, filename = build(actor=request.user, form=form, organisation=organisation, period_start=span[0])
    except ServiceError as exc:  # no PDF libraries on this server
        messages.error(request, str(exc))
        return redirect(reverse("reports:rates") + "?" + request.GET.urlencode())
    if kind == "pdf":
        return pdf.response(content, filename)
    return exports.file_response(content, filename)


@access.scoped(Report, "view")
@require_safe
def brief_pdf(request: HttpRequest) -> HttpResponse:
    return _brief(request, "pdf")


@access.scoped(Report, "view")
@require_safe
def brief_xlsx(request: HttpRequest) -> HttpResponse:
    return _brief(request, "xlsx")


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("brief/pdf/", brief_pdf, name="brief_pdf"),
    path("brief/xlsx/", brief_xlsx, name="brief_xlsx"),
]
