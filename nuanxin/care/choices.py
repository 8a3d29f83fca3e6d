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


# Allowed status changes of a difficulty (the life cycle; reopen goes back to open).
DIFFICULTY_TRANSITIONS = {
    DifficultyStatus.OPEN: frozenset({DifficultyStatus.IN_PROGRESS, DifficultyStatus.RESOLVED}),
    DifficultyStatus.IN_PROGRESS: frozenset({DifficultyStatus.OPEN, DifficultyStatus.RESOLVED}),
    DifficultyStatus.RESOLVED: frozenset({DifficultyStatus.CLOSED, DifficultyStatus.OPEN}),
    DifficultyStatus.CLOSED: frozenset({DifficultyStatus.OPEN}),
}
# Statuses in which a difficulty is still being worked on (and can become overdue).
DIFFICULTY_ACTIVE = frozenset({DifficultyStatus.OPEN, DifficultyStatus.IN_PROGRESS})


class DifficultyNoteKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    NOTE = "note", _("Note")
    STATUS = "status", _("Status change")
    OWNER = "owner", _("New owner")
    ESCALATION = "escalation", _("Escalated")
    EDIT = "edit", _("Details changed")


class DutyStatus(models.TextChoices):
    """The state of one family's visit duty in one week."""

    DUE = "due", _("Due")
    DONE = "done", _("Visited")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")


class VisitMode(models.TextChoices):
    HOME = "home", _("Home visit")
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    ONLINE = "online", _("Online")


# Roles that may see aggregate figures (counts per unit) but no personal detail.
CARE_REPORT_ROLES = frozenset({"city_admin", "org_admin", "viewer"})
