"""A first pass through the reports' services: the standard forms, a unit's weekly report
opened, filled, submitted and approved by the district, the district's own then approved."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from nuanxin.core.policy import SYSTEM
from nuanxin.reports.choices import ReportStatus
from nuanxin.reports.services import reports as services
from nuanxin.reports.services import seeds

pytestmark = pytest.mark.django_db


@time_machine.travel("2026-03-09 09:00 +08:00", tick=False)
def test_the_weekly_report_goes_up(personas):
    p = personas
    forms = seeds.ensure_standard_forms(actor=SYSTEM, root=p.city, starts_on=date(2026, 2, 2))
    assert [f.name for f in forms] == ["关爱慰问情况周报", "专项资金使用月报", "志愿服务情况", "疫情防控工作总结"]
    weekly = forms[0]
    unit = services.open_report(actor=p.yi, form=weekly, organisation=p.shinan_hospital, period_start=date(2026, 3, 2))
    assert unit.status == ReportStatus.DRAFT
    assert [r.field.key for r in services.rows(unit)][:3] == ["families", "families_visited", "families_missed"]
    unit = services.submit(actor=p.yi, report=unit, version=unit.version, values={"cadres": "3", "notes": "正常"})
    assert unit.status == ReportStatus.SUBMITTED
    district = services.open_report(actor=p.yi, form=weekly, organisation=p.shinan, period_start=date(2026, 3, 2))
    district = services.submit(
        actor=p.yi, report=district, version=district.version, values={"cadres": 5, "notes": "好"}
    )
    with pytest.raises(services.ServiceError):
        services.approve(actor=p.yi, report=district, version=district.version)
    unit = services.approve(actor=p.yi, report=unit, version=unit.version)
    district = services.approve(actor=p.yi, report=district, version=district.version)
    assert district.status == ReportStatus.APPROVED
