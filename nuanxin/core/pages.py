"""What every page that calls a service does with its answer.

A form view calls the service through ``run_service``::

    form = forms.ThingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ok, thing = pages.run_service(form, services.update_thing, actor=request.user, **form.cleaned_data)
        if ok:
            return redirect(...)
    return render(request, "thing_form.html", {"form": form})

- a refusal (``NotAllowed``: the policy says no) is the 403 page, whatever the app;
- an edit conflict (``Conflict``: the row changed since the form was opened, or already
  exists) is the conflict's message on the form, on its field if it names one;
- any other ``ServiceError`` is the form's error, on the field it names or above the form.

``submit`` does all of it for the common page: a valid POST calls the service, then the
success message and the redirect; ``posted(request)`` is the data a form is bound to (the POST,
or ``None`` on a GET).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from nuanxin.core.errors import NotAllowed, ServiceError


def add_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a service's refusal on the field it names, or above the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
    if field:
        widget = form.fields[field].widget
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def run_service(
    form: forms.Form,
    call: Callable[..., Any],
    *args: Any,
    on_error: Callable[[ServiceError], None] | None = None,
    **kwargs: Any,
) -> tuple[bool, Any]:
    """Call ``call(*args, **kwargs)``; ``(True, result)`` when it succeeded, ``(False, error)``
    when its refusal (the ``ServiceError``) is now on ``form``. ``NotAllowed`` becomes the 403
    page. ``on_error(error)`` places the refusal instead of ``add_service_error`` (a form with
    formsets puts ``items.2.value`` on that row); a page that shows a ``Conflict`` side by side
    with the saved version reads it from the second item."""
    try:
        result = call(*args, **kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:  # Conflict included: its message says what changed
        (on_error or (lambda error: add_service_error(form, error)))(exc)
        return False, exc
    return True, result


def posted(request: HttpRequest) -> Any:
    """The data to bind a form to: the POST, or ``None`` on a GET (an unbound form)."""
    return request.POST if request.method == "POST" else None


def submit(
    request: HttpRequest, form: Any, call: Callable[..., Any], values: dict, *, done: Callable[[Any], str],
    to: Callable[[Any], str], obj: Any = None,
) -> HttpResponse | None:
    """A valid POST calls the service (``run_service``, with ``request.user`` as the actor) on
    ``obj`` (when given: its first argument) with ``values``: its refusal goes on the form
    (``None`` is returned: show the form again), or the message ``done(result)`` and a redirect
    to ``to(result)``."""
    if not (form.is_bound and form.is_valid()):
        return None
    args = (obj,) if obj is not None else ()
    ok, result = run_service(form, call, *args, actor=request.user, **values)
    if not ok:
        return None
    messages.success(request, done(result))
    return redirect(to(result))
