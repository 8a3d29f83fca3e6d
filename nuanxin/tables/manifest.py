"""The official tables' manifest (``core/manifest.py``): the import and export pages under
/register/ (where they have always been), the import API, the menu entry and the job that
resets interrupted imports."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.manifest import Manifest, MenuEntry
from nuanxin.registry.import_models import ImportBatch

MANIFEST = Manifest(
    app="tables",
    url_prefix="register/",
    urls="nuanxin.tables.urls",
    api_router="nuanxin.tables.imports.api.router",
    menu=[
        MenuEntry(
            _("Import tables"), "tables:imports:list", order=110, element_id="nx-nav-imports",
            visible=lambda user: ImportBatch.policy.may(user, "view"), start=40,
        ),
    ],
    jobs="nuanxin.tables.periodic.JOBS",
    authz_cases="nuanxin.tables.tests.authz_cases",
)
