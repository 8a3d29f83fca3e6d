"""Authorization cases of the reports home, opening and filling a report and the filling API:
reports of 市南区人民医院工会 (SN-H1) on a weekly form of the city, filled by 乙 (市南区's
administrator, whose grant covers the unit); 丙 (市北区) reaches none of them."""

from datetime import date
from decimal import Decimal
from typing import Any

from nuanxin.core.policy import SYSTEM
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.services import forms as form_services
from nuanxin.reports.services import reports as services
from nuanxin.reports.tests.test_filling_data import FIELDS
from tests.authz import Case, standard_cases

CODE = "authz-r2-fill"


def form_of(p: Any) -> ReportForm:
    """The weekly form the filling and approval cases share (made by the first to ask): 市南区 and
    its hospital's union must report, named in a list (by kind, a unit the matrix's other cases
    move under the hospital's union would become a child whose report blocks the approvals)."""
    found = ReportForm.objects.filter(code=CODE).first()
    if found is not None:
        return found
    form = form_services.create_form(
        actor=SYSTEM,
        organisation=p.city,
        code=CODE,
        name="授权周报",
        period_type="weekly",
        starts_on=date(2020, 1, 27),
        deadline_days=Decimal("0.5"),
        obliged=[p.shinan, p.shinan_hospital],
    )
    return form_services.set_fields(actor=SYSTEM, form=form, fields=FIELDS, version=form.version)


def report(form: ReportForm, organisation: Any, start: date, *, status: str = "draft") -> Report:
    r = services.open_report(actor=SYSTEM, form=form, organisation=organisation, period_start=start)
    if status in ("filled", "submitted", "approved"):
        r = services.save_values(actor=SYSTEM, report=r, values={"audience": 10}, version=r.version)
    if status in ("submitted", "approved"):
        r = services.submit(actor=SYSTEM, report=r, version=r.version)
    if status == "approved":
        r = services.approve(actor=SYSTEM, report=r, version=r.version)
    return r


def cases(p: Any) -> list[Case]:
    form = form_of(p)
    unit = p.shinan_hospital
    draft = report(form, unit, date(2020, 2, 3))
    to_save = report(form, unit, date(2020, 4, 6))
    to_submit = report(form, unit, date(2020, 2, 10))
    to_patch = report(form, unit, date(2020, 3, 9))
    to_submit_api = report(form, unit, date(2020, 3, 16), status="filled")
    return [
        *standard_cases(p, "reports:home", model=Report, action="view", allowed=p.yi),
        Case(
            "reports:report_open",
            allowed=p.yi,
            query=f"form={form.pk}&period=2020-01-27&org={unit.pk}",
            denied=p.counsellor,
            other_org=p.bing,
            ok_status=frozenset({302}),
        ),
        *standard_cases(
            p, "reports:report_detail", model=Report, action="view", obj=draft, allowed=p.yi, other_org=(p.bing,)
        ),
        *standard_cases(
            p,
            "reports:report_detail",
            model=Report,
            action="view",
            obj=to_save,
            allowed=p.yi,
            other_org=(p.bing,),
            method="post",
            data={"version": str(to_save.version), "v_audience": "5", "v_notes": "授权"},
        ),
        *standard_cases(
            p,
            "reports:report_submit",
            model=Report,
            action="fill",
            obj=to_submit,
            allowed=p.yi,
            other_org=(p.bing,),
            method="post",
            data={"version": str(to_submit.version), "v_audience": "7"},
        ),
        *standard_cases(p, "GET /api/v1/reports", model=Report, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "GET /api/v1/reports/{report_id}",
            model=Report,
            action="view",
            obj=draft,
            lookup="report_id",
            allowed=p.yi,
            other_org=(p.bing,),
        ),
        *standard_cases(
            p,
            "PATCH /api/v1/reports/{report_id}",
            model=Report,
            action="fill",
            obj=to_patch,
            lookup="report_id",
            allowed=p.yi,
            other_org=(p.bing,),
            data={"values": {"audience": 3}, "version": to_patch.version},
        ),
        *standard_cases(
            p,
            "POST /api/v1/reports/{report_id}/submit",
            model=Report,
            action="fill",
            obj=to_submit_api,
            lookup="report_id",
            allowed=p.yi,
            other_org=(p.bing,),
            data={"version": to_submit_api.version},
        ),
    ]
