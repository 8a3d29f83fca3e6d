from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "nuanxin.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from nuanxin.reports import manifest

        manifest.register()  # the manifest and the hooks it connects to
