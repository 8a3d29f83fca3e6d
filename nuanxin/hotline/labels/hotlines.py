"""Audit labels of the hotline: hotlines, their lines and members, and the retention job."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.auditlabels import Labels
from nuanxin.hotline.choices import Channel, MemberKind

# the fields a change names (``changed``), by their labels
HOTLINE_FIELDS = {
    "name": pgettext_lazy("hotline", "Name"),
    "online_channel": _("Online channel"),
    "always_open": _("Open round the clock"),
    "opens_at": _("Opens at"),
    "closes_at": _("Closes at"),
    "min_seats": _("Minimum seats per shift"),
    "self_assessment_open": _("Public self-assessment open"),
}
LINE_FIELDS = {
    "label": _("Label"),
    "number": _("Number"),
    "channel": _("Channel"),
    "order": _("Order"),
}

LABELS = Labels(
    actions={
        "hotline.create": _("Hotline opened"),
        "hotline.update": _("Hotline details changed"),
        "hotline.line_add": _("Hotline line added"),
        "hotline.line_update": _("Hotline line changed"),
        "hotline.line_deactivate": _("Hotline line deactivated"),
        "hotline.line_activate": _("Hotline line in use again"),
        "hotline.member_add": _("Hotline member added"),
        "hotline.member_remove": _("Hotline member removed"),
        "hotline.retention": _("Old hotline records anonymised"),
    },
    object_types={
        "hotline.hotline": _("Hotline"),
        "hotline.hotlineline": _("Hotline line"),
        "hotline.hotlinemember": _("Hotline member"),
        "hotline.retention": _("Hotline records"),
    },
    detail_keys={
        "hotline": _("Hotline"),
        "name": _("Name"),
        "label": _("Label"),
        "number": _("Number"),
        "channel": _("Channel"),
        "order": _("Order"),
        "user": _("User"),
        "changed": _("Changed"),
        "min_seats": _("Minimum seats per shift"),
        "always_open": _("Open round the clock"),
        "opens_at": _("Opens at"),
        "closes_at": _("Closes at"),
        "online_channel": _("Online channel"),
        "self_assessment_open": _("Public self-assessment open"),
        "calls": _("Calls"),
        "assessments": _("Self-assessments"),
        "crisis_cases": _("Crisis cases"),
        "callbacks": _("Callbacks"),
        "referrals": _("Referrals"),
        "older_than": _("Records before"),
        "notes_emptied": _("Notes and attempts emptied"),
    },
    action_values={
        "hotline.member_add": {"kind": MemberKind},
        "hotline.member_remove": {"kind": MemberKind},
        "hotline.line_add": {"channel": Channel},
        "hotline.line_update": {"channel": Channel, "changed": LINE_FIELDS},
        "hotline.update": {"changed": HOTLINE_FIELDS},
    },
)
