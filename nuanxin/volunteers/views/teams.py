"""Volunteer teams: the teams pages (the list, a team with its volunteers masked and its tasks,
the team's and a volunteer's edit pages)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from nuanxin.core import access, idempotency, pages, roles
from nuanxin.core.manifest import MenuEntry
from nuanxin.volunteers.choices import TAKEN
from nuanxin.volunteers.forms import teams as forms
from nuanxin.volunteers.models import Shift, Team, Volunteer
from nuanxin.volunteers.services import teams as services

TABS: list[tuple[str, Any, Any, str]] = [
    ("volunteers:team_list", gettext_lazy("Teams"), Team, "view"),
    ("volunteers:today", gettext_lazy("Today's shifts"), Shift, "change"),
    ("volunteers:figures", gettext_lazy("Figures"), Team, "figures"),
]


def tabs(user: Any, current: str) -> list[dict[str, Any]]:
    shown = []
    for name, label, model, action in TABS:
        if not model.policy.may(user, action):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        shown.append({"name": name, "label": label, "url": url, "active": name == current})
    return shown


def ctx(request: HttpRequest, current: str, **extra: Any) -> dict[str, Any]:
    return {"tabs": tabs(request.user, current), **extra}


@access.scoped(*sorted(roles.VOLUNTEER_VIEW | roles.VOLUNTEER_FIGURES))
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The teams for those who see them; the figures for those who see only figures."""
    if Team.policy.may(request.user, "view"):
        return redirect("volunteers:team_list")
    return redirect("volunteers:figures")


@access.scoped(Team, "view")
@require_http_methods(["GET", "POST"])
@idempotency.form
def team_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.TeamForm(pages.posted(request), user=user) if forms.organisations(user).exists() else None
    if form is not None and form.is_bound and form.is_valid():
        ok, team = pages.run_service(form, services.create_team, actor=user, **form.cleaned_data)
        if ok:
            messages.success(request, _("Volunteer team %(name)s opened.") % {"name": team.name})
            return redirect("volunteers:team_detail", pk=team.pk)
    rows = (
        Team.objects.for_user(user, "view")
        .select_related("organisation", "leader")
        .annotate(members=Count("volunteers", filter=Q(volunteers__active=True), distinct=True))
        .order_by("organisation__path", "name", "id")
    )
    return render(request, "volunteers/team_list.html", ctx(request, "volunteers:team_list", rows=rows, form=form))


def _teams(request: HttpRequest) -> Any:
    return Team.objects.select_related("organisation", "leader")


@access.scoped(Team, "view", lookup="pk", queryset=_teams)
@require_http_methods(["GET", "POST"])
@idempotency.form
def team_detail(request: HttpRequest, team: Team) -> HttpResponse:
    """A team: its volunteers (mobile masked), its tasks with their next shifts; the leader or an
    administrator adds volunteers and tasks."""
    user = request.user
    may_change = Volunteer.policy.allows(user, "change", Volunteer(team=team))
    form = forms.VolunteerForm(pages.posted(request) if request.POST.get("form") == "volunteer" else None)
    if may_change and form.is_bound and form.is_valid():
        ok, volunteer = pages.run_service(form, services.add_volunteer, actor=user, team=team, **form.cleaned_data)
        if ok:
            messages.success(request, _("Volunteer %(name)s added.") % {"name": volunteer.name})
            return redirect("volunteers:team_detail", pk=team.pk)
    volunteers = [
        {"volunteer": v, "mobile": services.mask(v.mobile)} for v in team.volunteers.order_by("-active", "name", "id")
    ]
    tasks = team.tasks.annotate(
        shift_count=Count("shifts", distinct=True),
    ).order_by("-created_at", "id")
    return render(
        request,
        "volunteers/team_detail.html",
        ctx(
            request,
            "volunteers:team_list",
            team=team,
            volunteers=volunteers,
            tasks=tasks,
            form=form if may_change else None,
            may_manage=Team.policy.allows(user, "manage", team),
            may_change=may_change,
            taken=TAKEN,
        ),
    )


@access.scoped(Team, "manage", lookup="pk", queryset=_teams)
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team: Team) -> HttpResponse:
    initial = {"name": team.name, "description": team.description, "leader": team.leader, "active": team.active}
    form = forms.TeamEditForm(pages.posted(request), team=team, initial=initial, version=team.version)
    if form.is_bound and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        ok, result = pages.run_service(
            form, services.change_team, actor=request.user, team=team, version=version, **values
        )
        if ok:
            messages.success(request, _("Volunteer team %(name)s saved.") % {"name": result.name})
            return redirect("volunteers:team_detail", pk=team.pk)
    return render(request, "volunteers/team_edit.html", ctx(request, "volunteers:team_list", team=team, form=form))


def _volunteers(request: HttpRequest) -> Any:
    return Volunteer.objects.select_related("team__organisation", "worker", "user")


@access.scoped(Volunteer, "change", lookup="pk", queryset=_volunteers)
@require_http_methods(["GET", "POST"])
def volunteer_edit(request: HttpRequest, volunteer: Volunteer) -> HttpResponse:
    """A volunteer's details: the mobile shown masked (typed anew to change it), consent, the
    links to a registered worker or a user, active or not."""
    initial = {
        "name": volunteer.name,
        "skills": volunteer.skills,
        "availability": volunteer.availability,
        "consent_to_contact": volunteer.consent_to_contact,
        "worker": volunteer.worker_id,
        "user": volunteer.user_id,
        "active": volunteer.active,
    }
    form = forms.VolunteerEditForm(
        pages.posted(request), team=volunteer.team, initial=initial, version=volunteer.version
    )
    if form.is_bound and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        if not values.get("mobile"):
            values.pop("mobile", None)
        ok, result = pages.run_service(
            form, services.change_volunteer, actor=request.user, volunteer=volunteer, version=version, **values
        )
        if ok:
            messages.success(request, _("Volunteer %(name)s saved.") % {"name": result.name})
            return redirect("volunteers:team_detail", pk=volunteer.team_id)
    return render(
        request,
        "volunteers/volunteer_edit.html",
        ctx(
            request,
            "volunteers:team_list",
            volunteer=volunteer,
            mobile=services.mask(volunteer.mobile),
            form=form,
            hours=sum((c.hours for c in volunteer.checkins.all()), start=0),
        ),
    )


def _visible(user: Any) -> bool:
    return Team.policy.may(user, "view") or Team.policy.may(user, "figures")


MENU = [
    MenuEntry(
        pgettext_lazy("menu", "Volunteers"),
        "volunteers:home",
        order=295,
        element_id="nx-nav-volunteers",
        visible=_visible,
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []

urlpatterns = [
    path("", home, name="home"),
    path("teams/", team_list, name="team_list"),
    path("teams/<int:pk>/", team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", team_edit, name="team_edit"),
    path("people/<int:pk>/edit/", volunteer_edit, name="volunteer_edit"),
]
