from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelecomConfig(AppConfig):
    name = "nuanxin.telecom"
    label = "telecom"
    verbose_name = _("Telecom fee waiver")

    def ready(self) -> None:
        from nuanxin.telecom import manifest

        manifest.register()
