from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelecomConfig(AppConfig):
    name = "nuanxin.telecom"
    label = "telecom"
    verbose_name = _("Telecom fee waiver")

    def ready(self) -> None:
        from nuanxin.registry import hooks as registry_hooks
        from nuanxin.telecom import manifest, panels

        registry_hooks.worker_page.connect(panels.worker_page_panels)
        manifest.register()
