"""The brief of a period: the figures of the form for an organisation and its obliged children
(frozen when submitted, live otherwise), as a PDF (Chinese, inline SVG charts) and an xlsx."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core.models import AuditLog
from nuanxin.reports.services import briefs
from nuanxin.reports.tests.test_rates_data import SHANGHAI, WEEK, world

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


@time_machine.travel(NOW, tick=False)
def test_a_district_brief_has_its_own_figures_and_its_units_rows(personas):
    p = personas
    w = world(p)
    b = briefs.brief(w.form, p.shinan, WEEK)
    assert [c.field.key for c in b.columns] == ["visited", "people", "note"]
    assert [c.unit for c in b.columns] == ["count", "count", ""]
    assert (b.own.status, b.own.values) == ("submitted", {"visited": 7, "people": 41, "note": ""})
    assert [(r.organisation.code, r.status, r.values) for r in b.children] == [
        ("SN-H1", "approved", {"visited": 7, "people": 30, "note": "送温暖"}),
    ]
    assert [(c.title, [(bar.label, bar.value, bar.width) for bar in c.bars]) for c in b.charts] == [
        ("走访家庭数", [("市南区人民医院工会", 7, 300)]),
        ("服务人次", [("市南区人民医院工会", 30, 300)]),
    ]
    assert b.period_label == "2026-11-23 – 2026-11-29"


@time_machine.travel(NOW, tick=False)
def test_the_city_brief_computes_what_is_not_submitted(personas):
    p = personas
    w = world(p)
    b = briefs.brief(w.form, p.city, WEEK)
    assert (b.own.status, b.own.values) == ("", {"visited": 0, "people": "", "note": ""})
    assert [(r.organisation.code, r.status, r.values) for r in b.children] == [
        ("SB", "", {"visited": 0, "people": "", "note": ""}),
        ("SN", "submitted", {"visited": 7, "people": 41, "note": ""}),
        ("YW", "draft", {"visited": 0, "people": "", "note": ""}),
    ]
    assert [[bar.width for bar in c.bars] for c in b.charts] == [[0, 300, 0], [0, 300, 0]]


@time_machine.travel(NOW, tick=False)
def test_the_pdf_is_official_looking_and_chinese(personas):
    p = personas
    w = world(p)
    html = render_to_string(briefs.TEMPLATE, {"brief": briefs.brief(w.form, p.shinan, WEEK)})
    assert '<p class="masthead serif">市南区总工会</p>' in html
    assert '<h1 class="title serif">关爱周报</h1>' in html
    assert "2026-11-23 – 2026-11-29" in html and "2026-12-01" in html
    assert html.count("<svg") == 2 and "<script" not in html
    assert "送温暖" not in html  # the units' texts are not in the brief; the organisation's own is
    content, filename = briefs.brief_pdf(actor=p.yi, form=w.form, organisation=p.shinan, period_start=WEEK)
    assert content.startswith(b"%PDF-")
    assert filename == "关爱周报-市南区总工会-2026-11-23.pdf"
    row = AuditLog.objects.get(action="reports.brief.pdf")
    assert (row.actor_id, row.detail) == (p.yi.pk, {"period": "2026-11-23", "organisations": 2})


@time_machine.travel(NOW, tick=False)
def test_the_xlsx_brief_from_the_page(personas):
    p = personas
    w = world(p)
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(p.yi)
    response = c.get(reverse("reports:brief_xlsx"), {"form": w.form.pk, "period": WEEK.isoformat()})
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows == [
        ["Organisation", "Report status", "走访家庭数", "服务人次", "工作亮点"],
        ["市南区总工会", "Submitted", 7.0, 41.0, ""],
        ["市南区人民医院工会", "Approved", 7.0, 30.0, "送温暖"],
    ]
    assert AuditLog.objects.get(action="reports.brief.xlsx").detail == {"period": "2026-11-23", "organisations": 2}
    pdf = c.get(reverse("reports:brief_pdf"), {"form": w.form.pk, "period": WEEK.isoformat()})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Type"] == "application/pdf"
