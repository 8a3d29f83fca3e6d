"""Volunteer teams: the figures page (viewer-safe: counts and hours, never a volunteer's name)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from nuanxin.core import access
from nuanxin.volunteers.choices import ACTIVE_DAYS, ACTIVE_HOURS
from nuanxin.volunteers.models import Team
from nuanxin.volunteers.selectors import figures as selectors
from nuanxin.volunteers.views.teams import ctx

MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []


def chart_data(page: selectors.Page) -> dict[str, Any]:
    language = translation.get_language() or ""
    rows = [r for r in page.rows if r.depth <= 1][:30]
    return {
        "locale": "ZH" if language.startswith("zh") else "EN",
        "id": "nx-volunteers-chart",
        "categories": [r.organisation.name for r in rows],
        "series": [
            {"name": _("Volunteer hours"), "data": [float(r.figures.volunteer_hours) for r in rows]},
            {"name": _("People served by volunteers"), "data": [r.figures.people_served for r in rows]},
            {"name": _("Active volunteers"), "data": [r.figures.volunteers_active for r in rows]},
        ],
    }


@access.scoped(Team, "figures")
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    page = selectors.figures(request.user)
    return render(
        request,
        "volunteers/figures.html",
        ctx(
            request,
            "volunteers:figures",
            page=page,
            chart=chart_data(page),
            active_hours=ACTIVE_HOURS,
            active_days=ACTIVE_DAYS,
        ),
    )


urlpatterns = [
    path("figures/", figures, name="figures"),
]
