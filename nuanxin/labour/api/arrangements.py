"""The labour-protection green channel: the arrangements API operations.

``GET /labour/arrangements`` (the labour officers and administrators: every answer's rows are an
audited read), ``GET /labour/arrangements/{id}`` (audited), ``POST /labour/arrangements`` (refer
one: also the family's care contact, who gets back only its id and status). An arrangement or
a worker outside the token user's reach is the same 404 as a missing one."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.care.models import Difficulty, Visit
from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.labour.choices import MEASURES, ArrangementStatus, Stage
from nuanxin.labour.models import Arrangement
from nuanxin.labour.selectors import arrangements as selectors
from nuanxin.labour.selectors import workers as find_workers
from nuanxin.labour.services import arrangements as services
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker

router = apiutils.ScopedRouter(tags=["labour"])

LabourMeasure = StrEnum("LabourMeasure", {name.upper(): name for name, _label in MEASURES})  # type: ignore[misc]


class LabourArrangementOut(Schema):
    id: int
    worker: int = Field(..., alias="worker_id")
    name: str = Field(description="The worker's name.")
    organisation: str = Field(description="The worker's unit (organisation code).")
    status: str = Field(description="referred (to be agreed), agreed or ended.")
    stage: str = Field(description="pregnant or lactating.")
    expected_on: date | None = Field(None, description="Expected delivery date (pregnant).")
    lactating_until: date | None = Field(None, description="Breastfeeding until (lactating).")
    measures: list[str] = Field(
        description="remote_work, flexible_hours, flexible_leave, lighter_duties, no_night_shifts."
    )
    starts_on: date | None
    ends_on: date | None
    confirmed_by: str = Field(description="Who confirmed it at the unit.")
    confirmed_on: date | None
    review_on: date | None
    review_due: bool = Field(description="Open, and its review date is within the reminder's days (or past).")
    notes: str
    visit: int | None = Field(None, alias="visit_id", description="The care visit it was opened from.")
    difficulty: int | None = Field(None, alias="difficulty_id", description="The difficulty it was opened from.")
    created_at: datetime
    version: int

    @staticmethod
    def resolve_name(obj: Arrangement) -> str:
        return obj.worker.name

    @staticmethod
    def resolve_organisation(obj: Arrangement) -> str:
        return obj.worker.organisation.code

    @staticmethod
    def resolve_measures(obj: Arrangement) -> list[str]:
        return services.measures_of(obj)

    @staticmethod
    def resolve_review_due(obj: Arrangement) -> bool:
        return bool(
            obj.status in selectors.OPEN_STATUSES
            and obj.review_on is not None
            and obj.review_on <= selectors.review_due_by()
        )


class LabourArrangementFilter(Schema):
    status: ArrangementStatus | None = Field(None, description="One status (default: every status).")
    review_due: bool | None = Field(None, description="true: open ones whose review date is near or past.")
    ending_soon: bool | None = Field(None, description="true: agreed ones ending within the coming days.")
    # No bounds: a number no worker has is the same 404 as an unknown worker (core/tests/test_api_integers.py).
    worker: int | None = Field(None, description="One worker's.")
    org: str | None = Field(None, max_length=50, description="An organisation's code: its subtree's workers.")


class LabourArrangementIn(Schema):
    worker: int = Field(..., ge=1, le=2_147_483_647, description="The woman worker (a family you may refer).")
    stage: Stage
    expected_on: date | None = Field(None, description="Required when pregnant.")
    lactating_until: date | None = Field(None, description="Required when lactating.")
    measures: list[LabourMeasure] = Field(
        default_factory=list,
        max_length=5,  # type: ignore[valid-type]
        description="The measures wished for (optional).",
    )
    notes: str = Field("", max_length=2000, description="What was heard, e.g. on night shifts.")
    visit: int | None = Field(None, ge=1, le=2_147_483_647, description="The care visit it comes from.")
    difficulty: int | None = Field(None, ge=1, le=2_147_483_647, description="The difficulty it comes from.")


class LabourArrangementReferredOut(Schema):
    id: int
    status: str


@router.get(
    "/labour/arrangements",
    model=Arrangement,
    action="view",
    response=list[LabourArrangementOut],
    operation_id="list_labour_arrangements",
    summary="Pregnancy and lactation arrangements (audited reads)",
)
@apiutils.paginate(on_page=lambda request, items: selectors.record_reads(request.user, items, page="api"))
def list_arrangements(request: Any, filters: Query[LabourArrangementFilter]) -> Any:
    """The arrangements of women workers of the token user's organisations: referred first, then
    by review date. Every arrangement answered is an audited read. ``org``: an unknown code is a
    404; one outside the scope gives an empty list."""
    org = None
    if filters.org:
        org = Organisation.objects.filter(code=filters.org).first()
        if org is None:
            raise Http404
    worker = None
    if filters.worker is not None:
        worker = Worker.objects.filter(pk=filters.worker).first()
        if worker is None:
            raise Http404
    return selectors.arrangements(
        request.user,
        status=filters.status.value if filters.status else None,
        due=bool(filters.review_due),
        ending=bool(filters.ending_soon),
        worker=worker,
        organisation=org,
    )


@router.get(
    "/labour/arrangements/{arrangement_id}",
    model=Arrangement,
    action="view",
    response=LabourArrangementOut,
    operation_id="get_labour_arrangement",
    summary="One arrangement (an audited read)",
)
def get_arrangement(request: Any, arrangement_id: int) -> Any:
    arrangement = apiutils.get_scoped_or_404(
        Arrangement.objects.select_related("worker__organisation"), request, "view", pk=arrangement_id
    )
    selectors.record_reads(request.user, [arrangement], page="api")
    return arrangement


def _source(request: Any, model: Any, pk: int | None, worker: Worker, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.for_user(request.user).filter(pk=pk, worker=worker).first()
    if found is None:
        raise ServiceError(_("Unknown visit or difficulty of this family."), field=field)
    return found


@router.post(
    "/labour/arrangements",
    model=Arrangement,
    action="refer",
    response={201: LabourArrangementReferredOut},
    operation_id="refer_labour_arrangement",
    summary="Refer a pregnancy or lactation arrangement",
)
@idempotency.api
def refer_arrangement(request: Any, payload: LabourArrangementIn) -> Any:
    """Refer an arrangement for a woman worker of a family the token user may refer (her care
    contact, a labour officer, an administrator); the labour officers agree it with the employer.
    The answer is its id and status only: a care contact reads no arrangement back."""
    worker = find_workers.openable(request.user, Arrangement, payload.worker)
    if worker is None:
        raise Http404
    arrangement = services.refer_arrangement(
        actor=request.user,
        worker=worker,
        stage=payload.stage.value,
        expected_on=payload.expected_on,
        lactating_until=payload.lactating_until,
        measures=[m.value for m in payload.measures],
        notes=payload.notes,
        visit=_source(request, Visit, payload.visit, worker, "visit"),
        difficulty=_source(request, Difficulty, payload.difficulty, worker, "difficulty"),
    )
    return Status(201, LabourArrangementReferredOut(id=arrangement.pk, status=arrangement.status))
