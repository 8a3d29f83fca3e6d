"""REST operations on the register: list and read workers (with family and deployments),
create and change them. The same filter, services and scoping as the pages.

Mobiles are masked (138****5678) unless ``?reveal=1`` is asked on one worker: that is an
audited reveal of each number shown, exactly like the page's "Show" button.
"""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date, datetime

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from nuanxin.core import apiutils, idempotency, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.registry import normalise, selectors, services
from nuanxin.registry.choices import WorkerStatus
from nuanxin.registry.filters import WorkerFilter
from nuanxin.registry.models import Deployment, FamilyMember, Worker

router = apiutils.ScopedRouter(tags=["register"])


class FamilyMemberOut(Schema):
    id: int
    name: str
    relation: str
    mobile: str = Field(description="Masked unless reveal=1.")
    address: str
    is_primary: bool


class DeploymentOut(Schema):
    id: int
    batch: str
    destination: str
    departed_on: date | None
    returned_on: date | None
    deployed_mobile: str = Field(description="Masked unless reveal=1.")
    carrier: str


class WorkerOut(Schema):
    id: int
    name: str
    org: str = Field(description="The unit's organisation code.")
    unit: str = Field(description="The unit's name.")
    gender: str
    category: str
    post_title: str
    mobile: str = Field(description="Masked (138****5678) unless reveal=1 on one worker.")
    team: str
    status: str
    contact_name_hint: str
    updated_at: datetime
    version: int = Field(description="Send it back with a change (body or If-Match) so that no update is lost.")

    @staticmethod
    def resolve_org(obj) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_mobile(obj) -> str:
        return getattr(obj, "nx_mobile", None) or normalise.mask(obj.mobile)


class WorkerDetailOut(WorkerOut):
    notes: str
    created_at: datetime
    family: list[FamilyMemberOut]
    deployments: list[DeploymentOut]

    @staticmethod
    def resolve_family(obj) -> list[dict]:
        return [
            {
                "id": m.pk,
                "name": m.name,
                "relation": m.relation,
                "mobile": getattr(m, "nx_mobile", None) or normalise.mask(m.mobile),
                "address": m.address,
                "is_primary": m.is_primary,
            }
            for m in obj.nx_family
        ]

    @staticmethod
    def resolve_deployments(obj) -> list[dict]:
        return [
            {
                "id": d.pk,
                "batch": d.batch,
                "destination": d.destination,
                "departed_on": d.departed_on,
                "returned_on": d.returned_on,
                "deployed_mobile": getattr(d, "nx_mobile", None) or normalise.mask(d.deployed_mobile),
                "carrier": d.carrier,
            }
            for d in obj.nx_deployments
        ]


class WorkerIn(Schema):
    org: str = Field(description="Code of the worker's unit (inside your scope).")
    name: str
    team: str = Field(description="hubei_aid, designated_hospital, cdc, ambulance or other (or 援鄂医疗队 …).")
    gender: str = ""
    category: str = ""
    post_title: str = ""
    mobile: str = ""
    status: str = WorkerStatus.ON_DUTY
    contact_name_hint: str = ""
    notes: str = ""
    allow_duplicate: bool = Field(False, description="Confirm a second worker of the same name in the unit.")


class WorkerPatch(Schema):
    version: int | None = Field(
        None, description="The version the change starts from (or send If-Match: \"<version>\"); 409 if changed since."
    )
    org: str | None = None
    name: str | None = None
    team: str | None = None
    gender: str | None = None
    category: str | None = None
    post_title: str | None = None
    mobile: str | None = None
    status: str | None = None
    contact_name_hint: str | None = None
    notes: str | None = None
    allow_duplicate: bool = False


def _unit(request, code: str):
    unit = selectors.register_organisations(request.user, "change").filter(code=code).first()
    if unit is None:
        raise ServiceError(_("Unknown organisation code, or outside your scope."), field="org")
    return unit


def _detail(request, worker_id: int, action: str = "view") -> Worker:
    qs = Worker.objects.select_related("organisation").prefetch_related(
        Prefetch("family", queryset=FamilyMember.objects.order_by("-is_primary", "id"), to_attr="nx_family"),
        Prefetch("deployments", queryset=Deployment.objects.order_by("-departed_on", "id"), to_attr="nx_deployments"),
    )
    return apiutils.get_scoped_or_404(qs, request, action, pk=worker_id)


@router.get("/workers", model=Worker, action="view",
            response=list[WorkerOut], operation_id="list_workers",
            summary="Workers in the register inside the token's scope")
@apiutils.paginate
def list_workers(request, q: str = "", org: str = "", team: str = "", category: str = "", status: str = ""):
    """Filtered like the register page: ``q`` searches the name, full pinyin (zhangsan),
    initials (zs) and the last four digits of the mobile; ``org`` keeps an organisation's
    subtree; without ``status`` workers removed from the register are left out."""
    form = WorkerFilter({"q": q, "org": org, "team": team, "category": category, "status": status}, user=request.user)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ServiceError(f"{field}: {errors[0]}", field=field)
    return form.filter_queryset(selectors.visible_workers(request.user))


@router.get("/workers/{worker_id}", model=Worker, action="view",
            response=WorkerDetailOut, operation_id="get_worker",
            summary="One worker with family members and deployments")
def get_worker(request, response: HttpResponse, worker_id: int, reveal: bool = False):
    """``reveal=1`` shows the full mobiles; each one shown is recorded in the audit log. The
    ``ETag`` header holds the worker's ``version`` (send it back as ``If-Match`` to change it)."""
    worker = _detail(request, worker_id)
    response["ETag"] = versioning.etag(worker)
    if reveal:
        if worker.mobile:
            # shown instead of the mask (resolve_mobile); nx_family/nx_deployments: _detail's Prefetch(to_attr=...)
            worker.nx_mobile = services.reveal_mobile(actor=request.user, target=worker)  # type: ignore[attr-defined]
        for member in worker.nx_family:  # type: ignore[attr-defined]
            if member.mobile:
                member.nx_mobile = services.reveal_mobile(actor=request.user, target=member)
        for dep in worker.nx_deployments:  # type: ignore[attr-defined]
            if dep.deployed_mobile:
                dep.nx_mobile = services.reveal_mobile(actor=request.user, target=dep)
    return worker


@router.post("/workers", model=Worker, action="change",
             response={201: WorkerDetailOut}, operation_id="create_worker", summary="Add a worker to the register")
@idempotency.api
def create_worker(request, payload: WorkerIn):
    """The same rules as the page: the same person (name and mobile) is never a second worker
    (409 ``same_person``); a second worker of the same name in the unit needs
    ``allow_duplicate`` (409 ``likely_duplicate``)."""
    data = payload.dict()
    unit = _unit(request, data.pop("org"))
    worker = services.create_worker(actor=request.user, organisation=unit, **data)
    return Status(201, _detail(request, worker.pk))


@router.patch("/workers/{worker_id}", model=Worker, action="change",
              response={200: WorkerDetailOut, 409: apiutils.ErrorOut, 428: apiutils.ErrorOut},
              operation_id="update_worker",
              summary="Change some fields of a worker (optimistic: send the version read)")
def update_worker(request, response: HttpResponse, worker_id: int, payload: WorkerPatch):
    """Only the fields sent are changed; the audit row lists each change (mobiles masked).
    ``version`` (or the header ``If-Match: "<version>"``) must be the worker's version as read:
    if someone changed the worker since, the answer is 409 ``conflict`` and nothing is saved;
    without either it is 428 ``version_required``."""
    worker = _detail(request, worker_id, "change")
    changes = payload.dict(exclude_unset=True)
    version = versioning.version_from_request(request, changes.pop("version", None))
    allow = changes.pop("allow_duplicate", False)
    for field, value in changes.items():
        if value is None:
            raise ServiceError(_("This field cannot be null."), field=field)
    if "org" in changes:
        changes["organisation"] = _unit(request, changes.pop("org"))
    services.update_worker(actor=request.user, worker=worker, allow_duplicate=allow, version=version, **changes)
    worker = _detail(request, worker_id, "change")
    response["ETag"] = versioning.etag(worker)
    return worker
