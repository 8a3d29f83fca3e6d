"""Demo data for ``nuanxin demo``: every app's demo, in app order, never in production.

An app with demo data names its demo module in its manifest (``Manifest(demo=
"nuanxin.<app>.demo")``); the module has ``build(*, out)`` and may have ``logins()``, the
demo's sign-ins as (username, password, role, scope) that ``nuanxin demo`` and ``nuanxin
serve`` print. The organisations app's demo (the tree and one user per role) comes first, as
its place in INSTALLED_APPS says. Every demo is fictional and idempotent (a second run changes
nothing). Core imports no app: it only walks the manifests.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from nuanxin.core import manifest
from nuanxin.core.errors import ServiceError

DEMO_PASSWORD = "Nuanxin-demo-2020"


def refuse_in_production() -> None:
    if settings.PRODUCTION:
        raise ServiceError(_("The demo data cannot be loaded in production (NUANXIN_ENV=production)."))


def _demo_modules() -> list:
    return manifest.demo_modules()


def build(out: Callable[[str], None] = print) -> None:
    """Build the whole demo: every manifest's ``demo.build``, in app order."""
    refuse_in_production()
    for module in _demo_modules():
        module.build(out=out)


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of every demo's sign-ins that exist."""
    return [login for module in _demo_modules() if hasattr(module, "logins") for login in module.logins()]
