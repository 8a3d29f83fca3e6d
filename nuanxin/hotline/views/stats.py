"""The hotline's figures page: one hotline or every hotline under an organisation of the user's
reach, over a period: charts (Apache ECharts, fed from a JSON block) and the same figures in
tables. Aggregates only (``selectors/stats.py``): administrators, viewers and auditors see
them, never a record."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext
from django.utils.translation import gettext as _

from nuanxin.core import access, treelabels
from nuanxin.core.errors import ServiceError
from nuanxin.core.manifest import MenuEntry
from nuanxin.hotline.models import Hotline
from nuanxin.hotline.selectors import stats
from nuanxin.orgs import scope


def _charts(figures: dict[str, Any], names: dict[int, str]) -> dict[str, Any]:
    """The charts' data for ``hotline_stats.js``: per chart a kind, categories and series."""
    calls, assessments, seats = figures["calls"], figures["assessments"], figures["seats"]
    charts: list[dict[str, Any]] = [
        {
            "id": "nx-chart-days",
            "kind": "line",
            "categories": [d["day"][5:] for d in calls["per_day"]],
            "series": [{"name": pgettext("hotline figures", "Calls"), "data": [d["count"] for d in calls["per_day"]]}],
        },
        {
            "id": "nx-chart-lines",
            "kind": "bar",
            "horizontal": True,
            "categories": [f"{r['label']} {r['number']}".strip() for r in calls["per_line"]],
            "series": [{"name": pgettext("hotline figures", "Calls"), "data": [r["count"] for r in calls["per_line"]]}],
        },
        {
            "id": "nx-chart-topics",
            "kind": "bar",
            "horizontal": True,
            "categories": [r["label"] for r in calls["topics"]],
            "series": [{"name": pgettext("hotline figures", "Calls"), "data": [r["count"] for r in calls["topics"]]}],
        },
        {
            "id": "nx-chart-risks",
            "kind": "bar",
            "categories": [r["label"] for r in calls["risks"]],
            "series": [{"name": pgettext("hotline figures", "Calls"), "data": [r["count"] for r in calls["risks"]]}],
        },
    ]
    for scale in assessments["per_scale"]:
        charts.append(
            {
                "id": f"nx-chart-scale-{scale['scale']}",
                "kind": "bar",
                "categories": [b["label"] for b in scale["bands"]],
                "series": [{"name": scale["scale"], "data": [b["count"] for b in scale["bands"]]}],
            }
        )
    shifts = seats["per_shift"]
    several = len({s["hotline"] for s in shifts}) > 1
    charts.append(
        {
            "id": "nx-chart-seats",
            "kind": "bar",
            "categories": [
                (f"{names.get(s['hotline'], '')} " if several else "")
                + timezone.localtime(s["starts_at"]).strftime("%m-%d %H:%M")
                for s in shifts
            ],
            "series": [
                {"name": _("Seats filled"), "data": [s["filled"] for s in shifts]},
                {"name": _("Minimum seats"), "data": [s["min_seats"] for s in shifts], "line": True},
            ],
        }
    )
    return {"locale": "ZH" if (get_language() or "").startswith("zh") else "EN", "charts": charts}


@access.scoped(Hotline, "report")
def stats_page(request: HttpRequest) -> HttpResponse:
    """The figures for ``?org=&hotline=&from=&to=`` (default: the root of the user's reach, the
    last 30 days). An organisation or hotline outside the reach is a 404 with a message."""
    user = request.user
    orgs = stats.organisations(user)
    context: dict[str, Any] = {
        "choices": [(o.code, label) for o, label in treelabels.labelled(orgs)],
        "values": {k: request.GET.get(k, "") for k in ("org", "hotline", "from", "to")},
    }
    status = 200
    try:
        organisation, hotline = stats.pick(user, request.GET.get("org") or None, request.GET.get("hotline") or None)
        # the user's grants may cover only part of the organisation (a viewer on a group of
        # hospitals sees the figures under their common root): the heading then says so
        partial = not scope.covers(user, stats.REPORT_ROLES, organisation)
        context.update(org=organisation, hotline=hotline, partial=partial)
        context["hotline_choices"] = stats.hotlines(user, organisation)
        p = stats.period(request.GET.get("from") or None, request.GET.get("to") or None)
    except stats.NotInScope as exc:
        context["error"] = exc.message
        status = 404
    except ServiceError as exc:
        context["error"] = exc.message
    else:
        figures = stats.figures(user, organisation, p, hotline)
        names = {h["id"]: h["name"] for h in figures["hotlines"]}
        context.update(
            figures=figures,
            period=p,
            chart=_charts(figures, names),
            several=len(figures["hotlines"]) > 1,
            names=names,
        )
        context["values"].update({"org": organisation.code, "from": p.start.isoformat(), "to": p.end.isoformat()})
    return render(request, "hotline/stats.html", context, status=status)


urlpatterns = [path("figures/", stats_page, name="stats")]
MENU = [
    MenuEntry(
        gettext_lazy("Hotline figures"),
        "hotline:stats",
        order=264,
        element_id="nx-nav-hotline-stats",
        visible=lambda user: Hotline.policy.may(user, "report"),
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []
