"""Recuperation's manifest (``core/manifest.py``). ``RecuperationConfig.ready()`` calls ``register()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.recuperation.views import batches, catalogue, figures

AREAS = (catalogue, batches, figures)

MANIFEST = Manifest(
    app="recuperation",
    url_prefix="recuperation/",
    urls="nuanxin.recuperation.urls",
    api_router="nuanxin.recuperation.api.router",
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs="nuanxin.recuperation.periodic.JOBS",
    authz_cases="nuanxin.recuperation.tests.authz_cases",
    demo="nuanxin.recuperation.demo",
    audit_labels="nuanxin.recuperation.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
