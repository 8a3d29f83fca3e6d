"""The catalogue pages: the calls for nominations (the commendations' start page), the award
types, and a city administrator's pages to add and change them, open and close a call and set
its quotas in one table.

Award types and calls belong to the whole tree: every union administrator, viewer and auditor
sees them (``Call.policy`` "view"); only a city administrator (a grant at the root) changes
them ("manage"). Drafts of calls are shown to those who manage them only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.core import access, idempotency
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.manifest import MenuEntry
from nuanxin.core.pages import add_service_error, posted, submit
from nuanxin.honours.choices import CallStatus
from nuanxin.honours.forms import catalogue as forms
from nuanxin.honours.models import AwardType, Call, Nomination, Quota
from nuanxin.honours.services import catalogue as services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation


def _may_see_commendations(user: Any) -> bool:
    return bool(Nomination.policy.may(user, "view") or Nomination.policy.may(user, "report"))


MENU = [
    MenuEntry(pgettext_lazy("menu", "Commendations"), "honours:call_list", order=290,
              element_id="nx-nav-honours", visible=_may_see_commendations),
]
COUNTERS: list = []
HOME_PANELS: list = []


def _call_url(call: Call) -> str:
    return reverse("honours:call_board", kwargs={"pk": call.pk})


# --- calls ------------------------------------------------------------------------------------


@access.scoped(Call, "view")
def call_list(request: HttpRequest) -> HttpResponse:
    """The calls for nominations, newest deadline first, with what this user may do in each."""
    user = request.user
    manage = Call.policy.may(user, "manage")
    calls = Call.objects.for_user(user, "view").prefetch_related("award_types")
    if not manage:
        calls = calls.exclude(status=CallStatus.DRAFT)
    return render(
        request,
        "honours/call_list.html",
        {
            "calls": list(calls),
            "manage": manage,
            "may_view": Nomination.policy.may(user, "view"),
            "may_nominate": Nomination.policy.may(user, "nominate"),
            "may_report": Nomination.policy.may(user, "report"),
        },
    )


def _active_award_types(call: Call | None = None) -> Any:
    qs = AwardType.objects.filter(active=True)
    if call is not None:  # a type no longer in use stays on the call that has it
        qs = AwardType.objects.filter(pk__in=list(qs.values_list("pk", flat=True))
                                      + list(call.award_types.values_list("pk", flat=True)))
    return qs.order_by("level", "name", "id")


@access.scoped(Call, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def call_create(request: HttpRequest) -> HttpResponse:
    form = forms.CallCreateForm(posted(request), award_types=_active_award_types())
    response = submit(
        request, form, services.create_call, form.service_values() if form.is_bound and form.is_valid() else {},
        done=lambda call: _("Call “%(name)s” created as a draft: set its quotas, then open it.") % {"name": call.name},
        to=lambda call: reverse("honours:call_quotas", kwargs={"pk": call.pk}),
    )
    return response or render(request, "honours/call_form.html", {"form": form, "title": _("New call for nominations")})


@access.scoped(Call, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def call_edit(request: HttpRequest, call: Call) -> HttpResponse:
    initial = {"name": call.name, "award_types": list(call.award_types.all()), "deadline": call.deadline,
               "notice_days": call.notice_days, "frontline_first": call.frontline_first,
               "description": call.description}
    form = forms.CallEditForm(posted(request), initial=initial, version=call.version,
                              award_types=_active_award_types(call))
    response = submit(
        request, form, services.update_call,
        form.service_values() if form.is_bound and form.is_valid() else {}, obj=call,
        done=lambda saved: _("Call “%(name)s” saved.") % {"name": saved.name}, to=_call_url,
    )
    return response or render(request, "honours/call_form.html", {"form": form, "call": call, "title": call.name})


def _status_change(request: HttpRequest, call: Call, service: Any, done: str) -> HttpResponse:
    form = forms.VersionForm(request.POST)
    if form.is_valid():
        try:
            service(call, actor=request.user, version=form.cleaned_data["version"])
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done % {"name": call.name})
    else:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    return redirect(_call_url(call))


@access.scoped(Call, "manage", lookup="pk")
@require_POST
def call_open(request: HttpRequest, call: Call) -> HttpResponse:
    return _status_change(request, call, services.open_call, _("Call “%(name)s” is open for nominations."))


@access.scoped(Call, "manage", lookup="pk")
@require_POST
def call_close(request: HttpRequest, call: Call) -> HttpResponse:
    return _status_change(
        request, call, services.close_call,
        _("Call “%(name)s” is closed: no new nominations; the reviews of what was submitted go on."),
    )


def quota_organisations() -> list[Organisation]:
    """The rows of the quota table: the city (the root) and the organisations one below it."""
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return []
    unions = (OrgKind.DISTRICT_FEDERATION, OrgKind.INDUSTRY_UNION, OrgKind.CITY_FEDERATION)
    below = Organisation.objects.filter(depth=2, path__startswith=root.path, kind__in=unions).order_by("path")
    return [root, *below]


@access.scoped(Call, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def call_quotas(request: HttpRequest, call: Call) -> HttpResponse:
    """The quotas of a call in one table: organisations by award types (and all together)."""
    award_types = list(call.award_types.order_by("level", "name", "id"))
    current = {(q.organisation_id, q.award_type_id): q.places for q in Quota.objects.filter(call=call)}
    form = forms.QuotaForm(posted(request), organisations=quota_organisations(), award_types=award_types,
                           current=current)
    if form.is_bound and form.is_valid():
        changes = form.changes()
        failed = False
        try:
            with transaction.atomic():
                for key, org, award_type, places in changes:
                    try:
                        services.set_quota(call, org, places, award_type, actor=request.user)
                    except NotAllowed:
                        raise
                    except ServiceError as exc:
                        add_service_error(form, ServiceError(exc.message, field=key))
                        failed = True
                if failed:
                    raise _Rollback
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except _Rollback:
            pass
        if not failed:
            messages.success(request, _("Quotas saved: %(count)d changed.") % {"count": len(changes)})
            return redirect(_call_url(call))
    return render(request, "honours/call_quotas.html", {"form": form, "call": call, "award_types": award_types})


class _Rollback(Exception):
    pass


# --- award types --------------------------------------------------------------------------------


@access.scoped(AwardType, "view")
def award_type_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "honours/award_type_list.html",
        {"award_types": list(AwardType.objects.for_user(user, "view").order_by("-active", "level", "name", "id")),
         "manage": AwardType.policy.may(user, "manage")},
    )


@access.scoped(AwardType, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def award_type_create(request: HttpRequest) -> HttpResponse:
    form = forms.AwardTypeCreateForm(posted(request))
    response = submit(
        request, form, services.create_award_type, form.service_values() if form.is_bound and form.is_valid() else {},
        done=lambda at: _("Award type “%(name)s” added.") % {"name": at.name},
        to=lambda at: reverse("honours:award_type_list"),
    )
    return response or render(request, "honours/award_type_form.html", {"form": form, "title": _("New award type")})


@access.scoped(AwardType, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def award_type_edit(request: HttpRequest, award_type: AwardType) -> HttpResponse:
    initial = {"name": award_type.name, "level": award_type.level, "recipient": award_type.recipient,
               "description": award_type.description, "active": award_type.active}
    form = forms.AwardTypeEditForm(posted(request), initial=initial, version=award_type.version)
    response = submit(
        request, form, services.update_award_type,
        form.service_values() if form.is_bound and form.is_valid() else {}, obj=award_type,
        done=lambda at: _("Award type “%(name)s” saved.") % {"name": at.name},
        to=lambda at: reverse("honours:award_type_list"),
    )
    return response or render(
        request, "honours/award_type_form.html", {"form": form, "award_type": award_type, "title": award_type.name}
    )


urlpatterns = [
    path("", call_list, name="call_list"),
    path("calls/new/", call_create, name="call_create"),
    path("calls/<int:pk>/edit/", call_edit, name="call_edit"),
    path("calls/<int:pk>/open/", call_open, name="call_open"),
    path("calls/<int:pk>/close/", call_close, name="call_close"),
    path("calls/<int:pk>/quotas/", call_quotas, name="call_quotas"),
    path("award-types/", award_type_list, name="award_type_list"),
    path("award-types/new/", award_type_create, name="award_type_create"),
    path("award-types/<int:pk>/edit/", award_type_edit, name="award_type_edit"),
]
