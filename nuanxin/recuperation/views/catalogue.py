"""Recuperation's catalogue pages: the programmes (the start page, with their batches), a
programme's page, the bases, and a city administrator's pages to add and change them and to
open and close a programme.

Bases, programmes and batches belong to the whole tree: every union administrator, viewer,
auditor and finance clerk sees them (``Batch.policy`` "view"); only a city administrator (a
grant at the root) changes them ("manage"). Draft programmes are shown to those who manage
them only."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.core import access, idempotency
from nuanxin.core.manifest import MenuEntry
from nuanxin.recuperation.choices import BatchStatus, ProgrammeStatus, RankCriterion
from nuanxin.recuperation.forms import catalogue as forms
from nuanxin.recuperation.models import Base, Batch, Candidate, Programme
from nuanxin.recuperation.services import catalogue as services
from nuanxin.recuperation.views.common import posted, status_change, submit

MENU = [
    MenuEntry(pgettext_lazy("menu", "Recuperation"), "recuperation:programme_list", order=296,
              element_id="nx-nav-recuperation", visible=lambda u: Batch.policy.may(u, "view")),
]
COUNTERS: list = []
HOME_PANELS: list = []


def programme_url(programme: Programme) -> str:
    return reverse("recuperation:programme_detail", kwargs={"pk": programme.pk})


def visible_programmes(user: Any) -> Any:
    programmes = Programme.objects.for_user(user, "view")
    if not Programme.policy.may(user, "manage"):
        programmes = programmes.exclude(status=ProgrammeStatus.DRAFT)
    return programmes


def programme_or_404(user: Any, pk: int) -> Programme:
    programme = access.get_scoped_or_404(Programme, user, "view", pk=pk)
    assert isinstance(programme, Programme)
    if programme.status == ProgrammeStatus.DRAFT and not Programme.policy.may(user, "manage"):
        raise Http404
    return programme


def ranking_labels(programme: Programme) -> list[str]:
    return [str(RankCriterion(c).label) for c in programme.ranking if c in RankCriterion.values]


# --- programmes ---------------------------------------------------------------------------------


@access.scoped(Programme, "view")
def programme_list(request: HttpRequest) -> HttpResponse:
    """The programmes, newest first, each with its batches (the batches of a held or cancelled
    programme are kept), and what this user may do."""
    user = request.user
    programmes = list(visible_programmes(user))
    batches: dict[int, list[Batch]] = {}
    for batch in Batch.objects.filter(programme__in=programmes).select_related("base").order_by("starts_on", "id"):
        batches.setdefault(batch.programme_id, []).append(batch)
    return render(request, "recuperation/programme_list.html", {
        "programmes": [(p, batches.get(p.pk, [])) for p in programmes],
        "manage": Programme.policy.may(user, "manage"),
        "may_report": Candidate.policy.may(user, "report"),
    })


@access.scoped(Programme, "view", lookup="pk")
def programme_detail(request: HttpRequest, programme: Programme) -> HttpResponse:
    user = request.user
    if programme.status == ProgrammeStatus.DRAFT and not Programme.policy.may(user, "manage"):
        raise Http404
    from nuanxin.recuperation.selectors.figures import figures

    numbers = {row.key: row for row in figures(user, programme).batches}
    batches = list(Batch.objects.filter(programme=programme).select_related("base").order_by("starts_on", "id"))
    return render(request, "recuperation/programme_detail.html", {
        "programme": programme,
        "ranking": ranking_labels(programme),
        "batches": [(b, numbers.get(str(b.pk))) for b in batches],
        "manage": Programme.policy.allows(user, "manage", programme),
        "may_report": Candidate.policy.may(user, "report"),
        "may_nominate": Candidate.policy.may(user, "nominate"),
        "open_status": BatchStatus.OPEN,
    })


@access.scoped(Programme, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def programme_create(request: HttpRequest) -> HttpResponse:
    form = forms.ProgrammeCreateForm(posted(request))
    response = submit(
        request, form, services.create_programme, form.service_values() if form.is_bound and form.is_valid() else {},
        done=lambda p: _("Programme “%(name)s” created as a draft: add its batches, then open it.") % {"name": p.name},
        to=programme_url,
    )
    return response or render(request, "recuperation/form.html", {
        "form": form, "title": _("New recuperation programme"), "create": True, "form_id": "nx-programme-form",
    })


@access.scoped(Programme, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, programme: Programme) -> HttpResponse:
    initial = {"name": programme.name, "description": programme.description, "offer_hours": programme.offer_hours,
               "cost_per_place": programme.cost_per_place}
    form = forms.ProgrammeEditForm(posted(request), initial=initial, version=programme.version)
    form.set_ranking(list(programme.ranking))
    response = submit(
        request, form, services.update_programme, form.service_values() if form.is_bound and form.is_valid() else {},
        obj=programme, done=lambda p: _("Programme “%(name)s” saved.") % {"name": p.name}, to=programme_url,
    )
    return response or render(request, "recuperation/form.html", {
        "form": form, "title": programme.name, "programme": programme, "form_id": "nx-programme-form",
    })


@access.scoped(Programme, "manage", lookup="pk")
@require_POST
def programme_open(request: HttpRequest, programme: Programme) -> HttpResponse:
    return status_change(request, programme, services.open_programme,
                         _("Programme “%(name)s” is open: the unions see its batches.") % {"name": programme.name},
                         programme_url(programme))


@access.scoped(Programme, "manage", lookup="pk")
@require_POST
def programme_close(request: HttpRequest, programme: Programme) -> HttpResponse:
    return status_change(request, programme, services.close_programme,
                         _("Programme “%(name)s” is closed: it takes no new batch.") % {"name": programme.name},
                         programme_url(programme))


# --- bases --------------------------------------------------------------------------------------


@access.scoped(Base, "view")
def base_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "recuperation/base_list.html", {
        "bases": list(Base.objects.for_user(user, "view").order_by("-active", "name", "id")),
        "manage": Base.policy.may(user, "manage"),
    })


@access.scoped(Base, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def base_create(request: HttpRequest) -> HttpResponse:
    form = forms.BaseCreateForm(posted(request))
    response = submit(
        request, form, services.create_base, form.service_values() if form.is_bound and form.is_valid() else {},
        done=lambda b: _("Base “%(name)s” added.") % {"name": b.name},
        to=lambda b: reverse("recuperation:base_list"),
    )
    return response or render(request, "recuperation/form.html", {
        "form": form, "title": _("New recuperation base"), "create": True, "form_id": "nx-base-form",
        "back": reverse("recuperation:base_list"),
    })


@access.scoped(Base, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def base_edit(request: HttpRequest, base: Base) -> HttpResponse:
    initial = {"name": base.name, "address": base.address, "capacity": base.capacity,
               "contact_name": base.contact_name, "contact_phone": base.contact_phone, "notes": base.notes,
               "active": base.active}
    form = forms.BaseEditForm(posted(request), initial=initial, version=base.version)
    response = submit(
        request, form, services.update_base, form.service_values() if form.is_bound and form.is_valid() else {},
        obj=base, done=lambda b: _("Base “%(name)s” saved.") % {"name": b.name},
        to=lambda b: reverse("recuperation:base_list"),
    )
    return response or render(request, "recuperation/form.html", {
        "form": form, "title": base.name, "form_id": "nx-base-form", "back": reverse("recuperation:base_list"),
    })


urlpatterns = [
    path("", programme_list, name="programme_list"),
    path("programmes/new/", programme_create, name="programme_create"),
    path("programmes/<int:pk>/", programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/edit/", programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/open/", programme_open, name="programme_open"),
    path("programmes/<int:pk>/close/", programme_close, name="programme_close"),
    path("bases/", base_list, name="base_list"),
    path("bases/new/", base_create, name="base_create"),
    path("bases/<int:pk>/edit/", base_edit, name="base_edit"),
]
