"""The family produce supply: the figures page (viewer-safe: counts and amounts, no family)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from nuanxin.core import access
from nuanxin.produce.models import Offer
from nuanxin.produce.selectors import figures as selectors

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []


def chart_data(weekly: list) -> dict[str, Any]:
    language = translation.get_language() or ""
    return {
        "locale": "ZH" if language.startswith("zh") else "EN",
        "id": "nx-produce-chart",
        "categories": [f"{week:%m-%d}" for week, _f in weekly],
        "bars": [
            {"name": _("Parcels collected"), "data": [f.collected for _w, f in weekly]},
            {"name": _("Not collected"), "data": [f.uncollected for _w, f in weekly]},
            {"name": _("Waiting or open"), "data": [f.parcels - f.collected - f.uncollected for _w, f in weekly]},
        ],
        "line": {"name": _("Subsidy (yuan)"), "data": [float(f.subsidy) for _w, f in weekly]},
    }


@access.scoped(Offer, "figures")
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    rows, org_rows, weekly, total = selectors.figures(request.user)
    family_rows = selectors.family_rows(request.user)
    if not rows and family_rows:
        # no pickup point in scope (a unit's or a group's viewer): the summary counts the
        # parcels of the families in scope, wherever they were collected
        total = selectors.Figures()
        for r in family_rows:
            if r.depth == 0:
                total.add(r.figures)
    return render(
        request,
        "produce/figures.html",
        {
            "rows": rows,
            "org_rows": org_rows,
            "family_rows": family_rows,
            "weekly": weekly,
            "total": total,
            "weeks": selectors.WEEKS,
            "chart": chart_data(weekly),
        },
    )


urlpatterns = [
    path("figures/", figures, name="figures"),
]
