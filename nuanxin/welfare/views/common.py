"""What the mutual-aid scheme's pages share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from nuanxin.core.pages import run_service
from nuanxin.welfare.selectors.reach import organisation_or_404, organisations, top_organisation


def posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def submit(
    request: HttpRequest, form: Any, call: Callable[..., Any], values: dict, *, done: Callable[[Any], str],
    to: Callable[[Any], str], obj: Any = None,
) -> HttpResponse | None:
    """A valid POST calls the service; its refusal goes on the form (``None``), success gives
    the message ``done(result)`` and a redirect to ``to(result)``."""
    if not (form.is_bound and form.is_valid()):
        return None
    args = (obj,) if obj is not None else ()
    ok, result = run_service(form, call, *args, actor=request.user, **values)
    if not ok:
        return None
    messages.success(request, done(result))
    return redirect(to(result))


__all__ = ["organisation_or_404", "organisations", "posted", "submit", "top_organisation"]
