"""Audit labels of the funds: spending (receipts, condolence rounds' people, the spending
list's export). The details hold ids, counts and codes only, never a name."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.funds.choices import Category, EntryStatus

LABELS = Labels(
    actions={
        "funds.receipt.add": _("Receipts attached to a fund entry"),
        "funds.round.add": _("People added to a condolence round"),
        "funds.round.left_out": _("People listed twice in a condolence round, paid once"),
        "funds.spending.export": _("Spending list exported"),
    },
    object_types={},
    detail_keys={
        "receipt_count": _("Receipts"),
        "round_entry": _("Entry of the round"),
        "round_people_added": _("People added"),
        "round_already_paid": _("Already paid, left out"),
        "round_listed_twice": _("Listed twice, paid once"),
        "spending_rows": _("Rows exported"),
        "spending_month": _("Month"),
    },
    action_values={"funds.spending.export": {"category": Category, "status": EntryStatus}},
)
