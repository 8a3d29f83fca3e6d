"""The audit trail's labels of the notifications' actions (see ``core/auditlabels.py``)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.notify.choices import Channel

LABELS = Labels(
    actions={"notify.delivery_failed": _("Notification could not be delivered")},
    object_types={"notify.notification": _("Notification"), "notify.delivery": _("Notification delivery")},
    detail_keys={"attempts": _("Attempts"), "error": _("Error")},
    action_values={"notify.delivery_failed": {"channel": Channel}},
)
