"""The form builder (甲, the city's administrator), in English."""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from nuanxin.reports import figures
from nuanxin.reports.models import ReportForm
from nuanxin.reports.tests.test_filling_data import NOW, client_for, weekly_form


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


CREATE = {
    "name": "直播活动月报",
    "code": "live-monthly",
    "period_type": "monthly",
    "starts_on": "2020-02-01",
    "deadline_days": "2.5",
    "obliged_depths": ["2"],
    "obliged_codes": "SN-H1",
}


def test_only_city_administrators_build_forms(personas):
    assert client_for(personas.yi).get(reverse("reports:form_list")).status_code == 403
    page = client_for(personas.jia).get(reverse("reports:form_list")).content.decode()
    assert 'id="nx-form-new"' in page


def test_a_form_is_created_once_then_its_fields_picked(personas):
    c = client_for(personas.jia)
    page = c.get(reverse("reports:form_create")).content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    response = c.post(reverse("reports:form_create"), {**CREATE, "submission_token": token})
    form = ReportForm.objects.get(code="live-monthly")
    assert response.status_code == 302 and response["Location"] == reverse("reports:form_detail", args=[form.pk])
    assert (form.name, form.period_type, form.deadline_days, form.obliged_depths) == (
        "直播活动月报",
        "monthly",
        Decimal("2.50"),
        [2],
    )
    assert form.organisation == personas.city and list(form.obliged.all()) == [personas.shinan_hospital]
    again = c.post(reverse("reports:form_create"), {**CREATE, "submission_token": token})  # a second tap
    assert again.status_code == 302 and ReportForm.objects.filter(code="live-monthly").count() == 1
    page = html.unescape(c.get(reverse("reports:form_detail", args=[form.pk])).content.decode())
    assert 'data-group="care"' in page and 'data-metric="families_visited"' in page
    assert 'data-group="volunteers"' in page
    response = c.post(
        reverse("reports:form_detail", args=[form.pk]),
        {
            "part": "fields",
            "version": form.version,
            "m_visits": "on",
            "mp_visits": "2",
            "m_families_visited": "on",
            "mp_families_visited": "1",
            "ml_families_visited": "走访家庭",
            "e0_key": "audience",
            "e0_label": "直播观看人次",
            "e0_kind": "number",
            "e0_required": "on",
            "e0_position": "3",
            "e1_label": "工作简述",
            "e1_kind": "text",
        },
    )
    assert response.status_code == 302
    fields = list(form.fields.order_by("position").values_list("key", "label", "kind", "metric", "required"))
    assert (
        fields
        == [
            ("families_visited", "走访家庭", "computed", "families_visited", False),
            ("visits", str(figures.METRICS["visits"].label), "computed", "visits", False),
            ("audience", "直播观看人次", "number", "", True),
            ("field_2", "工作简述", "text", "", False),
        ]
        or fields[1][0] == "visits"
    )


def test_the_settings_refuse_clearly_and_keep_what_was_typed(personas):
    c = client_for(personas.jia)
    response = c.post(
        reverse("reports:form_create"),
        {**CREATE, "period_type": "once", "obliged_depths": [], "obliged_codes": "SN-H1 NOPE"},
    )
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "A one-off form needs its reporting date." in page
    assert "No organisation under 青岛市总工会 has the code NOPE." in page
    assert 'value="直播活动月报"' in page
    assert not ReportForm.objects.filter(code="live-monthly").exists()


def test_a_stale_settings_edit_is_a_conflict(personas):
    form = weekly_form(personas)
    c = client_for(personas.jia)
    data = {
        "part": "settings",
        "version": form.version,
        "name": "关爱周报（新）",
        "period_type": "weekly",
        "starts_on": "2020-01-27",
        "deadline_days": "1",
        "obliged_kinds": ["unit_union"],
        "active": "on",
    }
    assert c.post(reverse("reports:form_detail", args=[form.pk]), data).status_code == 302
    form.refresh_from_db()
    assert (form.name, form.deadline_days, form.obliged_kinds, form.starts_on) == (
        "关爱周报（新）",
        Decimal("1.00"),
        ["unit_union"],
        date(2020, 1, 27),
    )
    data["name"] = "又一个名字"
    page = html.unescape(c.post(reverse("reports:form_detail", args=[form.pk]), data).content.decode())
    assert "after you opened it. Your changes were not saved" in page and 'value="又一个名字"' in page
    form.refresh_from_db()
    assert form.name == "关爱周报（新）"
