from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "nuanxin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from nuanxin.core import (
            audit_labels,
            auditlabels,
            checks,  # noqa: F401  (registers the database role's deploy checks)
        )

        auditlabels.register(audit_labels.LABELS)
