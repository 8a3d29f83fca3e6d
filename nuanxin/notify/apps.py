from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "nuanxin.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from nuanxin.core import auditlabels, scopecounts
        from nuanxin.notify import (
            audit_labels,
            checks,  # noqa: F401  (registers the deploy checks)
        )
        from nuanxin.notify.selectors import unread_count

        auditlabels.register(audit_labels.LABELS)

        scopecounts.register(
            scopecounts.Counter(
                key="unread_notifications", label=_("Unread notifications"), count=unread_count, url_name="notify:list"
            )
        )
