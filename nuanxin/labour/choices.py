"""The labour-protection green channel's choices and the life cycles of its two cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from nuanxin.cases.lifecycle import LifeCycle, Texts, Transition, Urgency

# --- pregnancy and lactation arrangements -----------------------------------------------------


class Stage(models.TextChoices):
    PREGNANT = "pregnant", _("Pregnant")
    LACTATING = "lactating", _("Lactating")


class ArrangementStatus(models.TextChoices):
    """Referred (a care contact or the hotline raised it; nothing agreed yet) → agreed with the
    employer → ended (the stage is over or the arrangement is no longer needed)."""

    REFERRED = "referred", _("Referred, to be agreed")
    AGREED = "agreed", _("Agreed with the employer")
    ENDED = "ended", _("Ended")


# The measures an arrangement can combine (one boolean column each on ``Arrangement``).
MEASURES = (
    ("remote_work", _("Remote work")),
    ("flexible_hours", _("Flexible hours")),
    ("flexible_leave", _("Flexible leave")),
    ("lighter_duties", _("Lighter duties")),
    ("no_night_shifts", _("No night shifts")),
)

# --- legal aid ---------------------------------------------------------------------------------


class DisputeKind(models.TextChoices):
    WAGES = "wages", _("Wages")
    CONTRACT = "contract", _("Labour contract")
    DISMISSAL = "dismissal", _("Dismissal")
    WORK_INJURY = "work_injury", _("Work injury")
    SOCIAL_INSURANCE = "insurance", _("Social insurance")
    WORKING_HOURS = "hours", _("Working hours and leave")
    OTHER = "other", _("Other")


class Claimant(models.TextChoices):
    WORKER = "worker", _("The worker")
    FAMILY = "family", _("A family member")


class LegalStatus(models.TextChoices):
    """The steps of a labour dispute: consultation → mediation → arbitration → litigation →
    closed (with its outcome)."""

    CONSULTATION = "consultation", _("Consultation")
    MEDIATION = "mediation", _("Mediation")
    ARBITRATION = "arbitration", _("Arbitration")
    LITIGATION = "litigation", _("Litigation")
    CLOSED = "closed", _("Closed")


class LegalOutcome(models.TextChoices):
    WON = "won", _("Claim upheld")
    PARTLY = "partly", _("Partly upheld")
    SETTLED = "settled", _("Settled")
    LOST = "lost", _("Claim rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def _legal_lifecycle() -> LifeCycle:
    s = LegalStatus
    steps = (s.CONSULTATION, s.MEDIATION, s.ARBITRATION, s.LITIGATION)
    forward = tuple(Transition(a, b) for i, a in enumerate(steps) for b in steps[i + 1 :])
    close = tuple(Transition(a, s.CLOSED) for a in steps)
    return LifeCycle(
        statuses=LegalStatus,
        initial=s.CONSULTATION,
        active=frozenset(steps),
        transitions=(
            *forward,
            *close,
            Transition(s.CLOSED, s.CONSULTATION, reason=True),
        ),
        due_days={Urgency.NORMAL: 30, Urgency.URGENT: 7, Urgency.CRITICAL: 2},
        stamps={
            s.MEDIATION: "mediation_at",
            s.ARBITRATION: "arbitration_at",
            s.LITIGATION: "litigation_at",
            s.CLOSED: "closed_at",
        },
        open_action="refer",
        change_action="change",
        reassign_action="manage",
        own_action="own",
        escalate_action="escalate",
        audit_prefix="labour.legal",
        audited=("kind", "other_party", "facts", "lawyer", "infringed_on", "urgency", "owner"),
        text_fields=("facts",),
        texts=Texts(
            may_not_open=_("You may not open legal-aid cases for this family."),
            may_not_change=_("You may not change this legal-aid case."),
        ),
    )


LEGAL_LIFECYCLE = _legal_lifecycle()

# --- employment help ---------------------------------------------------------------------------


class EmploymentStatus(models.TextChoices):
    SEEKING = "seeking", _("Seeking work")
    REFERRED = "referred", _("Referred to employers")
    EMPLOYED = "employed", _("Employed")
    CLOSED = "closed", _("Closed without a job")


class ReferralOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting for the employer")
    INTERVIEW = "interview", _("Invited to an interview")
    EMPLOYED = "employed", _("Employed")
    NOT_EMPLOYED = "not_employed", _("Not employed")


def _employment_lifecycle() -> LifeCycle:
    s = EmploymentStatus
    return LifeCycle(
        statuses=EmploymentStatus,
        initial=s.SEEKING,
        active=frozenset({s.SEEKING, s.REFERRED}),
        transitions=(
            Transition(s.SEEKING, s.REFERRED),
            Transition(s.REFERRED, s.SEEKING),
            Transition(s.SEEKING, s.EMPLOYED),
            Transition(s.REFERRED, s.EMPLOYED),
            Transition(s.SEEKING, s.CLOSED),
            Transition(s.REFERRED, s.CLOSED),
            Transition(s.EMPLOYED, s.SEEKING, reason=True),
            Transition(s.CLOSED, s.SEEKING, reason=True),
        ),
        due_days={Urgency.NORMAL: 30, Urgency.URGENT: 10, Urgency.CRITICAL: 3},
        stamps={s.EMPLOYED: "employed_at", s.CLOSED: "closed_at"},
        open_action="refer",
        change_action="change",
        reassign_action="manage",
        own_action="own",
        escalate_action="escalate",
        audit_prefix="labour.employment",
        audited=("seeker_name", "skills", "wishes", "area", "urgency", "owner"),
        texts=Texts(
            may_not_open=_("You may not open employment help for this family."),
            may_not_change=_("You may not change this employment case."),
        ),
    )


EMPLOYMENT_LIFECYCLE = _employment_lifecycle()
