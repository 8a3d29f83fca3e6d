"""Authorization cases of approving, returning and unlocking (the level above: 乙 of 市南区 for
its hospital's union's reports), the review list and the approval API; 丙 (市北区) holds the
same role elsewhere and reaches none of them."""

from datetime import date
from typing import Any

from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.tests.authz_filling import form_of, report
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    form = form_of(p)
    unit = p.shinan_hospital
    to_approve = report(form, unit, date(2020, 2, 17), status="submitted")
    to_return = report(form, unit, date(2020, 2, 24), status="submitted")
    to_unlock = report(form, unit, date(2020, 3, 2), status="approved")
    to_approve_api = report(form, unit, date(2020, 3, 23), status="submitted")
    to_return_api = report(form, unit, date(2020, 3, 30), status="submitted")
    return [
        *standard_cases(
            p,
            "reports:report_approve",
            model=Report,
            action="approve",
            obj=to_approve,
            allowed=p.yi,
            other_org=(p.bing,),
            method="post",
            data={"version": str(to_approve.version)},
        ),
        *standard_cases(
            p,
            "reports:report_return",
            model=Report,
            action="return",
            obj=to_return,
            allowed=p.yi,
            other_org=(p.bing,),
            method="post",
            data={"version": str(to_return.version), "comment": "请核对直播人次"},
        ),
        *standard_cases(
            p,
            "reports:report_unlock",
            model=Report,
            action="unlock",
            obj=to_unlock,
            allowed=p.yi,
            other_org=(p.bing,),
            method="post",
            data={"version": str(to_unlock.version), "reason": "数据更正"},
        ),
        *standard_cases(
            p, "reports:review", model=Report, action="approve", allowed=p.yi, query=f"form={form.pk}&period=2020-02-17"
        ),
        *standard_cases(p, "GET /api/v1/reports/forms", model=ReportForm, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "POST /api/v1/reports/{report_id}/approve",
            model=Report,
            action="approve",
            obj=to_approve_api,
            lookup="report_id",
            allowed=p.yi,
            other_org=(p.bing,),
            data={"version": to_approve_api.version},
        ),
        *standard_cases(
            p,
            "POST /api/v1/reports/{report_id}/return",
            model=Report,
            action="return",
            obj=to_return_api,
            lookup="report_id",
            allowed=p.yi,
            other_org=(p.bing,),
            data={"version": to_return_api.version, "comment": "请补充"},
        ),
    ]
