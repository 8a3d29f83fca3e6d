"""What the mutual-aid scheme's pages share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from nuanxin.core.pages import run_service
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.welfare.models import Enrolment


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


def organisations(user: Any, action: str) -> Any:
    """The organisations whose enrolments ``user`` may ``action`` (their grants' subtrees), in
    tree order."""
    q = scope.scope_q(user, Enrolment.policy.roles(action), "path")
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q).order_by("path")


def organisation_or_404(user: Any, action: str, pk: Any) -> Organisation:
    try:
        return organisations(user, action).get(pk=int(pk))
    except (Organisation.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def top_organisation(user: Any, action: str) -> Organisation | None:
    return organisations(user, action).order_by("depth", "path").first()
