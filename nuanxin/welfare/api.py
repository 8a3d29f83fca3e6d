"""The mutual-aid scheme's API: the enrolments of a scheme (of the token user's organisations)
and the bulk enrolment of a unit's team. The same services and scoping as the pages: an
enrolment outside the user's organisations is never listed; an unknown (or unreachable) scheme
or organisation is a 404; viewers (figures only) get 403."""

# No ``from __future__ import annotations``: ninja reads the operations' annotations through
# the scoped router's wrapper, whose module could not resolve names written as strings.
from datetime import date
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.registry.models import Worker
from nuanxin.welfare.choices import EnrolmentSource
from nuanxin.welfare.models import Enrolment, Scheme
from nuanxin.welfare.selectors.reach import organisations
from nuanxin.welfare.services import enrolments as services

router = apiutils.ScopedRouter(tags=["welfare"])


class WelfareEnrolmentOut(Schema):
    id: int
    scheme: int = Field(..., alias="scheme_id")
    worker: int = Field(..., alias="worker_id")
    worker_name: str
    organisation: str = Field(description="The unit's organisation code (the roster's 单位).")
    organisation_name: str
    source: EnrolmentSource = Field(
        description="imported (a member already, from the scheme's list) or enrolled (by the union)."
    )
    team_name: str = Field(description="The team's name the worker was enrolled under (enrolled only).")
    enrolled_on: date
    contribution: str = Field(description="The contribution in yuan, e.g. \"30.00\".")
    charged: bool = Field(description="An expenditure of a fund pays the contribution.")

    @staticmethod
    def resolve_worker_name(obj: Enrolment) -> str:
        return obj.worker.name

    @staticmethod
    def resolve_organisation(obj: Enrolment) -> str:
        return obj.organisation.code

    @staticmethod
    def resolve_organisation_name(obj: Enrolment) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_contribution(obj: Enrolment) -> str:
        return f"{obj.contribution:.2f}"

    @staticmethod
    def resolve_charged(obj: Enrolment) -> bool:
        return obj.expenditure_id is not None


class WelfareEnrolmentFilter(Schema):
    scheme: int | None = Field(None, description="A scheme's id.")
    org: str | None = Field(None, description="An organisation's code: enrolments of workers in its subtree.")


class WelfareEnrolIn(Schema):
    scheme: int = Field(description="The scheme's id (open for enrolment).")
    organisation: str = Field(description="The unit's organisation code: its own workers are enrolled.")
    team_name: str = Field(
        "",
        description="The team's name everyone is enrolled under; empty or omitted: each person under the team "
        "name of their own batch (the batch they were deployed with), so a unit whose people were deployed with "
        "different batches gets each one's own.",
    )
    workers: list[int] | None = Field(
        None, description="Worker ids among the unit's eligible workers; omitted: every eligible worker of the unit."
    )


class WelfareEnrolOut(Schema):
    enrolled: list[WelfareEnrolmentOut] = Field(description="The enrolments made now.")
    skipped: list[int] = Field(
        description="Worker ids left out because they are enrolled already: those sent in ``workers`` who were, "
        "and those someone else enrolled in the meantime."
    )


@router.get(
    "/welfare/enrolments",
    model=Enrolment,
    action="view",
    response=list[WelfareEnrolmentOut],
    operation_id="list_welfare_enrolments",
    summary="Enrolments in the mutual-aid schemes (of the token user's organisations)",
)
@apiutils.paginate
def list_enrolments(request: Any, filters: Query[WelfareEnrolmentFilter]) -> Any:
    """The enrolments of the workers in the token user's organisations, by scheme and unit;
    ``scheme`` and ``org`` (a code: its subtree) narrow them. An unknown scheme or
    organisation, or one outside the user's organisations, is a 404."""
    qs = Enrolment.objects.for_user(request.user, "view").select_related("worker", "organisation")
    if filters.scheme is not None:
        scheme = apiutils.get_scoped_or_404(Scheme, request, "view", pk=filters.scheme)
        qs = qs.filter(scheme=scheme)
    if filters.org is not None:
        org = organisations(request.user, "view").filter(code=filters.org).first()
        if org is None:
            raise Http404
        qs = qs.filter(worker__organisation__path__startswith=org.path)
    return qs.order_by("scheme_id", "organisation__path", "worker__name_pinyin", "id")


@router.post(
    "/welfare/enrolments",
    model=Enrolment,
    action="enrol",
    response={201: WelfareEnrolOut},
    operation_id="enrol_welfare_unit",
    summary="Enrol a unit's eligible workers under the team's name (bulk)",
)
@idempotency.api
def enrol_unit(request: Any, payload: WelfareEnrolIn) -> Any:
    """Enrol the eligible workers of the unit ``organisation`` (members of the scheme's frontline
    teams without an enrolment in it) in one action: all of them, or the ``workers`` given;
    under ``team_name`` when given, else each under their own batch's team name. A worker
    enrolled already is skipped and listed in ``skipped`` (sent although enrolled, or enrolled
    meanwhile); a worker who is not an eligible worker of the unit is refused (400), nothing
    enrolled."""
    scheme = Scheme.objects.filter(pk=payload.scheme).first()
    if scheme is None:
        raise ServiceError(_("Unknown scheme."), field="scheme")
    unit = organisations(request.user, "enrol").filter(code=payload.organisation).first()
    if unit is None:
        raise ServiceError(_("Unknown organisation code, or outside your scope."), field="organisation")
    workers = None
    if payload.workers is not None:
        found = {w.pk: w for w in Worker.objects.for_user(request.user, "view").filter(pk__in=payload.workers)}
        unknown = [pk for pk in payload.workers if pk not in found]
        if unknown:
            raise ServiceError(_("Not an eligible worker of this unit: %(names)s.") % {"names": unknown[0]},
                               field="workers")
        workers = list(found.values())
    result = services.enrol_unit(
        actor=request.user, scheme=scheme, organisation=unit, team_name=payload.team_name, workers=workers
    )
    enrolled = list(
        Enrolment.objects.filter(pk__in=[e.pk for e in result.enrolments])
        .select_related("worker", "organisation").order_by("worker__name_pinyin", "id")
    )
    return Status(201, {"enrolled": enrolled, "skipped": sorted(w.pk for w in result.skipped)})
