"""The audit trail's labels of the fee waiver (see ``core/auditlabels.py``)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import ConfirmedHow, WaiverStatus

_STEPS = {
    "send": _("Sent to the carrier"),
    "confirm": _("Confirmed by the carrier"),
    "confirm_no_cutoff": _("“No cut-off” confirmed"),
    "end": _("Ended: the member returned"),
}
_CHOICES = {
    "stated": _("Kept the stated carrier"),
    "segment": _("Took the carrier of the number segment"),
}
_LISTS = {**{c.value: c.label for c in Carrier}, "other": _("Other carriers")}

LABELS = Labels(
    actions={
        "telecom.list.sync": _("Fee-waiver lists updated from table 3"),
        "telecom.waiver.list": _("Fee-waiver number listed"),
        "telecom.waiver.relist": _("Fee-waiver number listed again"),
        "telecom.waiver.replace": _("Fee-waiver number changed"),
        "telecom.waiver.reopen": _("Fee-waiver number open again (the member is deployed)"),
        "telecom.waiver.update": _("Fee-waiver number updated from table 3"),
        "telecom.waiver.transition": _("Fee-waiver number moved on"),
        "telecom.waiver.carrier": _("Fee-waiver carrier confirmed"),
        "telecom.dispatch.send": _("Fee-waiver list sent to a carrier"),
        "telecom.dispatch.export": _("Fee-waiver list exported"),
        "telecom.reply.import": _("Carrier's reply imported"),
        "telecom.remind.overdue": _("Reminder of numbers not confirmed"),
        "telecom.overdue": _("Numbers not confirmed by the carrier (reminder)"),  # the notification's kind
    },
    object_types={
        "telecom.waiver": _("Fee-waiver number"),
        "telecom.dispatch": _("List sent to a carrier"),
        "telecom.carrierreply": _("Carrier's reply"),
    },
    detail_keys={
        "segment_carrier": _("Carrier of the number segment"),
        "flagged": _("Carrier to be confirmed"),
        "replaced_by": _("Replaced by"),
        "dispatch": _("List sent"),
        "reply": _("Carrier's reply"),
        "confirmed_how": _("Confirmed how"),
        "choice": _("Choice"),
        "held_back": _("Held back (carrier to be confirmed)"),
        "no_cutoff": _("“No cut-off” confirmed too"),
        "numbers_replaced": _("Numbers changed"),
        "reopened": _("Lines open again (member deployed)"),
        "telecom_masked": _("Numbers masked"),
    },
    values={"segment_carrier": Carrier, "confirmed_how": ConfirmedHow},
    action_values={
        "telecom.waiver.transition": {"from": WaiverStatus, "to": WaiverStatus, "step": _STEPS},
        "telecom.waiver.replace": {"from": WaiverStatus, "to": WaiverStatus},
        "telecom.waiver.reopen": {"from": WaiverStatus, "to": WaiverStatus},
        "telecom.waiver.carrier": {"from": Carrier, "to": Carrier, "choice": _CHOICES, "status": WaiverStatus},
        "telecom.dispatch.send": {"carrier": _LISTS},
        "telecom.reply.import": {"carrier": _LISTS},
    },
)
