"""The audit labels of the teams area (teams and volunteers)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "volunteers.team.create": _("Volunteer team opened"),
        "volunteers.team.change": _("Volunteer team changed"),
        "volunteers.volunteer.add": _("Volunteer added to a team"),
        "volunteers.volunteer.join": _("Volunteer joined a team by sign-up link"),
        "volunteers.volunteer.change": _("Volunteer's details changed"),
        "volunteers.volunteer.deactivate": _("Volunteer deactivated"),
    },
    object_types={
        "volunteers.team": _("Volunteer team"),
        "volunteers.volunteer": _("Volunteer"),
    },
    detail_keys={
        "leader": _("Team leader"),
        "consent": _("Agrees to be contacted"),
    },
)
