"""The audit labels of the approval area (approving, returning and unlocking reports)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "reports.approve": _("Report approved and locked"),
        "reports.return": _("Report returned with a comment"),
        "reports.unlock": _("Approved report unlocked"),
    },
    detail_keys={
        "reason": _("Reason"),
    },
)
