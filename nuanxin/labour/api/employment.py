"""The labour-protection green channel: the employment API operations.

``GET /labour/employment-cases``: the employment cases of the token user's scope (a care
contact: of the families assigned to them), with their referrals. ``POST
/labour/employment-cases``: open employment help for a worker's family member (the same service
and checks as the page: ``services.employment.open_employment``)."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date, datetime
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.care.models import Difficulty, Visit
from nuanxin.cases.lifecycle import Urgency
from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.labour.choices import EmploymentStatus
from nuanxin.labour.models import EmploymentCase
from nuanxin.labour.selectors import employment as selectors
from nuanxin.labour.selectors import workers as find_workers
from nuanxin.labour.services import employment as services
from nuanxin.registry.models import FamilyMember, Worker

router = apiutils.ScopedRouter(tags=["labour"])


class LabourEmploymentReferralOut(Schema):
    id: int
    lead: int = Field(..., alias="lead_id")
    job: str = Field(description="The lead's job.")
    employer: str = Field(description="The partner employer's name.")
    referred_on: date
    outcome: str = Field(description="pending, interview, employed or not_employed.")
    outcome_on: date | None

    @staticmethod
    def resolve_job(obj: Any) -> str:
        return obj.lead.title

    @staticmethod
    def resolve_employer(obj: Any) -> str:
        return obj.lead.employer.name


class LabourEmploymentCaseOut(Schema):
    id: int
    worker: int = Field(..., alias="worker_id")
    unit: str = Field(description="The worker's unit (organisation code).")
    family_member: int | None = Field(None, alias="family_member_id")
    seeker_name: str
    skills: str
    wishes: str
    area: str
    status: str = Field(description="seeking, referred, employed or closed (without a job).")
    urgency: str
    due_on: date | None
    owner: int | None = Field(None, alias="owner_id")
    employer_name: str = Field(description="Who took the seeker on ('' unless employed).")
    employed_at: datetime | None
    closed_at: datetime | None
    visit: int | None = Field(None, alias="visit_id")
    difficulty: int | None = Field(None, alias="difficulty_id")
    created_at: datetime
    version: int
    referrals: list[LabourEmploymentReferralOut]

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return obj.worker.organisation.code

    @staticmethod
    def resolve_referrals(obj: Any) -> list:
        return list(obj.referrals.all())


class LabourEmploymentFilter(Schema):
    status: EmploymentStatus | None = Field(None, description="One status.")
    worker: int | None = Field(None, description="One worker's family.")


class LabourEmploymentCaseIn(Schema):
    worker: int = Field(description="The worker whose family member seeks work.")
    family_member: int | None = Field(None, description="The family member (of that worker) seeking work.")
    seeker_name: str = Field("", max_length=50, description="Their name, when not in the register.")
    skills: str = Field("", max_length=2000)
    wishes: str = Field("", max_length=2000, description="The work wished for.")
    area: str = Field("", max_length=100, description="Where they can work.")
    urgency: Urgency = Urgency.NORMAL
    visit: int | None = Field(None, description="The care visit the need was seen in (of this family).")
    difficulty: int | None = Field(None, description="The care difficulty it comes from (of this family).")


def _rows(user):
    return selectors.cases_for(user).prefetch_related("referrals__lead__employer")


@router.get(
    "/labour/employment-cases",
    model=EmploymentCase,
    action="view",
    response=list[LabourEmploymentCaseOut],
    operation_id="list_labour_employment_cases",
    summary="Employment cases (of the token user's scope)",
)
@apiutils.paginate
def list_employment_cases(request: Any, filters: Query[LabourEmploymentFilter]) -> Any:
    """Family members seeking work and what came of their referrals: active cases first, then by
    due date. A care contact sees the cases of the families assigned to them."""
    rows = _rows(request.user)
    if filters.status is not None:
        rows = rows.filter(status=filters.status.value)
    if filters.worker is not None:
        # A number no worker has (or out of any id's range) is a 404, like an unknown worker.
        if not 1 <= filters.worker <= 2**63 - 1 or not Worker.objects.filter(pk=filters.worker).exists():
            raise Http404
        rows = rows.filter(worker_id=filters.worker)
    return rows


@router.post(
    "/labour/employment-cases",
    model=EmploymentCase,
    action="refer",
    response={201: LabourEmploymentCaseOut},
    operation_id="create_labour_employment_case",
    summary="Open employment help for a family member",
)
@idempotency.api
def create_employment_case(request: Any, payload: LabourEmploymentCaseIn) -> Any:
    """Open employment help for a worker's family member (``family_member``, or a
    ``seeker_name`` when they are not in the register). A care contact may open it for a family
    assigned to them; the unit's labour-rights officer owns it."""
    user = request.user
    worker = find_workers.openable(user, EmploymentCase, payload.worker)
    if worker is None:
        raise Http404
    member = None
    if payload.family_member is not None:
        member = FamilyMember.objects.filter(worker=worker, pk=payload.family_member).first()
        if member is None:
            raise ServiceError(_("Choose a family member of this worker."), field="family_member")
    sources: dict[str, Any] = {}
    for key, model, value in (("visit", Visit, payload.visit), ("difficulty", Difficulty, payload.difficulty)):
        if value is not None:
            sources[key] = model.objects.for_user(user, "view").filter(worker=worker, pk=value).first()
            if sources[key] is None:
                raise ServiceError(_("The visit or difficulty is of another family."), field=key)
    case = services.open_employment(
        actor=user,
        worker=worker,
        family_member=member,
        seeker_name=payload.seeker_name,
        skills=payload.skills,
        wishes=payload.wishes,
        area=payload.area,
        urgency=payload.urgency.value,
        **sources,
    )
    row = EmploymentCase.objects.select_related("worker__organisation").prefetch_related("referrals").get(pk=case.pk)
    return Status(201, row)
