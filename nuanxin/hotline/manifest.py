"""The hotline's manifest (``core/manifest.py``). ``HotlineConfig.ready()`` calls ``register()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.hotline.views import assessments, callbacks, calls, hotlines, rota, stats

AREAS = (hotlines, rota, calls, callbacks, assessments, stats)

MANIFEST = Manifest(
    app="hotline",
    url_prefix="hotline/",
    urls="nuanxin.hotline.urls",
    api_router=[
        "nuanxin.hotline.api.calls.router",
        "nuanxin.hotline.api.assessments.router",
        "nuanxin.hotline.api.callbacks.router",
        "nuanxin.hotline.api.shifts.router",
        "nuanxin.hotline.api.stats.router",
    ],
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs="nuanxin.hotline.periodic.JOBS",
    authz_cases="nuanxin.hotline.tests.authz_cases",
    demo="nuanxin.hotline.demo",
    audit_labels="nuanxin.hotline.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
