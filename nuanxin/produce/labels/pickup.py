"""The audit labels of the pickup area."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "produce.order.collect": _("Produce parcel handed over at the pickup point"),
        "produce.offer.uncollected": _("Parcels not collected marked"),
    },
)
