"""The audit trail's labels of the fee waiver (see ``core/auditlabels.py``)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    object_types={
        "telecom.waiver": _("Fee-waiver number"),
        "telecom.dispatch": _("List sent to a carrier"),
        "telecom.carrierreply": _("Carrier's reply"),
    },
)
