from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "nuanxin.welfare"
    label = "welfare"
    verbose_name = _("Mutual-aid scheme")

    def ready(self) -> None:
        from nuanxin.welfare import manifest

        manifest.register()
