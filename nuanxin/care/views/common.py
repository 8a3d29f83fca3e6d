"""What the care pages share: the posted data, where to go after a form, the week navigation,
and the one flow of a form page (valid POST → service through ``core.pages.run_service`` →
message and redirect)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from nuanxin.care import weeks
from nuanxin.core.pages import run_service
from nuanxin.registry.models import Worker

PER_PAGE = 50


def posted(request):
    """The form data of a POST, ``None`` for a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def next_url(request, default: str) -> str:
    """Where to go after a form: a local ``next`` if given, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def workers(request):
    """The families a page looks up by id (``access.scoped(Worker, ..., queryset=workers)``)."""
    return Worker.objects.select_related("organisation")


def week_nav(week) -> dict:
    this_week = weeks.current_week()
    return {
        "week": week,
        "week_label": weeks.label(week),
        "week_sunday": weeks.sunday(week),
        "is_current_week": week == this_week,
        "prev_week": weeks.label(week - weeks.WEEK),
        "next_week": weeks.label(week + weeks.WEEK) if week < this_week else None,
        "this_week_label": weeks.label(this_week),
    }


def submit(
    request,
    form,
    call: Callable[..., Any],
    values: Callable[[dict], dict],
    *,
    done: str | Callable[[Any], str],
    to: str | Callable[[Any], str],
):
    """The flow of a care form page. A valid POST of ``form`` calls
    ``call(actor=request.user, **values(form.cleaned_data))`` through ``run_service``: when the
    service succeeds, the message ``done`` (or ``done(result)``) and a redirect to ``to`` (or
    ``to(result)``). ``None`` otherwise: the page shows the form again, with the service's
    refusal on it (invalid forms come back with 200 like the other pages; browsers log a 4xx as
    an error)."""
    if not (form.is_bound and form.is_valid()):
        return None
    ok, result = run_service(form, call, actor=request.user, **values(form.cleaned_data))
    if not ok:
        return None
    messages.success(request, done(result) if callable(done) else done)
    return redirect(to(result) if callable(to) else to)
