"""The rates page, its xlsx, the official tables' duty page and its reminder button, the API."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core.models import AuditLog
from nuanxin.notify.models import Delivery, Notification
from nuanxin.reports.tests.test_rates_data import SHANGHAI, WEEK, world

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


def _client(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


@time_machine.travel(NOW, tick=False)
def test_the_city_sees_the_rates_and_the_missing_with_their_contacts(personas):
    p = personas
    w = world(p)
    page = _client(p.jia).get(reverse("reports:rates"), {"form": w.form.pk, "period": WEEK.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="expected">5<' in html and 'data-figure="missing">3<' in html
    assert 'data-figure="on_time">1<' in html and 'data-figure="approved">1<' in html
    assert 'data-org="SB-H1"' in html and "北医管理员" in html and "13900000001" in html
    assert page.context["table"].total.as_dict() == {
        "expected": 5,
        "submitted": 2,
        "on_time": 1,
        "approved": 1,
        "missing": 3,
    }
    assert page.context["chart"]["categories"] == ["市北区总工会", "市南区总工会", "青岛市医务工会"]
    assert page.context["chart"]["series"][2]["data"] == [2, 0, 1]
    read = AuditLog.objects.get(action="reports.contacts.read")
    assert read.detail == {"period": "2026-11-23", "organisations": 2}


@time_machine.travel(NOW, tick=False)
def test_a_viewer_sees_counts_and_organisations_never_a_name(personas):
    p = personas
    w = world(p)
    page = _client(p.viewer).get(
        reverse("reports:rates"), {"form": w.form.pk, "period": WEEK.isoformat(), "org": p.shibei_hospital.pk}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-org="SB-H1"' in html
    assert "北医管理员" not in html and "13900000001" not in html and "data-contacts" not in html
    assert not AuditLog.objects.filter(action="reports.contacts.read").exists()
    outside = _client(p.viewer).get(reverse("reports:rates"), {"form": w.form.pk, "org": p.shinan.pk})
    assert outside.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_rates_xlsx_lists_the_rows_and_every_missing_report(personas):
    p = personas
    w = world(p)
    response = _client(p.jia).get(reverse("reports:rates_xlsx"), {"form": w.form.pk, "period": WEEK.isoformat()})
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:6] == ["Organisation", "Expected", "Submitted", "Submitted on time", "Approved", "Missing"]
    assert rows[1][:8] == ["市北区总工会", 2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0]
    assert rows[2][:8] == ["市南区总工会", 2.0, 2.0, 1.0, 1.0, 0.0, 100.0, 50.0]
    assert rows[3][:6] == ["青岛市医务工会", 1.0, 0.0, 0.0, 0.0, 1.0]
    assert rows[4][:6] == ["Total", 5.0, 2.0, 1.0, 1.0, 3.0]
    assert rows[6][:4] == ["Missing reports", "Parent organisation", "Status", "Contacts"]
    assert [r[:3] for r in rows[7:10]] == [
        ["市北区总工会", "青岛市总工会", "Not opened"],
        ["市北区人民医院工会", "市北区总工会", "Returned"],
        ["青岛市医务工会", "青岛市总工会", "Not submitted"],
    ]
    assert rows[8][3].startswith("北医管理员 ") and rows[8][3].endswith("13900000001")
    export = AuditLog.objects.get(action="reports.rates.export")
    assert export.detail == {"period": "2026-11-23", "organisations": 5, "missing": 3}


@time_machine.travel(NOW, tick=False)
def test_the_tables_duty_and_its_reminder_once_a_day(personas):
    p = personas
    w = world(p)
    c = _client(p.jia)
    page = c.get(reverse("reports:tables_duty"), {"form": w.tables.pk})
    assert page.status_code == 200
    assert [m.organisation.code for m in page.context["table"].missing] == ["SB-H1", "SN-H1"]
    assert page.context["sent"] == []
    data = {"form": w.tables.pk, "period": "2026-11-01", "org": p.city.pk}
    response = c.post(reverse("reports:tables_remind"), data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:tables_duty") + "?")
    sent = Notification.objects.filter(kind="reports.tables_reminder")
    assert [n.recipient.username for n in sent] == ["sbh1-admin"]  # SN-H1 has no administrator
    assert (
        Delivery.objects.filter(notification__in=sent, channel="sms", template="reports_tables_reminder").count() == 1
    )
    c.post(reverse("reports:tables_remind"), data)  # the same day: nobody again
    assert Notification.objects.filter(kind="reports.tables_reminder").count() == 1
    audits = list(
        AuditLog.objects.filter(action="reports.tables.remind").order_by("pk").values_list("detail", flat=True)
    )
    assert audits == [
        {"period": "2026-11-01", "organisations": 2, "reached": 1, "notified": 1},
        {"period": "2026-11-01", "organisations": 2, "reached": 1, "notified": 0},
    ]


@time_machine.travel(NOW, tick=False)
def test_a_filled_form_is_not_reminded_from_the_tables_page(personas):
    p = personas
    w = world(p)
    response = _client(p.jia).post(
        reverse("reports:tables_remind"), {"form": w.form.pk, "period": WEEK.isoformat(), "org": p.city.pk}
    )
    assert response.status_code == 404
    assert not Notification.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_the_api_gives_the_rates(personas):
    from nuanxin.accounts.services import create_api_token
    from nuanxin.core.policy import SYSTEM

    p = personas
    w = world(p)
    _token, plaintext = create_api_token(actor=SYSTEM, user=p.yi, expires_days=1)
    c = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    body = c.get("/api/v1/reports/rates", {"form": w.form.pk, "period": WEEK.isoformat()}).json()
    assert body["organisation"]["code"] == "SN"
    assert (body["period_start"], body["period_end"]) == ("2026-11-23", "2026-11-29")
    assert [(r["organisation"]["code"], r["own"], r["counts"]) for r in body["rows"]] == [
        ("SN", True, {"expected": 1, "submitted": 1, "on_time": 0, "approved": 0, "missing": 0}),
        ("SN-H1", False, {"expected": 1, "submitted": 1, "on_time": 1, "approved": 1, "missing": 0}),
    ]
    assert body["missing"] == [] and body["missing_count"] == 0
    wrong = c.get("/api/v1/reports/rates", {"form": w.form.pk, "period": "2026-11-24"})
    assert wrong.status_code == 400
    assert c.get("/api/v1/reports/rates", {"form": w.form.pk, "org": p.shibei.pk}).status_code == 404
