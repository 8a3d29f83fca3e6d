"""How every view declares who may reach it. The URL-enumerating authorization test reads
these marks and fails for any view that has none.

- ``public``: reachable without signing in (login page, language switch, static files).
- ``authenticated``: any signed-in user, about themselves only (home, own account).
- ``scoped(Model, action)``: the view works on ``Model``'s rows as its policy
  (``core/policy.py``) allows: a user holding no role for ``action`` gets a 403; with
  ``lookup``, the object named by the URL is fetched through ``Model.policy.for_user`` (a row
  outside the user's scope is the same 404 as a missing one) and passed to the view::

      @access.scoped(Worker, "change", lookup="pk")
      def worker_edit(request, worker): ...

      @access.scoped(Worker, "view")              # a list or create page: no object
      def worker_list(request): ...

  ``scoped("city_admin", "org_admin")`` (role names) is the older form, checking only that the
  user holds one of the roles somewhere; views still written so fetch their rows themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

PUBLIC = "public"
AUTHENTICATED = "authenticated"
SCOPED = "scoped"


def mark(view, access: str, roles=(), model=None, action: str | None = None):
    view.nuanxin_access = access
    view.nuanxin_roles = frozenset(roles)
    view.nuanxin_model = model
    view.nuanxin_action = action
    return view


def public(view):
    """Declare a function view reachable without signing in."""
    return mark(view, PUBLIC)


def authenticated(view):
    """Declare a function view for any signed-in user (their own data only)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return mark(wrapper, AUTHENTICATED)


def scoped(
    model: Any,
    action: str | None = None,
    *more_roles: str,
    lookup: str | None = None,
    kwarg: str | None = None,
    queryset: Callable[[Any], QuerySet] | None = None,
):
    """Declare a view on ``model``'s rows for ``action`` (see the module's doc).

    ``lookup``: the field the URL names the object by (``"pk"``); ``kwarg``: the URL's keyword
    holding it (default: ``lookup``); ``queryset(request)``: the rows to look in (e.g. with
    ``select_related``), narrowed by the policy. The object is passed to the view as the
    argument after ``request``, in place of the URL keyword."""
    if isinstance(model, str):  # the older form: role names
        roles = (model, *([action] if action else []), *more_roles)
        return _scoped_by_roles(roles)
    if action is None:
        raise TypeError("scoped(Model, action): the action is missing")
    policy = model.policy
    url_kwarg = kwarg or lookup

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not policy.may(request.user, action):
                raise PermissionDenied
            if lookup is None:
                return view(request, *args, **kwargs)
            value = kwargs.pop(url_kwarg)
            rows = queryset(request) if queryset is not None else model._default_manager.all()
            obj = get_object_or_404(policy.for_user(rows, request.user, action), **{lookup: value})
            return view(request, obj, *args, **kwargs)

        return mark(wrapper, SCOPED, policy.roles(action), model=model, action=action)

    return decorator


def _scoped_by_roles(roles):
    from nuanxin.core.policy import Policy

    anywhere = Policy(path=None, actions={"use": roles})

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not anywhere.may(request.user, "use"):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return mark(wrapper, SCOPED, roles)

    return decorator


def get_scoped_or_404(model_or_qs, user, action: str = "view", **lookup) -> Model:
    """Fetch one row inside the user's scope; outside it is the same 404 as a missing row."""
    if isinstance(model_or_qs, QuerySet):
        qs = model_or_qs
    else:
        qs = model_or_qs._default_manager.all()
    return get_object_or_404(qs.model.policy.for_user(qs, user, action), **lookup)
