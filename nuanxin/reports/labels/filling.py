"""The audit labels of the filling area (opening, saving and submitting reports)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "reports.open": _("Report started"),
        "reports.save": _("Report's values saved"),
        "reports.submit": _("Report submitted"),
    },
    object_types={
        "reports.report": _("Report"),
    },
    detail_keys={
        "form": _("Report form"),
        "period": _("Period from"),
        "late": _("Submitted late"),
        "resubmitted": _("Submitted again after a return"),
    },
)
