"""Audit labels of the ledger: entries recorded, approved, rejected; rounds; the totals."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.funds.choices import Category, EntryKind, EntryStatus

LABELS = Labels(
    actions={
        "funds.entry.record": _("Fund entry recorded"),
        "funds.entry.approve": _("Fund entry approved"),
        "funds.entry.reject": _("Fund entry rejected"),
        "funds.round.create": _("Condolence round created"),
        "funds.totals.rebuild": _("Fund totals rebuilt"),
    },
    object_types={
        "funds.entry": _("Fund entry"),
        "funds.condolenceround": _("Condolence round"),
        "funds.subtreetotal": _("Fund totals"),
        "funds.posting": _("Ledger posting"),
        "funds.beneficiary": _("Beneficiary"),
        "funds.approvalrule": _("Approval threshold"),
    },
    detail_keys={
        "fund": _("Fund"),
        "kind": _("Kind"),
        "amount": _("Amount"),
        "to_fund": _("To fund"),
        "category": _("Category"),
        "beneficiaries": _("Beneficiaries"),
        "round": _("Condolence round"),
        "reverses": _("Reverses entry"),
        "approval_step": _("Approval step"),
        "status": _("Status"),
        "reason": _("Reason"),
        "amount_per_person": _("Amount per person"),
        "people": _("People"),
        "rows": _("Rows"),
    },
    action_values={
        action: {
            "kind": EntryKind,
            "category": Category,
            "status": EntryStatus,
            "approval_step": {
                "unit": _("The organisation's approval"),
                "parent": _("The parent organisation's approval"),
            },
        }
        for action in ("funds.entry.record", "funds.entry.approve", "funds.entry.reject")
    },
)
