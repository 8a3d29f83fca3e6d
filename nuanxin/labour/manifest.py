"""The labour-protection green channel's manifest (``core/manifest.py``). ``LabourConfig.ready()`` calls ``register()``.

Each area (``views/<area>.py``) declares its ``urlpatterns``, ``MENU``, ``COUNTERS`` and
``HOME_PANELS``; its API router is ``api/<area>.py``; its periodic jobs ``tasks/<area>.py``'s
``JOBS``; its hooks ``hooks/<area>.py``'s ``connect()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.labour import hooks
from nuanxin.labour.views import arrangements, employment, figures, legal

AREAS = (
    arrangements,
    legal,
    employment,
    figures,
)

MANIFEST = Manifest(
    app="labour",
    url_prefix="labour/",
    urls="nuanxin.labour.urls",
    api_router=[
        "nuanxin.labour.api.arrangements.router",
        "nuanxin.labour.api.legal.router",
        "nuanxin.labour.api.employment.router",
        "nuanxin.labour.api.figures.router",
    ],
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs="nuanxin.labour.tasks.JOBS",
    authz_cases="nuanxin.labour.tests.authz_cases",
    demo="nuanxin.labour.demo",
    audit_labels="nuanxin.labour.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
    hooks.connect()
