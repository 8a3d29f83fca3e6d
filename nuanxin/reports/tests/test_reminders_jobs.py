"""The reminders of the reports as periodic jobs: before the deadline to the fillers of the
reports not submitted, after it to the missing and their parents' administrators; each once per
report and occasion, audited when they send."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from nuanxin.core.models import AuditLog
from nuanxin.notify.models import Delivery, Notification
from nuanxin.reports.services import reminders
from nuanxin.reports.tasks import JOBS
from nuanxin.reports.tests.test_rates_data import SHANGHAI, world

pytestmark = pytest.mark.django_db


def _sent(kind: str) -> list[tuple[str, str]]:
    return sorted(
        (n.recipient.username, n.key.split(":")[-2])  # (recipient, organisation id) of the occasion
        for n in Notification.objects.filter(kind=kind)
    )


def test_the_jobs_are_registered():
    names = {job.name for job in JOBS}
    assert {"reports.remind_due", "reports.remind_missing"} <= names


def test_before_the_deadline_the_fillers_of_the_reports_not_submitted(personas):
    p = personas
    w = world(p)
    with time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert reminders.remind_due() == 2
        # SB (none opened) -> 丙; SB-H1 (returned) -> its administrator; YW (draft): nobody holds a grant on it
        assert _sent("reports.due_soon") == sorted(
            [("bing", str(p.shibei.pk)), ("sbh1-admin", str(p.shibei_hospital.pk))]
        )
        note = Notification.objects.get(kind="reports.due_soon", recipient=w.sb_admin)
        assert note.url == f"/reports/open/?form={w.form.pk}&period=2026-11-23&org={p.shibei_hospital.pk}"
        assert Delivery.objects.filter(notification=note, channel="sms", template="reports_due_soon").count() == 1
        assert reminders.remind_due() == 0  # the same report and occasion: once
        # this week's deadline has not passed; the week of 11-16 (due 11-23 12:00, nothing opened)
        # is chased: SB, SB-H1, SN to their administrators, the parents CITY, SB and SN
        assert reminders.remind_missing() == 6
        assert _sent("reports.overdue") == sorted(
            [("bing", str(p.shibei.pk)), ("sbh1-admin", str(p.shibei_hospital.pk)), ("yi", str(p.shinan.pk))]
        )
    rows = list(AuditLog.objects.filter(action="reports.remind.due").values_list("object_id", "detail"))
    assert rows == [(str(w.form.pk), {"period": "2026-11-23", "organisations": 3, "notified": 2})]


def test_after_the_deadline_the_missing_and_their_parents(personas):
    p = personas
    w = world(p)
    with time_machine.travel(datetime(2026, 11, 30, 13, 0, tzinfo=SHANGHAI), tick=False):
        assert reminders.remind_due() == 0
        assert reminders.remind_missing() == 4
        assert _sent("reports.overdue") == sorted(
            [("bing", str(p.shibei.pk)), ("sbh1-admin", str(p.shibei_hospital.pk))]
        )
        # the parents: 青岛市总工会 (SB and YW missing) -> 甲; 市北区总工会 (SB-H1) -> 丙
        assert _sent("reports.children_missing") == sorted([("bing", str(p.shibei.pk)), ("jia", str(p.city.pk))])
        city = Notification.objects.get(kind="reports.children_missing", recipient=p.jia)
        assert "2" in city.title
        assert reminders.remind_missing() == 0
    with time_machine.travel(datetime(2026, 12, 7, 13, 0, tzinfo=SHANGHAI), tick=False):
        # more than a week after that deadline: the week of 11-23 is chased no more; the week of
        # 11-30 (no report opened: SB, SN to their administrators, the parents CITY, SB, SN) and
        # the official tables (due 12-03: SB-H1, and the parents SB and SN) are
        assert reminders.remind_missing() == 9
    details = list(
        AuditLog.objects.filter(action="reports.remind.missing").order_by("pk").values_list("object_id", "detail")
    )
    assert details == [
        (str(w.form.pk), {"period": "2026-11-23", "organisations": 3, "notified": 4}),
        (str(w.form.pk), {"period": "2026-11-30", "organisations": 5, "notified": 6}),
        (str(w.tables.pk), {"period": "2026-11-01", "organisations": 2, "notified": 3}),
    ]
