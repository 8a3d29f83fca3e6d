from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "nuanxin.registry"
    label = "registry"
    verbose_name = _("Register")

    def ready(self) -> None:
        from nuanxin.core import manifest
        from nuanxin.registry.manifest import MANIFEST

        manifest.register(MANIFEST)
