from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.cases.lifecycle import LifeCycle, NoteKind, Texts, Transition, Urgency
from nuanxin.core import roles


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


class DifficultyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class DifficultySource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Imported table")
    VISIT = "visit", _("Raised during a visit")
    HOTLINE = "hotline", _("Referred by the hotline")


def _difficulty_lifecycle() -> LifeCycle:
    """A difficulty's life cycle (a case, nuanxin/cases): open → in progress → resolved →
    closed. Anyone who may change it (its admins, the family's care contact) moves it, except
    closing, which is for administrators after checking it is solved; a resolved or closed one
    can be reopened with a reason (it gets a new due date and is escalated afresh)."""
    s = DifficultyStatus
    close = Transition(
        s.RESOLVED,
        s.CLOSED,
        action="manage",
        refusal=_("Only an administrator may close a difficulty, after checking it is solved."),
    )
    return LifeCycle(
        statuses=DifficultyStatus,
        initial=s.OPEN,
        active=frozenset({s.OPEN, s.IN_PROGRESS}),
        transitions=(
            Transition(s.OPEN, s.IN_PROGRESS),
            Transition(s.OPEN, s.RESOLVED),
            Transition(s.IN_PROGRESS, s.OPEN),
            Transition(s.IN_PROGRESS, s.RESOLVED),
            close,
            Transition(s.RESOLVED, s.OPEN, reason=True),
            Transition(s.CLOSED, s.OPEN, reason=True),
        ),
        # Days from opening (reopening, a new urgency) to the due date, by urgency.
        due_days={Urgency.NORMAL: 14, Urgency.URGENT: 3, Urgency.CRITICAL: 1},
        stamps={s.RESOLVED: "resolved_at", s.CLOSED: "closed_at"},
        open_action="change",
        change_action="change",
        reassign_action="manage",
        own_action="own",
        escalate_action="escalate",
        audit_prefix="difficulty",
        audited=("description", "category", "urgency", "owner"),
        text_fields=("description",),
        texts=Texts(
            may_not_open=_("You may not record difficulties for this family."),
            may_not_change=_("You may not change this family's difficulties."),
            may_not_reassign=_("Only an administrator may hand a difficulty over."),
            cannot_own=_("%(user)s cannot own this family's difficulties."),
            cannot_become=_("A difficulty that is “%(current)s” cannot become “%(to)s”."),
            reason_required=_("Say why the difficulty is reopened."),
            write_the_note=_("Write the note."),
        ),
    )


DIFFICULTY_LIFECYCLE = _difficulty_lifecycle()
# Days to the due date by urgency, the allowed status changes, the active statuses (still being
# worked on, so they can become overdue): read from the life cycle.
DUE_DAYS = DIFFICULTY_LIFECYCLE.due_days
DIFFICULTY_TRANSITIONS = DIFFICULTY_LIFECYCLE.table()
DIFFICULTY_ACTIVE = DIFFICULTY_LIFECYCLE.active
# The timeline's entries are the cases' (nuanxin/cases/lifecycle.py).
DifficultyNoteKind = NoteKind


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


# Roles that may see aggregate figures (counts per unit) but no personal detail: core/roles.py.
CARE_REPORT_ROLES = roles.CARE_REPORT
