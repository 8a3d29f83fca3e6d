"""What recuperation's pages share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.pages import posted, submit  # noqa: F401  (re-exported: the pages import them from here)
from nuanxin.recuperation.forms.catalogue import VersionForm


def act(request: HttpRequest, call: Callable[[], Any], done: str, to: str) -> HttpResponse:
    """A button's POST: ``call()`` (a service), its refusal as an error message, then back to ``to``."""
    try:
        call()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(to)


def status_change(request: HttpRequest, obj: Any, service: Callable[..., Any], done: str, to: str) -> HttpResponse:
    """Open, close, held: the version the page showed, the service, back to ``to``."""
    form = VersionForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect(to)
    return act(request, lambda: service(obj, actor=request.user, version=form.cleaned_data["version"]), done, to)
