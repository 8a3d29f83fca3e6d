"""The figures of a call (counts only: viewers see them too, never a nominee's name or story):
nominations by award type and by organisation (the district level), how many nominees are
frontline epidemic staff and Hubei aid-team members, awarded; a chart (the vendored ECharts)
and the same figures as tables."""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _

from nuanxin.core import access
from nuanxin.honours.choices import CallStatus, NominationStatus
from nuanxin.honours.models import Call, Nomination
from nuanxin.honours.selectors import figures as selectors


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def chart_data(figures: Any) -> dict[str, Any]:
    """The charts' JSON (``honours-figures.js``): nominations and frontline nominees by award type
    and by organisation."""
    def spec(element_id: str, rows: list[Any]) -> dict[str, Any]:
        return {
            "id": element_id,
            "categories": [str(r.label) for r in rows],
            "series": [
                {"name": _("Nominations"), "data": [r.total for r in rows]},
                {"name": _("Frontline staff"), "data": [r.frontline for r in rows]},
            ],
        }

    return {
        "locale": "ZH" if translation.get_language() and translation.get_language().startswith("zh") else "EN",
        "charts": [spec("nx-honours-chart-types", figures.by_award_type),
                   spec("nx-honours-chart-orgs", figures.by_organisation)],
    }


@access.scoped(Nomination, "report")
def call_figures(request: HttpRequest, pk: int) -> HttpResponse:
    call = cast(Call, access.get_scoped_or_404(Call, request.user, "view", pk=pk))
    if call.status == CallStatus.DRAFT and not Call.policy.allows(request.user, "manage", call):
        raise Http404
    figures = selectors.figures(request.user, call)
    statuses = [(code, label, figures.by_status.get(code, 0)) for code, label in NominationStatus.choices
                if code != NominationStatus.DRAFT]
    return render(
        request,
        "honours/call_figures.html",
        {
            "call": call,
            "figures": figures,
            "frontline_share": _share(figures.frontline, figures.total),
            "aid_share": _share(figures.aid, figures.total),
            "statuses": statuses,
            "chart": chart_data(figures),
            "may_view": Nomination.policy.may(request.user, "view"),
        },
    )


urlpatterns = [
    path("calls/<int:pk>/figures/", call_figures, name="call_figures"),
]
