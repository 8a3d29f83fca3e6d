"""The schemes (the mutual-aid pages' start: 互助保障), a city administrator's pages to add and
change them, a scheme's board (per unit: eligible not enrolled, enrolled; the actions) and its
figures (counts only: viewers too, with the vendored ECharts)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from nuanxin.core import access, idempotency
from nuanxin.core.manifest import MenuEntry
from nuanxin.welfare import forms
from nuanxin.welfare.models import Enrolment, EnrolmentImport, Scheme
from nuanxin.welfare.selectors import figures as figure_selectors
from nuanxin.welfare.selectors.eligibility import eligible_by_unit, team_workers
from nuanxin.welfare.services import charges
from nuanxin.welfare.services import schemes as services
from nuanxin.welfare.views.common import organisations, posted, submit


def _may_see(user: Any) -> bool:
    return bool(Scheme.policy.may(user, "view"))


MENU = [
    MenuEntry(pgettext_lazy("menu", "Mutual-aid scheme"), "welfare:scheme_list", order=292,
              element_id="nx-nav-welfare", visible=_may_see),
]
COUNTERS: list = []
HOME_PANELS: list = []


def scheme_url(scheme: Scheme) -> str:
    return reverse("welfare:scheme_detail", kwargs={"pk": scheme.pk})


def _abilities(user: Any) -> dict[str, bool]:
    return {
        "manage": Scheme.policy.may(user, "manage"),
        "may_view": Enrolment.policy.may(user, "view"),
        "may_enrol": Enrolment.policy.may(user, "enrol"),
        "may_report": Enrolment.policy.may(user, "report"),
        "may_charge": bool(charges.chargeable_funds(user)),
    }


@access.scoped(Scheme, "view")
def scheme_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    schemes = Scheme.objects.for_user(user, "view")
    if not Scheme.policy.may(user, "manage"):
        schemes = schemes.filter(active=True) | schemes.filter(enrolments__isnull=False)
    return render(request, "welfare/scheme_list.html",
                  {"schemes": list(schemes.distinct()), **_abilities(user)})


@access.scoped(Scheme, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def scheme_create(request: HttpRequest) -> HttpResponse:
    form = forms.SchemeCreateForm(posted(request))
    response = submit(
        request, form, services.create_scheme, form.service_values() if form.is_bound and form.is_valid() else {},
        done=lambda s: _("Scheme “%(name)s” created.") % {"name": str(s)}, to=scheme_url,
    )
    return response or render(request, "welfare/scheme_form.html", {"form": form, "title": _("New mutual-aid scheme")})


@access.scoped(Scheme, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, scheme: Scheme) -> HttpResponse:
    initial = {"name": scheme.name, "year": scheme.year, "cover_from": scheme.cover_from,
               "cover_to": scheme.cover_to, "contribution": scheme.contribution, "teams": list(scheme.teams),
               "description": scheme.description, "active": scheme.active}
    form = forms.SchemeEditForm(posted(request), initial=initial, version=scheme.version)
    response = submit(
        request, form, services.update_scheme, form.service_values() if form.is_bound and form.is_valid() else {},
        obj=scheme, done=lambda s: _("Scheme “%(name)s” saved.") % {"name": str(s)}, to=scheme_url,
    )
    return response or render(request, "welfare/scheme_form.html", {"form": form, "scheme": scheme,
                                                                    "title": str(scheme)})


@access.scoped(Enrolment, "view")
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The scheme's board: each unit of the user's organisations with team members, how many
    are enrolled and how many are eligible and not enrolled yet, with the unit's action."""
    user = request.user
    scheme = access.get_scoped_or_404(Scheme, user, "view", pk=pk)
    assert isinstance(scheme, Scheme)
    units = organisations(user, "view")
    members = dict(
        team_workers(scheme).filter(organisation__in=units).values_list("organisation_id").annotate(n=Count("id"))
    )
    enrolled = dict(
        Enrolment.objects.filter(scheme=scheme, worker__organisation__in=units)
        .values_list("worker__organisation_id").annotate(n=Count("id"))
    )
    eligible = eligible_by_unit(scheme, units)
    enrol_ids = set(organisations(user, "enrol").values_list("pk", flat=True))
    rows = [
        {"unit": unit, "members": members.get(unit.pk, 0), "enrolled": enrolled.get(unit.pk, 0),
         "eligible": eligible.get(unit.pk, 0), "may_enrol": unit.pk in enrol_ids}
        for unit in units.filter(pk__in=set(members) | set(enrolled))
    ]
    imports = EnrolmentImport.objects.for_user(user, "view").filter(scheme=scheme).select_related("organisation")[:10]
    return render(request, "welfare/scheme_detail.html", {
        "scheme": scheme, "rows": rows, "imports": list(imports),
        "totals": {k: sum(r[k] for r in rows) for k in ("members", "enrolled", "eligible")},
        **_abilities(user),
    })


def chart_data(figures: Any) -> dict[str, Any]:
    rows = figures.rows
    return {
        "locale": "ZH" if (translation.get_language() or "").startswith("zh") else "EN",
        "id": "nx-welfare-chart",
        "categories": [r.label for r in rows],
        "series": [
            {"name": _("Already members (scheme's list)"), "data": [r.imported for r in rows]},
            {"name": _("Enrolled by the union"), "data": [r.by_union for r in rows]},
            {"name": _("Eligible, not enrolled"), "data": [r.not_enrolled for r in rows]},
        ],
    }


@access.scoped(Enrolment, "report")
def scheme_figures(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access.get_scoped_or_404(Scheme, request.user, "view", pk=pk)
    assert isinstance(scheme, Scheme)
    figures = figure_selectors.figures(request.user, scheme)
    share = round(100 * figures.total.enrolled / figures.total.eligible) if figures.total.eligible else None
    return render(request, "welfare/scheme_figures.html", {
        "scheme": scheme, "figures": figures, "share": share, "chart": chart_data(figures),
        "may_view": Enrolment.policy.may(request.user, "view"),
    })


urlpatterns = [
    path("", scheme_list, name="scheme_list"),
    path("schemes/new/", scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/figures/", scheme_figures, name="scheme_figures"),
]
