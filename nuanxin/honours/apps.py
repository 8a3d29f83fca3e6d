from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonoursConfig(AppConfig):
    name = "nuanxin.honours"
    label = "honours"
    verbose_name = _("Commendations")

    def ready(self) -> None:
        from nuanxin.honours import manifest

        manifest.register()
