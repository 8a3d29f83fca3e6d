"""Reports up the tree: the manifest (``core/manifest.py``). The app config's ``ready()`` calls ``register()``.

Each area (``views/<area>.py``) declares its ``urlpatterns``, ``MENU``, ``COUNTERS`` and
``HOME_PANELS``; its API router is ``api/<area>.py``; its periodic jobs ``tasks/<area>.py``'s
``JOBS``; its hooks ``hooks/<area>.py``'s ``connect()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.reports import hooks
from nuanxin.reports.views import approval, dashboards, filling, forms, rates

AREAS = (
    forms,
    filling,
    approval,
    rates,
    dashboards,
)

MANIFEST = Manifest(
    app="reports",
    url_prefix="reports/",
    urls="nuanxin.reports.urls",
    # The rates' fixed path /reports/rates before the filling's /reports/{report_id}.
    api_router=[
        "nuanxin.reports.api.forms.router",
        "nuanxin.reports.api.rates.router",
        "nuanxin.reports.api.dashboards.router",
        "nuanxin.reports.api.filling.router",
        "nuanxin.reports.api.approval.router",
    ],
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs="nuanxin.reports.tasks.JOBS",
    authz_cases="nuanxin.reports.tests.authz_cases",
    demo="nuanxin.reports.demo",
    audit_labels="nuanxin.reports.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
    hooks.connect()
