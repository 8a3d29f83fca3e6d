"""Authorization cases of the dashboard and the briefs: 乙 (市南区) reads 市南区's; 丙 (市北区) and
the viewer (the medical group) do not reach 市南区: 404; the counsellor holds no reports role: 403.
The briefs' downloads are audited."""

from typing import Any

from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.tests.test_rates_data import WEEK, world
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    # built by authz_rates (run before), or here
    form = ReportForm.objects.filter(code="authz-rates").first() or world(p, code="authz-rates").form
    query = f"form={form.pk}&period={WEEK.isoformat()}&org={p.shinan.pk}"
    outside = (p.bing, p.viewer)
    return [
        *standard_cases(
            p,
            "reports:dashboard",
            model=Report,
            action="view",
            allowed=p.yi,
            query=f"org={p.shinan.pk}&form={form.pk}",
            other_org=outside,
        ),
        *standard_cases(
            p,
            "reports:brief_pdf",
            model=Report,
            action="view",
            allowed=p.yi,
            query=query,
            other_org=outside,
            audits="reports.brief.pdf",
        ),
        *standard_cases(
            p,
            "reports:brief_xlsx",
            model=Report,
            action="view",
            allowed=p.yi,
            query=query,
            other_org=outside,
            audits="reports.brief.xlsx",
        ),
    ]
