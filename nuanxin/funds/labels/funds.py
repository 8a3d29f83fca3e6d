"""Audit labels of the funds: opening and changing funds, thresholds, statements and exports."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.funds.choices import FundSource

LABELS = Labels(
    actions={
        "funds.fund.open": _("Fund opened"),
        "funds.fund.update": _("Fund changed"),
    },
    object_types={"funds.fund": _("Fund")},
    detail_keys={
        "source": _("Source"),
        "categories": _("Spending categories"),
        "allocated_from": _("Allocated from"),
        "changed": _("Changed"),
    },
    action_values={"funds.fund.open": {"source": FundSource}},
)
