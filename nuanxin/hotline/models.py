"""The hotline's models.

Who may do what is declared once per model (``core/policy.py``) with the role sets of
``core/roles.py``: the hotline roles (counsellor, supervisor, coordinator) reach only the
hotlines their holder is a member of in that capacity (the relations ``serves``,
``supervises`` and ``coordinates`` that ``apps.relate_members`` adds); administrators, viewers
and auditors of the organisation reach the hotline, its members and its rota, never a
psychological record (calls, assessments, crisis cases, callbacks, referrals), of which they
see figures only (``Hotline.policy`` "report").

Identifying fields of the records (numbers, free text, links to the register) are cleared by
the retention job after ``NUANXIN_HOTLINE_RETENTION_DAYS`` (``anonymised_at``); the coded
fields stay for the figures.
"""

from __future__ import annotations

import secrets
from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.cases.models import CaseBase, CaseNote, note_status_field, status_field
from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.roles import Role
from nuanxin.core.versioning import version_field
from nuanxin.hotline.choices import (
    CALLBACK_LIFECYCLE,
    CRISIS_LIFECYCLE,
    AgeBand,
    AssessmentSource,
    AttemptResult,
    CallerKind,
    CallOutcome,
    Channel,
    Gender,
    HandoverTo,
    MemberKind,
    ReferralTarget,
    RiskLevel,
    SwapStatus,
)

# Each hotline role reaches only the hotlines its holder is a member of in that capacity.
MEMBERS: dict[str, str] = {
    Role.COUNSELLOR: "serves",
    Role.SUPERVISOR: "supervises",
    Role.COORDINATOR: "coordinates",
}

# The actions of a psychological record: "view" (read, audited), "record" (write: counsellors
# and supervisors of the hotline), "supervise" (close a crisis case, hand work over, close an
# untried callback), "export" (personal records to a file, with a reason).
RECORD_ACTIONS = {
    "view": roles.HOTLINE_RECORDS,
    "record": roles.HOTLINE_RECORDS,
    "supervise": roles.HOTLINE_SUPERVISORS,
    "export": roles.HOTLINE_SUPERVISORS,
}
# The rota: everyone of the hotline sees it; coordinators and administrators plan it;
# counsellors and supervisors ask for swaps.
ROTA_ACTIONS = {"view": roles.HOTLINE_VIEW, "plan": roles.HOTLINE_ROTA, "swap": roles.HOTLINE_RECORDS}


def new_public_key() -> str:
    """The unguessable part of a hotline's public self-assessment link."""
    return secrets.token_urlsafe(9)


class Hotline(models.Model):
    """A psychological care hotline (心理关爱辅导热线) run by an organisation: its lines, online
    channel, opening hours (round the clock by default), the minimum seats of a shift and its
    members. ``public_key`` names its public self-assessment page."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="hotlines"
    )
    name = models.CharField(_("name"), max_length=100)
    online_channel = models.CharField(
        _("online channel"), max_length=200, blank=True, help_text=_("A web address or an account name.")
    )
    always_open = models.BooleanField(_("open round the clock"), default=True)
    opens_at = models.TimeField(_("opens"), default=time(0, 0))
    closes_at = models.TimeField(_("closes"), default=time(0, 0))
    min_seats = models.PositiveSmallIntegerField(
        _("minimum seats per shift"), default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    public_key = models.CharField(_("public link key"), max_length=24, unique=True, default=new_public_key)
    self_assessment_open = models.BooleanField(_("public self-assessment open"), default=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="organisation__path",
        actions={"view": roles.HOTLINE_VIEW, "manage": roles.MANAGERS, "report": roles.HOTLINE_FIGURES},
        related=MEMBERS,
    )

    class Meta:
        verbose_name = _("hotline")
        verbose_name_plural = _("hotlines")
        ordering = ["organisation__path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class HotlineLine(models.Model):
    """One line of a hotline: a number (400-8692-525) or an online channel; calls are counted
    per line."""

    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(_("label"), max_length=60)
    number = models.CharField(_("number"), max_length=40, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)
    version = version_field()

    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="hotline__organisation__path",
        actions={"view": roles.HOTLINE_VIEW, "manage": roles.MANAGERS},
        related=MEMBERS,
    )

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["hotline_id", "order", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.number}".strip()


class HotlineMember(models.Model):
    """A user serving a hotline as counsellor, supervisor or coordinator (one row each). The
    user must hold the role of the same name covering the hotline's organisation; a member
    who is no longer active keeps their past records' authorship but reaches nothing."""

    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="hotline_memberships"
    )
    kind = models.CharField(_("serves as"), max_length=32, choices=MemberKind.choices)
    active = models.BooleanField(_("active"), default=True)
    since = models.DateField(_("since"), default=timezone.localdate)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="hotline__organisation__path",
        actions={"view": roles.HOTLINE_VIEW, "manage": roles.MANAGERS},
        related=MEMBERS,
    )

    class Meta:
        verbose_name = _("hotline member")
        verbose_name_plural = _("hotline members")
        ordering = ["hotline_id", "kind", "user_id"]
        constraints = [models.UniqueConstraint(fields=["hotline", "user", "kind"], name="hotline_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kind_display()})"


# --- the duty rota -----------------------------------------------------------------------------


class ShiftPattern(models.Model):
    """A recurring shift of a hotline (e.g. 08:00 for 8 hours, every day): shifts are generated
    from the patterns for weeks ahead. ``weekdays``: the days it runs, Monday = 0
    (``"0123456"`` every day). ``min_seats``: empty means the hotline's."""

    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.CASCADE, related_name="patterns")
    name = models.CharField(_("name"), max_length=40)
    starts_at = models.TimeField(_("starts"))
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1), MaxValueValidator(24)])
    weekdays = models.CharField(_("weekdays"), max_length=7, default="0123456")
    min_seats = models.PositiveSmallIntegerField(
        _("minimum seats"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="hotline__organisation__path", actions=ROTA_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("shift pattern")
        verbose_name_plural = _("shift patterns")
        ordering = ["hotline_id", "starts_at", "id"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """One shift of the rota: from ``starts_at`` to ``ends_at`` (aware datetimes), needing
    ``min_seats`` counsellors."""

    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.CASCADE, related_name="shifts")
    pattern = models.ForeignKey(
        ShiftPattern, verbose_name=_("pattern"), null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    min_seats = models.PositiveSmallIntegerField(_("minimum seats"), default=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    gap_notified_at = models.DateTimeField(_("gap notified"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="hotline__organisation__path", actions=ROTA_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["hotline_id", "starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hotline", "starts_at", "ends_at"], name="hotline_shift_unique"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="hotline_shift_order"),
        ]
        indexes = [models.Index(fields=["hotline", "starts_at"], name="hotline_shift_start_idx")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}–{timezone.localtime(self.ends_at):%H:%M}"


class ShiftAssignment(models.Model):
    """A counsellor (or supervisor) on duty for one shift."""

    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="assignments")
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("counsellor"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="shift__hotline__organisation__path", actions=ROTA_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["shift_id", "counsellor_id"]
        constraints = [models.UniqueConstraint(fields=["shift", "counsellor"], name="hotline_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.shift} {self.counsellor}"


class SwapRequest(models.Model):
    """A counsellor asks to hand their duty (``assignment``) to a colleague (``taker``),
    optionally taking the colleague's duty ``offered`` in exchange; the coordinator approves
    or rejects it."""

    assignment = models.ForeignKey(
        ShiftAssignment, verbose_name=_("duty"), on_delete=models.CASCADE, related_name="swap_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.PROTECT, related_name="+"
    )
    offered = models.ForeignKey(
        ShiftAssignment,
        verbose_name=_("in exchange for"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=SwapStatus.choices, default=SwapStatus.PENDING)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="assignment__shift__hotline__organisation__path", actions=ROTA_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        # from the request's own fields: once approved, the duty's holder is the taker
        return f"{self.assignment.shift} {self.requested_by} → {self.taker}"


class CalendarFeed(models.Model):
    """A user's secret calendar address (iCalendar) of their duties. Only the token's hash is
    kept; revoking it (or making a new one) ends the old address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="hotline_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "id"]

    # --- psychological records ------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


class Call(models.Model):
    """A call record (接听登记): anonymous by default; the caller's number is kept only with
    their consent to a callback (``callback_number``), and ``caller_key`` (a keyed hash of it)
    recognises a repeat caller who consented."""

    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.PROTECT, related_name="calls")
    line = models.ForeignKey(
        HotlineLine, verbose_name=_("line"), null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counsellor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), db_index=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    caller_kind = models.CharField(_("caller"), max_length=8, choices=CallerKind.choices, default=CallerKind.WORKER)
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    family_member = models.ForeignKey(
        "registry.FamilyMember",
        verbose_name=_("family member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True, default=Gender.UNKNOWN)
    age_band = models.CharField(_("age"), max_length=8, choices=AgeBand.choices, blank=True, default=AgeBand.UNKNOWN)
    topics = models.JSONField(_("topics"), default=list, blank=True)  # Topic values
    topic_note = models.CharField(_("other topic"), max_length=200, blank=True)
    interventions = models.JSONField(_("what was done"), default=list, blank=True)  # Intervention values
    technique = models.CharField(_("technique"), max_length=200, blank=True)
    risk = models.CharField(_("risk"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.NONE)
    callback_consent = models.BooleanField(_("consents to a callback"), default=False)
    callback_number = models.CharField(_("number to call back"), max_length=32, blank=True)
    caller_key = models.CharField(max_length=64, blank=True, db_index=True)
    same_counsellor = models.BooleanField(_("asks for the same counsellor"), default=False)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallOutcome.choices, default=CallOutcome.SUPPORTED)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    version = version_field()

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["hotline", "started_at"], name="hotline_call_start_idx")]

    def __str__(self) -> str:
        return f"{self.hotline} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int | None:
        if self.ended_at is None:
            return None
        return max(0, round((self.ended_at - self.started_at).total_seconds() / 60))


class Assessment(models.Model):
    """One screening scale taken: on the public self-assessment page, during a call, or through
    the API. ``scale`` is the scale's code (``scales/``); ``score`` the raw sum,
    ``standard_score`` where the scale has one (SAS). ``mobile`` and ``caller_key`` are kept
    only with the person's consent to a callback."""

    hotline = models.ForeignKey(
        Hotline,
        verbose_name=_("hotline"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    scale = models.CharField(_("scale"), max_length=16)
    answers = models.JSONField(_("answers"), default=list)
    score = models.PositiveSmallIntegerField(_("score"))
    standard_score = models.PositiveSmallIntegerField(_("standard score"), null=True, blank=True)
    band = models.CharField(_("band"), max_length=16)
    flagged = models.BooleanField(_("at or above the cut-off"), default=False)
    crisis = models.BooleanField(_("crisis answer"), default=False)
    source = models.CharField(_("source"), max_length=8, choices=AssessmentSource.choices)
    call = models.ForeignKey(
        Call, verbose_name=_("call"), null=True, blank=True, on_delete=models.CASCADE, related_name="assessments"
    )
    callback_consent = models.BooleanField(_("consents to a callback"), default=False)
    consented_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    caller_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("taken"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS, ownerless_at_root=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:  # names no caller and no result: the audit trail's object
        return f"{self._meta.verbose_name} #{self.pk}"


class CrisisCase(CaseBase):
    """A caller at risk (自杀危机): opened by a PHQ-9 item-9 answer above 0 or a call marked
    high or imminent risk. Assess (the structured risk assessment), register, hand over (for
    imminent risk: to whom, when, to which person), follow up. ``due_at``: the first contact
    is due (hours, not days); ``first_contact_at``: when it happened."""

    lifecycle = CRISIS_LIFECYCLE

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    status = status_field(CRISIS_LIFECYCLE)
    hotline = models.ForeignKey(
        Hotline, verbose_name=_("hotline"), on_delete=models.PROTECT, related_name="crisis_cases"
    )
    call = models.ForeignKey(
        Call, verbose_name=_("call"), null=True, blank=True, on_delete=models.SET_NULL, related_name="crisis_cases"
    )
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crisis_cases",
    )
    risk = models.CharField(_("risk"), max_length=8, choices=RiskLevel.choices, default=RiskLevel.HIGH)
    reason = models.CharField(_("why it was opened"), max_length=200, blank=True)
    contact_number = models.CharField(_("number to call"), max_length=32, blank=True)
    # The structured risk assessment (None: not yet asked).
    ideation = models.BooleanField(_("suicidal thoughts"), null=True, blank=True)
    plan = models.BooleanField(_("a plan"), null=True, blank=True)
    means = models.BooleanField(_("access to means"), null=True, blank=True)
    past_attempts = models.BooleanField(_("past attempts"), null=True, blank=True)
    protective_factors = models.TextField(_("protective factors"), blank=True)
    assessment_note = models.TextField(_("assessment"), blank=True)
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    due_at = models.DateTimeField(_("first contact due"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    handover_to = models.CharField(
        _("handed over to"), max_length=12, choices=HandoverTo.choices, blank=True, default=HandoverTo.NONE
    )
    handover_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handover_person = models.CharField(_("received by"), max_length=100, blank=True)
    handover_note = models.TextField(_("hand-over note"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS)

    class Meta(CaseBase.Meta):
        verbose_name = _("crisis case")
        verbose_name_plural = _("crisis cases")

    def __str__(self) -> str:  # names no caller: the audit trail's object
        return f"{self._meta.verbose_name} #{self.pk}"


class CrisisNote(CaseNote):
    crisis = models.ForeignKey(
        CrisisCase, verbose_name=_("crisis case"), on_delete=models.CASCADE, related_name="notes"
    )
    from_status = note_status_field(CRISIS_LIFECYCLE, _("from"))
    to_status = note_status_field(CRISIS_LIFECYCLE, _("to"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="crisis__hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("crisis case note")
        verbose_name_plural = _("crisis case notes")
        ordering = ["crisis_id", "at", "id"]


class Callback(CaseBase):
    """A callback (回访) owed to someone who asked for one or whose self-assessment reached the
    cut-off: in the hotline's queue until a counsellor claims it (``owner``), due at
    ``due_at`` by severity, closed when done or when the number is wrong."""

    lifecycle = CALLBACK_LIFECYCLE

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    status = status_field(CALLBACK_LIFECYCLE)
    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.PROTECT, related_name="callbacks")
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
    )
    call = models.ForeignKey(
        Call, verbose_name=_("call"), null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    crisis = models.ForeignKey(
        CrisisCase,
        verbose_name=_("crisis case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
    )
    number = models.CharField(_("number to call"), max_length=32, blank=True)
    caller_key = models.CharField(max_length=64, blank=True, db_index=True)
    severity = models.CharField(_("severity"), max_length=16, blank=True)  # the band, or "crisis"
    preferred_counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_at = models.DateTimeField(_("due"), db_index=True)
    first_contact_at = models.DateTimeField(_("reached"), null=True, blank=True)
    retry_at = models.DateTimeField(_("try again at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS)

    class Meta(CaseBase.Meta):
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")

    def __str__(self) -> str:  # names no caller: the audit trail's object
        return f"{self._meta.verbose_name} #{self.pk}"


class CallbackNote(CaseNote):
    callback = models.ForeignKey(Callback, verbose_name=_("callback"), on_delete=models.CASCADE, related_name="notes")
    from_status = note_status_field(CALLBACK_LIFECYCLE, _("from"))
    to_status = note_status_field(CALLBACK_LIFECYCLE, _("to"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="callback__hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("callback note")
        verbose_name_plural = _("callback notes")
        ordering = ["callback_id", "at", "id"]


class CallbackAttempt(models.Model):
    """One try at a callback: reached, no answer (try again later), wrong number (closed),
    declined."""

    callback = models.ForeignKey(
        Callback, verbose_name=_("callback"), on_delete=models.CASCADE, related_name="attempts"
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.PHONE)
    result = models.CharField(_("result"), max_length=16, choices=AttemptResult.choices)
    note = models.TextField(_("note"), blank=True)
    retry_at = models.DateTimeField(_("try again at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="callback__hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["callback_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_result_display()}"


class Referral(models.Model):
    """A referral of a caller: to the mental-health centre, a hospital, legal aid, or the
    union's care work; the last opens a difficulty in the care work (``difficulty_id``) with
    only the ``shared_summary`` the caller agreed to share."""

    hotline = models.ForeignKey(Hotline, verbose_name=_("hotline"), on_delete=models.PROTECT, related_name="referrals")
    call = models.ForeignKey(
        Call, verbose_name=_("call"), null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    crisis = models.ForeignKey(
        CrisisCase,
        verbose_name=_("crisis case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referrals",
    )
    callback = models.ForeignKey(
        Callback, verbose_name=_("callback"), null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals"
    )
    target = models.CharField(_("referred to"), max_length=12, choices=ReferralTarget.choices)
    note = models.TextField(_("note"), blank=True)
    consent = models.BooleanField(_("the caller agreed to share"), default=False)
    shared_summary = models.TextField(_("summary shared"), blank=True)
    difficulty = models.ForeignKey(
        "care.Difficulty",
        verbose_name=_("difficulty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("referred"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="hotline__organisation__path", actions=RECORD_ACTIONS, related=MEMBERS)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.get_target_display())
