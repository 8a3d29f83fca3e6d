"""The data of the reports pages' tests (no test here), built through the services.

A weekly form of the city (关爱周报, from Monday 2020-01-27, due 12:00 the Monday after each week)
that district federations and unit unions report: 市南区 (SN) rolls up its hospital's union
(SN-H1), 市北区 (SB) its hospital's (SB-H1). Fields: families visited (computed), the
live-stream audience (a whole number, required), an amount and a text. A unit administrator
(单位管理员) of SN-H1 fills the unit's report; 乙 (市南区) reviews it and approves 市南区's own
once the unit's is approved; 甲 (the city) reviews the districts'. The tests run at Monday
2020-02-10 09:00 (Asia/Shanghai): the week of 2020-02-03 is due at 12:00 today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.services import forms as form_services
from nuanxin.reports.services import reports as services

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 10, 9, 0, tzinfo=SHANGHAI)
LAST_WEEK = date(2020, 2, 3)
THIS_WEEK = date(2020, 2, 10)
DUE = datetime(2020, 2, 10, 12, 0, tzinfo=SHANGHAI)

FIELDS: list[dict[str, Any]] = [
    {"key": "families_visited", "label": "走访慰问家庭数", "kind": "computed", "metric": "families_visited"},
    {"key": "audience", "label": "直播观看人次", "kind": "number", "required": True, "help_text": "线上活动"},
    {"key": "spent", "label": "自筹资金", "kind": "amount"},
    {"key": "notes", "label": "工作简述", "kind": "text"},
]


@dataclass
class ReportsWorld:
    p: Any
    form: ReportForm
    unit_admin: Any  # org admin of 市南区人民医院工会 (SN-H1)


def client_for(user: Any) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


def api_for(user: Any) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def weekly_form(p: Any, *, code: str = "care-weekly", name: str = "关爱周报") -> ReportForm:
    form = form_services.create_form(
        actor=SYSTEM,
        organisation=p.city,
        code=code,
        name=name,
        period_type="weekly",
        starts_on=date(2020, 1, 27),
        deadline_days=Decimal("0.5"),
        obliged_kinds=[OrgKind.DISTRICT_FEDERATION, OrgKind.UNIT_UNION],
    )
    return form_services.set_fields(actor=SYSTEM, form=form, fields=FIELDS, version=form.version)


def build_world(p: Any, *, code: str = "care-weekly") -> ReportsWorld:
    unit_admin, _pw = org_services.create_user(
        actor=SYSTEM,
        username=f"unit_{code}",
        organisation=p.shinan_hospital,
        role=Role.ORG_ADMIN,
        password="Unit-pass-2020x",
        full_name="单位管理员",
    )
    return ReportsWorld(p, weekly_form(p, code=code), unit_admin)


def report_of(w: ReportsWorld, organisation: Any, start: date = LAST_WEEK) -> Report:
    return services.open_report(actor=SYSTEM, form=w.form, organisation=organisation, period_start=start)


def submitted(w: ReportsWorld, organisation: Any, *, audience: int = 100, start: date = LAST_WEEK) -> Report:
    report = report_of(w, organisation, start)
    return services.submit(actor=SYSTEM, report=report, version=report.version, values={"audience": audience})


def approved(w: ReportsWorld, organisation: Any, **kwargs: Any) -> Report:
    report = submitted(w, organisation, **kwargs)
    return services.approve(actor=SYSTEM, report=report, version=report.version)
