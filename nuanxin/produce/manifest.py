"""The family produce supply's manifest (``core/manifest.py``). ``ProduceConfig.ready()`` calls ``register()``.

Each area (``views/<area>.py``) declares its ``urlpatterns``, ``MENU``, ``COUNTERS`` and
``HOME_PANELS``; its API router is ``api/<area>.py``; its periodic jobs ``tasks/<area>.py``'s
``JOBS``; its hooks ``hooks/<area>.py``'s ``connect()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.produce import hooks
from nuanxin.produce.views import catalogue, figures, orders, pickup, weeks

AREAS = (
    catalogue,
    orders,
    pickup,
    weeks,
    figures,
)

MANIFEST = Manifest(
    app="produce",
    url_prefix="produce/",
    urls="nuanxin.produce.urls",
    api_router=[
        "nuanxin.produce.api.catalogue.router",
        "nuanxin.produce.api.orders.router",
        "nuanxin.produce.api.pickup.router",
        "nuanxin.produce.api.weeks.router",
        "nuanxin.produce.api.figures.router",
    ],
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs="nuanxin.produce.tasks.JOBS",
    authz_cases="nuanxin.produce.tests.authz_cases",
    demo="nuanxin.produce.demo",
    audit_labels="nuanxin.produce.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
    hooks.connect()
