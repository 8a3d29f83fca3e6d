from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "nuanxin.care"
    label = "care"
    verbose_name = _("Care")

    def ready(self) -> None:
        from nuanxin.care import audit_labels
        from nuanxin.core import auditlabels

        auditlabels.register(audit_labels.LABELS)
