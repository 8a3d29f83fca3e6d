"""Volunteer teams: the manifest (``core/manifest.py``). The app config's ``ready()`` calls ``register()``.

Each area (``views/<area>.py``) declares its ``urlpatterns``, ``MENU``, ``COUNTERS`` and
``HOME_PANELS``; its API router is ``api/<area>.py``; its periodic jobs ``tasks/<area>.py``'s
``JOBS``; its hooks ``hooks/<area>.py``'s ``connect()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.volunteers import hooks
from nuanxin.volunteers.views import figures, shifts, teams

AREAS = (
    teams,
    shifts,
    figures,
)

MANIFEST = Manifest(
    app="volunteers",
    url_prefix="volunteers/",
    urls="nuanxin.volunteers.urls",
    api_router=[
        "nuanxin.volunteers.api.teams.router",
        "nuanxin.volunteers.api.shifts.router",
        "nuanxin.volunteers.api.figures.router",
    ],
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs="nuanxin.volunteers.tasks.JOBS",
    authz_cases="nuanxin.volunteers.tests.authz_cases",
    demo="nuanxin.volunteers.demo",
    audit_labels="nuanxin.volunteers.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
    hooks.connect()
