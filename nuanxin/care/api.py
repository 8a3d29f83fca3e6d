"""REST operations of the care work: weekly duties (also as they stood on a past day),
visits, difficulties and their life cycle, and bulk care assignments.

Scoping is the same as on the pages: admins see their subtree, a care contact only the
families assigned to them, viewers and counsellors no personal data (403). An object outside
the scope is the same 404 as a missing one.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.care import pages, selectors, services, weeks
from nuanxin.care.choices import DifficultyCategory, DifficultyStatus, DutyStatus, Urgency, VisitMode
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, Visit, VisitDuty
from nuanxin.core import apiutils, idempotency, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker

# Every operation declares the model and action of its policy (care/models.py): a token whose
# account holds no role for it is a 403 before the operation runs.
router = apiutils.ScopedRouter(tags=["care"])


# --- helpers ------------------------------------------------------------------------------


def _org(request, code: str | None) -> Organisation | None:
    if not code:
        return None
    return get_object_or_404(Organisation.objects.for_user(request.user), code=code)


def _week(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return weeks.parse(value)
    except ValueError:
        raise ServiceError(_("Give the week as YYYY-Www, e.g. 2020-W05."), field="week") from None


def _campaign(campaign_id: int | None) -> Campaign | None:
    if campaign_id is None:
        return None
    return get_object_or_404(Campaign, pk=campaign_id)


def _worker(request, worker_id: int, action: str = "view") -> Worker:
    return apiutils.get_scoped_or_404(Worker.objects.select_related("organisation"), request, action, pk=worker_id)


class WorkerRef(Schema):
    id: int
    name: str
    unit: str  # organisation code

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.organisation.code


# --- campaigns ----------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    starts_on: date
    declared_end_on: date | None
    cadence: dict[str, str]

    @staticmethod
    def resolve_cadence(obj) -> dict[str, str]:
        from nuanxin.registry.choices import TeamType

        return {team: obj.cadence_for(team) for team in TeamType.values}


@router.get(
    "/care/campaigns",
    model=Campaign,
    action="view",
    response=list[CampaignOut],
    operation_id="list_campaigns",
    summary="Care campaigns",
)
@apiutils.paginate
def list_campaigns(request):
    """Every campaign, newest first, with its effective cadence per frontline team."""
    return Campaign.objects.order_by("-starts_on", "-pk")


# --- duties -------------------------------------------------------------------------------


class DutyOut(Schema):
    id: int
    campaign: int = Field(..., alias="campaign_id")
    week: str
    week_start: date
    worker: WorkerRef
    unit: str  # the unit that owed the visit that week
    status: str  # the current status, or the status on ``as_of`` when asked
    excuse_reason: str
    visit: int | None = Field(None, alias="visit_id")
    done_at: datetime | None
    missed_at: datetime | None
    excused_at: datetime | None

    @staticmethod
    def resolve_week(obj) -> str:
        return weeks.label(obj.week)

    @staticmethod
    def resolve_week_start(obj) -> date:
        return obj.week

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_status(obj) -> str:
        return getattr(obj, "status_as_of", obj.status)


class DutyFilter(Schema):
    org: str | None = Field(None, description="Organisation code: its whole subtree.")
    week: str | None = Field(None, description="ISO week, e.g. 2020-W05.")
    status: DutyStatus | None = None
    as_of: date | None = Field(None, description="The status as it stood at the end of this day.")
    campaign: int | None = None


@router.get(
    "/care/duties",
    model=VisitDuty,
    action="view",
    response=list[DutyOut],
    operation_id="list_duties",
    summary="Weekly visit duties, optionally as they stood on a past day",
)
@apiutils.paginate
def list_duties(request, filters: Query[DutyFilter]):
    """Duties in the token's scope (a care contact: only their families). With ``as_of`` the
    status is the one at the end of that day, and ``status`` filters on it: a duty marked
    missed on Monday was ``due`` on the Sunday before; weeks not begun by then are left out."""
    if filters.as_of is not None:
        try:
            weeks.check_day(filters.as_of)
        except ValueError:
            raise ServiceError(_("Give a day between 1900 and 2999."), field="as_of") from None
    return selectors.duties(
        request.user,
        org=_org(request, filters.org),
        week=_week(filters.week),
        status=filters.status.value if filters.status else None,
        as_of=filters.as_of,
        campaign=_campaign(filters.campaign),
    )


# --- visits -------------------------------------------------------------------------------


class ItemIn(Schema):
    item: str
    quantity: Decimal = Decimal(1)
    unit: str = ""
    value: Decimal = Field(Decimal(0), description="Value in yuan.")


class ItemOut(Schema):
    item: str
    quantity: Decimal
    unit: str
    value: Decimal


class NewDifficultyIn(Schema):
    description: str
    category: DifficultyCategory = DifficultyCategory.OTHER
    urgency: Urgency = Urgency.NORMAL


class VisitIn(Schema):
    worker: int
    on: date
    mode: VisitMode = VisitMode.HOME
    visitors: str = ""
    state_of_mind: str = ""
    opinions: str = ""
    notes: str = ""
    items: list[ItemIn] = []
    difficulties: list[NewDifficultyIn] = Field([], description="New difficulties raised during the visit.")
    campaign: int | None = None


class VisitPatch(Schema):
    version: int | None = Field(
        None,
        description='The version the edit started from, or send If-Match: "<version>" (409 if the visit changed '
        "since; 428 without either).",
    )
    on: date | None = None
    mode: VisitMode | None = None
    visitors: str | None = None
    state_of_mind: str | None = None
    opinions: str | None = None
    notes: str | None = None
    items: list[ItemIn] | None = Field(None, description="Replaces the list of necessities when given.")


class VisitOut(Schema):
    id: int
    worker: WorkerRef
    campaign: int | None = Field(None, alias="campaign_id")
    on: date
    week: str
    mode: str
    visitors: str
    state_of_mind: str
    opinions: str
    notes: str
    items: list[ItemOut]
    recorded_by: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_week(obj) -> str:
        return weeks.label(obj.on)

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())

    @staticmethod
    def resolve_recorded_by(obj) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by_id else None


def _visit_out(visit: Visit) -> Visit:
    return (
        Visit.objects.select_related("worker__organisation", "recorded_by").prefetch_related("items").get(pk=visit.pk)
    )


@router.post(
    "/visits",
    model=Visit,
    action="change",
    response={201: VisitOut},
    operation_id="create_visit",
    summary="Log a visit",
)
@idempotency.api
def create_visit(request, payload: VisitIn):
    """Log a visit to a family (with the necessities delivered and new difficulties); the
    duty of that week becomes done."""
    worker = _worker(request, payload.worker)
    visit = services.record_visit(
        actor=request.user,
        worker=worker,
        on=payload.on,
        mode=payload.mode.value,
        visitors=payload.visitors,
        state_of_mind=payload.state_of_mind,
        opinions=payload.opinions,
        notes=payload.notes,
        items=[i.dict() for i in payload.items],
        difficulties=[
            {**d.dict(), "category": d.category.value, "urgency": d.urgency.value} for d in payload.difficulties
        ],
        campaign=_campaign(payload.campaign),
    )
    return Status(201, _visit_out(visit))


@router.patch(
    "/visits/{visit_id}",
    model=Visit,
    action="change",
    response={200: VisitOut, 409: apiutils.ErrorOut, 428: apiutils.ErrorOut},
    operation_id="update_visit",
    summary="Change a visit (optimistic)",
)
def update_visit(request, response: HttpResponse, visit_id: int, payload: VisitPatch):
    """Change a visit. ``version`` (or the header ``If-Match: "<version>"``) must be the
    visit's version when the edit began; if someone saved it since, the answer is 409
    ``conflict`` and nothing is saved; without either it is 428 ``version_required``."""
    visit = apiutils.get_scoped_or_404(Visit, request, "change", pk=visit_id)
    version = versioning.version_from_request(request, payload.version)
    changes = payload.dict(exclude_unset=True, exclude={"version", "items"})
    changes = {k: (v.value if hasattr(v, "value") else v) for k, v in changes.items() if v is not None}
    items = [i.dict() for i in payload.items] if payload.items is not None else None
    visit = services.update_visit(actor=request.user, visit=visit, version=version, items=items, **changes)
    response["ETag"] = versioning.etag(visit)
    return _visit_out(visit)


@router.get(
    "/visits", model=Visit, action="view", response=list[VisitOut], operation_id="list_visits", summary="Visits"
)
@apiutils.paginate
def list_visits(request, worker: int | None = None):
    """Visits in the token's scope, newest first; ``worker`` keeps one family's."""
    qs = Visit.objects.for_user(request.user)
    if worker is not None:
        qs = qs.filter(worker=_worker(request, worker))
    return qs.select_related("worker__organisation", "recorded_by").prefetch_related("items").order_by("-on", "-pk")


# --- difficulties -------------------------------------------------------------------------


class DifficultyOut(Schema):
    id: int
    worker: WorkerRef
    campaign: int | None = Field(None, alias="campaign_id")
    category: str
    urgency: str
    description: str
    status: str
    source: str
    owner: str | None
    due_on: date | None
    overdue: bool
    escalation_level: int
    version: int = Field(description="Send it back with a transition (body or If-Match) so that no change is lost.")
    visit: int | None = Field(None, alias="visit_id")
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.get_username() if obj.owner_id else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue


class DifficultyFilter(Schema):
    org: str | None = Field(None, description="Organisation code: its whole subtree.")
    status: DifficultyStatus | None = None
    category: DifficultyCategory | None = None
    overdue: bool | None = None


class DifficultyIn(Schema):
    worker: int
    description: str
    category: DifficultyCategory = DifficultyCategory.OTHER
    urgency: Urgency = Urgency.NORMAL
    owner: int | None = Field(None, description="User id of the owner (default: the family's care contact).")
    campaign: int | None = None
    due_on: date | None = Field(
        None,
        description="The due date, from today to two years ahead (400 otherwise); by default it follows from "
        "the urgency (14 days when normal, 3 when urgent, 1 when critical).",
    )


class TransitionIn(Schema):
    to: DifficultyStatus
    note: str = ""
    version: int | None = Field(
        None,
        description="The version the change starts from (or If-Match); 409 if the difficulty changed since. "
        "Without it the step is checked against the current status only.",
    )


def _difficulty_out(difficulty: Difficulty) -> Difficulty:
    return Difficulty.objects.select_related("worker__organisation", "owner").get(pk=difficulty.pk)


@router.get(
    "/difficulties",
    model=Difficulty,
    action="view",
    response=list[DifficultyOut],
    operation_id="list_difficulties",
    summary="Difficulties",
)
@apiutils.paginate(on_page=lambda request, items: pages.record_sensitive_reads(request.user, items, page="api"))
def list_difficulties(request, filters: Query[DifficultyFilter]):
    """Difficulties in the token's scope, oldest due date first."""
    return selectors.difficulties(
        request.user,
        _org(request, filters.org),
        status=filters.status.value if filters.status else None,
        category=filters.category.value if filters.category else None,
        overdue=filters.overdue,
    )


@router.post(
    "/difficulties",
    model=Difficulty,
    action="change",
    response={201: DifficultyOut},
    operation_id="create_difficulty",
    summary="Record a difficulty",
)
@idempotency.api
def create_difficulty(request, payload: DifficultyIn):
    """Record a family's difficulty; its due date follows from the urgency. ``owner`` (an
    administrator only may name someone else than themselves) must be someone who may own
    the family's difficulties; any other id is an unknown owner."""
    worker = _worker(request, payload.worker)
    owner = None
    if payload.owner is not None:
        # Only the users who may own it: an id of anyone else is the same as a missing one.
        owner = next((u for u in pages.owner_candidates(worker) if u.pk == payload.owner), None)
        if owner is None:
            raise ServiceError(_("Unknown owner."), field="owner")
    difficulty = services.open_difficulty(
        actor=request.user,
        worker=worker,
        description=payload.description,
        category=payload.category.value,
        urgency=payload.urgency.value,
        owner=owner,
        campaign=_campaign(payload.campaign),
        due_on=payload.due_on,
    )
    return Status(201, _difficulty_out(difficulty))


@router.post(
    "/difficulties/{difficulty_id}/transitions",
    model=Difficulty,
    action="change",
    response=DifficultyOut,
    operation_id="transition_difficulty",
    summary="Move a difficulty along its life cycle",
)
def transition_difficulty(request, difficulty_id: int, payload: TransitionIn):
    """open → in_progress → resolved → closed; resolved or closed → open (reopen, with a
    note). Closing is for admins. An impossible step is 400."""
    difficulty = apiutils.get_scoped_or_404(Difficulty, request, "change", pk=difficulty_id)
    version = versioning.parse(payload.version) or versioning.parse(request.headers.get("If-Match"))
    difficulty = services.change_difficulty_status(
        actor=request.user, difficulty=difficulty, to=payload.to.value, note=payload.note, version=version
    )
    difficulty = _difficulty_out(difficulty)
    pages.record_sensitive_reads(request.user, [difficulty], page="api")  # the answer shows the description
    return difficulty


# --- assignments --------------------------------------------------------------------------


class AssignmentsIn(Schema):
    campaign: int
    contact: int | None = Field(..., description="User id of the care contact; null ends the assignments.")
    workers: list[int] = Field(..., min_length=1, max_length=5000)


class AssignmentsOut(Schema):
    assigned: int
    ended: int
    unchanged: int


@router.post(
    "/care/assignments",
    model=CareAssignment,
    action="change",
    response=AssignmentsOut,
    operation_id="bulk_assign",
    summary="Assign families to a care contact (bulk)",
)
@idempotency.api
def bulk_assign(request, payload: AssignmentsIn):
    """Give many families one care contact (or none). All or nothing: a family outside the
    token's scope is a 404, a contact who cannot look after one of them a 400."""
    campaign = get_object_or_404(Campaign, pk=payload.campaign)
    ids = set(payload.workers)
    workers = list(Worker.objects.for_user(request.user, "change").filter(pk__in=ids))
    if len(workers) != len(ids):
        raise Http404
    contact = None
    if payload.contact is not None:
        # The care contacts the assignment page offers this admin: any other id (another
        # district's contact, an admin, a counsellor) is the same as a missing one.
        contact = next((u for u in pages.assignable_contacts(request.user) if u.pk == payload.contact), None)
        if contact is None:
            raise ServiceError(_("Unknown care contact."), field="contact")
    result = services.bulk_assign(actor=request.user, campaign=campaign, workers=workers, contact=contact)
    return {"assigned": len(result["assigned"]), "ended": result["ended"], "unchanged": result["unchanged"]}
