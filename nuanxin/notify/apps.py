from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "nuanxin.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from nuanxin.core import manifest
        from nuanxin.notify import checks  # noqa: F401  (registers the deploy checks)
        from nuanxin.notify.manifest import MANIFEST

        manifest.register(MANIFEST)
