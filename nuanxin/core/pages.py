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
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied

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
