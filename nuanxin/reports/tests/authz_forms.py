"""Authorization cases of the form builder: the city's forms are built by its administrators
(甲); no one else holds the role, so there is no other organisation to refuse."""

from typing import Any

from nuanxin.reports.models import ReportForm
from nuanxin.reports.tests.test_filling_data import weekly_form
from tests.authz import Case, standard_cases

ONLY_THE_CITY = "report forms belong to the city; only its administrators (REPORTS_FORMS) build them"


def _settings(form: ReportForm, name: str) -> dict[str, Any]:
    return {
        "part": "settings",
        "version": str(form.version),
        "name": name,
        "period_type": "weekly",
        "starts_on": "2020-01-27",
        "deadline_days": "0.5",
        "obliged_kinds": ["unit_union"],
        "active": "on",
    }


def cases(p: Any) -> list[Case]:
    form = weekly_form(p, code="authz-r2-forms", name="授权表单")
    return [
        *standard_cases(p, "reports:form_list", model=ReportForm, action="change", allowed=p.jia),
        *standard_cases(
            p,
            "reports:form_create",
            model=ReportForm,
            action="change",
            allowed=p.jia,
            data={
                "code": "authz-r2-new",
                "name": "授权新表",
                "period_type": "monthly",
                "starts_on": "2020-01-01",
                "deadline_days": "3",
                "obliged_depths": ["2"],
            },
        ),
        *standard_cases(
            p,
            "reports:form_detail",
            model=ReportForm,
            action="change",
            obj=form,
            allowed=p.jia,
            data=_settings(form, "授权表单（改）"),
            no_other_org_because=ONLY_THE_CITY,
        ),
    ]
