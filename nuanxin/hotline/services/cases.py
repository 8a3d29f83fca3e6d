"""Crisis cases (危机个案) and callbacks (回访): the hotline's two case types, on the shared case
life cycle (``nuanxin/cases``, ``choices.CRISIS_LIFECYCLE`` / ``CALLBACK_LIFECYCLE``).

A crisis case is opened by a call marked high or imminent risk or by a PHQ-9 item-9 answer
above 0 (``open_crisis``): its first contact is due within ``NUANXIN_HOTLINE_CRISIS_CONTACT_HOURS``
(imminent risk: ``NUANXIN_HOTLINE_CRISIS_IMMINENT_CONTACT_HOURS``), the hotline's supervisors
are told at once (in the app and by text message, without a word about the caller), and a
number to call puts a crisis callback, due now, in the queue. Then: the structured risk
assessment (``assess_crisis``), the first contact (``record_contact``), for imminent risk the
recorded hand-over to the mental-health centre, 120 or 110 (``hand_over``, required before the
case moves on to follow-up), follow-up notes, and closing by a supervisor.

A callback waits in its hotline's queue (``open_callback``) until a counsellor claims it
(``claim_callback``, they become its owner) and records attempts (``record_attempt``): reached
→ done with its outcome; no answer → back in the queue to try again at ``retry_at``; wrong
number or declined → closed. Overdue callbacks and crisis cases whose first contact is overdue
are escalated to the hotline's supervisors by the periodic job (``escalation.escalate_overdue``),
once per due time.

Settings (read here only): ``NUANXIN_HOTLINE_CRISIS_CONTACT_HOURS`` (2),
``NUANXIN_HOTLINE_CRISIS_IMMINENT_CONTACT_HOURS`` (0), ``NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES``
(30: how long past its due time an item waits before it is escalated) and ``NUANXIN_SITE_URL``
("" : the address the text messages' links start with).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import NoteKind, Urgency
from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.hotline import callers, scales
from nuanxin.hotline.choices import (
    AttemptResult,
    CallbackStatus,
    Channel,
    CrisisStatus,
    HandoverTo,
    MemberKind,
    RiskLevel,
)
from nuanxin.hotline.models import (
    Assessment,
    Call,
    Callback,
    CallbackAttempt,
    CallbackNote,
    CrisisCase,
    CrisisNote,
    Hotline,
    HotlineMember,
)
from nuanxin.notify.services import Sms, notify

CRISIS = "crisis"  # the severity of a crisis callback
REASON_LIMIT = 200
TEXT_LIMIT = 5000
PERSON_LIMIT = 100
RETRY_HORIZON = timedelta(days=14)  # a retry is set within two weeks
HANDOVER_PAST = timedelta(days=7)  # a hand-over is recorded within a week of it


# --- settings ------------------------------------------------------------------------------


def contact_hours(risk: str) -> float:
    """Hours from opening to a crisis case's first contact: imminent risk
    ``NUANXIN_HOTLINE_CRISIS_IMMINENT_CONTACT_HOURS`` (0: at once), else
    ``NUANXIN_HOTLINE_CRISIS_CONTACT_HOURS`` (2)."""
    if risk == RiskLevel.IMMINENT:
        return float(getattr(settings, "NUANXIN_HOTLINE_CRISIS_IMMINENT_CONTACT_HOURS", 0))
    return float(getattr(settings, "NUANXIN_HOTLINE_CRISIS_CONTACT_HOURS", 2))


def escalation_delay() -> timedelta:
    """How long past its due time an overdue callback or crisis case waits before it is
    escalated to the supervisors (``NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES``, 30)."""
    return timedelta(minutes=float(getattr(settings, "NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES", 30)))


def link(name: str, pk: int) -> str:
    """The address of a page for a message leaving the system: ``NUANXIN_SITE_URL`` + the path."""
    try:
        path = reverse(name, args=[pk])
    except NoReverseMatch:  # pragma: no cover - the pages are always installed with the app
        return ""
    return str(getattr(settings, "NUANXIN_SITE_URL", "") or "").rstrip("/") + path


# --- helpers -------------------------------------------------------------------------------


def supervisors(hotline: Hotline) -> list[Any]:
    """The active supervisors of ``hotline`` (active members with an active account), by id."""
    members = (
        HotlineMember.objects.filter(hotline=hotline, kind=MemberKind.SUPERVISOR, active=True, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return [m.user for m in members]


def serves(user: Any, hotline: Hotline) -> bool:
    """Whether ``user`` is an active counsellor or supervisor of ``hotline``."""
    if user is None or getattr(user, "pk", None) is None:
        return False
    return HotlineMember.objects.filter(
        hotline=hotline,
        user_id=user.pk,
        active=True,
        kind__in=[MemberKind.COUNSELLOR, MemberKind.SUPERVISOR],
    ).exists()


def _text(value: Any, *, field: str, label: Any, limit: int, required: Any = None) -> str:
    text = plaintext.notes(value or "", field=field, label=label)
    if required is not None and not text:
        raise ServiceError(str(required), field=field)
    if len(text) > limit:
        raise ServiceError(_("This text must be at most %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _line(value: Any, *, field: str, label: Any, limit: int, required: Any = None) -> str:
    text = plaintext.line(value or "", field=field, label=label)
    if required is not None and not text:
        raise ServiceError(str(required), field=field)
    if len(text) > limit:
        raise ServiceError(_("This text must be at most %(limit)d characters.") % {"limit": limit}, field=field)
    return text


def _aware(value: Any, *, field: str) -> datetime:
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise ServiceError(_("Give a date and time."), field=field)
    return value


def _urgency(risk_or_severity: str) -> str:
    if risk_or_severity in (RiskLevel.IMMINENT, CRISIS):
        return Urgency.CRITICAL
    if risk_or_severity in (RiskLevel.HIGH, "severe"):
        return Urgency.URGENT
    return Urgency.NORMAL


# --- why a crisis case was opened ----------------------------------------------------------

# A crisis case's reason is stored as a code and put into words when shown (in the reader's
# language): ``call_high`` / ``call_imminent`` (a call marked at that risk) or
# ``<scale>_item<N>`` (e.g. ``phq9_item9``: the scale's crisis rule on item N), several joined
# by commas. A reason given without a call or an assessment is kept as written (and older
# cases' free text is shown as stored).
CALL_REASONS = {
    "call_high": gettext_lazy("A call marked at high risk"),
    "call_imminent": gettext_lazy("A call marked at imminent risk"),
}


def _scale_slug(code: str) -> str:
    return "".join(ch for ch in code.casefold() if ch.isalnum())


def _scale_reason(code: str) -> Any:
    """The crisis rule's words for ``<scale>_item<N>`` (``None`` when it names no rule)."""
    slug, sep, item = code.rpartition("_item")
    if not sep or not item.isdigit():
        return None
    for scale in scales.all():
        if _scale_slug(scale.code) == slug:
            for rule in scale.crisis_rules:
                if rule.item == int(item):
                    return rule.reason
    return None


def reason_codes(*, call: Call | None, assessment: Assessment | None, risk: str) -> str:
    """The reason code of a crisis case opened from ``call`` or ``assessment`` ("" without)."""
    if assessment is not None:
        try:
            scale = scales.get(assessment.scale)
        except KeyError:
            scale = None
        if scale is not None:
            items = [f"{_scale_slug(scale.code)}_item{rule.item}" for rule in scale.crisis_rules
                     if len(assessment.answers) >= rule.item and rule.applies(assessment.answers)]
            if items:
                return ",".join(items)
    if call is not None:
        return f"call_{risk}" if f"call_{risk}" in CALL_REASONS else ""
    return ""


def reason_label(value: str) -> str:
    """A crisis case's reason in the reader's language: each code in words; a text that is not
    a code (given by hand, or stored before the codes) as stored."""
    parts = [part.strip() for part in (value or "").split(",")]
    words = []
    for part in parts:
        if part in CALL_REASONS:
            words.append(str(CALL_REASONS[part]))
            continue
        rule = _scale_reason(part)
        if rule is None:
            return value
        words.append(str(rule))
    separator = "；" if (translation.get_language() or "").startswith("zh") else "; "
    return separator.join(words) if words else value


# --- crisis cases --------------------------------------------------------------------------


def _notify_crisis_opened(case: CrisisCase) -> int:
    """Tell the hotline's supervisors, in the app and by text message, that a crisis case needs
    action: the hotline and a link, never the caller's details. Once per case and supervisor.
    A supervisor without a mobile gets the notice in the app only: the case page names them
    (``selectors.cases.crisis_alerts``) so that the counsellor phones them. Returns how many
    were told."""
    hotline = case.hotline
    url = link("hotline:crisis_detail", case.pk)
    sms_text = _("Nuanxin: a crisis case at %(hotline)s needs action now. Please sign in: %(url)s") % {
        "hotline": hotline.name,
        "url": url,
    }
    sent = 0
    for supervisor in supervisors(hotline):
        if notify(
            recipient=supervisor,
            kind="hotline.crisis_opened",
            occasion=f"crisis:{case.pk}",
            texts=lambda: (
                _("Crisis case at %(hotline)s: action needed now") % {"hotline": hotline.name},
                _("A crisis case (%(risk)s risk) was opened at %(hotline)s. Open it to assess and contact.")
                % {"risk": RiskLevel(case.risk).label, "hotline": hotline.name},
            ),
            url=url,
            sms=Sms("hotline_crisis_opened", {"hotline": hotline.name, "url": url}, sms_text),
            email_text=(_("Crisis case at %(hotline)s") % {"hotline": hotline.name}, sms_text),
        ):
            sent += 1
    return sent


@transaction.atomic
def open_crisis(
    *,
    actor: Any,
    hotline: Hotline,
    risk: str,
    reason: str,
    call: Call | None = None,
    assessment: Assessment | None = None,
    contact_number: str = "",
) -> CrisisCase:
    """Open a crisis case at ``hotline`` (from ``call`` or ``assessment`` when given): its first
    contact due now + the setting's hours for ``risk`` (imminent: at once), the hotline's
    active supervisors told at once (in the app and by text message), and, with a
    ``contact_number``, a callback of severity "crisis" due now. A second call for the same
    call or assessment returns the case already opened (with the callback added if it had no
    number yet). ``actor``: the counsellor, or ``SYSTEM`` (the public self-assessment)."""
    if risk not in RiskLevel.values or risk == RiskLevel.NONE:
        raise ServiceError(_("Choose the risk level."), field="risk")
    for source, name in ((call, "call"), (assessment, "assessment")):
        if source is not None and source.hotline_id != hotline.pk:
            raise ServiceError(_("The record belongs to another hotline."), field=name)
    # One crisis case per call or assessment: the source row's lock orders two openings.
    existing = None
    if call is not None:
        Call.objects.select_for_update().filter(pk=call.pk).first()
        existing = CrisisCase.objects.filter(call=call).order_by("pk").first()
    if existing is None and assessment is not None:
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        existing = CrisisCase.objects.filter(assessment=assessment).order_by("pk").first()
    number = callers.normalise(contact_number, field="contact_number") if contact_number else ""
    if existing is not None:
        CrisisCase.policy.require(actor, "record", existing, str(CrisisCase.lifecycle.texts.may_not_open))
        if number and not existing.callbacks.exists():
            open_callback(
                actor=actor, hotline=hotline, number=number, due_at=timezone.now(), severity=CRISIS,
                call=call, assessment=assessment, crisis=existing,
            )
        return existing
    code = reason_codes(call=call, assessment=assessment, risk=risk)
    if code:  # the words given are the source's, in the opener's language: keep the code
        reason = code
    else:
        reason = _line(reason, field="reason", label=_("Why"), limit=REASON_LIMIT,
                       required=_("Say why the crisis case is opened."))
    now = timezone.now()
    due_at = now + timedelta(hours=contact_hours(risk))
    case = cases.open(
        CrisisCase,
        actor=actor,
        organisation=hotline.organisation,
        fields={
            "hotline": hotline,
            "call": call,
            "assessment": assessment,
            "risk": risk,
            "reason": reason,
            "contact_number": number,
            "due_at": due_at,
        },
        urgency=_urgency(risk),
        due_on=timezone.localdate(due_at),
        detail={
            "hotline": hotline.pk,
            "call": getattr(call, "pk", None),
            "assessment": getattr(assessment, "pk", None),
        },
    )
    # Who got no text message (no mobile) or that nobody was told is kept by the notifications
    # and their deliveries: the case page names them (selectors.cases.crisis_alerts).
    _notify_crisis_opened(case)
    if number:
        open_callback(
            actor=actor, hotline=hotline, number=number, due_at=now, severity=CRISIS,
            call=call, assessment=assessment, crisis=case,
        )
    return case


def _locked_crisis(case: CrisisCase, actor: Any) -> CrisisCase:
    locked = (
        CrisisCase.objects.select_for_update(of=("self",)).select_related("hotline", "organisation").get(pk=case.pk)
    )
    CrisisCase.policy.require(actor, "record", locked, str(CrisisCase.lifecycle.texts.may_not_change))
    return locked


def _take(case: CrisisCase, actor: Any) -> list[str]:
    """A case nobody owns yet (opened by the public page) becomes the case of the first
    counsellor who acts on it; the fields to save."""
    user = user_of(actor)
    if case.owner_id is None and user is not None:
        case.owner = user
        return ["owner"]
    return []


def _tristate(value: Any, *, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ServiceError(_("Answer yes, no or not asked."), field=field)


@transaction.atomic
def assess_crisis(
    *,
    actor: Any,
    case: CrisisCase,
    ideation: bool | None,
    plan: bool | None,
    means: bool | None,
    past_attempts: bool | None,
    protective_factors: str = "",
    note: str = "",
    risk: str | None = None,
    version: int | None = None,
) -> CrisisCase:
    """Record (or revise) the structured risk assessment of a crisis case: suicidal thoughts, a
    plan, access to means, past attempts (each yes / no / not asked: ``None``), the protective
    factors and a note; ``risk`` re-rates the case (imminent brings the hand-over rule and a
    first contact due at once if none happened yet). Counsellors and supervisors of the
    hotline. A timeline entry and a ``hotline.crisis.assess`` audit row (how many questions
    were answered and the texts' lengths: never the answers nor the risk)."""
    case = _locked_crisis(case, actor)
    versioning.check_version(case, version)
    if not case.is_active:
        raise ServiceError(_("The crisis case is closed: reopen it first."), field="case")
    answers = {
        "ideation": _tristate(ideation, field="ideation"),
        "plan": _tristate(plan, field="plan"),
        "means": _tristate(means, field="means"),
        "past_attempts": _tristate(past_attempts, field="past_attempts"),
    }
    protective = _text(protective_factors, field="protective_factors", label=_("Protective factors"),
                       limit=TEXT_LIMIT)
    text = _text(note, field="note", label=_("Assessment"), limit=TEXT_LIMIT)
    if all(v is None for v in answers.values()) and not protective and not text:
        raise ServiceError(_("Record at least one answer of the assessment."), field="ideation")
    fields = ["ideation", "plan", "means", "past_attempts", "protective_factors", "assessment_note",
              "assessed_at", "updated_at", versioning.bump(case)]
    for name, value in answers.items():
        setattr(case, name, value)
    case.protective_factors = protective
    case.assessment_note = text
    case.assessed_at = timezone.now()
    fields += _take(case, actor)
    if risk is not None and risk != case.risk:
        if risk not in RiskLevel.values or risk == RiskLevel.NONE:
            raise ServiceError(_("Choose the risk level."), field="risk")
        case.risk = risk
        case.urgency = _urgency(risk)
        fields += ["risk", "urgency"]
        if case.first_contact_at is None:
            due = (case.created_at or timezone.now()) + timedelta(hours=contact_hours(risk))
            case.due_at = due
            case.due_on = timezone.localdate(due)
            fields += ["due_at", "due_on"]
    cases._save(case, actor, dict.fromkeys(fields))
    cases.add_note(case, actor, NoteKind.EDIT, _("Risk assessment recorded"))
    audit.record(
        actor,
        "hotline.crisis.assess",
        obj=case,
        organisation=case.organisation,
        detail={
            "answered": sum(1 for v in answers.values() if v is not None),
            "protective_factors": audit.text_marker(protective),
            "note": audit.text_marker(text),
        },
    )
    return case


@transaction.atomic
def record_contact(
    *, actor: Any, case: CrisisCase, at: datetime | None = None, note: str = "", version: int | None = None
) -> CrisisCase:
    """Record that the caller of a crisis case was reached (``at``, default now; not in the
    future, not before the case): the first contact's time is kept (time to first contact is
    a figure) and an open case becomes "contacted"."""
    case = _locked_crisis(case, actor)
    versioning.check_version(case, version)
    now = timezone.now()
    at = now if at is None else _aware(at, field="at")
    if at > now + timedelta(minutes=1) or (case.created_at is not None and at < case.created_at - timedelta(minutes=1)):
        raise ServiceError(_("The contact must be between the opening of the case and now."), field="at")
    text = _text(note, field="note", label=_("Note"), limit=TEXT_LIMIT)
    if not case.is_active:
        raise ServiceError(_("The crisis case is closed: reopen it first."), field="case")
    return _contacted(case, actor, at, text)


def _contacted(case: CrisisCase, actor: Any, at: datetime, text: str) -> CrisisCase:
    first = case.first_contact_at is None
    if first:
        case.first_contact_at = at
        cases._save(case, actor, ["first_contact_at", *_take(case, actor), "updated_at", versioning.bump(case)])
    audit.record(
        actor,
        "hotline.crisis.contact",
        obj=case,
        organisation=case.organisation,
        detail={"note": audit.text_marker(text)},
    )
    if case.status == CrisisStatus.OPEN:
        return cases.transition(case, actor=actor, to=CrisisStatus.CONTACTED, note=text)
    if text:
        cases.add_note(case, actor, NoteKind.NOTE, text)
    return case


@transaction.atomic
def hand_over(
    *,
    actor: Any,
    case: CrisisCase,
    to: str,
    at: datetime,
    person: str,
    note: str = "",
    version: int | None = None,
) -> CrisisCase:
    """Record the hand-over of a crisis case to the mental-health centre, 120 or 110: when (not
    in the future, within a week), to whom (the person who took it over), a note; the case
    becomes "handed over" (from open or contacted). Required before a case at imminent risk
    moves on to follow-up."""
    case = _locked_crisis(case, actor)
    versioning.check_version(case, version)
    if to not in HandoverTo.values or to == HandoverTo.NONE:
        raise ServiceError(_("Choose to whom the case was handed over."), field="to")
    at = _aware(at, field="at")
    now = timezone.now()
    if at > now + timedelta(minutes=1) or at < now - HANDOVER_PAST:
        raise ServiceError(_("The hand-over time must be within the last seven days."), field="at")
    person = _line(person, field="person", label=_("Received by"), limit=PERSON_LIMIT,
                   required=_("Name the person who took the case over."))
    text = _text(note, field="note", label=_("Note"), limit=TEXT_LIMIT)
    if case.status not in (CrisisStatus.OPEN, CrisisStatus.CONTACTED):
        raise ServiceError(
            _("A crisis case that is “%(current)s” cannot be handed over.")
            % {"current": CrisisStatus(case.status).label},
            field="to",
        )
    case.handover_to = to
    case.handover_at = at
    case.handover_person = person
    case.handover_note = text
    cases._save(case, actor, ["handover_to", "handover_at", "handover_person", "handover_note", "updated_at",
                              versioning.bump(case)])
    audit.record(
        actor,
        "hotline.crisis.handover",
        obj=case,
        organisation=case.organisation,
        detail={"note": audit.text_marker(text)},
    )
    return cases.transition(case, actor=actor, to=CrisisStatus.HANDED_OVER, note=text)


def needs_handover(case: CrisisCase) -> bool:
    """Whether the case is at imminent risk and has no recorded hand-over yet."""
    return case.risk == RiskLevel.IMMINENT and not case.handover_to


def crisis_targets(actor: Any, case: CrisisCase) -> list[str]:
    """The statuses ``actor`` may move ``case`` to on its page (the hand-over has its own form;
    follow-up of an imminent case waits for the hand-over; closing for an assessed case)."""
    targets = [t for t in cases.allowed_targets(actor, case) if t != CrisisStatus.HANDED_OVER]
    if needs_handover(case):
        targets = [t for t in targets if t != CrisisStatus.FOLLOW_UP]
    if case.assessed_at is None:
        targets = [t for t in targets if t != CrisisStatus.CLOSED]
    return targets


@transaction.atomic
def change_crisis_status(
    *, actor: Any, case: CrisisCase, to: str, note: str = "", version: int | None = None
) -> CrisisCase:
    """Move a crisis case on: to follow-up (an imminent one only after its recorded hand-over),
    to closed (a supervisor, once the risk assessment is recorded), back to follow-up (a
    supervisor, with a reason). "Contacted" and "handed over" are reached by recording the
    contact and the hand-over."""
    case = _locked_crisis(case, actor)
    if to == CrisisStatus.HANDED_OVER:
        raise ServiceError(_("Record the hand-over with its form: to whom, when, to which person."), field="to")
    if to == CrisisStatus.CONTACTED:
        raise ServiceError(_("Record the first contact with its form."), field="to")
    if to == CrisisStatus.FOLLOW_UP and needs_handover(case):
        raise ServiceError(
            _("The risk is imminent: record the hand-over (to the mental-health centre, 120 or 110) first."),
            field="to",
        )
    if to == CrisisStatus.CLOSED and case.assessed_at is None:
        raise ServiceError(_("Record the risk assessment before closing the case."), field="to")
    return cases.transition(case, actor=actor, to=to, note=note, version=version)


def add_crisis_note(*, actor: Any, case: CrisisCase, text: str) -> CrisisNote:
    """A follow-up note on the case's timeline (counsellors and supervisors of the hotline)."""
    entry = cases.note(case, actor=actor, text=text)
    assert isinstance(entry, CrisisNote)
    return entry


# --- callbacks -----------------------------------------------------------------------------


def next_at() -> Coalesce:
    """When a callback is next due: its retry time after an unanswered attempt, else its due time."""
    return Coalesce(F("retry_at"), F("due_at"))


def _severity(value: Any) -> str:
    text = plaintext.line(value or "", field="severity", label=_("Severity"))
    if not text or len(text) > 16:
        raise ServiceError(_("Give the callback's severity."), field="severity")
    return text


@transaction.atomic
def open_callback(
    *,
    actor: Any,
    hotline: Hotline,
    number: str,
    due_at: datetime,
    severity: str,
    assessment: Assessment | None = None,
    call: Call | None = None,
    crisis: CrisisCase | None = None,
    preferred_counsellor: Any = None,
) -> Callback:
    """Put a callback in ``hotline``'s queue (no owner yet), due at ``due_at``: ``number`` is
    stored in E.164 form with its caller key; ``severity`` is the assessment's band or
    "crisis" (first in the queue); ``preferred_counsellor``: the caller asked for this
    counsellor again (they must serve the hotline). A second callback for the same call or
    assessment while one is still active returns that one (made more urgent if this one is:
    the earlier due time, the crisis severity, the crisis case)."""
    due_at = _aware(due_at, field="due_at")
    severity = _severity(severity)
    e164 = callers.normalise(number, field="number")
    for source, name in ((call, "call"), (assessment, "assessment"), (crisis, "crisis")):
        if source is not None and source.hotline_id != hotline.pk:
            raise ServiceError(_("The record belongs to another hotline."), field=name)
    if preferred_counsellor is not None and not serves(preferred_counsellor, hotline):
        raise ServiceError(
            _("%(user)s does not serve this hotline.") % {"user": preferred_counsellor}, field="preferred_counsellor"
        )
    same = Q()
    if call is not None:
        same |= Q(call=call)
    if assessment is not None:
        same |= Q(assessment=assessment)
    if same:
        existing = (
            Callback.objects.select_for_update()
            .filter(same, hotline=hotline, status__in=Callback.lifecycle.active)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            Callback.policy.require(actor, "record", existing, str(Callback.lifecycle.texts.may_not_open))
            return _merge(existing, actor, due_at=due_at, severity=severity, crisis=crisis,
                          preferred=preferred_counsellor)
    callback = cases.open(
        Callback,
        actor=actor,
        organisation=hotline.organisation,
        fields={
            "hotline": hotline,
            "assessment": assessment,
            "call": call,
            "crisis": crisis,
            "number": e164,
            "caller_key": callers.caller_key(e164),
            "severity": severity,
            "preferred_counsellor": preferred_counsellor,
            "due_at": due_at,
        },
        urgency=_urgency(severity),
        default_owner=None,
        owner=None,
        due_on=timezone.localdate(due_at),
        detail={
            "hotline": hotline.pk,
            "call": getattr(call, "pk", None),
            "assessment": getattr(assessment, "pk", None),
            "crisis": getattr(crisis, "pk", None),
            "preferred": getattr(preferred_counsellor, "pk", None),
        },
    )
    if callback.owner_id is not None:  # cases.open names the actor by default: the queue has none
        callback.owner = None
        callback.save(update_fields=["owner"])
    return callback


def _merge(callback: Callback, actor: Any, *, due_at: datetime, severity: str, crisis: CrisisCase | None,
           preferred: Any) -> Callback:
    changed: dict[str, Any] = {}
    if due_at < callback.due_at:
        changed["due_at"] = due_at
        changed["due_on"] = timezone.localdate(due_at)
    if severity == CRISIS and callback.severity != CRISIS:
        changed["severity"] = CRISIS
        changed["urgency"] = Urgency.CRITICAL
    if crisis is not None and callback.crisis_id is None:
        changed["crisis"] = crisis
    if preferred is not None and callback.preferred_counsellor_id is None:
        changed["preferred_counsellor"] = preferred
    if not changed:
        return callback
    for name, value in changed.items():
        setattr(callback, name, value)
    cases._save(callback, actor, [*changed, "updated_at", versioning.bump(callback)])
    cases.add_note(callback, actor, NoteKind.EDIT, ", ".join(changed))
    audit.record(
        actor,
        "hotline.callback.update",
        obj=callback,
        organisation=callback.organisation,
        detail={"changed": sorted(changed)},
    )
    return callback


def _locked_callback(callback: Callback, actor: Any) -> Callback:
    locked = (
        Callback.objects.select_for_update(of=("self",)).select_related("hotline", "organisation").get(pk=callback.pk)
    )
    Callback.policy.require(actor, "record", locked, str(Callback.lifecycle.texts.may_not_change))
    return locked


def _claimed_by_other(callback: Callback, actor: Any) -> bool:
    return callback.owner_id is not None and callback.owner_id != getattr(user_of(actor), "pk", None)


@transaction.atomic
def claim_callback(*, actor: Any, callback: Callback, version: int | None = None) -> Callback:
    """A counsellor (or supervisor) of the hotline takes a waiting callback: they become its
    owner and it leaves the queue. A callback another counsellor claimed is theirs."""
    callback = _locked_callback(callback, actor)
    versioning.check_version(callback, version)
    user = user_of(actor)
    if user is None:
        raise NotAllowed(_("Only a counsellor of the hotline claims a callback."))
    if callback.status == CallbackStatus.CLAIMED:
        if callback.owner_id == user.pk:
            return callback
        raise ServiceError(_("%(user)s has claimed this callback.") % {"user": callback.owner}, field="callback")
    if Callback.lifecycle.transition(callback.status, CallbackStatus.CLAIMED) is None:
        raise ServiceError(
            _("A callback that is “%(current)s” cannot be claimed.")
            % {"current": CallbackStatus(callback.status).label},
            field="callback",
        )
    current = callback.status
    callback.status = CallbackStatus.CLAIMED
    callback.owner = user
    cases._save(callback, actor, ["status", "owner", "updated_at", versioning.bump(callback)])
    cases.add_note(callback, actor, NoteKind.STATUS, "", from_status=current, to_status=CallbackStatus.CLAIMED)
    audit.record(
        actor, "hotline.callback.claim", obj=callback, organisation=callback.organisation,
        detail={"from": current, "owner": user.pk},
    )
    return callback


@transaction.atomic
def release_callback(*, actor: Any, callback: Callback, version: int | None = None) -> Callback:
    """Put a claimed callback back in the queue (its owner, or a supervisor of the hotline)."""
    callback = _locked_callback(callback, actor)
    versioning.check_version(callback, version)
    if callback.status != CallbackStatus.CLAIMED:
        raise ServiceError(_("Only a claimed callback goes back to the queue."), field="callback")
    if _claimed_by_other(callback, actor):
        Callback.policy.require(actor, "supervise", callback, _("%(user)s has claimed this callback.")
                                % {"user": callback.owner})
    previous = callback.owner_id
    callback.status = CallbackStatus.RETRY if callback.retry_at else CallbackStatus.DUE
    callback.owner = None
    cases._save(callback, actor, ["status", "owner", "updated_at", versioning.bump(callback)])
    cases.add_note(callback, actor, NoteKind.STATUS, "", from_status=CallbackStatus.CLAIMED,
                   to_status=callback.status)
    audit.record(
        actor, "hotline.callback.release", obj=callback, organisation=callback.organisation,
        detail={"to": callback.status, "owner": previous},
    )
    return callback


RESULT_STATUS = {
    AttemptResult.REACHED: CallbackStatus.DONE,
    AttemptResult.NO_ANSWER: CallbackStatus.RETRY,
    AttemptResult.WRONG_NUMBER: CallbackStatus.CLOSED,
    AttemptResult.DECLINED: CallbackStatus.CLOSED,
}


@transaction.atomic
def record_attempt(
    *,
    actor: Any,
    callback: Callback,
    result: str,
    note: str = "",
    retry_at: datetime | None = None,
    channel: str = Channel.PHONE,
    version: int | None = None,
) -> CallbackAttempt:
    """Record one try at a callback (claiming it first if it waits in the queue): reached → done,
    with its outcome (``note``, required); no answer → back in the queue to try again at
    ``retry_at`` (required: from now to two weeks ahead); wrong number → closed; declined →
    closed. Reaching the caller (or their declining) is the first contact, also of the crisis
    case the callback belongs to. A callback claimed by another counsellor is theirs (a
    supervisor may record for it)."""
    callback = _locked_callback(callback, actor)
    versioning.check_version(callback, version)
    if result not in RESULT_STATUS:
        raise ServiceError(_("Choose the result of the call."), field="result")
    if channel not in Channel.values:
        raise ServiceError(_("Choose a channel."), field="channel")
    if not callback.is_active:
        raise ServiceError(_("This callback is finished."), field="result")
    text = _text(note, field="note", label=_("Note"), limit=TEXT_LIMIT,
                 required=_("Write the outcome of the call.") if result == AttemptResult.REACHED else None)
    now = timezone.now()
    if result == AttemptResult.NO_ANSWER:
        if retry_at is None:
            raise ServiceError(_("Say when to try again."), field="retry_at")
        retry_at = _aware(retry_at, field="retry_at")
        if not now - timedelta(minutes=1) <= retry_at <= now + RETRY_HORIZON:
            raise ServiceError(_("Try again within the next two weeks."), field="retry_at")
    else:
        retry_at = None
    if _claimed_by_other(callback, actor):
        Callback.policy.require(actor, "supervise", callback, _("%(user)s has claimed this callback.")
                                % {"user": callback.owner})
    if callback.status != CallbackStatus.CLAIMED:
        callback = claim_callback(actor=actor, callback=callback)
    attempt = CallbackAttempt.objects.create(
        callback=callback, at=now, by=user_of(actor), channel=channel, result=result, note=text, retry_at=retry_at
    )
    status = RESULT_STATUS[AttemptResult(result)]
    reached = result in (AttemptResult.REACHED, AttemptResult.DECLINED)
    fields: list[str] = []
    if reached and callback.first_contact_at is None:
        callback.first_contact_at = now
        fields.append("first_contact_at")
    if result == AttemptResult.REACHED:
        callback.outcome = text
        fields.append("outcome")
    if status == CallbackStatus.RETRY:
        callback.retry_at = retry_at
        callback.owner = None
        fields += ["retry_at", "owner"]
    if fields:
        cases._save(callback, actor, [*fields, "updated_at"])
    audit.record(
        actor,
        "hotline.callback.attempt",
        obj=callback,
        organisation=callback.organisation,
        detail={"attempt": attempt.pk, "note": audit.text_marker(text)},
    )
    cases.transition(callback, actor=actor, to=status, note=str(AttemptResult(result).label))
    if reached and callback.crisis_id is not None:
        crisis = CrisisCase.objects.select_for_update().get(pk=callback.crisis_id)
        if crisis.is_active and crisis.first_contact_at is None:
            _contacted(crisis, actor, now, _("Reached by the crisis callback."))
    callback.refresh_from_db()
    attempt.callback = callback
    return attempt


def add_callback_note(*, actor: Any, callback: Callback, text: str) -> CallbackNote:
    """A note on the callback's timeline (counsellors and supervisors of the hotline)."""
    entry = cases.note(callback, actor=actor, text=text)
    assert isinstance(entry, CallbackNote)
    return entry


def close_callback(*, actor: Any, callback: Callback, note: str, version: int | None = None) -> Callback:
    """A supervisor closes a callback nobody has tried (with the reason); the owner of a
    claimed or retried one closes it without contact by recording the attempt instead."""
    return cases.transition(callback, actor=actor, to=CallbackStatus.CLOSED, note=note, version=version)
