"""Reports up the tree: the report forms (``GET /reports/forms``): every active form the token's
account reads (a form of an organisation above or below its grants for reports), with its
fields in order."""
# No ``from __future__ import annotations``: ninja reads the operations' annotations.

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from nuanxin.core import apiutils
from nuanxin.reports.models import ReportForm
from nuanxin.reports.views.filling import visible_forms

router = apiutils.ScopedRouter(tags=["reports"])


class ReportFieldOut(Schema):
    key: str
    label: str
    kind: str = Field(description="computed, number, amount or text.")
    metric: str = Field(description="The computed figure's code (reports.figures), empty for entered fields.")
    required: bool
    position: int
    help_text: str


class ReportFormOut(Schema):
    id: int
    code: str
    name: str
    description: str
    organisation: int = Field(..., alias="organisation_id")
    organisation_name: str
    source: str = Field(description="filled, or tables (the official tables; an import counts as sending).")
    period_type: str = Field(description="weekly, monthly or once.")
    starts_on: date
    ends_on: date | None
    once_on: date | None
    deadline_days: Decimal = Field(description="Days after the period's last day (0.5 = noon of the next day).")
    version: int
    fields: list[ReportFieldOut]

    @staticmethod
    def resolve_organisation_name(obj: Any) -> str:
        return obj.organisation.name

    @staticmethod
    def resolve_fields(obj: Any) -> list:
        return sorted(obj.fields.all(), key=lambda f: (f.position, f.pk))


@router.get(
    "/reports/forms",
    model=ReportForm,
    action="view",
    response=list[ReportFormOut],
    operation_id="list_report_forms",
    summary="Report forms in use, with their fields",
)
@apiutils.paginate
def list_forms(request: Any) -> Any:
    return visible_forms(request.user).prefetch_related("fields").order_by("name", "id")
