"""The reports' demo: the standard forms, the weekly care reports of the demo campaign's weeks
(most on time, some late, one returned and resubmitted, 市南区's units approved and then the
district's own, last week's missing, this week's drafts), last month's funds reports and the
three-tables duty; the rates read them; run twice it adds nothing."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F

from nuanxin.accounts.models import User
from nuanxin.care import demo as care_demo
from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.models import AuditLog
from nuanxin.orgs import demo as orgs_demo
from nuanxin.registry import demo as registry_demo
from nuanxin.registry.import_models import BatchStatus, ImportBatch
from nuanxin.reports import demo
from nuanxin.reports.choices import ReportStatus
from nuanxin.reports.models import Report, ReportForm
from nuanxin.reports.selectors import rates

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)  # a Thursday: the campaign began on 2026-10-12
LAST_WEEK = date(2026, 11, 23)
WEEK_BEFORE = date(2026, 11, 16)


def _quiet(line: str) -> None:
    pass


def test_the_reports_demo(english):
    with time_machine.travel(NOW, tick=False):
        orgs_demo.build(out=_quiet)
        registry_demo.build(out=_quiet)
        care_demo.build(out=_quiet)
        lines: list[str] = []
        demo.build(out=lines.append)
        assert lines == [
            "reports: 5 standard forms, 31 reporters (31 new)",
            "reports: 219 weekly care reports submitted (26 late), 6 drafts; 17 funds reports of last month",
            "reports: 1 weekly report returned and resubmitted, 24 approved in 市南区总工会",
            "reports: the three tables sent by 13 units (2 late)",
        ]
        weekly = ReportForm.objects.get(code="care-weekly")
        assert sorted(ReportForm.objects.values_list("code", flat=True)) == sorted(
            ["care-weekly", "funds-monthly", "volunteers-monthly", "epidemic-summary", f"tables-{weekly.campaign_id}"]
        )
        assert weekly.starts_on == date(2026, 10, 12)
        reports = Report.objects.filter(form=weekly)
        # 7 past weeks × 32 obliged organisations, less last week's 4 missing and 1 draft; this week 5 drafts.
        assert Counter(reports.values_list("status", flat=True)) == {"submitted": 195, "approved": 24, "draft": 6}
        assert sorted(set(reports.values_list("period_start", flat=True))) == [
            date(2026, 10, 12) + timedelta(weeks=k) for k in range(8)
        ]
        assert reports.filter(submitted_at__gt=F("due_at")).count() == 27  # 26 late, and the resubmission
        assert reports.filter(submitted_at__gt=NOW).count() == 0
        # The returned one: returned with a comment, corrected, resubmitted, then approved.
        sn1 = reports.get(organisation__code="QD-SN-01", period_start=WEEK_BEFORE)
        assert sn1.status == ReportStatus.APPROVED
        assert sn1.return_comment.startswith("参与走访的工会干部人次")
        assert sn1.values["cadres"] == 6
        assert sn1.due_at < sn1.returned_at < sn1.submitted_at < sn1.approved_at
        assert (sn1.submitted_by.username, sn1.returned_by.username) == ("demo-reporter", "demo-district")
        # 市南区: each of the six weeks, its three units approved before its own.
        approved = reports.filter(status=ReportStatus.APPROVED)
        assert set(approved.values_list("organisation__code", flat=True)) == {
            "QD-SN",
            "QD-SN-01",
            "QD-SN-02",
            "QD-SN-03",
        }
        for start in set(approved.values_list("period_start", flat=True)):
            units = approved.filter(period_start=start, organisation__code__startswith="QD-SN-")
            own = approved.get(period_start=start, organisation__code="QD-SN")
            assert units.count() == 3
            assert max(units.values_list("approved_at", flat=True)) < own.approved_at
        actions = Counter(AuditLog.objects.filter(action__startswith="reports.").values_list("action", flat=True))
        assert (actions["reports.return"], actions["reports.approve"], actions["reports.save"]) == (1, 24, 6)
        funds = Report.objects.filter(form__code="funds-monthly")
        assert funds.count() == 17
        assert set(funds.values_list("period_start", flat=True)) == {date(2026, 11, 1)}

        # The rates read it: last week's missing with their contacts, the week before complete.
        city = User.objects.get(username="demo-city")
        table = rates.rates(city, weekly, LAST_WEEK)
        assert table.total.as_dict() == {"expected": 32, "submitted": 27, "on_time": 23, "approved": 0, "missing": 5}
        assert [(m.organisation.code, m.status, [u.username for u in m.contacts]) for m in table.missing] == [
            ("QD-JM-01", "", ["demo-rpt-jm-01"]),
            ("QD-JZ-01", "", ["demo-rpt-jz-01"]),
            ("QD-LX-01", "draft", ["demo-rpt-lx-01"]),
            ("QD-PD", "", ["demo-rpt-pd"]),
            ("QD-PD-01", "", ["demo-rpt-pd-01"]),
        ]
        assert rates.rates(city, weekly, WEEK_BEFORE).total.as_dict() == {
            "expected": 32,
            "submitted": 32,
            "on_time": 27,
            "approved": 4,
            "missing": 0,
        }
        # The three tables: 22 units obliged, 13 imports applied (2 after the deadline).
        tables = ReportForm.objects.get(code=f"tables-{weekly.campaign_id}")
        duty = rates.rates(city, tables, tables.starts_on)
        assert duty.total.as_dict() == {"expected": 22, "submitted": 13, "on_time": 11, "approved": 0, "missing": 9}
        assert [m.organisation.code for m in duty.missing] == [
            "QD-JM-01",
            "QD-JZ-01",
            "QD-LC-02",
            "QD-LX-01",
            "QD-PD-01",
            "QD-SB-03",
            "QD-SN-03",
            "QD-YW-05",
            "QD-YW-06",
        ]
        assert demo.logins() == [("demo-reporter", DEMO_PASSWORD, "Organisation administrator", "青岛大学附属医院工会")]

        # A second run adds nothing.
        counts = (Report.objects.count(), ImportBatch.objects.count(), User.objects.count(), AuditLog.objects.count())
        demo.build(out=lines.append)
        assert (
            Report.objects.count(),
            ImportBatch.objects.count(),
            User.objects.count(),
            AuditLog.objects.count(),
        ) == counts
        assert ImportBatch.objects.filter(status=BatchStatus.APPLIED).count() == 13
