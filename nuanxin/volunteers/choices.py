"""The volunteers' choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    TESTING_SITE = "testing_site", _("Assisting a testing site")
    DATA_ENTRY = "data_entry", _("Data entry")
    DELIVERY = "delivery", _("Delivering supplies")
    CARE_VISIT = "care_visit", _("Visiting families")
    OTHER = "other", _("Other")


class CheckinSource(models.TextChoices):
    LINK = "link", _("Signed up by link")
    ASSIGNED = "assigned", _("Assigned by the team leader")


class CheckinStatus(models.TextChoices):
    """Signed up → checked in → checked out (hours counted); or cancelled, or a no-show."""

    SIGNED_UP = "signed_up", _("Signed up")
    CHECKED_IN = "checked_in", _("Checked in")
    DONE = "done", _("Checked out")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")


# A place on a shift: these count against the number of people needed.
TAKEN = frozenset({CheckinStatus.SIGNED_UP, CheckinStatus.CHECKED_IN, CheckinStatus.DONE})
# An active volunteer: at least this many hours in the last ACTIVE_DAYS days.
ACTIVE_HOURS = 8
ACTIVE_DAYS = 30
