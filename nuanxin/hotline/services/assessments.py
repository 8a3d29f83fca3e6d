"""Taking a screening scale (``scales/``): on the public self-assessment page, during a call or
through the API.

``take`` scores the answers with the scale's published rules and stores the result with the
hotline. The person's mobile (and its ``caller_key``) and the time of consent are kept only
with their explicit, separate consent to be called back (PIPL art. 29); without it nothing
identifying is stored. A crisis answer (PHQ-9 item 9 above 0) opens a crisis case
(``services.cases.open_crisis``: the supervisors are told at once; with a number, a callback
due now); a result at or above the cut-off, or a request to be called, with a number, puts a
callback in the hotline's queue, due by severity (``NUANXIN_HOTLINE_CALLBACK_HOURS``).

The audit row names the record ("测评 #12"), its source, the call's id and whether consent was
given, never the scale, the answers, the score, the band or the number: those are the
psychological record itself, which administrators, viewers and auditors may not read (they see
aggregates only). Public, anonymous self-assessments are recorded without the client's address
(``views.assessments`` runs them under a context without one).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import user_of
from nuanxin.hotline import callers, scales
from nuanxin.hotline.choices import AssessmentSource, CallbackStatus, RiskLevel
from nuanxin.hotline.models import Assessment, Call, Callback, CrisisCase, Hotline

# How soon a callback is due, in hours, by priority: a crisis answer at once, then by the
# band's "callback" priority (scales/*.json); someone who asks to be called back without
# reaching the cut-off is "mild". NUANXIN_HOTLINE_CALLBACK_HOURS overrides any of them.
DEFAULT_CALLBACK_HOURS: dict[str, float] = {"crisis": 0, "severe": 24, "moderate": 72, "mild": 120}
CRISIS = "crisis"
ASKED = "mild"


def callback_hours() -> dict[str, float]:
    """The hours by priority, the setting's values over the defaults."""
    configured = getattr(settings, "NUANXIN_HOTLINE_CALLBACK_HOURS", None) or {}
    return {**DEFAULT_CALLBACK_HOURS, **{str(k): float(v) for k, v in dict(configured).items()}}


def callback_due(priority: str, *, now=None) -> Any:
    """When a callback of ``priority`` ("crisis", "severe", "moderate", "mild") is due."""
    hours = callback_hours()
    return (now or timezone.now()) + timedelta(hours=hours.get(priority, hours[ASKED]))


def scale_or_error(code: Any) -> scales.Scale:
    """The scale of ``code``, or a ``ServiceError`` on the field "scale"."""
    try:
        return scales.get(str(code or "").strip())
    except KeyError:
        known = ", ".join(s.code for s in scales.all())
        raise ServiceError(
            _("There is no scale “%(code)s”: choose one of %(known)s.")
            % {"code": str(code or "")[:20], "known": known},
            field="scale",
        ) from None


@transaction.atomic
def take(
    *,
    actor,
    scale: str,
    answers: list[int],
    hotline: Hotline | None = None,
    source: str,
    call: Call | None = None,
    mobile: str = "",
    consent: bool = False,
) -> Assessment:
    """Score ``answers`` on ``scale`` and store the result with ``hotline`` (the call's hotline
    when a call is given). ``mobile`` is kept, with its caller key and the time of consent, only
    when ``consent`` is true; a mobile without consent, or consent without a mobile, is refused.
    Opens the crisis case and the callback the result calls for (see the module's doc)."""
    the_scale = scale_or_error(scale)
    if source not in AssessmentSource.values:
        raise ServiceError(_("Choose where the assessment was taken."), field="source")
    if call is not None:
        if hotline is None:
            hotline = call.hotline
        elif call.hotline_id != hotline.pk:
            raise ServiceError(_("The call belongs to another hotline."), field="call")
    if source == AssessmentSource.PUBLIC and hotline is None:
        raise ServiceError(_("Name the hotline of the self-assessment."), field="hotline")
    if (
        hotline is not None
        and source == AssessmentSource.PUBLIC
        and not (hotline.active and hotline.self_assessment_open)
    ):
        raise ServiceError(_("This hotline's self-assessment is closed."), field="hotline")
    row = Assessment(hotline=hotline, scale=the_scale.code, source=source, call=call, created_by=user_of(actor))
    Assessment.policy.require(
        actor, "record", row, _("Only a counsellor or supervisor of the hotline records an assessment.")
    )
    try:
        result = the_scale.score(answers)
    except scales.ScaleError as exc:
        raise ServiceError(exc.message, field="answers") from None

    number = ""
    mobile = (mobile or "").strip()
    if mobile and not consent:
        raise ServiceError(
            _(
                "We keep a number only with your consent: tick the box to agree to be called back, "
                "or leave the number empty."
            ),
            field="consent",
        )
    if consent:
        if not mobile:
            raise ServiceError(_("Enter the mobile number to call back."), field="mobile")
        number = callers.normalise(mobile, field="mobile")

    row.answers = [int(a) for a in the_scale.check(answers)]
    row.score = result.score
    row.standard_score = result.standard_score
    row.band = result.band
    row.flagged = result.flagged
    row.crisis = result.crisis
    row.callback_consent = bool(consent)
    row.consented_at = timezone.now() if consent else None
    row.mobile = number
    row.caller_key = callers.caller_key(number) if number else ""
    row.save()
    organisation = hotline.organisation if hotline is not None else None
    audit.record(
        actor,
        "hotline.assessment.take",
        obj=row,
        organisation=organisation,
        detail={
            "source": source,
            "hotline": hotline.pk if hotline is not None else None,
            "call": call.pk if call is not None else None,
            "callback_consent": bool(consent),
        },
    )
    if hotline is not None:
        _follow_up(actor, row, the_scale, hotline=hotline, call=call, number=number)
    return row


def _follow_up(
    actor, row: Assessment, scale: scales.Scale, *, hotline: Hotline, call: Call | None, number: str
) -> None:
    """The crisis case and the callback a result calls for."""
    from nuanxin.hotline.services import cases  # area E's services (the callback queue, crises)

    result = scale.score(row.answers)
    if result.crisis:
        with translation.override(settings.LANGUAGE_CODE):  # the record's words: the hotline's language
            reason = "; ".join(str(r) for r in result.crisis_reasons)[:200]
        # open_crisis opens the callback due now itself when it is given a number (and, asked
        # again for the same assessment, adds the callback to the case it opened before).
        cases.open_crisis(
            actor=actor,
            hotline=hotline,
            risk=RiskLevel.HIGH,
            reason=reason,
            call=call,
            assessment=row,
            contact_number=number,
        )
        return
    if not number:
        return  # nobody to call back: the result page invites the person to call the hotline
    priority = scale.band(result.band).callback if result.flagged else ASKED
    cases.open_callback(
        actor=actor,
        hotline=hotline,
        number=number,
        due_at=callback_due(priority),
        severity=result.band,
        assessment=row,
        call=call,
    )


@transaction.atomic
def request_callback(*, actor, assessment: Assessment, mobile: str, consent: bool) -> Assessment:
    """The person who took ``assessment`` asks to be called back after seeing the result: with
    their explicit consent, their mobile is kept (with its caller key and the time of consent)
    and the callback is queued, due by the result's severity (a crisis answer: at once). Asked
    once per assessment."""
    Assessment.policy.require(
        actor, "record", assessment, _("Only a counsellor or supervisor of the hotline records an assessment.")
    )
    row = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("hotline__organisation", "call")
        .get(pk=assessment.pk)
    )
    if row.hotline is None:
        raise ServiceError(_("This assessment belongs to no hotline: nobody could call back."), field="mobile")
    if row.callback_consent or row.mobile:
        raise ServiceError(_("A callback has already been asked for."), field="mobile")
    if not consent:
        raise ServiceError(
            _("Tick the box to agree that the hotline keeps your number and calls you back."), field="consent"
        )
    if not (mobile or "").strip():
        raise ServiceError(_("Enter the mobile number to call back."), field="mobile")
    number = callers.normalise(mobile, field="mobile")
    row.callback_consent = True
    row.consented_at = timezone.now()
    row.mobile = number
    row.caller_key = callers.caller_key(number)
    row.save(update_fields=["callback_consent", "consented_at", "mobile", "caller_key"])
    audit.record(
        actor,
        "hotline.assessment.callback",
        obj=row,
        organisation=row.hotline.organisation,
        detail={"hotline": row.hotline_id, "callback_consent": True},
    )
    _follow_up(actor, row, scales.get(row.scale), hotline=row.hotline, call=row.call, number=number)
    return row


def untouched_callbacks(assessment: Assessment) -> list[Callback]:
    """The assessment's callbacks still waiting in the queue as they were opened: due, nobody
    has claimed them and nobody has tried to call yet."""
    return list(
        Callback.objects.select_for_update(of=("self",))
        .filter(assessment=assessment, status=CallbackStatus.DUE, owner__isnull=True, attempts__isnull=True)
        .order_by("pk")
    )


@transaction.atomic
def change_callback_number(*, actor, assessment: Assessment, mobile: str) -> Assessment:
    """The person who asked for a callback gives another mobile (the same result page, the form
    sent again): while the callback is untouched (due, unclaimed, not yet tried) the new number
    replaces the old one on the callback and on the assessment (with its caller key). Once a
    counsellor has taken it up, the number is no longer changed here: the message says to call
    the hotline. The same number again changes nothing. A crisis case opened by the same answers
    gets the new contact number as well."""
    Assessment.policy.require(
        actor, "record", assessment, _("Only a counsellor or supervisor of the hotline records an assessment.")
    )
    row = (
        Assessment.objects.select_for_update(of=("self",)).select_related("hotline__organisation").get(pk=assessment.pk)
    )
    if not row.callback_consent or row.hotline is None:
        raise ServiceError(_("No callback has been asked for yet."), field="mobile")
    number = callers.normalise(mobile, field="mobile")
    if number == row.mobile:
        return row
    waiting = untouched_callbacks(row)
    if not waiting:
        raise ServiceError(
            _(
                "Your callback request was already recorded with the number you left first, and a counsellor "
                "has taken it up: to change the number, please call the hotline."
            ),
            field="mobile",
        )
    key = callers.caller_key(number)
    Callback.objects.filter(pk__in=[c.pk for c in waiting]).update(number=number, caller_key=key)
    # The crisis case opened by the same answers names the number to contact: the new one too.
    CrisisCase.objects.filter(assessment=row, contact_number=row.mobile).update(contact_number=number)
    row.mobile = number
    row.caller_key = key
    row.save(update_fields=["mobile", "caller_key"])
    audit.record(
        actor,
        "hotline.assessment.number_changed",
        obj=row,
        organisation=row.hotline.organisation,
        detail={"hotline": row.hotline_id, "callbacks": len(waiting)},
    )
    return row
