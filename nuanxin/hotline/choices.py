"""The hotline's choices: channels, callers, topics, risk levels, the life cycles of its cases."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.cases.lifecycle import LifeCycle, Texts, Transition, Urgency
from nuanxin.core.roles import Role


class MemberKind(models.TextChoices):
    """What a member does on a hotline; each needs the role of the same name (a grant covering
    the hotline's organisation)."""

    COUNSELLOR = Role.COUNSELLOR.value, _("Counsellor")
    SUPERVISOR = Role.SUPERVISOR.value, _("Supervisor")
    COORDINATOR = Role.COORDINATOR.value, _("Coordinator")


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")
    VIDEO = "video", _("Video")


class CallerKind(models.TextChoices):
    WORKER = "worker", _("Frontline worker")
    FAMILY = "family", _("Family member")
    MEDICAL = "medical", _("Other medical staff")
    PUBLIC = "public", _("Member of the public")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not said")
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class AgeBand(models.TextChoices):
    UNKNOWN = "", _("Not said")
    UNDER_18 = "0-17", _("Under 18")
    A18 = "18-29", "18–29"
    A30 = "30-39", "30–39"
    A40 = "40-49", "40–49"
    A50 = "50-59", "50–59"
    A60 = "60+", _("60 and over")


class Topic(models.TextChoices):
    INFECTION = "infection", _("Fear of infection")
    FAMILY_FRONTLINE = "family_frontline", _("Worry for a family member on the front line")
    SLEEP = "sleep", _("Sleep")
    GRIEF = "grief", _("Grief")
    WORK_STRESS = "work_stress", _("Work stress")
    FAMILY_CONFLICT = "family_conflict", _("Family conflict")
    OTHER = "other", _("Other")


class Intervention(models.TextChoices):
    LISTENING = "listening", _("Listening and support")
    PSYCHOEDUCATION = "psychoeducation", _("Psycho-education")
    RELAXATION = "relaxation", _("Relaxation")
    TECHNIQUE = "technique", _("A named technique")


class RiskLevel(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    IMMINENT = "imminent", _("Imminent")


# A call marked at one of these opens a crisis case.
CRISIS_RISKS = frozenset({RiskLevel.HIGH, RiskLevel.IMMINENT})


class CallOutcome(models.TextChoices):
    SUPPORTED = "supported", _("Supported, no further action")
    CALLBACK = "callback", _("Callback arranged")
    REFERRED = "referred", _("Referred")
    CRISIS = "crisis", _("Crisis procedure")
    DROPPED = "dropped", _("Call dropped")


class AssessmentSource(models.TextChoices):
    PUBLIC = "public", _("Online self-assessment")
    CALL = "call", _("During a call")
    API = "api", _("API")


class SwapStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the coordinator")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn")


class HandoverTo(models.TextChoices):
    NONE = "", _("No hand-over")
    MENTAL_HEALTH_CENTRE = "mh_centre", _("Mental-health centre")
    AMBULANCE = "120", _("Emergency medical service (120)")
    POLICE = "110", _("Police (110)")


class AttemptResult(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer: try again later")
    WRONG_NUMBER = "wrong_number", _("Wrong number: closed")
    DECLINED = "declined", _("Declined the call")


class ReferralTarget(models.TextChoices):
    MENTAL_HEALTH_CENTRE = "mh_centre", _("Mental-health centre")
    HOSPITAL = "hospital", _("Hospital")
    LEGAL_AID = "legal_aid", _("Legal aid")
    CARE_WORK = "care_work", _("The union's care work")


# --- the two case types ---------------------------------------------------------------------


class CrisisStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("hotline", "Open")
    CONTACTED = "contacted", pgettext_lazy("hotline", "Contacted")
    HANDED_OVER = "handed_over", pgettext_lazy("hotline", "Handed over")
    FOLLOW_UP = "follow_up", pgettext_lazy("hotline", "Following up")
    CLOSED = "closed", pgettext_lazy("hotline", "Closed")


CRISIS_LIFECYCLE = LifeCycle(
    statuses=CrisisStatus,
    initial=CrisisStatus.OPEN,
    active=frozenset({CrisisStatus.OPEN, CrisisStatus.CONTACTED, CrisisStatus.HANDED_OVER, CrisisStatus.FOLLOW_UP}),
    transitions=(
        Transition(CrisisStatus.OPEN, CrisisStatus.CONTACTED),
        Transition(CrisisStatus.OPEN, CrisisStatus.HANDED_OVER),
        Transition(CrisisStatus.CONTACTED, CrisisStatus.HANDED_OVER),
        Transition(CrisisStatus.CONTACTED, CrisisStatus.FOLLOW_UP),
        Transition(CrisisStatus.HANDED_OVER, CrisisStatus.FOLLOW_UP),
        Transition(
            CrisisStatus.FOLLOW_UP,
            CrisisStatus.CLOSED,
            action="supervise",
            refusal=_("Only a supervisor of the hotline closes a crisis case."),
        ),
        Transition(
            CrisisStatus.CLOSED,
            CrisisStatus.FOLLOW_UP,
            action="supervise",
            reason=True,
            refusal=_("Only a supervisor of the hotline reopens a crisis case."),
        ),
    ),
    # Days are the case life cycle's unit; a crisis case's callback is due in hours (due_at).
    due_days={Urgency.NORMAL: 1, Urgency.URGENT: 1, Urgency.CRITICAL: 1},
    stamps={CrisisStatus.CLOSED: "closed_at"},
    audit_prefix="hotline.crisis",
    open_action="record",
    change_action="record",
    reassign_action="supervise",
    own_action="record",
    escalate_action="supervise",
    texts=Texts(
        may_not_open=_("Only a counsellor of the hotline opens a crisis case."),
        may_not_change=_("Only the hotline's counsellors and supervisors change a crisis case."),
        may_not_reassign=_("Only a supervisor of the hotline hands a crisis case over."),
        cannot_own=_("%(user)s does not serve this hotline."),
    ),
)


class CallbackStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("hotline", "Due")
    CLAIMED = "claimed", pgettext_lazy("hotline", "Claimed")
    RETRY = "retry", pgettext_lazy("hotline", "Try again")
    DONE = "done", pgettext_lazy("hotline", "Done")
    CLOSED = "closed", pgettext_lazy("hotline", "Closed without contact")


CALLBACK_LIFECYCLE = LifeCycle(
    statuses=CallbackStatus,
    initial=CallbackStatus.DUE,
    active=frozenset({CallbackStatus.DUE, CallbackStatus.CLAIMED, CallbackStatus.RETRY}),
    transitions=(
        Transition(CallbackStatus.DUE, CallbackStatus.CLAIMED),
        Transition(CallbackStatus.RETRY, CallbackStatus.CLAIMED),
        Transition(CallbackStatus.CLAIMED, CallbackStatus.DUE),  # released back to the queue
        Transition(CallbackStatus.CLAIMED, CallbackStatus.RETRY),
        Transition(CallbackStatus.CLAIMED, CallbackStatus.DONE),
        Transition(CallbackStatus.CLAIMED, CallbackStatus.CLOSED),
        Transition(CallbackStatus.RETRY, CallbackStatus.CLOSED),
        Transition(
            CallbackStatus.DUE,
            CallbackStatus.CLOSED,
            action="supervise",
            reason=True,
            refusal=_("Only a supervisor closes a callback nobody has tried."),
        ),
    ),
    due_days={Urgency.NORMAL: 3, Urgency.URGENT: 1, Urgency.CRITICAL: 1},
    stamps={CallbackStatus.DONE: "closed_at", CallbackStatus.CLOSED: "closed_at"},
    audit_prefix="hotline.callback",
    open_action="record",
    change_action="record",
    reassign_action="supervise",
    own_action="record",
    escalate_action="supervise",
    texts=Texts(
        may_not_open=_("Only a counsellor of the hotline opens a callback."),
        may_not_change=_("Only the hotline's counsellors and supervisors change a callback."),
        may_not_reassign=_("Only a supervisor of the hotline hands a callback over."),
        cannot_own=_("%(user)s does not serve this hotline."),
    ),
)
