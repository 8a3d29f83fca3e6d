from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProduceConfig(AppConfig):
    name = "nuanxin.produce"
    label = "produce"
    verbose_name = _("Produce supply")

    def ready(self) -> None:
        from nuanxin.care.apps import relate_assigned_to
        from nuanxin.produce import models

        relate_assigned_to((models.FamilyPoint, "worker__pk"), (models.Order, "worker__pk"))
        from nuanxin.produce import manifest

        manifest.register()  # the manifest and the hooks it connects to
