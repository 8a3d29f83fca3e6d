"""The funds' manifest (``core/manifest.py``). ``FundsConfig.ready()`` calls ``register()``."""

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest
from nuanxin.funds.views import entries, figures, funds, spending

AREAS = (funds, entries, spending, figures)

MANIFEST = Manifest(
    app="funds",
    url_prefix="funds/",
    urls="nuanxin.funds.urls",
    api_router=[
        "nuanxin.funds.api.summary.router",
        "nuanxin.funds.api.funds.router",
        "nuanxin.funds.api.entries.router",
    ],
    menu=[entry for area in AREAS for entry in area.MENU],
    counters=[counter for area in AREAS for counter in area.COUNTERS],
    home_panels=[panel for area in AREAS for panel in area.HOME_PANELS],
    jobs=(),
    authz_cases="nuanxin.funds.tests.authz_cases",
    demo="nuanxin.funds.demo",
    audit_labels="nuanxin.funds.audit_labels.LABELS",
)


def register() -> None:
    manifest.register(MANIFEST)
