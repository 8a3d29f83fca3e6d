"""Reports up the tree: approving and returning (``POST /reports/{id}/approve``,
``POST /reports/{id}/return``) by the level above (an organisation's own administrators approve
its report that rolls up children, once all theirs are approved). A reviewer out of place is a
403; a report out of reach a 404; the rules' refusals a 400 with their ``code``
(``children_not_approved``, ``not_submitted``)."""
# No ``from __future__ import annotations``: ninja reads the operations' annotations.

from typing import Any

from django.http import HttpResponse
from ninja import Field, Schema

from nuanxin.core import apiutils, versioning
from nuanxin.reports.api.filling import ReportAction, ReportDetailOut, detail, report_or_404
from nuanxin.reports.models import Report
from nuanxin.reports.services import reports as services

router = apiutils.ScopedRouter(tags=["reports"])


@router.post(
    "/reports/{report_id}/approve",
    model=Report,
    action="approve",
    response={200: ReportDetailOut, 409: apiutils.ErrorOut, 428: apiutils.ErrorOut},
    operation_id="approve_report",
    summary="Approve (and lock) a submitted report",
)
def approve_report(request: Any, response: HttpResponse, report_id: int, payload: ReportAction) -> Any:
    report = report_or_404(request, report_id, "approve")
    version = versioning.version_from_request(request, payload.version)
    approved = services.approve(actor=request.user, report=report, version=version)
    out = detail(approved, request.user)
    response["ETag"] = versioning.etag(out)
    return out


class ReportReturn(Schema):
    comment: str = Field(..., max_length=2000, description="What to correct (required).")
    version: int | None = Field(None, description="The version read (or the header If-Match).")


@router.post(
    "/reports/{report_id}/return",
    model=Report,
    action="return",
    response={200: ReportDetailOut, 409: apiutils.ErrorOut, 428: apiutils.ErrorOut},
    operation_id="return_report",
    summary="Return a submitted report with a comment",
)
def return_report(request: Any, response: HttpResponse, report_id: int, payload: ReportReturn) -> Any:
    report = report_or_404(request, report_id, "return")
    version = versioning.version_from_request(request, payload.version)
    returned = services.return_report(actor=request.user, report=report, comment=payload.comment, version=version)
    out = detail(returned, request.user)
    response["ETag"] = versioning.etag(out)
    return out
