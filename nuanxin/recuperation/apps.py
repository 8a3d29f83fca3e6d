from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecuperationConfig(AppConfig):
    name = "nuanxin.recuperation"
    label = "recuperation"
    verbose_name = _("Recuperation")

    def ready(self) -> None:
        from nuanxin.recuperation import manifest

        manifest.register()
