"""Authorization cases of the rates pages and API operation: the world of ``test_rates_data``
(a city form reported by 市南区 and its hospital …); 乙 (市南区) reads 市南区's rates and reminds
its units of the official tables (the administrator of a unit of its own is reminded);
丙 (市北区) and the viewer (the medical group) do not reach 市南区: 404; the counsellor holds no
reports role: 403."""

from typing import Any

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.reports.models import Report
from nuanxin.reports.tests.test_rates_data import WEEK, world
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    w = world(p, code="authz-rates")
    # A unit of its own, so that it has surely not sent the tables (the matrix's other cases
    # import tables for 市南区人民医院工会) and its administrator is reminded.
    unit = org_services.create_organisation(
        actor=SYSTEM, code="SN-RT", name="授权测试单位工会", kind=OrgKind.UNIT_UNION, parent=p.shinan
    )
    org_services.create_user(
        actor=SYSTEM,
        username="snrt-admin",
        organisation=unit,
        role=Role.ORG_ADMIN,
        password=p.password,
        full_name="南医管理员",
        mobile="13900000002",
    )
    query = f"form={w.form.pk}&period={WEEK.isoformat()}&org={p.shinan.pk}"
    tables = f"form={w.tables.pk}&period=2026-11-01&org={p.shinan.pk}"
    outside = (p.bing, p.viewer)
    return [
        *standard_cases(p, "reports:rates", model=Report, action="view", allowed=p.yi, query=query, other_org=outside),
        *standard_cases(
            p,
            "reports:rates_xlsx",
            model=Report,
            action="view",
            allowed=p.yi,
            query=query,
            other_org=outside,
            audits="reports.rates.export",
        ),
        *standard_cases(
            p, "reports:tables_duty", model=Report, action="view", allowed=p.yi, query=tables, other_org=outside
        ),
        *standard_cases(
            p,
            "reports:tables_remind",
            model=Report,
            action="approve",
            allowed=p.yi,
            method="post",
            data={"form": str(w.tables.pk), "period": "2026-11-01", "org": str(p.shinan.pk)},
            other_org=(p.bing,),
        ),
        Case(
            "GET /api/v1/reports/rates",
            allowed=p.yi,
            query=query,
            denied=p.counsellor,
            other_org=outside,
        ),
    ]
