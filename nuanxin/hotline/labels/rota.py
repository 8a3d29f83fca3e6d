"""Audit labels of the hotline: rota."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.auditlabels import Labels

WEEKDAYS = [
    ("0", _("Mon")),
    ("1", _("Tue")),
    ("2", _("Wed")),
    ("3", _("Thu")),
    ("4", _("Fri")),
    ("5", _("Sat")),
    ("6", _("Sun")),
]

# the fields a pattern's change names (``changed``), by their labels
PATTERN_FIELDS = {
    "name": pgettext_lazy("hotline", "Name"),
    "starts_at": _("Starts"),
    "hours": _("Hours"),
    "weekdays": pgettext_lazy("hotline", "Days"),
    "min_seats": _("Minimum seats"),
    "active": _("In use"),
    "allow_overlap": _("Overlap intended"),
}

LABELS = Labels(
    actions={
        "hotline.pattern_create": _("Shift pattern added"),
        "hotline.pattern_update": _("Shift pattern changed"),
        "hotline.pattern_delete": _("Shift pattern removed"),
        "hotline.shifts_generate": _("Shifts generated"),
        "hotline.shift_delete": _("Shift removed"),
        "hotline.duty_assign": _("Counsellor put on duty"),
        "hotline.duty_unassign": _("Counsellor taken off duty"),
        "hotline.swap_request": _("Swap requested"),
        "hotline.swap_withdraw": _("Swap request withdrawn"),
        "hotline.swap_approve": _("Swap approved"),
        "hotline.swap_reject": _("Swap rejected"),
        "hotline.gaps_notified": _("Shifts short of seats notified"),
        "hotline.calendar_create": _("Calendar address made"),
        "hotline.calendar_revoke": _("Calendar address revoked"),
        # notification kinds (not audit actions; named in the same module)
        "hotline.swap_requested": _("Swap requested (notification)"),
        "hotline.swap_decided": _("Swap decided (notification)"),
        "hotline.shift_gap": _("Shift short of seats (notification)"),
    },
    object_types={
        "hotline.shiftpattern": _("Shift pattern"),
        "hotline.shift": _("Shift"),
        "hotline.shiftassignment": _("Duty"),
        "hotline.swaprequest": _("Swap request"),
        "hotline.calendarfeed": _("Calendar address"),
    },
    detail_keys={
        "hotline": _("Hotline"),
        "start": _("First day"),
        "weeks": _("Weeks"),
        "created": _("Made"),
        "kept": _("Already there"),
        "name": _("Name"),
        "starts_at": _("Starts"),
        "hours": _("Hours"),
        "weekdays": pgettext_lazy("hotline", "Days"),
        "min_seats": _("Minimum seats"),
        "active": _("In use"),
        "changed": _("Changed"),
        "shift": _("Shift"),
        "user": _("User"),
        "requested_by": _("Asked by"),
        "taker": _("Taken by"),
        "offered_shift": _("Shift offered in exchange"),
        "note": _("Note"),
        "shifts": _("Shifts"),
        "notifications": _("Notifications"),
        "replaced": _("Addresses replaced"),
    },
    action_values={
        action: {"weekdays": dict(WEEKDAYS), "changed": PATTERN_FIELDS}
        for action in ("hotline.pattern_create", "hotline.pattern_update", "hotline.pattern_delete")
    },
)
