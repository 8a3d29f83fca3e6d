"""The commendations' manifest (``core/manifest.py``). ``HonoursConfig.ready()`` calls ``register()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.honours.views import catalogue

AREAS = (catalogue,)

MANIFEST = Manifest(
    app="honours",
    url_prefix="honours/",
    urls="nuanxin.honours.urls",
    api_router="nuanxin.honours.api.router",
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    authz_cases="nuanxin.honours.tests.authz_cases",
    demo="nuanxin.honours.demo",
    audit_labels="nuanxin.honours.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
