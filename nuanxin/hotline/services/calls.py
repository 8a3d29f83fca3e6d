"""Call records (接听登记): logged by a counsellor of the hotline during or right after a call,
on a phone or a desktop, and changed later with the version the edit started from.

A call is anonymous by default. The caller's number is kept only with their consent to a
callback (``callback_number``; its keyed hash ``caller_key`` recognises the caller when they
call again). A call marked high or imminent risk opens a crisis case (``services.cases``); a
callback the caller agreed to ("callback arranged") goes into the hotline's callback queue,
due within ``callback_hours()`` hours, for the same counsellor when the caller asked for them.
Free text (notes, technique, other topic) never reaches the audit trail: only its length.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import is_system, user_of
from nuanxin.hotline import callers
from nuanxin.hotline.choices import (
    CRISIS_RISKS,
    AgeBand,
    CallerKind,
    CallOutcome,
    Channel,
    Gender,
    Intervention,
    MemberKind,
    RiskLevel,
    Topic,
)
from nuanxin.hotline.models import Call, Hotline, HotlineLine, HotlineMember
from nuanxin.registry.models import FamilyMember, Worker

# A call lasts at most this long (the documents: 70 minutes on average, 120 at most).
MAX_CALL_HOURS = 12
# A call may be logged up to this many days after it took place.
MAX_AGE_DAYS = 365
# A clock a little ahead (a phone's) is not "the future".
CLOCK_SLACK = timedelta(minutes=5)
NOTES_LIMIT = 5000
LINE_LIMIT = 200


def callback_hours() -> int:
    """Hours within which a callback the caller agreed to on a call is due
    (``NUANXIN_HOTLINE_CALL_CALLBACK_HOURS``, default 24)."""
    return int(getattr(settings, "NUANXIN_HOTLINE_CALL_CALLBACK_HOURS", 24))


# The fields a call's edit may change (the hotline and the counsellor stay).
EDITABLE = (
    "started_at",
    "ended_at",
    "line",
    "channel",
    "caller_kind",
    "worker",
    "family_member",
    "gender",
    "age_band",
    "topics",
    "topic_note",
    "interventions",
    "technique",
    "risk",
    "callback_consent",
    "callback_number",
    "same_counsellor",
    "outcome",
    "notes",
)

_CALL_CONFLICT = gettext_lazy(
    "%(who)s changed this call record at %(when)s, after you opened it. Your changes were not saved: "
    "reload the record to see theirs, then make yours again."
)


# --- checking the fields -------------------------------------------------------------------


def _choice(value: Any, choices: type, *, field: str, message: str) -> str:
    value = "" if value is None else str(value)
    if value not in choices.values:  # type: ignore[attr-defined]
        raise ServiceError(message, field=field)
    return value


def _codes(values: Iterable[Any] | None, choices: type, *, field: str, message: str) -> list[str]:
    """A list of codes, each known, without repeats, in the order of ``choices``."""
    given = [str(v) for v in (values or [])]
    unknown = [v for v in given if v not in choices.values]  # type: ignore[attr-defined]
    if unknown:
        raise ServiceError(message % {"codes": ", ".join(sorted(set(unknown)))[:100]}, field=field)
    return [code for code in choices.values if code in given]  # type: ignore[attr-defined]


def _text(value: Any, *, field: str, label: Any, limit: int, multiline: bool = False) -> str:
    clean = plaintext.notes if multiline else plaintext.line
    text = clean(value or "", field=field, label=label)
    if len(text) > limit:
        raise ServiceError(
            _("At most %(limit)d characters, now %(count)d.") % {"limit": limit, "count": len(text)}, field=field
        )
    return text


def _moment(value: Any, *, field: str, label: Any) -> datetime:
    if not isinstance(value, datetime):
        raise ServiceError(_("Enter the %(label)s as a date and time.") % {"label": label}, field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _check_times(started_at: Any, ended_at: Any) -> tuple[datetime, datetime | None]:
    now = timezone.now()
    start = _moment(started_at, field="started_at", label=_("start"))
    if start > now + CLOCK_SLACK:
        raise ServiceError(_("A call cannot start in the future."), field="started_at")
    if start < now - timedelta(days=MAX_AGE_DAYS):
        raise ServiceError(
            _("A call can be logged up to %(days)d days after it took place.") % {"days": MAX_AGE_DAYS},
            field="started_at",
        )
    if ended_at is None or ended_at == "":
        return start, None
    end = _moment(ended_at, field="ended_at", label=_("end"))
    if end < start:
        raise ServiceError(_("The call cannot end before it started."), field="ended_at")
    if end > now + CLOCK_SLACK:
        raise ServiceError(_("A call cannot end in the future."), field="ended_at")
    if end - start > timedelta(hours=MAX_CALL_HOURS):
        raise ServiceError(
            _("A call lasts at most %(hours)d hours: check the start and the end.") % {"hours": MAX_CALL_HOURS},
            field="ended_at",
        )
    return start, end


def _check_line(hotline: Hotline, line: Any) -> HotlineLine | None:
    if line is None or line == "":
        return None
    line_id = getattr(line, "pk", line)
    try:
        return HotlineLine.objects.get(pk=int(line_id), hotline=hotline)
    except (HotlineLine.DoesNotExist, TypeError, ValueError):
        raise ServiceError(_("This line is not one of this hotline's lines."), field="line") from None


def in_subtree(hotline: Hotline, organisation: Any) -> bool:
    """Whether ``organisation`` lies in the hotline's organisation's subtree."""
    return organisation is not None and str(organisation.path).startswith(str(hotline.organisation.path))


def _check_link(
    hotline: Hotline, caller_kind: str, worker: Worker | None, family_member: FamilyMember | None
) -> tuple[Worker | None, FamilyMember | None]:
    if worker is not None and family_member is not None:
        raise ServiceError(_("Link the call to a worker or to a family member, not both."), field="worker")
    if worker is not None:
        worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
        if caller_kind != CallerKind.WORKER:
            raise ServiceError(_("Only a worker's call can be linked to a worker."), field="worker")
        if not in_subtree(hotline, worker.organisation):
            raise ServiceError(_("This worker is not in the hotline's organisation."), field="worker")
    if family_member is not None:
        family_member = FamilyMember.objects.select_related("worker__organisation").get(pk=family_member.pk)
        if caller_kind != CallerKind.FAMILY:
            raise ServiceError(
                _("Only a family member's call can be linked to a family member."), field="family_member"
            )
        if not in_subtree(hotline, family_member.worker.organisation):
            raise ServiceError(_("This family is not in the hotline's organisation."), field="family_member")
    return worker, family_member


def _clean(hotline: Hotline, values: dict[str, Any]) -> dict[str, Any]:
    """Every field of a call checked and normalised (``values`` holds them all)."""
    started_at, ended_at = _check_times(values["started_at"], values["ended_at"])
    channel = _choice(values["channel"], Channel, field="channel", message=_("Choose the channel of the call."))
    caller_kind = _choice(
        values["caller_kind"], CallerKind, field="caller_kind", message=_("Choose who called.")
    )
    gender = _choice(values["gender"] or "", Gender, field="gender", message=_("Choose the caller's gender."))
    age_band = _choice(values["age_band"] or "", AgeBand, field="age_band", message=_("Choose the caller's age."))
    topics = _codes(values["topics"], Topic, field="topics", message=_("Unknown topics: %(codes)s."))
    topic_note = _text(values["topic_note"], field="topic_note", label=_("other topic"), limit=LINE_LIMIT)
    if topic_note and Topic.OTHER not in topics:
        topics = [code for code in Topic.values if code in {*topics, Topic.OTHER}]
    interventions = _codes(
        values["interventions"], Intervention, field="interventions", message=_("Unknown interventions: %(codes)s.")
    )
    technique = _text(values["technique"], field="technique", label=_("technique"), limit=LINE_LIMIT)
    if Intervention.TECHNIQUE in interventions and not technique:
        raise ServiceError(_("Name the technique used."), field="technique")
    if technique and Intervention.TECHNIQUE not in interventions:
        interventions = [code for code in Intervention.values if code in {*interventions, Intervention.TECHNIQUE}]
    risk = _choice(values["risk"], RiskLevel, field="risk", message=_("Choose the risk level."))
    outcome = _choice(values["outcome"], CallOutcome, field="outcome", message=_("Choose the outcome of the call."))
    consent = values["callback_consent"]
    if not isinstance(consent, bool):
        raise ServiceError(_("Say whether the caller agrees to a callback."), field="callback_consent")
    raw_number = str(values["callback_number"] or "").strip()
    if raw_number and not consent:
        raise ServiceError(
            _(
                "The caller's number is kept only with their consent to a callback: tick the consent, or leave the "
                "number out."
            ),
            field="callback_number",
        )
    if consent and not raw_number:
        raise ServiceError(_("Enter the number to call back."), field="callback_number")
    number = callers.normalise(raw_number, field="callback_number") if raw_number else ""
    if outcome == CallOutcome.CALLBACK and not consent:
        raise ServiceError(
            _("A callback needs the caller's consent and the number to call."), field="callback_consent"
        )
    worker, family_member = _check_link(hotline, caller_kind, values["worker"], values["family_member"])
    return {
        "started_at": started_at,
        "ended_at": ended_at,
        "line": _check_line(hotline, values["line"]),
        "channel": channel,
        "caller_kind": caller_kind,
        "worker": worker,
        "family_member": family_member,
        "gender": gender,
        "age_band": age_band,
        "topics": topics,
        "topic_note": topic_note,
        "interventions": interventions,
        "technique": technique,
        "risk": risk,
        "callback_consent": consent,
        "callback_number": number,
        "caller_key": callers.caller_key(number) if number else "",
        "same_counsellor": bool(values["same_counsellor"]),
        "outcome": outcome,
        "notes": _text(values["notes"], field="notes", label=_("notes"), limit=NOTES_LIMIT, multiline=True),
    }


def _serves(hotline: Hotline, user: Any) -> bool:
    return HotlineMember.objects.filter(
        hotline=hotline, user=user, active=True, kind__in=[MemberKind.COUNSELLOR, MemberKind.SUPERVISOR]
    ).exists()


def _counsellor_for(actor: Any, hotline: Hotline, counsellor: Any) -> Any:
    """Who took the call: the actor; the system (the demo, an import) or a supervisor may
    name another counsellor or supervisor of the hotline."""
    if counsellor is None or getattr(counsellor, "pk", None) == getattr(user_of(actor), "pk", None):
        return user_of(actor)
    if not is_system(actor) and not Call.policy.allows(actor, "supervise", Call(hotline=hotline)):
        raise NotAllowed(_("Only a supervisor logs a call on another counsellor's behalf."))
    if not _serves(hotline, counsellor):
        raise ServiceError(_("%(user)s does not serve this hotline.") % {"user": counsellor}, field="counsellor")
    return counsellor


def _snapshot(call: Call) -> dict[str, Any]:
    """What the audit trail keeps of a call: ids, counts and lengths only — never a clinical or
    caller field (risk, topics, caller kind, outcome, line, linked person, number) or its words."""
    return {
        "hotline": call.hotline_id,
        "minutes": call.duration_minutes,
        "notes_chars": len(call.notes or ""),
        "topic_note_chars": len(call.topic_note or ""),
        "technique_chars": len(call.technique or ""),
    }


def audit_name(call: Call) -> str:
    """The call's name in the audit trail: "kind #id", naming no caller."""
    return f"{Call._meta.verbose_name} #{call.pk}"


# --- follow-up: crisis case and callback ---------------------------------------------------


def _follow_up(actor: Any, call: Call) -> None:
    """A call at high or imminent risk opens a crisis case (which, given the number, puts a
    crisis callback in the queue, due now); a callback the caller agreed to goes into the queue
    once per call (merged into the crisis callback when there is one), for the same counsellor
    when the caller asked for them."""
    wants_callback = call.outcome == CallOutcome.CALLBACK and call.callback_consent and bool(call.callback_number)
    if call.risk not in CRISIS_RISKS and not wants_callback:
        return
    from nuanxin.hotline.services import cases as case_services  # area E's, imported when needed

    had_callback = call.callbacks.exists()
    if call.risk in CRISIS_RISKS:
        case_services.open_crisis(
            actor=actor,
            hotline=call.hotline,
            risk=call.risk,
            reason=_("Call marked at %(risk)s risk") % {"risk": str(RiskLevel(call.risk).label).lower()},
            call=call,
            contact_number=call.callback_number,
        )
    if wants_callback and not had_callback:
        case_services.open_callback(
            actor=actor,
            hotline=call.hotline,
            number=call.callback_number,
            due_at=timezone.now() + timedelta(hours=callback_hours()),
            severity=call.risk,
            call=call,
            preferred_counsellor=call.counsellor if call.same_counsellor and call.counsellor else None,
        )


# --- the services --------------------------------------------------------------------------


@transaction.atomic
def record_call(
    *,
    actor: Any,
    hotline: Hotline,
    started_at: datetime,
    ended_at: datetime | None = None,
    line: HotlineLine | int | None = None,
    channel: str = Channel.PHONE,
    caller_kind: str = CallerKind.WORKER,
    worker: Worker | None = None,
    family_member: FamilyMember | None = None,
    gender: str = Gender.UNKNOWN,
    age_band: str = AgeBand.UNKNOWN,
    topics: Iterable[str] = (),
    topic_note: str = "",
    interventions: Iterable[str] = (Intervention.LISTENING,),
    technique: str = "",
    risk: str = RiskLevel.NONE,
    callback_consent: bool = False,
    callback_number: str = "",
    same_counsellor: bool = False,
    outcome: str = CallOutcome.SUPPORTED,
    notes: str = "",
    counsellor: Any = None,
) -> Call:
    """Log a call of ``hotline`` taken by ``actor`` (or, by the system or a supervisor, by
    ``counsellor``). A high or imminent risk opens a crisis case; a callback the caller agreed
    to is put in the queue."""
    hotline = Hotline.objects.select_related("organisation").get(pk=hotline.pk)
    Call.policy.require(actor, "record", Call(hotline=hotline), _("Only a counsellor of this hotline logs its calls."))
    if not hotline.active:
        raise ServiceError(_("This hotline is closed: its calls can no longer be logged."))
    fields = _clean(
        hotline,
        {
            "started_at": started_at,
            "ended_at": ended_at,
            "line": line,
            "channel": channel,
            "caller_kind": caller_kind,
            "worker": worker,
            "family_member": family_member,
            "gender": gender,
            "age_band": age_band,
            "topics": list(topics or []),
            "topic_note": topic_note,
            "interventions": list(interventions or []),
            "technique": technique,
            "risk": risk,
            "callback_consent": callback_consent,
            "callback_number": callback_number,
            "same_counsellor": same_counsellor,
            "outcome": outcome,
            "notes": notes,
        },
    )
    call = Call(
        hotline=hotline,
        counsellor=_counsellor_for(actor, hotline, counsellor),
        created_by=user_of(actor),
        **fields,
    )
    call.save()
    audit.record(
        actor,
        "hotline.call.record",
        obj=call,
        object_repr=audit_name(call),
        organisation=hotline.organisation,
        detail=_snapshot(call),
    )
    _follow_up(actor, call)
    return call


@transaction.atomic
def update_call(*, actor: Any, call: Call, version: int | None, **changes: Any) -> Call:
    """Change a call record. ``version`` is the version the edit started from: someone who
    saved the record since makes it a ``Conflict`` (nothing saved). Raising the risk to high
    or imminent opens the crisis case; arranging a callback puts it in the queue (once)."""
    call = Call.objects.select_for_update().select_related("hotline__organisation").get(pk=call.pk)
    Call.policy.require(actor, "record", call, _("Only a counsellor of this hotline changes its calls."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if call.anonymised_at is not None:
        raise ServiceError(_("This call record has been anonymised and can no longer be changed."))
    versioning.check_version(call, version, text=_CALL_CONFLICT)
    current = {name: getattr(call, name) for name in EDITABLE}
    merged = {**current, **changes}
    if "callback_consent" in changes and not changes["callback_consent"] and "callback_number" not in changes:
        merged["callback_number"] = ""  # consent withdrawn: the number goes with it
    cleaned = _clean(call.hotline, merged)
    changed = [name for name in (*EDITABLE, "caller_key") if getattr(call, name) != cleaned[name]]
    if not changed:
        return call
    for name in changed:
        setattr(call, name, cleaned[name])
    versioning.bump(call)
    call.save()
    audit.record(
        actor,
        "hotline.call.update",
        obj=call,
        object_repr=audit_name(call),
        organisation=call.hotline.organisation,
        detail={
            **_snapshot(call),
            "fields": len([n for n in changed if n != "caller_key"]),
            "version": call.version,
        },
    )
    _follow_up(actor, call)
    return call
