"""Recuperation's API (issue 14 item 8): the batches, a batch's candidates ranked with the
reasons, and the answer to an offer (accept, decline). The same services and scoping as the
pages: bases, programmes and batches are seen by every union administrator; a candidate or an
offer outside the token user's organisations is the same 404 as a missing one (a unit
administrator sees only their own workers among a batch's candidates, with their positions
on the whole list); viewers (figures only) get 403."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from ninja import Field, Query, Schema

from nuanxin.core import apiutils, idempotency, versioning
from nuanxin.recuperation.choices import HOLDING, BatchStatus, CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate, Offer, Programme
from nuanxin.recuperation.selectors.ranking import Ranked, ranked
from nuanxin.recuperation.services import candidates as services

router = apiutils.ScopedRouter(tags=["recuperation"])

HOLDING_VALUES = [s.value for s in HOLDING]


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
    taken: int = Field(..., alias="nx_taken", description="Places offered, accepted or attended.")
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
    days_deployed: int
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
            nx_taken=Count("candidates", filter=Q(candidates__status__in=HOLDING_VALUES)),
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
    summary="Recuperation batches, with their places taken and candidates waiting",
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
)
@idempotency.api
def accept_offer(request: Any, offer_id: int, payload: RecuperationAcceptIn) -> Any:
    """The person takes the place: an offer awaiting an answer and not past its time (else
    400). An offer outside the user's organisations is a 404; an answer from an older version
    409."""
    offer = _offer(request, offer_id)
    services.accept(actor=request.user, offer=offer, version=_version(request, payload.version))
    return _answered(offer)


@router.post(
    "/recuperation/offers/{offer_id}/decline",
    model=Offer,
    action="respond",
    response={200: RecuperationOfferOut, 409: apiutils.ErrorOut},
    operation_id="decline_recuperation_offer",
    summary="Decline a place offered: it passes at once to the next on the waiting list",
)
@idempotency.api
def decline_offer(request: Any, offer_id: int, payload: RecuperationDeclineIn) -> Any:
    """The person does not take the place; it is offered at once to the next candidate
    waiting. Same rules as accept."""
    offer = _offer(request, offer_id)
    services.decline(
        actor=request.user, offer=offer, reason=payload.reason, version=_version(request, payload.version)
    )
    return _answered(offer)


