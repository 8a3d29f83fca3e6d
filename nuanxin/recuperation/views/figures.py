"""Recuperation's figures page (counts only: viewers see it too, never a name): a programme's
batches and their total — places, filled, offered, waiting, declined, expired, attended, did
not come, the aid-team members' share of the places filled — as a chart (the vendored ECharts,
``recuperation-figures.js``) and the same figures as a table."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nuanxin.core import access
from nuanxin.recuperation.models import Batch, Candidate
from nuanxin.recuperation.selectors import figures as selectors
from nuanxin.recuperation.views.catalogue import programme_or_404

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []


def chart_data(result: selectors.ProgrammeFigures) -> dict[str, Any]:
    """The chart's JSON: per batch, the places filled, offered, waiting and free, stacked."""
    rows = result.batches
    language = translation.get_language() or ""
    return {
        "locale": "ZH" if language.startswith("zh") else "EN",
        "categories": [r.label for r in rows],
        "series": [
            {"name": pgettext("recuperation", "Filled"), "data": [r.filled for r in rows]},
            {"name": pgettext("recuperation", "Offered"), "data": [r.offered for r in rows]},
            {"name": _("Free places"), "data": [max(0, r.places - r.filled - r.offered) for r in rows]},
        ],
        "waiting": {"name": _("Waiting"), "data": [r.waiting for r in rows]},
    }


@access.scoped(Candidate, "report")
def programme_figures(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    programme = programme_or_404(user, pk)
    result = selectors.figures(user, programme)
    return render(request, "recuperation/figures.html", {
        "programme": programme,
        "figures": result,
        "chart": chart_data(result),
        "may_view_batches": Batch.policy.may(user, "view"),
    })


urlpatterns = [
    path("programmes/<int:pk>/figures/", programme_figures, name="programme_figures"),
]
