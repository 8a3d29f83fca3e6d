"""The fee waiver's manifest (``core/manifest.py``). ``TelecomConfig.ready()`` calls ``register()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.telecom.views import waivers

AREAS = (waivers,)

MANIFEST = Manifest(
    app="telecom",
    url_prefix="telecom/",
    urls="nuanxin.telecom.urls",
    api_router="nuanxin.telecom.api.router",
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs="nuanxin.telecom.periodic.JOBS",
    authz_cases="nuanxin.telecom.tests.authz_cases",
    demo="nuanxin.telecom.demo",
    audit_labels="nuanxin.telecom.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
