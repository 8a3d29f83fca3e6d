"""Volunteer teams: tasks, shifts and places.

For the leader and the administrators: a task's page (its shifts with their slots 2/3, the
public sign-up link, a new shift), a shift's page (its places with the mobiles masked, assign a
volunteer, check in and out, cancel, people served, no-shows after the end) and the phone page
of today's shifts.

Public (no account, ``access.public``, rate limited per client address and per mobile with
``core.ratelimit``): the sign-up page of a task's link (``join/<token>/``) and the volunteer's
own page (``c/<token>/``: check in, check out, cancel). An unknown link is a 404; over a limit
the page answers 429 and nothing changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nuanxin.core import access, idempotency, pages
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.manifest import HomePanel
from nuanxin.core.pages import add_service_error
from nuanxin.core.ratelimit import DAY, HOUR, Limit, client_address, hit
from nuanxin.volunteers.choices import CheckinStatus
from nuanxin.volunteers.forms import shifts as forms
from nuanxin.volunteers.models import Checkin, Shift, Task, Team, Volunteer
from nuanxin.volunteers.selectors import shifts as selectors
from nuanxin.volunteers.services import shifts as services
from nuanxin.volunteers.views.teams import ctx


def home_panel(request: HttpRequest) -> dict | None:
    """The home page's card of a team leader: today's shifts of their teams, the button."""
    user = request.user
    if not Team.objects.for_user(user, "change").filter(leader=user).exists():
        return None
    rows = selectors.today(user)
    return {"shifts": len(rows), "taken": sum(s.taken for s in rows), "needed": sum(s.needed for s in rows)}  # type: ignore[attr-defined]


MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = [HomePanel("volunteers/today_home.html", home_panel, order=125)]


def views_per_address() -> Limit:
    """Every use of the public pages from one address (reads included: guessing links)."""
    return Limit("volunteers-addr", int(getattr(settings, "NUANXIN_VOLUNTEERS_VIEWS_PER_ADDRESS_PER_HOUR", 300)), HOUR)


def signups_per_address() -> Limit:
    return Limit(
        "volunteers-signup-addr", int(getattr(settings, "NUANXIN_VOLUNTEERS_SIGNUPS_PER_ADDRESS_PER_HOUR", 30)), HOUR
    )


def signups_per_mobile() -> Limit:
    return Limit(
        "volunteers-signup-mobile", int(getattr(settings, "NUANXIN_VOLUNTEERS_SIGNUPS_PER_MOBILE_PER_DAY", 10)), DAY
    )


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- tasks -----------------------------------------------------------------------------------


@access.scoped(Team, "change", lookup="pk")
@require_http_methods(["GET", "POST"])
@idempotency.form
def task_create(request: HttpRequest, team: Team) -> HttpResponse:
    form = forms.TaskForm(pages.posted(request))
    if form.is_bound and form.is_valid():
        ok, task = pages.run_service(form, services.create_task, actor=request.user, team=team, **form.cleaned_data)
        if ok:
            messages.success(request, _("Task %(title)s created: now add its shifts.") % {"title": task.title})
            return redirect("volunteers:task_detail", pk=task.pk)
    return render(request, "volunteers/task_create.html", ctx(request, "volunteers:team_list", team=team, form=form))


def _tasks(request: HttpRequest) -> Any:
    return Task.objects.select_related("team__organisation")


@access.scoped(Task, "view", lookup="pk", queryset=_tasks)
@require_http_methods(["GET", "POST"])
@idempotency.form
def task_detail(request: HttpRequest, task: Task) -> HttpResponse:
    """A task: its shifts with their slots, its sign-up link; the leader adds a shift."""
    user = request.user
    may_change = Task.policy.allows(user, "change", task)
    form = forms.ShiftForm(pages.posted(request)) if may_change else None
    if form is not None and form.is_bound and form.is_valid():
        ok, shift = pages.run_service(form, services.add_shift, actor=user, task=task, **form.values())
        if ok:
            messages.success(
                request,
                _("Shift of %(time)s added (%(n)s people needed).")
                % {"time": _local(shift.starts_at), "n": shift.needed},
            )
            return redirect("volunteers:task_detail", pk=task.pk)
    shifts = selectors.with_slots(task.shifts.all()).order_by("starts_at", "id")
    link = request.build_absolute_uri(reverse("volunteers:signup", kwargs={"token": task.token}))
    return render(
        request,
        "volunteers/task_detail.html",
        ctx(
            request,
            "volunteers:team_list",
            task=task,
            shifts=shifts,
            form=form,
            may_change=may_change,
            link=link if may_change else "",
            now=timezone.now(),
        ),
    )


@access.scoped(Task, "change", lookup="pk", queryset=_tasks)
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, task: Task) -> HttpResponse:
    initial = {f: getattr(task, f) for f in services.TASK_FIELDS}
    form = forms.TaskEditForm(pages.posted(request), initial=initial, version=task.version)
    if form.is_bound and form.is_valid():
        values = dict(form.cleaned_data)
        version = values.pop("version")
        ok, result = pages.run_service(
            form, services.change_task, actor=request.user, task=task, version=version, **values
        )
        if ok:
            messages.success(request, _("Task %(title)s saved.") % {"title": result.title})
            return redirect("volunteers:task_detail", pk=task.pk)
    return render(request, "volunteers/task_edit.html", ctx(request, "volunteers:team_list", task=task, form=form))


# --- shifts ----------------------------------------------------------------------------------


def _shifts(request: HttpRequest) -> Any:
    return Shift.objects.select_related("task__team__organisation")


@access.scoped(Shift, "view", lookup="pk", queryset=_shifts)
@require_http_methods(["GET", "POST"])
def shift_detail(request: HttpRequest, shift: Shift) -> HttpResponse:
    """A shift: its places (mobiles masked) with check-in and check-out buttons; assign a
    volunteer of the team; people served; no-shows after the end."""
    user = request.user
    may_change = Shift.policy.allows(user, "change", shift)
    volunteers = Volunteer.objects.filter(team_id=shift.task.team_id, active=True).order_by("name", "id")
    which = request.POST.get("form") if request.method == "POST" else None
    if request.method == "POST" and not may_change:
        raise PermissionDenied
    assign_form = forms.AssignForm(request.POST if which == "assign" else None, volunteers=volunteers)
    served_form = forms.ServedForm(
        request.POST if which == "served" else None,
        initial={"people_served": shift.people_served},
        version=shift.version,
    )
    if which == "assign" and assign_form.is_valid():
        ok, checkin = pages.run_service(
            assign_form, services.assign, actor=user, shift=shift, volunteer=assign_form.cleaned_data["volunteer"]
        )
        if ok:
            messages.success(request, _("%(name)s has a place on this shift.") % {"name": checkin.volunteer.name})
            return redirect("volunteers:shift_detail", pk=shift.pk)
    if which == "served" and served_form.is_valid():
        ok, _result = pages.run_service(
            served_form,
            services.set_people_served,
            actor=user,
            shift=shift,
            people_served=served_form.cleaned_data["people_served"],
            version=served_form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("People served saved."))
            return redirect("volunteers:shift_detail", pk=shift.pk)
    shift_row = selectors.with_slots(Shift.objects.filter(pk=shift.pk)).select_related("task__team").get()
    now = timezone.now()
    return render(
        request,
        "volunteers/shift_detail.html",
        ctx(
            request,
            "volunteers:team_list",
            shift=shift_row,
            places=selectors.places(shift),
            assign_form=assign_form if may_change and shift.ends_at > now else None,
            served_form=served_form if may_change and shift.starts_at <= now else None,
            may_change=may_change,
            ended=shift.ends_at <= now,
            started=shift.starts_at <= now,
        ),
    )


@access.scoped(Shift, "change", lookup="pk", queryset=_shifts)
@require_POST
def shift_no_shows(request: HttpRequest, shift: Shift) -> HttpResponse:
    try:
        count = services.mark_no_shows(actor=request.user, shift=shift)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)s no-shows recorded.") % {"count": count})
    return redirect(_next(request, reverse("volunteers:shift_detail", kwargs={"pk": shift.pk})))


ACTIONS: dict[str, Callable[..., Checkin]] = {
    "in": services.check_in,
    "out": services.check_out,
    "cancel": services.cancel,
    "undo_out": services.undo_check_out,
}


def _next(request: HttpRequest, fallback: str) -> str:
    wanted = request.POST.get("next") or ""
    return wanted if wanted.startswith("/volunteers/") else fallback


@access.scoped(Checkin, "change", lookup="pk", queryset=lambda r: Checkin.objects.select_related("volunteer"))
@require_POST
def place_action(request: HttpRequest, checkin: Checkin) -> HttpResponse:
    """The leader checks a volunteer in or out, or cancels the place (``action``)."""
    action = ACTIONS.get(request.POST.get("action", ""))
    back = _next(request, reverse("volunteers:shift_detail", kwargs={"pk": checkin.shift_id}))
    if action is None:
        messages.error(request, _("Unknown action."))
        return redirect(back)
    try:
        done = action(actor=request.user, checkin=checkin)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _place_message(done, checkin.volunteer.name, undone=action is services.undo_check_out)
        )
    return redirect(back)


def _place_message(checkin: Checkin, name: str, *, undone: bool = False) -> str:
    if undone:
        return _("The check-out of %(name)s is undone: checked in since %(time)s.") % {
            "name": name,
            "time": timezone.localtime(checkin.checked_in_at).strftime("%H:%M"),
        }
    if checkin.status == CheckinStatus.CHECKED_IN:
        return _("%(name)s checked in at %(time)s.") % {
            "name": name,
            "time": timezone.localtime(checkin.checked_in_at).strftime("%H:%M"),
        }
    if checkin.status == CheckinStatus.DONE:
        return _("%(name)s checked out: %(hours)s hours.") % {"name": name, "hours": checkin.hours}
    return _("The place of %(name)s is cancelled.") % {"name": name}


@access.scoped(Shift, "change")
@require_safe
def today(request: HttpRequest) -> HttpResponse:
    """The leader's phone page: today's shifts of their teams with each place's buttons."""
    shifts = selectors.today(request.user)
    now = timezone.now()
    rows = [{"shift": s, "places": selectors.places(s), "ended": s.ends_at <= now} for s in shifts]
    return render(request, "volunteers/today.html", ctx(request, "volunteers:today", rows=rows, now=now))


# --- public: the sign-up link and the volunteer's own page ---------------------------------------


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "volunteers/public_limited.html", status=429)


@access.public
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, token: str) -> HttpResponse:
    address = client_address(request)
    if not hit(views_per_address(), address):
        return _limited(request)
    task = services.task_by_token(token)
    if task is None:
        raise Http404
    shifts = selectors.open_shifts(task)
    choices = [
        (s.pk, f"{_local(s.starts_at)}–{timezone.localtime(s.ends_at):%H:%M} · {selectors.slot_text(s)}")
        for s in shifts
    ]
    form = forms.SignUpForm(pages.posted(request), shifts=choices)
    closed = not task.open_for_signup or not task.team.active
    if request.method == "POST" and not closed:
        if not hit(signups_per_address(), address):
            return _limited(request)
        if form.is_valid():
            mobile = form.cleaned_data["mobile"]
            digits = "".join(ch for ch in mobile if ch.isdigit())
            if not hit(signups_per_mobile(), digits[-11:]):
                return _limited(request)
            try:
                done = services.sign_up(
                    task=task,
                    shift_id=form.cleaned_data["shift"],
                    name=form.cleaned_data["name"],
                    mobile=mobile,
                    consent=form.cleaned_data["consent"],
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("You are signed up. Keep this page: check in and out here on the day."))
                return redirect("volunteers:my_place", token=done.checkin.token)
    return render(
        request,
        "volunteers/public_signup.html",
        {"task": task, "shifts": shifts, "form": form, "closed": closed},
    )


@access.public
@require_http_methods(["GET", "POST"])
def my_place(request: HttpRequest, token: str) -> HttpResponse:
    """The volunteer's own page (their link): the shift, and check in, check out or cancel."""
    if not hit(views_per_address(), client_address(request)):
        return _limited(request)
    checkin = services.by_token(token)
    if checkin is None:
        raise Http404
    if request.method == "POST":
        action = ACTIONS.get(request.POST.get("action", ""))
        if action is not None:
            try:
                done = action(actor=None, checkin=checkin)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                if action is services.undo_check_out:
                    messages.success(request, _("Your check-out is undone: you are checked in again."))
                elif done.status == CheckinStatus.CHECKED_IN:
                    messages.success(request, _("Checked in. Thank you for coming!"))
                elif done.status == CheckinStatus.DONE:
                    messages.success(
                        request, _("Checked out: %(hours)s hours counted. Thank you!") % {"hours": done.hours}
                    )
                else:
                    messages.success(request, _("Your place is cancelled."))
        return redirect("volunteers:my_place", token=token)
    shift = checkin.shift
    now = timezone.now()
    return render(
        request,
        "volunteers/public_place.html",
        {
            "checkin": checkin,
            "shift": shift,
            "task": shift.task,
            "may_in": checkin.status == CheckinStatus.SIGNED_UP
            and shift.starts_at - services.EARLY_CHECKIN <= now < shift.ends_at,
            "may_out": checkin.status == CheckinStatus.CHECKED_IN and shift.starts_at <= now,
            "may_undo_out": services.may_undo_check_out(checkin, now),
            "may_cancel": checkin.status == CheckinStatus.SIGNED_UP and now < shift.starts_at,
            "opens_at": shift.starts_at - services.EARLY_CHECKIN,
            "undo_minutes": int(services.UNDO_CHECKOUT.total_seconds() // 60),
            "now": now,
        },
    )


urlpatterns = [
    path("teams/<int:pk>/tasks/new/", task_create, name="task_create"),
    path("tasks/<int:pk>/", task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", task_edit, name="task_edit"),
    path("shifts/<int:pk>/", shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/no-shows/", shift_no_shows, name="shift_no_shows"),
    path("places/<int:pk>/", place_action, name="place_action"),
    path("today/", today, name="today"),
    path("join/<str:token>/", signup, name="signup"),
    path("c/<str:token>/", my_place, name="my_place"),
]
