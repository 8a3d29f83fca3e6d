"""Reports up the tree: reading and filling reports.

``GET /reports?form=&period=&org=``: the reports in the token's scope (a form, a period by its
first day, an organisation); ``GET /reports/{id}``: one report with its rows (the computed
figures live until it is submitted, frozen after; the previous period's value; the children's
sum for a report that rolls them up); ``PATCH /reports/{id}``: entered values and comments
(with the version read); ``POST /reports/{id}/submit``. No person's name is answered."""
# No ``from __future__ import annotations``: ninja reads the operations' annotations.

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from nuanxin.core import apiutils, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.orgs.models import Organisation
from nuanxin.reports.choices import FieldKind
from nuanxin.reports.models import Report
from nuanxin.reports.services import periods
from nuanxin.reports.services import reports as services
from nuanxin.reports.views.filling import visible_forms

router = apiutils.ScopedRouter(tags=["reports"])

Value = int | Decimal | str | None


class ReportOut(Schema):
    id: int
    form: int = Field(..., alias="form_id")
    form_name: str
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str
    period_start: date
    period_end: date
    due_at: datetime
    status: str = Field(description="draft, submitted, returned or approved (approved = locked).")
    late: bool = Field(description="Submitted after its due time, or not submitted and past it.")
    submitted_at: datetime | None
    returned_at: datetime | None
    return_comment: str = Field(description="The reviewer's comment when it was returned.")
    approved_at: datetime | None
    unlocked_at: datetime | None
    version: int

    @staticmethod
    def resolve_form_name(obj: Any) -> str:
        return obj.form.name

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_late(obj: Any) -> bool:
        if obj.submitted_at is not None:
            return bool(obj.submitted_at > obj.due_at)
        return bool(timezone.now() > obj.due_at)


class ReportRowOut(Schema):
    key: str
    label: str
    kind: str
    value: Value = Field(description="Computed: live until submitted, frozen after; amounts as text.")
    previous: Value = Field(description="The previous period's value.")
    children_sum: Value = Field(description="The sum of the children's reports (a report that rolls them up).")
    disagrees: bool = Field(description="The children's sum differs from the value.")
    needs_comment: bool = Field(description="Fell by more than half from the previous period: a comment is due.")
    comment: str


class ReportDetailOut(ReportOut):
    rows: list[ReportRowOut]


def _rows(report: Report, texts: bool) -> list[dict[str, Any]]:
    """The rows; without ``texts`` (viewers, auditors) a text field's value and previous value and
    every comment are left out (null, ""): a unit may have typed a person's name there."""
    return [
        {
            "key": row.field.key,
            "label": row.field.label,
            "kind": row.field.kind,
            "value": row.value if texts or row.field.kind != FieldKind.TEXT else None,
            "previous": row.previous if texts or row.field.kind != FieldKind.TEXT else None,
            "children_sum": row.children_sum,
            "disagrees": row.disagrees,
            "needs_comment": row.needs_comment,
            "comment": row.comment if texts else "",
        }
        for row in services.rows(report)
    ]


def _reports() -> Any:
    return Report.objects.select_related("form", "organisation")


def detail(report: Report, user: Any = None) -> Report:
    """The report read back with its rows (what every operation on one report answers); the
    texts only for who may read them (``services.may_read_texts``; none without a user)."""
    fresh = _reports().get(pk=report.pk)
    texts = user is not None and services.may_read_texts(user, fresh.organisation)
    fresh.rows = _rows(fresh, texts)  # type: ignore[attr-defined]
    return fresh


def report_or_404(request: Any, report_id: int, action: str = "view") -> Report:
    return apiutils.get_scoped_or_404(_reports(), request, action, pk=report_id)


class ReportFilter(Schema):
    # No bounds: a number no form or organisation has is the same 404 as one out of reach.
    form: int | None = Field(None, description="A report form's id.")
    period: str | None = Field(None, description="A period by its first day (2026-11-30); with form.")
    org: int | None = Field(None, description="An organisation's id.")


@router.get(
    "/reports",
    model=Report,
    action="view",
    response=list[ReportOut],
    operation_id="list_reports",
    summary="Reports (of a form, a period, an organisation)",
)
@apiutils.paginate
def list_reports(request: Any, filters: Query[ReportFilter]) -> Any:
    rows = Report.objects.for_user(request.user, "view").select_related("form", "organisation")
    form = None
    if filters.form is not None:
        form = visible_forms(request.user).filter(pk=filters.form).first() if 1 <= filters.form < 2**63 else None
        if form is None:
            raise Http404
        rows = rows.filter(form=form)
    if filters.period:
        if form is not None:
            start, _end = periods.parse_period(form, filters.period)
        else:
            try:
                start = date.fromisoformat(filters.period.strip())
            except ValueError:
                raise ServiceError(_("Give the period by its first day, as 2026-11-30."), field="period") from None
        rows = rows.filter(period_start=start)
    if filters.org is not None:
        organisation = Organisation.objects.filter(pk=filters.org).first() if 1 <= filters.org < 2**63 else None
        if organisation is None or not Report.policy.allows_in(request.user, "view", organisation):
            raise Http404
        rows = rows.filter(organisation=organisation)
    return rows.order_by("-period_start", "organisation__path", "form_id", "id")


@router.get(
    "/reports/{report_id}",
    model=Report,
    action="view",
    response=ReportDetailOut,
    operation_id="get_report",
    summary="A report with its rows",
)
def get_report(request: Any, response: HttpResponse, report_id: int) -> Any:
    report = detail(report_or_404(request, report_id), request.user)
    response["ETag"] = versioning.etag(report)
    return report


class ReportPatch(Schema):
    values: dict[str, Value] = Field(
        default_factory=dict, description="Entered fields by key (null or empty clears one)."
    )
    comments: dict[str, str] = Field(default_factory=dict, description="Why a figure fell, by field key.")
    version: int | None = Field(None, description="The version read (or the header If-Match).")


@router.patch(
    "/reports/{report_id}",
    model=Report,
    action="fill",
    response={200: ReportDetailOut, 409: apiutils.ErrorOut, 428: apiutils.ErrorOut},
    operation_id="update_report",
    summary="Enter values and comments (optimistic)",
)
def update_report(request: Any, response: HttpResponse, report_id: int, payload: ReportPatch) -> Any:
    """Save entered values and comments of a draft or returned report (the organisation's
    fillers); 409 when it changed since it was read, 400 ``locked``/``submitted`` when it is not
    editable, 400 on a value that is not a whole number, a negative count or an unknown field."""
    report = report_or_404(request, report_id, "fill")
    version = versioning.version_from_request(request, payload.version)
    saved = services.save_values(
        actor=request.user, report=report, values=dict(payload.values), comments=dict(payload.comments), version=version
    )
    out = detail(saved, request.user)
    response["ETag"] = versioning.etag(out)
    return out


class ReportAction(Schema):
    version: int | None = Field(None, description="The version read (or the header If-Match).")


@router.post(
    "/reports/{report_id}/submit",
    model=Report,
    action="fill",
    response={200: ReportDetailOut, 409: apiutils.ErrorOut, 428: apiutils.ErrorOut},
    operation_id="submit_report",
    summary="Submit a report to the level above",
)
def submit_report(request: Any, response: HttpResponse, report_id: int, payload: ReportAction) -> Any:
    """Freeze the computed figures and send the report up; 400 with the first problem (a
    required field empty, a comment due on a figure that fell by more than half: ``code``
    ``comment_required``)."""
    report = report_or_404(request, report_id, "fill")
    version = versioning.version_from_request(request, payload.version)
    submitted = services.submit(actor=request.user, report=report, version=version)
    out = detail(submitted, request.user)
    response["ETag"] = versioning.etag(out)
    return out
