"""The audit labels of the orders area."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "produce.order.place": _("Produce order placed"),
        "produce.order.change": _("Produce order changed"),
        "produce.order.cancel": _("Produce order cancelled"),
    },
    object_types={"produce.order": _("Produce order"), "produce.orderline": _("Produce order line")},
    detail_keys={
        "payable": _("To pay"),
        "lines": _("Items and quantities"),
    },
)
