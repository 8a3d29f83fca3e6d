"""The audit labels of the shifts area (tasks, shifts and places)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "volunteers.task.create": _("Volunteer task created"),
        "volunteers.task.change": _("Volunteer task changed"),
        "volunteers.shift.create": _("Volunteer shift added"),
        "volunteers.shift.change": _("Volunteer shift changed"),
        "volunteers.shift.no_shows": _("Volunteer no-shows recorded"),
        "volunteers.checkin.signup": _("Volunteer signed up to a shift by link"),
        "volunteers.checkin.assign": _("Volunteer assigned to a shift"),
        "volunteers.checkin.cancel": _("Volunteer's shift place cancelled"),
        "volunteers.checkin.in": _("Volunteer checked in"),
        "volunteers.checkin.out": _("Volunteer checked out"),
        "volunteers.checkin.undo_out": _("Volunteer's check-out undone"),
    },
    object_types={
        "volunteers.task": _("Volunteer task"),
        "volunteers.shift": _("Volunteer shift"),
        "volunteers.checkin": _("Volunteer's shift place"),
    },
    detail_keys={
        "new_volunteer": _("New volunteer"),
        "volunteer": _("Volunteer"),
        "volunteers": _("Volunteers"),
        "needed": _("People needed"),
        "people_served": _("People served"),
        "task": _("Volunteer task"),
        "undone_check_out": _("Check-out undone (its time)"),
    },
)
