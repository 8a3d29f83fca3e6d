"""How every view declares who may reach it. The URL-enumerating authorization test reads
these marks and fails for any view that has none.

- ``public``: reachable without signing in (login page, language switch, static files).
- ``authenticated``: any signed-in user, about themselves only (home, own account).
- ``scoped``: the view reads or writes organisation-owned rows through ``for_user`` and
  checks the roles in ``roles``; rows outside the scope are a 404.
"""

from functools import wraps

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from nuanxin.orgs import scope

PUBLIC = "public"
AUTHENTICATED = "authenticated"
SCOPED = "scoped"


def mark(view, access: str, roles=()):
    view.nuanxin_access = access
    view.nuanxin_roles = frozenset(roles)
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


def scoped(*roles):
    """Declare a function view for users holding one of ``roles``; it must fetch its objects
    with ``Model.objects.for_user(request.user, action)`` (or ``get_scoped_or_404``)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not scope.has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return mark(wrapper, SCOPED, roles)

    return decorator


class ScopedViewMixin(LoginRequiredMixin):
    """Class-based views: ``roles`` may use the view, ``model.objects.for_user`` is applied to
    ``get_queryset`` once, so detail lookups outside the scope are 404s."""

    nuanxin_access = SCOPED
    roles: frozenset[str] = frozenset()
    scope_action = "view"

    @classmethod
    def as_view(cls, **initkwargs):
        view = super().as_view(**initkwargs)
        return mark(view, SCOPED, cls.roles)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not scope.has_role(request.user, self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user, self.scope_action)


def get_scoped_or_404(model_or_qs, user, action: str = "view", **lookup):
    """Fetch one row inside the user's scope; outside it is the same 404 as a missing row."""
    from django.shortcuts import get_object_or_404

    qs = model_or_qs.objects if hasattr(model_or_qs, "objects") else model_or_qs
    return get_object_or_404(qs.for_user(user, action), **lookup)
