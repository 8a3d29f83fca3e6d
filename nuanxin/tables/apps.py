from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TablesConfig(AppConfig):
    name = "nuanxin.tables"
    label = "tables"
    verbose_name = _("Official tables")

    def ready(self) -> None:
        from nuanxin.core import manifest
        from nuanxin.tables.manifest import MANIFEST

        manifest.register(MANIFEST)
