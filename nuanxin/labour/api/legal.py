"""The labour-protection green channel: the legal API operations. The same services and scoping
as the pages: a case outside the token user's organisations is the same 404 as a missing one;
a care contact reaches only the families assigned to them and may open (refer) a case."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.care.models import Difficulty, Visit
from nuanxin.care.pages import parse_id
from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import Urgency
from nuanxin.core import apiutils, idempotency, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.labour.choices import Claimant, DisputeKind, LegalOutcome, LegalStatus
from nuanxin.labour.models import LegalCase
from nuanxin.labour.selectors import legal as selectors
from nuanxin.labour.services import lawyers as lawyer_services
from nuanxin.labour.services import legal as services
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import FamilyMember, Worker

router = apiutils.ScopedRouter(tags=["labour"])


class LabourLegalCaseOut(Schema):
    id: int
    worker: int = Field(..., alias="worker_id")
    worker_name: str
    organisation: str = Field(description="The worker's unit (organisation code).")
    claimant: str = Field(description="worker or family.")
    family_member: int | None = Field(None, alias="family_member_id")
    kind: str
    other_party: str
    facts: str
    infringed_on: date
    arbitration_deadline: date = Field(description="infringed_on + 365 days: apply for arbitration by then.")
    days_left: int = Field(description="Days to the arbitration deadline (negative when passed).")
    limit_state: str = Field(description="ok, near (60 days or fewer), passed, or reached (arbitration applied).")
    status: str = Field(description="consultation, mediation, arbitration, litigation or closed.")
    urgency: str
    owner: str | None
    lawyer: int | None = Field(None, alias="lawyer_id")
    lawyer_name: str | None
    due_on: date | None
    mediation_at: datetime | None
    arbitration_at: datetime | None
    litigation_at: datetime | None
    closed_at: datetime | None
    outcome: str = Field(description="When closed: won, partly, settled, lost or withdrawn; '' otherwise.")
    amount_recovered: Decimal | None
    visit: int | None = Field(None, alias="visit_id")
    difficulty: int | None = Field(None, alias="difficulty_id")
    created_at: datetime
    version: int = Field(description="Send it back with a transition (or If-Match) so that no change is lost.")

    @staticmethod
    def resolve_worker_name(obj: LegalCase) -> str:
        return obj.worker.name

    @staticmethod
    def resolve_organisation(obj: LegalCase) -> str:
        return obj.worker.organisation.code

    @staticmethod
    def resolve_owner(obj: LegalCase) -> str | None:
        return obj.owner.get_username() if obj.owner is not None else None

    @staticmethod
    def resolve_lawyer_name(obj: LegalCase) -> str | None:
        return obj.lawyer.name if obj.lawyer is not None else None

    @staticmethod
    def resolve_days_left(obj: LegalCase) -> int:
        return services.limit_of(obj).days_left

    @staticmethod
    def resolve_limit_state(obj: LegalCase) -> str:
        return services.limit_of(obj).state


class LabourLegalFilter(Schema):
    status: LegalStatus | None = Field(None, description="One step.")
    kind: DisputeKind | None = None
    near_limit: bool | None = Field(None, description="true: not at arbitration yet and 60 days or fewer left.")
    org: str | None = Field(None, description="An organisation's code: cases of workers of its subtree.")


class LabourLegalCaseIn(Schema):
    worker: int
    claimant: Claimant = Claimant.WORKER
    family_member: int | None = Field(None, description="The family member whose dispute it is (claimant=family).")
    kind: DisputeKind
    other_party: str = Field(max_length=1000)
    facts: str = Field(max_length=20000)
    infringed_on: date = Field(description="The day the right was infringed (not after today).")
    urgency: Urgency = Urgency.NORMAL
    lawyer: int | None = Field(
        None, description="A lawyer of the unit or above, below capacity (labour-rights officers and administrators)."
    )
    visit: int | None = None
    difficulty: int | None = None


class LabourLegalTransitionIn(Schema):
    to: LegalStatus
    note: str = Field("", max_length=20000)
    outcome: LegalOutcome | None = Field(None, description="Required to close.")
    amount_recovered: Decimal | None = Field(None, description="Required to close: yuan, from 0, two decimals.")
    version: int | None = Field(None, description="The version read (or If-Match); 409 if the case changed since.")


def _out(case: LegalCase) -> LegalCase:
    return LegalCase.objects.select_related("worker__organisation", "owner", "lawyer").get(pk=case.pk)


@router.get(
    "/labour/legal-cases",
    model=LegalCase,
    action="view",
    response=list[LabourLegalCaseOut],
    operation_id="list_labour_legal_cases",
    summary="Legal-aid cases (of the token user's organisations)",
)
@apiutils.paginate
def list_legal_cases(request: Any, filters: Query[LabourLegalFilter]) -> Any:
    """Open cases first, the nearest arbitration time limit first. ``org`` picks a subtree (an
    unknown code is a 404; one outside the scope gives an empty list)."""
    org = None
    if filters.org:
        org = Organisation.objects.filter(code=filters.org).first()
        if org is None:
            raise Http404
    return selectors.legal_cases(
        request.user,
        org=org,
        status=filters.status.value if filters.status else None,
        kind=filters.kind.value if filters.kind else None,
        near_limit=bool(filters.near_limit),
    )


def _source(request: Any, model: Any, worker: Worker, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(worker=worker, pk=parse_id(pk) or 0).first()  # the worker is checked: its own only
    if found is None:
        raise ServiceError(_("Unknown %(what)s.") % {"what": model._meta.verbose_name}, field=field)
    return found


@router.post(
    "/labour/legal-cases",
    model=LegalCase,
    action="refer",
    response={201: LabourLegalCaseOut},
    operation_id="create_labour_legal_case",
    summary="Open a legal-aid case",
)
@idempotency.api
def create_legal_case(request: Any, payload: LabourLegalCaseIn) -> Any:
    """Open a case for a worker's family: the worker's own dispute or a family member's. A care
    contact refers one for a family assigned to them (no lawyer); officers and administrators may
    name the lawyer (400 when at capacity)."""
    # Scoped by the case's policy: a worker the user may open no case for is the same 404 as none.
    worker = Worker.objects.select_related("organisation").filter(pk=parse_id(payload.worker) or 0).first()
    if worker is None or not cases.may_open(request.user, LegalCase, worker):
        raise Http404
    member = None
    if payload.family_member is not None:
        member = FamilyMember.objects.filter(worker=worker, pk=parse_id(payload.family_member) or 0).first()
        if member is None:
            raise ServiceError(_("This person is not of the worker's family."), field="family_member")
    lawyer = None
    if payload.lawyer is not None:
        lawyer = next((lw for lw in lawyer_services.candidates(worker.organisation) if lw.pk == payload.lawyer), None)
        if lawyer is None:
            raise ServiceError(_("Unknown lawyer for this unit."), field="lawyer")
    case = services.open_legal_case(
        actor=request.user,
        worker=worker,
        claimant=payload.claimant.value,
        family_member=member,
        kind=payload.kind.value,
        other_party=payload.other_party,
        facts=payload.facts,
        infringed_on=payload.infringed_on,
        urgency=payload.urgency.value,
        lawyer=lawyer,
        visit=_source(request, Visit, worker, payload.visit, "visit"),
        difficulty=_source(request, Difficulty, worker, payload.difficulty, "difficulty"),
    )
    return Status(201, _out(case))


@router.post(
    "/labour/legal-cases/{case_id}/transitions",
    model=LegalCase,
    action="change",
    response={200: LabourLegalCaseOut, 409: apiutils.ErrorOut},
    operation_id="transition_labour_legal_case",
    summary="Move a legal-aid case to another step, or close it with its outcome",
)
def transition_legal_case(request: Any, case_id: int, payload: LabourLegalTransitionIn) -> Any:
    """consultation → mediation → arbitration → litigation (steps may be skipped) → closed
    (``outcome`` and ``amount_recovered`` required); closed → consultation reopens it (``note``
    says why). An impossible step is a 400; a case changed since ``version`` a 409."""
    case = apiutils.get_scoped_or_404(
        LegalCase.objects.select_related("worker__organisation", "lawyer"), request, "change", pk=case_id
    )
    version = versioning.parse(payload.version)
    if version is None:
        version = versioning.parse(request.headers.get("If-Match"))
    case = services.change_legal_status(
        actor=request.user,
        case=case,
        to=payload.to.value,
        note=payload.note,
        version=version,
        outcome=payload.outcome.value if payload.outcome else None,
        amount_recovered=payload.amount_recovered,
    )
    return _out(case)
