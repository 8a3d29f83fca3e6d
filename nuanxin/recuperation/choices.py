"""Recuperation's coded values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("recuperation programme", "Draft")
    OPEN = "open", pgettext_lazy("recuperation programme", "Open")
    CLOSED = "closed", pgettext_lazy("recuperation programme", "Closed")


class BatchStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("recuperation batch", "Taking nominations")
    CLOSED = "closed", pgettext_lazy("recuperation batch", "Nominations closed")
    FINISHED = "finished", pgettext_lazy("recuperation batch", "Held")
    CANCELLED = "cancelled", pgettext_lazy("recuperation batch", "Cancelled")


class CandidateStatus(models.TextChoices):
    """Where a candidate of a batch stands."""

    WAITING = "waiting", pgettext_lazy("recuperation candidate", "Waiting")
    OFFERED = "offered", pgettext_lazy("recuperation candidate", "Offered a place")
    ACCEPTED = "accepted", pgettext_lazy("recuperation candidate", "Accepted")
    DECLINED = "declined", pgettext_lazy("recuperation candidate", "Declined")
    EXPIRED = "expired", pgettext_lazy("recuperation candidate", "Offer expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("recuperation candidate", "Withdrawn")
    ATTENDED = "attended", pgettext_lazy("recuperation candidate", "Attended")
    NO_SHOW = "no_show", pgettext_lazy("recuperation candidate", "Did not come")


# A candidate in one of these holds a place of the batch (and so of the programme: nobody holds
# two places in the same programme, a database constraint).
HOLDING = (CandidateStatus.OFFERED, CandidateStatus.ACCEPTED, CandidateStatus.ATTENDED)


class OfferStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("recuperation offer", "Awaiting an answer")
    ACCEPTED = "accepted", pgettext_lazy("recuperation offer", "Accepted")
    DECLINED = "declined", pgettext_lazy("recuperation offer", "Declined")
    EXPIRED = "expired", pgettext_lazy("recuperation offer", "Expired")
    WITHDRAWN = "withdrawn", pgettext_lazy("recuperation offer", "Withdrawn")


class RankCriterion(models.TextChoices):
    """The criteria a programme's ranking rule orders candidates by, in its declared order."""

    AID_TEAM = "aid_team", _("Aid-team members first")
    # Every frontline team alike ("other frontline team" included): only someone of no frontline
    # team comes after.
    FRONTLINE = "frontline", _("Then the other frontline teams, all alike")
    DAYS_DEPLOYED = "days_deployed", _("More days deployed first")
    FIRST_TIME = "first_time", _("Those who have not recuperated before first")
    APPLIED_AT = "applied_at", _("Earlier application first")


DEFAULT_RANKING = [c.value for c in RankCriterion]
