"""The fee waiver's coded values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.registry.choices import Carrier


class WaiverStatus(models.TextChoices):
    """A number's way to the carrier's confirmation."""

    LISTED = "listed", pgettext_lazy("fee waiver", "Listed")
    SENT = "sent", pgettext_lazy("fee waiver", "Sent to the carrier")
    CONFIRMED = "confirmed", pgettext_lazy("fee waiver", "Confirmed by the carrier")
    ENDED = "ended", pgettext_lazy("fee waiver", "Ended (returned)")
    # The member changed numbers during the deployment: the new number is listed again.
    REPLACED = "replaced", pgettext_lazy("fee waiver", "Number changed")


OPEN_STATUSES = (WaiverStatus.LISTED, WaiverStatus.SENT, WaiverStatus.CONFIRMED)


class ConfirmedHow(models.TextChoices):
    FILE = "file", _("From the carrier's reply file")
    HAND = "hand", _("Marked by hand")


# The three carriers of measure 7, each with its own list; numbers of another carrier (广电, …)
# are listed under "other" for a person to deal with.
LISTED_CARRIERS = (Carrier.MOBILE, Carrier.UNICOM, Carrier.TELECOM)
