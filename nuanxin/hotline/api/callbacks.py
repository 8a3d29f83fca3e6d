"""The hotline API: the callback queue and the attempts, with the pages' policy (counsellors and
supervisors of the hotline only; union admins, viewers and auditors: 403) and every read
audited (``hotline.callback.read``). A callback of another hotline is the same 404 as a
missing one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Schema, Status

from nuanxin.core import apiutils, idempotency, versioning
from nuanxin.hotline.choices import AttemptResult, Channel
from nuanxin.hotline.models import Callback
from nuanxin.hotline.selectors import cases as selectors
from nuanxin.hotline.services import cases as services

router = apiutils.ScopedRouter(tags=["hotline"])


class QueueStatus(StrEnum):
    ACTIVE = "active"
    DUE = "due"
    CLAIMED = "claimed"
    RETRY = "retry"
    DONE = "done"
    CLOSED = "closed"
    ALL = "all"


class AttemptOut(Schema):
    id: int
    at: datetime
    by: str | None
    channel: str
    result: str
    retry_at: datetime | None
    note: str

    @staticmethod
    def resolve_by(obj: Any) -> str | None:
        return obj.by.get_username() if obj.by_id and obj.by else None


class CallbackOut(Schema):
    id: int
    hotline: int = Field(..., alias="hotline_id")
    status: str
    severity: str = Field(..., description="The self-assessment's band, or 'crisis' (first in the queue).")
    number: str
    due_at: datetime
    retry_at: datetime | None
    next_due: datetime = Field(..., description="When it is next due: the retry time after no answer, else due_at.")
    overdue: bool
    owner: str | None = Field(..., description="The counsellor who claimed it (null: waiting in the queue).")
    preferred_counsellor: str | None = Field(..., description="The counsellor the caller asked for again.")
    crisis: int | None = Field(None, alias="crisis_id")
    assessment: int | None = Field(None, alias="assessment_id")
    call: int | None = Field(None, alias="call_id")
    first_contact_at: datetime | None
    closed_at: datetime | None
    outcome: str
    escalated_at: datetime | None
    last_attempt: AttemptOut | None
    version: int = Field(..., description="Send it back with an attempt so that no change is lost.")

    @staticmethod
    def resolve_next_due(obj: Callback) -> datetime:
        return obj.retry_at or obj.due_at

    @staticmethod
    def resolve_overdue(obj: Callback) -> bool:
        return obj.is_active and (obj.retry_at or obj.due_at) < timezone.now()

    @staticmethod
    def resolve_owner(obj: Callback) -> str | None:
        return obj.owner.get_username() if obj.owner_id and obj.owner else None

    @staticmethod
    def resolve_preferred_counsellor(obj: Callback) -> str | None:
        user = obj.preferred_counsellor
        return user.get_username() if obj.preferred_counsellor_id and user else None

    @staticmethod
    def resolve_last_attempt(obj: Callback) -> Any:
        return obj.attempts.select_related("by").order_by("-at", "-id").first()


class CallbackFilter(Schema):
    hotline: int | None = Field(None, description="A hotline's id (default: every hotline of the token's user).")
    status: QueueStatus = Field(
        QueueStatus.ACTIVE, description="One status, 'active' (due, claimed, retry: the default) or 'all'."
    )
    overdue: bool | None = Field(None, description="Only those past the time they are next due.")


class AttemptIn(Schema):
    result: AttemptResult = Field(
        ..., description="reached → done (note = the outcome, required); no_answer → back in the queue until "
        "retry_at (required, within two weeks); wrong_number and declined → closed."
    )
    note: str = ""
    retry_at: datetime | None = Field(None, description="With no_answer; a time without a zone is Beijing time.")
    channel: Channel = Channel.PHONE
    version: int | None = Field(
        None, description="The version the attempt starts from (or If-Match); 409 if the callback changed since."
    )


def _audit_page(request: Any, items: list[Callback]) -> None:
    selectors.record_callback_reads(request.user, items, page="api")


@router.get(
    "/hotline/callbacks",
    model=Callback,
    action="view",
    response=list[CallbackOut],
    operation_id="list_hotline_callbacks",
    summary="The callback queue",
)
@apiutils.paginate(on_page=_audit_page)
def list_callbacks(request: Any, filters: Query[CallbackFilter]) -> Any:
    """The callbacks of the hotlines the token's user serves or supervises, in queue order:
    overdue first, crisis first, then by the time they are next due. A hotline that is not
    theirs is 404."""
    hotline = None
    if filters.hotline is not None:
        hotline = next((h for h in selectors.record_hotlines(request.user) if h.pk == filters.hotline), None)
        if hotline is None:
            raise Http404
    return selectors.callbacks(
        request.user, hotline=hotline, status=filters.status.value, overdue=bool(filters.overdue)
    )


@router.post(
    "/hotline/callbacks/{callback_id}/attempts",
    model=Callback,
    action="record",
    response={201: CallbackOut},
    operation_id="record_hotline_callback_attempt",
    summary="Record an attempt at a callback",
)
@idempotency.api
def record_attempt(request: Any, callback_id: int, payload: AttemptIn) -> Any:
    """Record one try at a callback (claiming it first when it waits in the queue); returns the
    callback with its new status. A callback another counsellor claimed is theirs (403 unless a
    supervisor of the hotline)."""
    callback = apiutils.get_scoped_or_404(Callback, request, "record", pk=callback_id)
    version = versioning.parse(payload.version) or versioning.parse(request.headers.get("If-Match"))
    retry_at = payload.retry_at
    if retry_at is not None and timezone.is_naive(retry_at):
        retry_at = timezone.make_aware(retry_at)
    services.record_attempt(
        actor=request.user, callback=callback, result=payload.result.value, note=payload.note, retry_at=retry_at,
        channel=payload.channel.value, version=version,
    )
    answer = Callback.objects.select_related("owner", "preferred_counsellor").get(pk=callback.pk)
    selectors.record_callback_reads(request.user, [answer], page="api")
    return Status(201, answer)
