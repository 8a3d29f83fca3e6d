"""The rota's pages (phone first): a hotline's week (a grid on a desktop, a list of days on a
phone) with who is on duty now; the coordinator's planning (patterns, generating weeks ahead,
giving and taking duties on a shift, swap approvals); a counsellor's own duties and swap
requests; hours per counsellor per month; the personal calendar address and its feed.

Thin: forms check shapes, ``services.rota`` decides and writes (through
``core.pages.run_service``); every lookup goes through the policy (out of scope = 404)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nuanxin.core import access
from nuanxin.core.manifest import HomePanel, MenuEntry
from nuanxin.core.pages import run_service
from nuanxin.hotline import ical
from nuanxin.hotline.forms import rota as forms
from nuanxin.hotline.models import CalendarFeed, Hotline, Shift, ShiftAssignment, ShiftPattern, SwapRequest
from nuanxin.hotline.selectors import rota as selectors
from nuanxin.hotline.services import rota as services


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def may_plan(user: Any, hotline: Hotline) -> bool:
    return Shift.policy.allows(user, "plan", Shift(hotline=hotline))


def _planned_hotline(request: HttpRequest, pk: int) -> Hotline:
    """The hotline named by the URL, which the user plans: 404 outside their reach, 403 when
    they see it but do not plan it."""
    hotline = access.get_scoped_or_404(Hotline.objects.select_related("organisation"), request.user, "view", pk=pk)
    assert isinstance(hotline, Hotline)
    if not may_plan(request.user, hotline):
        raise PermissionDenied
    return hotline


def _me(request: HttpRequest) -> Any:
    return request.user


def _carrier() -> Any:
    """An empty, validated form that carries a service's refusal (``run_service`` puts it there)."""
    form = forms.Carrier({})
    form.is_valid()
    return form


def _refusals(form: Any) -> list[str]:
    """The refusals a service left on a carrier form, as text for ``messages``."""
    return [str(error) for errors in form.errors.values() for error in errors]


def _pick_week(value: str | None) -> date:
    """The Monday of the week asked for (``?week=YYYY-MM-DD``, any day of it), else this week's."""
    today = timezone.localdate()
    try:
        day = date.fromisoformat(value) if value else today
    except ValueError:
        day = today
    if not date(2000, 1, 3) <= day <= date(2999, 12, 27):
        day = today
    return selectors.monday_of(day)


def _week_url(hotline: Hotline, monday: date) -> str:
    return f"{reverse('hotline:rota_week', args=[hotline.pk])}?week={monday.isoformat()}"


def _hotlines_planned(user: Any) -> list[Hotline]:
    return [
        h
        for h in Hotline.objects.for_user(user, "view").filter(active=True).select_related("organisation")
        if may_plan(user, h)
    ]


# --- the rota ---------------------------------------------------------------------------------


@access.scoped(Shift, "plan")
@require_GET
def rota(request: HttpRequest) -> HttpResponse:
    """The hotlines whose rota the user plans (straight to the week when there is one), and the
    swap requests waiting."""
    hotlines = _hotlines_planned(request.user)
    if len(hotlines) == 1 and not request.GET.get("all"):
        return redirect("hotline:rota_week", hotlines[0].pk)
    waiting = selectors.swaps_to_decide(request.user).count()
    return render(request, "hotline/rota_index.html", {"hotlines": hotlines, "waiting": waiting})


@access.scoped(Hotline, "view", lookup="pk", queryset=lambda request: Hotline.objects.select_related("organisation"))
@require_GET
def rota_week(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    """The hotline's week: who is on duty now, each day's shifts with their people, the shifts
    short of their minimum seats marked; the planner's controls for those who plan."""
    monday = _pick_week(request.GET.get("week"))
    days = selectors.week(hotline, monday)
    slots = sorted({timezone.localtime(s.starts_at).time() for d in days for s in d.shifts})
    grid = [
        (slot, [[s for s in d.shifts if timezone.localtime(s.starts_at).time() == slot] for d in days])
        for slot in slots
    ]
    planner = may_plan(request.user, hotline)
    shifts = [s for d in days for s in d.shifts]
    context = {
        "hotline": hotline,
        "days": days,
        "grid": grid,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "prev_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "this_week": selectors.monday_of(timezone.localdate()),
        "on_duty": selectors.on_duty(hotline),
        "planner": planner,
        "short": sum(1 for s in shifts if getattr(s, "short", 0) > 0),
        "total": len(shifts),
        "today": timezone.localdate(),
        "here": request.get_full_path(),
        "generate_form": forms.GenerateForm(initial={"start": monday, "weeks": 1}) if planner else None,
        "has_patterns": planner and ShiftPattern.objects.filter(hotline=hotline, active=True).exists(),
    }
    return render(request, "hotline/rota_week.html", context)


@access.scoped(Shift, "plan")
@require_http_methods(["GET", "POST"])
def rota_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the shifts of the hotline's patterns for weeks ahead (shifts that exist are kept)."""
    hotline = _planned_hotline(request, pk)
    form = forms.GenerateForm(_posted(request))
    if form.is_bound and form.is_valid():
        start, weeks = form.cleaned_data["start"], form.cleaned_data["weeks"]
        ok, created = run_service(
            form, services.generate_shifts, actor=request.user, hotline=hotline, start=start, weeks=weeks
        )
        if ok:
            messages.success(
                request,
                _("%(count)d new shifts from %(start)s for %(weeks)d weeks; shifts already planned were kept.")
                % {"count": len(created), "start": start.isoformat(), "weeks": weeks},
            )
            return redirect(_week_url(hotline, selectors.monday_of(start)))
    patterns = ShiftPattern.objects.filter(hotline=hotline, active=True).order_by("starts_at", "pk")
    return render(request, "hotline/rota_generate.html", {"hotline": hotline, "form": form, "patterns": patterns})


# --- patterns ---------------------------------------------------------------------------------


@access.scoped(Shift, "plan")
@require_http_methods(["GET", "POST"])
def rota_patterns(request: HttpRequest, pk: int) -> HttpResponse:
    """The hotline's shift patterns, and a form for a new one."""
    hotline = _planned_hotline(request, pk)
    form = forms.PatternForm(_posted(request))
    del form.fields["active"]  # a new pattern is in use
    if form.is_bound and form.is_valid():
        values = form.values()
        ok, pattern = run_service(form, services.create_pattern, actor=request.user, hotline=hotline, **values)
        if ok:
            messages.success(request, _("Shift “%(name)s” added.") % {"name": pattern.name})
            return redirect("hotline:rota_patterns", hotline.pk)
    patterns = ShiftPattern.objects.filter(hotline=hotline).order_by("-active", "starts_at", "pk")
    return render(
        request,
        "hotline/rota_patterns.html",
        {"hotline": hotline, "patterns": patterns, "form": form, "weekday_names": dict(forms.WEEKDAYS)},
    )


@access.scoped(
    ShiftPattern, "plan", lookup="pk", queryset=lambda request: ShiftPattern.objects.select_related("hotline")
)
@require_http_methods(["GET", "POST"])
def pattern_edit(request: HttpRequest, pattern: ShiftPattern) -> HttpResponse:
    initial = {
        "name": pattern.name,
        "starts_at": pattern.starts_at,
        "hours": pattern.hours,
        "weekdays": list(pattern.weekdays),
        "min_seats": pattern.min_seats,
        "active": pattern.active,
    }
    form = forms.PatternForm(_posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        ok, _result = run_service(form, services.update_pattern, actor=request.user, pattern=pattern, **form.values())
        if ok:
            messages.success(request, _("Shift “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
            return redirect("hotline:rota_patterns", pattern.hotline_id)
    return render(
        request, "hotline/rota_pattern_form.html", {"pattern": pattern, "hotline": pattern.hotline, "form": form}
    )


@access.scoped(
    ShiftPattern, "plan", lookup="pk", queryset=lambda request: ShiftPattern.objects.select_related("hotline")
)
@require_POST
def pattern_delete(request: HttpRequest, pattern: ShiftPattern) -> HttpResponse:
    hotline_id = pattern.hotline_id
    services.delete_pattern(actor=request.user, pattern=pattern)
    messages.success(
        request, _("Shift “%(name)s” removed; the shifts it made stay on the rota.") % {"name": pattern.name}
    )
    return redirect("hotline:rota_patterns", hotline_id)


# --- one shift --------------------------------------------------------------------------------


def _shifts(request: HttpRequest) -> Any:
    return Shift.objects.select_related("hotline__organisation", "pattern")


def _shift_context(request: HttpRequest, shift: Shift, form: Any = None) -> dict[str, Any]:
    shift = selectors.with_duties(Shift.objects.filter(pk=shift.pk)).select_related(
        "hotline__organisation", "pattern"
    ).get()
    planner = may_plan(request.user, shift.hotline)
    on_shift = {d.counsellor_id for d in shift.duties}  # type: ignore[attr-defined]
    free = [p for p in selectors.duty_candidates(shift.hotline) if p.pk not in on_shift]
    over = shift.ends_at <= timezone.now()
    monday = selectors.monday_of(timezone.localtime(shift.starts_at).date())
    return {
        "shift": shift,
        "hotline": shift.hotline,
        "duties": shift.duties,  # type: ignore[attr-defined]
        "short": max(0, shift.min_seats - len(shift.duties)),  # type: ignore[attr-defined]
        "planner": planner and not over,
        "over": over,
        "form": form if form is not None else (forms.AssignForm(people=free) if planner and not over else None),
        "free": free,
        "week_url": _week_url(shift.hotline, monday),
        "next": _next(request, ""),
    }


@access.scoped(Shift, "view", lookup="pk", queryset=_shifts)
@require_GET
def shift_detail(request: HttpRequest, shift: Shift) -> HttpResponse:
    """One shift: its time, seats and people; the planner gives and takes duties here."""
    return render(request, "hotline/shift_detail.html", _shift_context(request, shift))


@access.scoped(Shift, "plan", lookup="pk", queryset=_shifts)
@require_POST
def shift_assign(request: HttpRequest, shift: Shift) -> HttpResponse:
    context = _shift_context(request, shift)
    form = forms.AssignForm(request.POST, people=context["free"])
    if form.is_valid():
        ok, _duty = run_service(
            form, services.assign, actor=request.user, shift=shift, counsellor=form.cleaned_data["counsellor"]
        )
        if ok:
            person = form.cleaned_data["counsellor"]
            messages.success(
                request, _("%(name)s is on duty for this shift.") % {"name": person.full_name or person.username}
            )
            return redirect(_next(request, reverse("hotline:shift_detail", args=[shift.pk])))
    context = _shift_context(request, shift, form=form)
    return render(request, "hotline/shift_detail.html", context)


@access.scoped(Shift, "plan", lookup="pk", queryset=_shifts)
@require_POST
def shift_unassign(request: HttpRequest, shift: Shift) -> HttpResponse:
    duty = ShiftAssignment.objects.filter(shift=shift, pk=request.POST.get("duty") or 0).select_related("counsellor")
    found = duty.first() if str(request.POST.get("duty", "")).isdigit() else None
    if found is None:
        raise Http404
    form = _carrier()
    ok, _result = run_service(form, services.unassign, actor=request.user, shift=shift, counsellor=found.counsellor)
    if not ok:  # the page again, the reason on it
        context = {**_shift_context(request, shift), "refusals": _refusals(form)}
        return render(request, "hotline/shift_detail.html", context)
    messages.success(
        request,
        _("%(name)s is off this shift.") % {"name": found.counsellor.full_name or found.counsellor.username},
    )
    return redirect(_next(request, reverse("hotline:shift_detail", args=[shift.pk])))


@access.scoped(Shift, "plan", lookup="pk", queryset=_shifts)
@require_POST
def shift_delete(request: HttpRequest, shift: Shift) -> HttpResponse:
    monday = selectors.monday_of(timezone.localtime(shift.starts_at).date())
    form = _carrier()
    ok, _result = run_service(form, services.delete_shift, actor=request.user, shift=shift)
    if not ok:
        for error in _refusals(form):
            messages.error(request, error)
        return redirect("hotline:shift_detail", shift.pk)
    messages.success(request, _("The shift is removed from the rota."))
    return redirect(_week_url(shift.hotline, monday))


# --- a counsellor's duties and swaps ----------------------------------------------------------


@access.scoped(Shift, "swap")
@require_GET
def my_duties(request: HttpRequest) -> HttpResponse:
    """The counsellor's shifts from now on, each with "Ask for a swap"; the swap requests they
    made or are named in, waiting for the coordinator."""
    user: Any = request.user
    duties = list(selectors.my_duties(user))
    asking = {s.assignment_id for s in SwapRequest.objects.filter(
        assignment__in=[d.pk for d in duties], status="pending"
    )}
    for duty in duties:
        duty.swap_pending = duty.pk in asking  # type: ignore[attr-defined]
    hotlines = list(Hotline.objects.for_user(user, "view").filter(active=True))
    now = timezone.now()
    return render(
        request,
        "hotline/rota_mine.html",
        {
            "duties": duties,
            "swaps": list(selectors.pending_swaps(user)),
            "hotlines": [(h, selectors.on_duty(h)) for h in hotlines],
            "now": now,
            "has_feed": CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).exists(),
        },
    )


def _own_duties(request: HttpRequest) -> Any:
    return ShiftAssignment.objects.filter(counsellor_id=request.user.pk).select_related(
        "shift__hotline__organisation", "counsellor"
    )


@access.scoped(ShiftAssignment, "swap", lookup="pk", queryset=_own_duties)
@require_http_methods(["GET", "POST"])
def swap_request(request: HttpRequest, duty: ShiftAssignment) -> HttpResponse:
    """Ask the coordinator to hand one's duty to a colleague, optionally taking one of theirs."""
    hotline = duty.shift.hotline
    colleagues = [p for p in selectors.duty_candidates(hotline) if p.pk != request.user.pk]
    offers = (
        ShiftAssignment.objects.filter(
            shift__hotline=hotline, counsellor_id__in=[p.pk for p in colleagues], shift__starts_at__gt=timezone.now()
        )
        .exclude(shift_id=duty.shift_id)
        .select_related("shift", "counsellor")
        .order_by("shift__starts_at", "counsellor__full_name", "pk")
    )
    form = forms.SwapForm(_posted(request), colleagues=colleagues, offers=offers)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, _swap = run_service(
            form, services.request_swap, actor=request.user, assignment=duty, taker=data["taker"],
            offered=data.get("offered"), note=data.get("note", ""),
        )
        if ok:
            messages.success(request, _("Your swap request is waiting for the coordinator."))
            return redirect("hotline:my_duties")
    return render(request, "hotline/swap_form.html", {"duty": duty, "hotline": hotline, "form": form})


def _own_swaps(request: HttpRequest) -> Any:
    return SwapRequest.objects.filter(requested_by_id=request.user.pk).select_related(
        "assignment__shift__hotline__organisation"
    )


@access.scoped(SwapRequest, "swap", lookup="pk", queryset=_own_swaps)
@require_POST
def swap_withdraw(request: HttpRequest, swap: SwapRequest) -> HttpResponse:
    form = _carrier()
    ok, _result = run_service(form, services.withdraw_swap, actor=request.user, swap=swap)
    if ok:
        messages.success(request, _("Swap request withdrawn."))
    else:
        for error in _refusals(form):
            messages.error(request, error)
    return redirect("hotline:my_duties")


@access.scoped(Shift, "plan")
@require_GET
def swap_list(request: HttpRequest) -> HttpResponse:
    """The swap requests waiting for the user's decision (the hotlines they plan)."""
    swaps = list(selectors.swaps_to_decide(request.user))
    return render(request, "hotline/swap_list.html", {"swaps": swaps})


@access.scoped(
    SwapRequest, "plan", lookup="pk",
    queryset=lambda request: SwapRequest.objects.select_related("assignment__shift__hotline__organisation"),
)
@require_POST
def swap_decide(request: HttpRequest, swap: SwapRequest) -> HttpResponse:
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        ok, _result = run_service(form, services.decide_swap, actor=request.user, swap=swap, approve=approve)
        if ok:
            messages.success(request, _("Swap approved: the duty has moved.") if approve else _("Swap rejected."))
            return redirect("hotline:swap_list")
    for error in _refusals(form):
        messages.error(request, error)
    return redirect("hotline:swap_list")


# --- hours per month --------------------------------------------------------------------------


def _pick_month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        month = forms.MonthField(required=False).clean(value or "")
    except Exception:
        month = None
    if month is None or not date(2000, 1, 1) <= month <= date(2999, 12, 1):
        return today.replace(day=1)
    return month


@access.scoped(Hotline, "view", lookup="pk", queryset=lambda request: Hotline.objects.select_related("organisation"))
@require_GET
def rota_hours(request: HttpRequest, hotline: Hotline) -> HttpResponse:
    """Hours on duty per counsellor in a month: a table and a bar chart (Apache ECharts)."""
    month = _pick_month(request.GET.get("month"))
    rows = selectors.hours_by_counsellor(hotline, month)
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    chart = None
    if rows:
        chart = {
            "locale": "ZH" if (get_language() or "").startswith("zh") else "EN",
            "names": [r["name"] for r in rows],
            "hours": [r["hours"] for r in rows],
            "labels": {"hours": _("Hours"), "shifts": _("Shifts")},
            "shifts": [r["shifts"] for r in rows],
        }
    return render(
        request,
        "hotline/rota_hours.html",
        {
            "hotline": hotline,
            "month": month,
            "rows": rows,
            "total": round(sum(r["hours"] for r in rows), 1),
            "chart": chart,
            "prev_month": f"{previous:%Y-%m}",
            "next_month": f"{following:%Y-%m}",
        },
    )


# --- the calendar feed ------------------------------------------------------------------------


@access.scoped(Shift, "swap")
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """The user's calendar address: whether one is in use, when it was last read; make a new
    one (shown once) or revoke it."""
    feed = CalendarFeed.objects.filter(user=_me(request), revoked_at__isnull=True).first()
    return render(request, "hotline/calendar.html", {"feed": feed, "url": None})


@access.scoped(Shift, "swap")
@require_POST
@never_cache
def calendar_new(request: HttpRequest) -> HttpResponse:
    """A new secret address: shown on this answer only (the server keeps its hash)."""
    feed, token = services.create_feed(actor=request.user)
    url = request.build_absolute_uri(reverse("hotline:calendar_ics", args=[token]))
    messages.success(request, _("A new calendar address is made; the old one no longer works."))
    return render(request, "hotline/calendar.html", {"feed": feed, "url": url})


@access.scoped(Shift, "swap")
@require_POST
def calendar_revoke(request: HttpRequest) -> HttpResponse:
    feed = CalendarFeed.objects.filter(user=_me(request), revoked_at__isnull=True).first()
    if feed is not None:
        services.revoke_feed(actor=request.user, feed=feed)
        messages.success(request, _("The calendar address is revoked: calendars reading it get nothing any more."))
    return redirect("hotline:calendar")


@access.public
@require_GET
def calendar_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed of a secret address (the token is the credential); a revoked or
    unknown token is the same 404."""
    user = services.feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(ical.calendar(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="duties.ics"'
    return response


urlpatterns: list = [
    path("rota/", rota, name="rota"),
    path("rota/<int:pk>/", rota_week, name="rota_week"),
    path("rota/<int:pk>/generate/", rota_generate, name="rota_generate"),
    path("rota/<int:pk>/patterns/", rota_patterns, name="rota_patterns"),
    path("rota/<int:pk>/hours/", rota_hours, name="rota_hours"),
    path("rota/patterns/<int:pk>/", pattern_edit, name="pattern_edit"),
    path("rota/patterns/<int:pk>/delete/", pattern_delete, name="pattern_delete"),
    path("rota/shifts/<int:pk>/", shift_detail, name="shift_detail"),
    path("rota/shifts/<int:pk>/assign/", shift_assign, name="shift_assign"),
    path("rota/shifts/<int:pk>/unassign/", shift_unassign, name="shift_unassign"),
    path("rota/shifts/<int:pk>/delete/", shift_delete, name="shift_delete"),
    path("rota/mine/", my_duties, name="my_duties"),
    path("rota/duties/<int:pk>/swap/", swap_request, name="swap_request"),
    path("rota/swaps/", swap_list, name="swap_list"),
    path("rota/swaps/<int:pk>/withdraw/", swap_withdraw, name="swap_withdraw"),
    path("rota/swaps/<int:pk>/decide/", swap_decide, name="swap_decide"),
    path("rota/calendar/", calendar, name="calendar"),
    path("rota/calendar/new/", calendar_new, name="calendar_new"),
    path("rota/calendar/revoke/", calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", calendar_ics, name="calendar_ics"),
]

MENU: list = [
    MenuEntry(
        gettext_lazy("My duties"), "hotline:my_duties", order=258, element_id="nx-nav-my-duties",
        visible=lambda user: Shift.policy.may(user, "swap"), start=30, start_style="primary",
    ),
    MenuEntry(
        gettext_lazy("Rota"), "hotline:rota", order=262, element_id="nx-nav-rota",
        visible=lambda user: Shift.policy.may(user, "plan"),
    ),
]
COUNTERS: list = []


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The home page's rota card: a counsellor's next duty (or the one running); for a planner,
    the shifts of the next seven days short of their minimum seats. None: nothing to show."""
    user: Any = request.user
    context: dict[str, Any] = {}
    if Shift.policy.may(user, "swap"):
        context["next_duty"] = selectors.my_duties(user).first()
        context["duties"] = True
    if Shift.policy.may(user, "plan"):
        hotlines = _hotlines_planned(user)
        now = timezone.now()
        rows = selectors.seats_by_shift([h.pk for h in hotlines], now, now + timedelta(days=7))
        context["gaps"] = sum(1 for r in rows if r["filled"] < r["min_seats"])
        context["planned"] = bool(hotlines)
        context["swaps"] = selectors.swaps_to_decide(user).count()
    return context if context.get("duties") or context.get("planned") else None


HOME_PANELS: list = [HomePanel("hotline/rota_home.html", home_panel, order=150)]
