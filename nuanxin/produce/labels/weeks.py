"""The audit labels of the weeks area (closing, settling, the subsidy, check calls, exports)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.produce.choices import CallbackStatus

LABELS = Labels(
    actions={
        "produce.offer.close": _("Weekly produce offer closed for orders"),
        "produce.offer.settle": _("Weekly produce offer settled"),
        "produce.offer.charge": _("Produce subsidy charged to a fund"),
        "produce.callback.draw": _("Check calls drawn"),
        "produce.callback.record": _("Check call recorded"),
        "produce.contacts.read": _("Families' numbers shown (produce)"),
        "produce.picklist.export": _("Pick list exported"),
        "produce.totals.export": _("Supplier totals exported"),
        # notification kinds (the scan of the code finds them beside the actions)
        "produce.subsidy_due": _("A week's produce subsidy awaits charging"),
        "produce.not_received": _("A family says it did not receive its parcel"),
    },
    object_types={
        "produce.pickupcallback": _("Pickup check call"),
        "produce.week": _("Produce week"),
    },
    detail_keys={
        "uncollected": _("Not collected"),
        "collected": _("Collected"),
        "entry": _("Entry"),
    },
    action_values={"produce.callback.record": {"status": CallbackStatus}},
)
