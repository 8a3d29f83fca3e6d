from django.db import models
from django.utils.translation import gettext_lazy as _


class Cadence(models.TextChoices):
    """How often a family of a frontline team is visited during a campaign."""

    WEEKLY = "weekly", _("Weekly")
    FORTNIGHTLY = "fortnightly", _("Fortnightly")
    NONE = "none", _("No visits")


class DifficultyCategory(models.TextChoices):
    LIFE = "life", _("Daily life")
    WORK = "work", _("Work")
    CHILDCARE = "childcare", _("Childcare")
    ELDERCARE = "eldercare", _("Elderly care")
    MEDICAL = "medical", _("Medical care")
    EMPLOYMENT = "employment", _("Employment")
    LEGAL = "legal", _("Legal")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    SUPPLIES = "supplies", _("Supplies")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


# Days from opening to the due date, by urgency.
DUE_DAYS = {Urgency.NORMAL: 14, Urgency.URGENT: 3, Urgency.CRITICAL: 1}


class DifficultyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class DifficultySource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported table")
    VISIT = "visit", _("Raised during a visit")
