"""The dashboard of an organisation: the forms' computed figures per period over time, viewer-safe."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from nuanxin.reports.selectors import dashboards
from nuanxin.reports.tests.test_rates_data import SHANGHAI, world

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


@time_machine.travel(NOW, tick=False)
def test_a_panel_has_the_figures_of_each_week_up_to_this_one(personas):
    p = personas
    w = world(p)
    assert dashboards.dashboard_forms(p.jia) == [w.form]  # the official tables have no figures
    panel = dashboards.panel(w.form, p.shinan, today=date(2026, 12, 1))
    assert panel.categories == ["11-02", "11-09", "11-16", "11-23", "11-30"]
    assert [(f.code, f.label, f.unit, f.values) for f in panel.figures] == [
        ("families_visited", "走访家庭数", "count", [0, 0, 0, 0, 0]),
    ]
    assert panel.figures[0].latest == 0 and panel.figures[0].previous == 0


@time_machine.travel(NOW, tick=False)
def test_the_viewer_sees_the_dashboard_of_a_hospital_without_names(personas):
    p = personas
    w = world(p)
    c = Client()
    c.force_login(p.viewer)
    page = c.get(reverse("reports:dashboard"), {"org": p.shinan_hospital.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-form="{w.form.code}"' in html and 'data-figure="families_visited"' in html
    assert page.context["charts"][0]["data"]["categories"] == ["11-02", "11-09", "11-16", "11-23", "11-30"]
    assert "北医管理员" not in html and "13900000001" not in html
    for name in ("乙", "丙", "甲"):
        assert f">{name}<" not in html
    assert c.get(reverse("reports:dashboard"), {"org": p.shinan.pk}).status_code == 404
    assert (
        c.get(reverse("reports:dashboard"), {"org": p.shinan_hospital.pk, "form": w.tables.pk}).context["panels"] == []
    )
