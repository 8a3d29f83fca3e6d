"""The data of the rates, reminders, dashboards and briefs tests (no test here).

On the personas' tree (CITY > SN > SN-H1, CITY > SB > SB-H1, CITY > YW): the city's weekly form
「关爱周报」 (from Monday 2026-11-02, deadline 0.5 day: Monday 12:00 for the week before), obliged
at levels 2 and 3 (SB, SB-H1, SN, SN-H1, YW), with a computed field (families visited), a whole
number and a text entered by hand; and a form of the official tables 「三张表报送」 (once, from
2026-11-01 to 2026-11-30, deadline 2 days: 2026-12-03 00:00) obliged at level 3 (SB-H1, SN-H1).

Reports of the week 2026-11-23 .. 2026-11-29 (due 2026-11-30 12:00): SN-H1 submitted on time and
approved (its frozen figures: 7 families visited, 30 people, a note), SN submitted late, SB-H1
returned, YW a draft, SB none. 北医管理员 (an administrator granted on SB-H1, mobile
13900000001) and 丙 (SB) are the contacts of the missing ones of 市北区; YW has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.reports.choices import FieldKind, FormSource, PeriodType, ReportStatus
from nuanxin.reports.models import FormField, Report, ReportForm

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = date(2026, 11, 23)
WEEK_END = date(2026, 11, 29)
DUE = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
TABLES_DUE = datetime(2026, 12, 3, 0, 0, tzinfo=SHANGHAI)


@dataclass
class World:
    form: ReportForm
    tables: ReportForm
    reports: dict[str, Report]
    sb_admin: Any


def _report(form: ReportForm, org: Any, status: str, submitted: datetime | None, **extra: Any) -> Report:
    return Report.objects.create(
        form=form,
        organisation=org,
        period_start=WEEK,
        period_end=WEEK_END,
        due_at=DUE,
        status=status,
        submitted_at=submitted,
        **extra,
    )


def world(p: Any, *, code: str = "care-weekly") -> World:
    form = ReportForm.objects.create(
        organisation=p.city,
        code=code,
        name="关爱周报",
        period_type=PeriodType.WEEKLY,
        starts_on=date(2026, 11, 2),
        deadline_days=Decimal("0.5"),
        obliged_depths=[2, 3],
    )
    FormField.objects.create(
        form=form, position=1, key="visited", label="走访家庭数", kind=FieldKind.COMPUTED, metric="families_visited"
    )
    FormField.objects.create(form=form, position=2, key="people", label="服务人次", kind=FieldKind.NUMBER)
    FormField.objects.create(form=form, position=3, key="note", label="工作亮点", kind=FieldKind.TEXT)
    tables = ReportForm.objects.create(
        organisation=p.city,
        code=f"{code}-tables",
        name="三张表报送",
        source=FormSource.TABLES,
        period_type=PeriodType.ONCE,
        starts_on=date(2026, 11, 1),
        once_on=date(2026, 11, 30),
        deadline_days=Decimal("2"),
        obliged_depths=[3],
    )
    on_time = datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)
    late = datetime(2026, 11, 30, 15, 0, tzinfo=SHANGHAI)
    reports = {
        "SN-H1": _report(
            form,
            p.shinan_hospital,
            ReportStatus.APPROVED,
            on_time,
            computed={"visited": 7},
            values={"people": 30, "note": "送温暖"},
            approved_at=late,
        ),
        "SN": _report(form, p.shinan, ReportStatus.SUBMITTED, late, computed={"visited": 7}, values={"people": 41}),
        "SB-H1": _report(form, p.shibei_hospital, ReportStatus.RETURNED, late, return_comment="请补充"),
        "YW": _report(form, p.medical_union, ReportStatus.DRAFT, None),
    }
    sb_admin, _pw = org_services.create_user(
        actor=SYSTEM,
        username="sbh1-admin",
        organisation=p.shibei_hospital,
        role=Role.ORG_ADMIN,
        password=p.password,
        full_name="北医管理员",
        mobile="13900000001",
    )
    return World(form=form, tables=tables, reports=reports, sb_admin=sb_admin)
