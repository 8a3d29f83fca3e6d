"""The audit labels of the dashboards area: the briefs' downloads."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "reports.brief.pdf": _("Brief of a period downloaded (PDF)"),
        "reports.brief.xlsx": _("Brief of a period downloaded (xlsx)"),
    },
)
