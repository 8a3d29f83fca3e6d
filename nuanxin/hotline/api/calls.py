"""The hotline API: call records, with the pages' policy (counsellors and supervisors of the
hotline only; union admins, viewers and auditors: 403) and every read audited. A call of
another hotline is the same 404 as a missing one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.hotline.choices import AgeBand, CallerKind, CallOutcome, Channel, Gender, Intervention, RiskLevel, Topic
from nuanxin.hotline.models import Call, Hotline
from nuanxin.hotline.selectors import calls as selectors
from nuanxin.hotline.services import calls as services
from nuanxin.registry.models import Worker

router = apiutils.ScopedRouter(tags=["hotline"])


class LinkedOut(Schema):
    kind: str  # "worker" or "family"
    name: str
    unit: str  # the unit's organisation code


class CallOut(Schema):
    id: int
    hotline: int = Field(..., alias="hotline_id")
    line: int | None = Field(None, alias="line_id")
    counsellor: str | None
    started_at: datetime
    ended_at: datetime | None
    minutes: int | None
    channel: str
    caller_kind: str
    linked: LinkedOut | None
    gender: str
    age_band: str
    topics: list[str]
    topic_note: str
    interventions: list[str]
    technique: str
    risk: str
    callback_consent: bool
    callback_number: str
    same_counsellor: bool
    outcome: str
    notes: str
    version: int
    created_at: datetime

    @staticmethod
    def resolve_counsellor(obj: Call) -> str | None:
        return obj.counsellor.get_username() if obj.counsellor_id and obj.counsellor else None

    @staticmethod
    def resolve_minutes(obj: Call) -> int | None:
        return obj.duration_minutes

    @staticmethod
    def resolve_linked(obj: Call) -> dict | None:
        if obj.worker_id and obj.worker is not None:
            return {"kind": "worker", "name": obj.worker.name, "unit": obj.worker.organisation.code}
        if obj.family_member_id and obj.family_member is not None:
            member = obj.family_member
            return {"kind": "family", "name": member.name, "unit": member.worker.organisation.code}
        return None


class CallFilter(Schema):
    hotline: int | None = Field(None, description="A hotline's id (default: all of the token's hotlines).")
    from_: date | None = Field(None, alias="from", description="First day (local), e.g. 2026-03-01.")
    to: date | None = Field(None, description="Last day (local), included.")
    risk: RiskLevel | None = None


class CallIn(Schema):
    hotline: int
    started_at: datetime | None = Field(
        None,
        description="When the call started. Leave it out for a call that just ended (counted back from now by its "
        "minutes, as the page does) or one that starts now.",
    )
    ended_at: datetime | None = Field(None, description="Empty while the call goes on; or give minutes.")
    minutes: int | None = Field(
        None,
        ge=0,
        le=services.MAX_CALL_HOURS * 60,
        description="The call's length in minutes: the end is started_at + minutes (without started_at: the call "
        "ended now). Not together with ended_at.",
    )
    line: int | None = Field(None, description="One of the hotline's lines.")
    channel: Channel = Channel.PHONE
    caller_kind: CallerKind = CallerKind.WORKER
    link_mobile: str = Field(
        "",
        description="With the caller's agreement: the mobile they are registered with (a worker, or a family member "
        "for caller_kind 'family') in the hotline organisation's subtree; the call is linked to that one person.",
    )
    gender: Gender = Gender.UNKNOWN
    age_band: AgeBand = AgeBand.UNKNOWN
    topics: list[Topic] = []
    topic_note: str = ""
    interventions: list[Intervention] = [Intervention.LISTENING]
    technique: str = ""
    risk: RiskLevel = RiskLevel.NONE
    callback_consent: bool = False
    callback_number: str = Field("", description="Kept only with callback_consent.")
    same_counsellor: bool = False
    outcome: CallOutcome = CallOutcome.SUPPORTED
    notes: str = ""


def _times(payload: CallIn) -> tuple[datetime, datetime | None]:
    """The start and the end from ``started_at``, ``ended_at`` and ``minutes``, as the page
    counts them: without a start, the call ended now after its minutes (or starts now)."""
    if payload.minutes is not None and payload.ended_at is not None:
        raise ServiceError(_("Give the end of the call or its minutes, not both."), field="minutes")
    if payload.started_at is None:
        if payload.ended_at is not None:
            raise ServiceError(_("Give the start of the call with its end."), field="started_at")
        now = timezone.now().replace(second=0, microsecond=0)
        start = now - timedelta(minutes=payload.minutes or 0)
        return start, (now if payload.minutes is not None else None)
    if payload.minutes is not None:
        return payload.started_at, payload.started_at + timedelta(minutes=payload.minutes)
    return payload.started_at, payload.ended_at


def _with_relations():
    return Call.objects.select_related(
        "counsellor", "worker__organisation", "family_member__worker__organisation", "hotline__organisation"
    )


def _audit_page(request, items) -> None:
    selectors.record_reads(request.user, items, page="api")


@router.get(
    "/hotline/calls",
    model=Call,
    action="view",
    response=list[CallOut],
    operation_id="list_hotline_calls",
    summary="Call records",
)
@apiutils.paginate(on_page=_audit_page)
def list_calls(request, filters: Query[CallFilter]):
    """The call records of the token's hotlines, newest first; every record answered is
    audited as read."""
    hotline = None
    if filters.hotline is not None:
        mine = [h.pk for h in selectors.recordable_hotlines(request.user, "view")]
        hotline = get_object_or_404(Hotline.objects.filter(pk__in=mine), pk=filters.hotline)
    qs = selectors.calls(
        request.user,
        hotline=hotline,
        start=filters.from_,
        end=filters.to,
        risk=filters.risk.value if filters.risk else None,
    )
    return qs.select_related("worker__organisation", "family_member__worker__organisation")


@router.get(
    "/hotline/calls/{call_id}",
    model=Call,
    action="view",
    response=CallOut,
    operation_id="get_hotline_call",
    summary="A call record",
)
def get_call(request, call_id: int):
    """One call record (audited as read)."""
    call = apiutils.get_scoped_or_404(_with_relations(), request, "view", pk=call_id)
    selectors.record_reads(request.user, [call], page="api")
    return call


@router.post(
    "/hotline/calls",
    model=Call,
    action="record",
    response={201: CallOut},
    operation_id="create_hotline_call",
    summary="Log a call",
)
@idempotency.api
def create_call(request, payload: CallIn):
    """Log a call of one of the token's hotlines (same checks and messages as the page). A
    high or imminent risk opens a crisis case; outcome "callback" with consent and a number
    puts a callback in the queue."""
    hotline = next((h for h in selectors.recordable_hotlines(request.user) if h.pk == payload.hotline), None)
    if hotline is None:
        raise Http404
    started_at, ended_at = _times(payload)
    link: dict = {}
    if payload.link_mobile.strip():
        person = selectors.find_registered(request.user, hotline, payload.link_mobile, payload.caller_kind.value)
        if person is None:
            raise ServiceError(
                _("No one in the register of this hotline's organisation has this mobile."), field="link_mobile"
            )
        link = {"worker": person} if isinstance(person, Worker) else {"family_member": person}
    call = services.record_call(
        actor=request.user,
        hotline=hotline,
        started_at=started_at,
        ended_at=ended_at,
        line=payload.line,
        channel=payload.channel.value,
        caller_kind=payload.caller_kind.value,
        gender=payload.gender.value,
        age_band=payload.age_band.value,
        topics=[t.value for t in payload.topics],
        topic_note=payload.topic_note,
        interventions=[i.value for i in payload.interventions],
        technique=payload.technique,
        risk=payload.risk.value,
        callback_consent=payload.callback_consent,
        callback_number=payload.callback_number,
        same_counsellor=payload.same_counsellor,
        outcome=payload.outcome.value,
        notes=payload.notes,
        **link,
    )
    return Status(201, _with_relations().get(pk=call.pk))

