"""Audit labels of the funds: opening and changing funds, thresholds, statements and exports."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.funds.choices import FundSource

LABELS = Labels(
    actions={
        "funds.fund.open": _("Fund opened"),
        "funds.fund.update": _("Fund changed"),
        "funds.threshold.set": _("Approval threshold set"),
        "funds.statement.export": _("Fund statement exported"),
    },
    object_types={"funds.fund": _("Fund")},
    detail_keys={
        "source": _("Source"),
        "categories": _("Spending categories"),
        "allocated_from": _("Allocated from"),
        "changed": _("Changed"),
        "threshold": _("Threshold"),
        "previous_threshold": _("Previous threshold"),
        "file_format": _("File format"),
        "period_from": _("Period from"),
        "period_to": _("Period until"),
    },
    values={},
    action_values={
        "funds.fund.open": {"source": FundSource},
        "funds.statement.export": {"file_format": {"xlsx": "Excel", "pdf": "PDF"}},
    },
)
