"""Reports up the tree: the rates API operation.

``GET /reports/rates?form=&period=&org=``: a form's reporting rates for a period (its first day;
default: the latest period over) under an organisation (default: the one the token user's grants
cover): per child organisation rolled up over its subtree (and the organisation's own report),
expected, submitted, on time, approved and missing; the total; and the missing organisations
(no contacts: the page lists them to those who review). A form or an organisation out of reach
is a 404; a day that does not start one of the form's periods a 400 (``code`` invalid)."""
# No ``from __future__ import annotations``: ninja reads the operations' annotations.

from datetime import date, datetime
from typing import Any

from ninja import Field, Query, Schema

from nuanxin.core import apiutils
from nuanxin.reports.models import Report
from nuanxin.reports.selectors import rates as selectors
from nuanxin.reports.services import periods

router = apiutils.ScopedRouter(tags=["reports"])


class RatesOrgOut(Schema):
    id: int
    code: str
    name: str


class RatesCountsOut(Schema):
    expected: int
    submitted: int = Field(description="Submitted or approved (for the official tables: an applied import).")
    on_time: int = Field(description="Submitted before the deadline.")
    approved: int
    missing: int


class RatesRowOut(Schema):
    organisation: RatesOrgOut
    own: bool = Field(description="The organisation's own report, not a child's subtree.")
    counts: RatesCountsOut


class RatesMissingOut(Schema):
    organisation: RatesOrgOut
    status: str = Field(description='"" (not opened), draft or returned.')


class RatesOut(Schema):
    form: int
    source: str = Field(description="filled, or tables (an import counts as sending).")
    organisation: RatesOrgOut
    period_start: date
    period_end: date
    due_at: datetime
    rows: list[RatesRowOut]
    total: RatesCountsOut
    missing: list[RatesMissingOut] = Field(description="The first 500 missing organisations, in tree order.")
    missing_count: int


class RatesFilter(Schema):
    form: int = Field(description="A report form's id.")
    period: date | None = Field(None, description="The first day of the period (default: the latest one over).")
    org: int | None = Field(None, description="An organisation's id (default: the one your grants cover).")


def _org(o: Any) -> dict[str, Any]:
    return {"id": o.pk, "code": o.code, "name": o.name}


@router.get(
    "/reports/rates",
    model=Report,
    action="view",
    response={200: RatesOut, **apiutils.ERROR_RESPONSES},
    operation_id="get_report_rates",
    summary="Reporting rates of a form's period, per organisation",
)
def get_rates(request: Any, filters: Query[RatesFilter]) -> Any:
    form = selectors.form_for(request.user, filters.form)
    organisation = selectors.organisation_for(request.user, filters.org)
    start = periods.parse_period(form, filters.period)[0] if filters.period else selectors.default_period(form)[0]
    table = selectors.rates(request.user, form, start, organisation=organisation, with_contacts=False)
    return {
        "form": form.pk,
        "source": form.source,
        "organisation": _org(organisation),
        "period_start": table.period_start,
        "period_end": table.period_end,
        "due_at": table.due_at,
        "rows": [
            {"organisation": _org(r.organisation), "own": r.own, "counts": r.counts.as_dict()} for r in table.rows
        ],
        "total": table.total.as_dict(),
        "missing": [{"organisation": _org(m.organisation), "status": m.status} for m in table.missing],
        "missing_count": table.missing_count,
    }
