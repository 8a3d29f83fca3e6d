"""Recuperation's API (issue 14 item 8): the batches, a batch's candidates ranked with the
reasons, and the answer to an offer (accept, decline). The same services and scoping as the
pages: bases, programmes and batches are seen by every union administrator; a candidate or an
offer outside the token user's organisations is the same 404 as a missing one (a unit
administrator sees only their own workers among a batch's candidates, with their positions
on the whole list); viewers (figures only) get 403."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
import json
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from ninja import Field, Query, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError

from nuanxin.core import apiutils, idempotency, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.recuperation.choices import BatchStatus, CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate, Offer, Programme
from nuanxin.recuperation.selectors.ranking import Ranked, ranked
from nuanxin.recuperation.services import candidates as services

router = apiutils.ScopedRouter(tags=["recuperation"])

# A place taken: accepted or attended (the same as the pages' "filled"); offered ones are counted apart.
TAKEN_VALUES = [CandidateStatus.ACCEPTED.value, CandidateStatus.ATTENDED.value]


class RecuperationBatchOut(Schema):
    id: int
    programme: int = Field(..., alias="programme_id")
    programme_name: str
    base: int = Field(..., alias="base_id")
    base_name: str
    name: str
    starts_on: date
    ends_on: date
    places: int
    teams: list[str] = Field(description="The frontline teams admitted (TeamType codes); empty: every team.")
    nominations_close_at: datetime | None
    status: str = Field(description="open (taking nominations), closed, finished or cancelled.")
    taken: int = Field(..., alias="nx_taken", description="Places taken: accepted or attended (the page's 已占用).")
    offered: int = Field(..., alias="nx_offered", description="Places offered and awaiting an answer.")
    waiting: int = Field(..., alias="nx_waiting", description="Candidates waiting.")
    candidates: int = Field(..., alias="nx_candidates", description="Candidates in all.")

    @staticmethod
    def resolve_programme_name(obj: Batch) -> str:
        return obj.programme.name

    @staticmethod
    def resolve_base_name(obj: Batch) -> str:
        return obj.base.name


class RecuperationBatchFilter(Schema):
    programme: int | None = Field(None, description="A programme's id.")
    status: BatchStatus | None = Field(None, description="One status.")


class RecuperationOfferOut(Schema):
    id: int
    candidate: int = Field(..., alias="candidate_id")
    batch: int = Field(..., alias="batch_id")
    status: str = Field(description="open (awaiting an answer), accepted, declined, expired or withdrawn.")
    offered_at: datetime
    expires_at: datetime = Field(description="Held until then; afterwards the place passes to the next.")
    responded_at: datetime | None
    reason: str
    replaces: int | None = Field(None, alias="replaces_id", description="The candidate whose place this fills.")
    candidate_status: str
    version: int = Field(description="Send it back with the answer (or If-Match) so that no change is lost.")

    @staticmethod
    def resolve_candidate_status(obj: Offer) -> str:
        return obj.candidate.status


class RecuperationCandidateOut(Schema):
    id: int
    worker: int
    name: str
    organisation: str = Field(description="The worker's unit (organisation code).")
    team: str = Field(description="The worker's frontline team (TeamType code).")
    status: str = Field(description="waiting, offered, accepted, declined, expired, withdrawn, attended, no_show.")
    position: int | None = Field(
        description="Place on the waiting list of the whole batch (1: the next offered); null when not waiting "
        "or not able to take a place."
    )
    eligible: bool
    ineligible_reason: str
    reasons: list[str] = Field(description="One reason per criterion of the programme's rule, in its order.")
    days_deployed: int = Field(description="Days of the completed deployments (a deployment with no return date "
                               "adds none).")
    still_deployed: bool = Field(description="The register shows the person still deployed (a warning only).")
    deciding: str = Field(description="What puts the candidate after the one just ahead on the waiting list.")
    first_time: bool = Field(description="Never attended a recuperation before.")
    applied_at: datetime
    offer: RecuperationOfferOut | None = Field(None, description="The latest offer made to the candidate.")


class RecuperationAcceptIn(Schema):
    version: int | None = Field(None, description="The offer's version read (or If-Match); 409 if it changed since.")


class RecuperationDeclineIn(Schema):
    reason: str = Field("", description="Why (at most 200 characters).")
    version: int | None = Field(None, description="The offer's version read (or If-Match); 409 if it changed since.")


def _batches(request: Any) -> Any:
    return (
        Batch.objects.for_user(request.user, "view")
        .select_related("programme", "base")
        .annotate(
            nx_taken=Count("candidates", filter=Q(candidates__status__in=TAKEN_VALUES)),
            nx_offered=Count("candidates", filter=Q(candidates__status=CandidateStatus.OFFERED)),
            nx_waiting=Count("candidates", filter=Q(candidates__status=CandidateStatus.WAITING)),
            nx_candidates=Count("candidates"),
        )
        .order_by("starts_on", "id")
    )


@router.get(
    "/recuperation/batches",
    model=Batch,
    action="view",
    response=list[RecuperationBatchOut],
    operation_id="list_recuperation_batches",
    summary="Recuperation batches, with their places taken, offered and candidates waiting",
)
@apiutils.paginate
def list_batches(request: Any, filters: Query[RecuperationBatchFilter]) -> Any:
    """Every batch, by start date; ``programme`` (an id: 404 when unknown) and ``status``
    narrow them."""
    qs = _batches(request)
    if filters.programme is not None:
        programme = apiutils.get_scoped_or_404(Programme, request, "view", pk=filters.programme)
        qs = qs.filter(programme=programme)
    if filters.status is not None:
        qs = qs.filter(status=filters.status.value)
    return qs


def _candidate_row(row: Ranked, offers: dict[int, Offer]) -> dict:
    c = row.candidate
    return {
        "id": c.pk,
        "worker": c.worker_id,
        "name": c.worker.name,
        "organisation": c.worker.organisation.code,
        "team": c.worker.team,
        "status": c.status,
        "position": row.position,
        "eligible": row.eligible,
        "ineligible_reason": row.ineligible_reason,
        "reasons": row.reasons,
        "days_deployed": row.days_deployed,
        "still_deployed": row.still_deployed,
        "deciding": row.deciding,
        "first_time": row.first_time,
        "applied_at": c.applied_at,
        "offer": offers.get(c.pk),
    }


@router.get(
    "/recuperation/batches/{batch_id}/candidates",
    model=Candidate,
    action="view",
    response=list[RecuperationCandidateOut],
    operation_id="list_recuperation_candidates",
    summary="A batch's candidates in the order of the programme's rule, with the reasons",
)
@apiutils.paginate
def list_candidates(request: Any, batch_id: int) -> Any:
    """The candidates of a batch the token user may see (a unit administrator: their own
    workers), in the ranking's order: those holding a place, then the waiting list by
    position, then the waiting who cannot take a place, then the rest. Positions are those of
    the whole batch. Each row says why (one reason per criterion of the rule)."""
    batch = apiutils.get_scoped_or_404(Batch.objects.select_related("programme"), request, "view", pk=batch_id)
    visible = set(Candidate.objects.for_user(request.user, "view").filter(batch=batch).values_list("pk", flat=True))
    rows = [r for r in ranked(batch) if r.candidate.pk in visible]
    offers: dict[int, Offer] = {}
    made = Offer.objects.filter(candidate_id__in=visible).select_related("candidate").order_by("offered_at", "id")
    for offer in made:
        offers[offer.candidate_id] = offer  # the latest wins
    return [_candidate_row(r, offers) for r in rows]


def _offer(request: Any, offer_id: int) -> Offer:
    return apiutils.get_scoped_or_404(Offer.objects.select_related("candidate", "batch"), request, "view", pk=offer_id)


def _version(request: Any, given: int | None) -> int | None:
    version = versioning.parse(given)
    if version is None:
        version = versioning.parse(request.headers.get("If-Match"))
    return version


def _json_body(request: Any) -> Any:
    """The operation's optional JSON body, parsed (None when there is none): read here rather
    than by ninja, so that no body is fine. Not JSON (a form, multipart): 400 saying so, as every
    operation reading JSON answers."""
    raw = request.body
    if not raw or not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ServiceError(apiutils.body_not_json_message(request)) from None


def _validated(data: Any, schema: type[Schema]) -> Any:
    """``data`` read as ``schema`` (None stays None): after the scope and permission checks
    (404, 403 first); a bad value is 422 with the field, as ninja's own answers."""
    if data is None:
        return None
    try:
        return schema.model_validate(data)
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{**e, "loc": ("body", "payload", *e.get("loc", ()))} for e in exc.errors()]
        ) from None


def _body_doc(schema: type[Schema]) -> dict:
    """The OpenAPI description of an optional JSON body of ``schema``."""
    return {"requestBody": {"required": False, "content": {"application/json": {
        "schema": schema.model_json_schema()}}}}


def _answered(offer: Offer) -> Offer:
    found = Offer.objects.select_related("candidate").filter(pk=offer.pk).first()
    if found is None:  # pragma: no cover - an offer is never deleted
        raise Http404
    return found


@router.post(
    "/recuperation/offers/{offer_id}/accept",
    model=Offer,
    action="respond",
    response={200: RecuperationOfferOut, 409: apiutils.ErrorOut},
    operation_id="accept_recuperation_offer",
    summary="Accept a place offered (for the person, by their unit union)",
    openapi_extra=_body_doc(RecuperationAcceptIn),
)
@idempotency.api
def accept_offer(request: Any, offer_id: int) -> Any:
    """The person takes the place: an offer awaiting an answer and not past its time (else
    400). The body is optional (none: no version check). An offer outside the user's
    organisations is a 404 (a user who may not answer offers: 403), answered before anything
    about the body; an answer from an older version 409."""
    data = _json_body(request)
    offer = _offer(request, offer_id)
    payload = _validated(data, RecuperationAcceptIn)
    given = payload.version if payload is not None else None
    services.accept(actor=request.user, offer=offer, version=_version(request, given))
    return _answered(offer)


@router.post(
    "/recuperation/offers/{offer_id}/decline",
    model=Offer,
    action="respond",
    response={200: RecuperationOfferOut, 409: apiutils.ErrorOut},
    operation_id="decline_recuperation_offer",
    summary="Decline a place offered: it passes at once to the next on the waiting list",
    openapi_extra=_body_doc(RecuperationDeclineIn),
)
@idempotency.api
def decline_offer(request: Any, offer_id: int) -> Any:
    """The person does not take the place; it is offered at once to the next candidate
    waiting. Same rules as accept; the body is optional (none: no reason, no version check)."""
    data = _json_body(request)
    offer = _offer(request, offer_id)
    payload = _validated(data, RecuperationDeclineIn)
    reason = payload.reason if payload is not None else ""
    given = payload.version if payload is not None else None
    services.decline(actor=request.user, offer=offer, reason=reason, version=_version(request, given))
    return _answered(offer)


