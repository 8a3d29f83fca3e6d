"""The mutual-aid scheme's manifest (``core/manifest.py``). ``WelfareConfig.ready()`` calls ``register()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.welfare.views import enrolments, imports, schemes

AREAS = (schemes, enrolments, imports)

MANIFEST = Manifest(
    app="welfare",
    url_prefix="welfare/",
    urls="nuanxin.welfare.urls",
    api_router="nuanxin.welfare.api.router",
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    authz_cases="nuanxin.welfare.tests.authz_cases",
    demo="nuanxin.welfare.demo",
    audit_labels="nuanxin.welfare.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
