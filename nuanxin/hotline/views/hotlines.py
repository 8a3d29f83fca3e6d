"""The hotline pages: the hotlines in the user's reach, a hotline's page (numbers, online
channel, hours, minimum seats, members by kind, who is on duty now, the public
self-assessment link for its staff, the way to the other hotline pages the user may use), and
the administrators' pages: a new hotline, its details, its lines, its members.

Who reaches what is ``Hotline.policy``: a counsellor, supervisor or coordinator sees the
hotlines they are a member of; administrators, viewers and auditors those of their
organisations. No page here shows a psychological record."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.core import access, idempotency, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.manifest import MenuEntry
from nuanxin.core.pages import run_service
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.forms import hotlines as forms
from nuanxin.hotline.models import (
    Assessment,
    Call,
    Callback,
    CrisisCase,
    Hotline,
    HotlineLine,
    HotlineMember,
    Shift,
)
from nuanxin.hotline.selectors import hotlines as selectors
from nuanxin.hotline.selectors import rota
from nuanxin.hotline.services import hotlines as services


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _submit(request: HttpRequest, form: Any, call: Any, values: dict, *, done: Any, to: Any) -> HttpResponse | None:
    """A valid POST calls the service (``run_service``): its refusal on the form, or the
    message ``done(result)`` and a redirect to ``to(result)``."""
    if not (form.is_bound and form.is_valid()):
        return None
    ok, result = run_service(form, call, actor=request.user, **values)
    if not ok:
        return None
    messages.success(request, done(result))
    return redirect(to(result))


def _detail_url(hotline: Hotline) -> str:
    return reverse("hotline:hotline_detail", kwargs={"pk": hotline.pk})


# --- the list and the page --------------------------------------------------------------------


@access.scoped(Hotline, "view")
def hotline_list(request: HttpRequest) -> HttpResponse:
    """The hotlines in the user's reach, with their numbers."""
    hotlines = list(selectors.hotlines_for(request.user))
    return render(
        request,
        "hotline/hotline_list.html",
        {"hotlines": hotlines, "may_create": Hotline.policy.may(request.user, "manage")},
    )


# The other hotline pages a hotline's page links to: (label, URL name, how the URL names the
# hotline: "pk" in the path or "query" (?hotline=), the model and action whose policy must allow
# it for this hotline). Record pages show only for the hotline's counsellors and supervisors
# (the records' policy narrowed to their hotline); the rota for everyone who sees the hotline;
# the figures for those who may see them.
AREA_LINKS: list[tuple[Any, str, str, Any, str]] = [
    (gettext_lazy("Duty rota"), "hotline:rota_week", "pk", Shift, "view"),
    (gettext_lazy("Hours per counsellor"), "hotline:rota_hours", "pk", Shift, "plan"),
    (gettext_lazy("Log a call"), "hotline:call_create", "query", Call, "record"),
    (gettext_lazy("Calls"), "hotline:call_list", "query", Call, "view"),
    (gettext_lazy("Callbacks"), "hotline:callback_list", "query", Callback, "view"),
    (gettext_lazy("Crisis cases"), "hotline:crisis_list", "query", CrisisCase, "view"),
    (gettext_lazy("Assessments"), "hotline:assessment_list", "query", Assessment, "view"),
    (gettext_lazy("Hotline figures"), "hotline:stats", "figures", Hotline, "report"),
]


def _area_links(user: Any, hotline: Hotline) -> list[tuple[Any, str]]:
    """The other hotline pages ``user`` may use for ``hotline``: each asked of its model's policy
    for this hotline (an unsaved row of it for the records and the rota)."""
    links = []
    for label, url_name, naming, model, action in AREA_LINKS:
        row = hotline if model is Hotline else model(hotline=hotline)
        if not model.policy.allows(user, action, row):
            continue
        if naming == "pk":
            url = reverse(url_name, kwargs={"pk": hotline.pk})
        elif naming == "figures":
            url = reverse(url_name) + f"?org={hotline.organisation.code}&hotline={hotline.pk}"
        else:
            url = reverse(url_name) + f"?hotline={hotline.pk}"
        links.append((label, url))
    return links


@access.scoped(Hotline, "view", lookup="pk", queryset=lambda request: Hotline.objects.select_related("organisation"))
def hotline_detail(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    """A hotline's page. Everyone who may see the hotline sees its numbers, hours, members and
    who is on duty now; its staff (members and administrators) also its public self-assessment
    link; the page links to the other hotline pages the user may use."""
    user = request.user
    manage = Hotline.policy.allows(user, "manage", hotline)
    return render(
        request,
        "hotline/hotline_detail.html",
        {
            "hotline": hotline,
            "lines": selectors.lines(hotline),
            "members": selectors.members(hotline),
            "manage": manage,
            "links": _area_links(user, hotline),
            "staff": bool(selectors.member_of(user, hotline)) or manage,
            "on_duty": rota.on_duty(hotline),
        },
    )


# --- administrators: the hotline --------------------------------------------------------------


@access.scoped(Hotline, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def hotline_create(request: HttpRequest) -> HttpResponse:
    organisations = selectors.manageable_organisations(request.user)
    form = forms.HotlineCreateForm(_posted(request), organisations=organisations)
    if form.is_bound and form.is_valid():
        response = _submit(
            request,
            form,
            services.create_hotline,
            form.service_values(),
            done=lambda hotline: _("Hotline “%(name)s” opened. Add its lines and members next.")
            % {"name": hotline.name},
            to=_detail_url,
        )
        if response is not None:
            return response
    return render(request, "hotline/hotline_form.html", {"form": form, "title": _("New hotline")})


@access.scoped(Hotline, "manage", lookup="pk", queryset=lambda request: Hotline.objects.select_related("organisation"))
@require_http_methods(["GET", "POST"])
def hotline_edit(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    initial = {f: getattr(hotline, f) for f in services.HOTLINE_FIELDS}
    form = forms.HotlineEditForm(_posted(request), initial=initial, version=hotline.version)
    if form.is_bound and form.is_valid():
        response = _submit(
            request,
            form,
            services.update_hotline,
            {"hotline": hotline, **form.service_values()},
            done=lambda _h: _("Hotline details saved."),
            to=_detail_url,
        )
        if response is not None:
            return response
    return render(request, "hotline/hotline_form.html", {"form": form, "hotline": hotline, "title": hotline.name})


# --- administrators: lines --------------------------------------------------------------------


@access.scoped(Hotline, "manage", lookup="pk", kwarg="hotline_id")
@require_http_methods(["GET", "POST"])
@idempotency.form
def line_create(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    form = forms.LineForm(_posted(request), initial={"order": len(selectors.lines(hotline))})
    if form.is_bound and form.is_valid():
        response = _submit(
            request,
            form,
            services.add_line,
            {"hotline": hotline, **form.service_values()},
            done=lambda line: _("Line “%(line)s” added.") % {"line": line},
            to=lambda line: _detail_url(hotline),
        )
        if response is not None:
            return response
    return render(
        request, "hotline/hotline_line_form.html", {"form": form, "hotline": hotline, "title": _("New line")}
    )


def _lines(request: HttpRequest) -> Any:
    return HotlineLine.objects.select_related("hotline__organisation")


@access.scoped(HotlineLine, "manage", lookup="pk", queryset=_lines)
@require_http_methods(["GET", "POST"])
def line_edit(request: HttpRequest, line: HotlineLine) -> HttpResponse:
    initial = {"label": line.label, "number": line.number, "channel": line.channel, "order": line.order}
    form = forms.LineEditForm(_posted(request), initial=initial, version=line.version)
    if form.is_bound and form.is_valid():
        response = _submit(
            request,
            form,
            services.update_line,
            {"line": line, **form.service_values()},
            done=lambda saved: _("Line “%(line)s” saved.") % {"line": saved},
            to=lambda saved: _detail_url(line.hotline),
        )
        if response is not None:
            return response
    return render(
        request,
        "hotline/hotline_line_form.html",
        {"form": form, "hotline": line.hotline, "line": line, "title": str(line)},
    )


@access.scoped(HotlineLine, "manage", lookup="pk", queryset=_lines)
@require_POST
def line_active(request: HttpRequest, line: HotlineLine) -> HttpResponse:
    """Deactivate a line (``active=0``) or put it back (``active=1``)."""
    active = request.POST.get("active") == "1"
    try:
        version = versioning.parse(request.POST.get("version"))
        services.set_line_active(actor=request.user, line=line, active=active, version=version)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:  # the line changed since the page was opened: said on the page
        messages.error(request, exc.message)
        return redirect(_detail_url(line.hotline))
    if active:
        messages.success(request, _("Line “%(line)s” is in use again.") % {"line": line})
    else:
        messages.success(
            request, _("Line “%(line)s” deactivated; its past calls still count in the figures.") % {"line": line}
        )
    return redirect(_detail_url(line.hotline))


# --- administrators: members ------------------------------------------------------------------


@access.scoped(Hotline, "manage", lookup="pk", kwarg="hotline_id")
@require_http_methods(["GET", "POST"])
@idempotency.form
def member_create(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    """Add a counsellor, supervisor or coordinator: the people offered hold that role on the
    hotline's organisation; nobody offered for a kind says how to grant it."""
    candidates = selectors.candidates(hotline)
    asked = request.POST.get("kind") if request.method == "POST" else request.GET.get("kind")
    kind = asked if asked in MemberKind.values else MemberKind.COUNSELLOR
    form = forms.MemberForm(_posted(request), candidates=candidates, kind=kind)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        response = _submit(
            request,
            form,
            services.add_member,
            {"hotline": hotline, "user": data["user"], "kind": data["kind"]},
            done=lambda member: _("%(user)s now serves as %(kind)s.")
            % {"user": member.user.full_name or member.user.username, "kind": member.get_kind_display()},
            to=lambda member: _detail_url(hotline),
        )
        if response is not None:
            return response
    return render(
        request,
        "hotline/hotline_member_form.html",
        {
            "form": form,
            "hotline": hotline,
            "kind": kind,
            "kind_label": MemberKind(kind).label,
            "tabs": [(k, MemberKind(k).label, len(candidates[k])) for k in MemberKind.values],
            "offered": candidates[kind],
        },
    )


@access.scoped(
    HotlineMember,
    "manage",
    lookup="pk",
    queryset=lambda request: HotlineMember.objects.select_related("user", "hotline__organisation"),
)
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, member: HotlineMember) -> HttpResponse:
    """End a membership (asked to confirm first)."""
    if request.method == "POST":
        services.remove_member(actor=request.user, member=member)
        messages.success(
            request,
            _("%(user)s no longer serves this hotline as %(kind)s.")
            % {"user": member.user.full_name or member.user.username, "kind": member.get_kind_display()},
        )
        return redirect(_detail_url(member.hotline))
    return render(request, "hotline/hotline_member_remove.html", {"member": member, "hotline": member.hotline})


urlpatterns = [
    path("", hotline_list, name="hotline_list"),
    path("new/", hotline_create, name="hotline_create"),
    path("<int:pk>/", hotline_detail, name="hotline_detail"),
    path("<int:pk>/edit/", hotline_edit, name="hotline_edit"),
    path("<int:hotline_id>/lines/new/", line_create, name="line_create"),
    path("lines/<int:pk>/edit/", line_edit, name="line_edit"),
    path("lines/<int:pk>/active/", line_active, name="line_active"),
    path("<int:hotline_id>/members/new/", member_create, name="member_create"),
    path("members/<int:pk>/remove/", member_remove, name="member_remove"),
]
MENU = [
    MenuEntry(
        gettext_lazy("Hotlines"),
        "hotline:hotline_list",
        order=260,
        element_id="nx-nav-hotlines",
        visible=lambda user: Hotline.policy.may(user, "view"),
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []
