"""The review of issue 16 (findings 1, 2, 3, 6, 8, 12, 13): the brief's layout (a names column,
figures in even tables, chart labels that never run under the bars), the comment box of a fall
typed and submitted at once, stale reviewers' actions as a conflict (not a 403), the report
status words on the rates, no disagreement flag before every child has reported, clear answers
for periods outside the form, and the wording."""

from __future__ import annotations

import html
import io
from datetime import date, datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from nuanxin.core.errors import ServiceError
from nuanxin.reports import figures
from nuanxin.reports.choices import FieldKind, ReportStatus
from nuanxin.reports.models import FormField
from nuanxin.reports.services import briefs, seeds
from nuanxin.reports.services import reports as services
from nuanxin.reports.tests import test_filling_data as filling_data
from nuanxin.reports.tests import test_rates_data as rates_data

pytestmark = pytest.mark.django_db

BRIEF_NOW = datetime(2026, 12, 1, 10, 0, tzinfo=rates_data.SHANGHAI)


def _zh(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "zh-hans"
    c.force_login(user)
    return c


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- 1. the brief's layout -------------------------------------------------------------------------


def test_chart_labels_are_whole_or_cut_with_an_ellipsis():
    assert briefs.chart_label("青岛市疾病预防控制中心工会") == "青岛市疾病预防控制中心工会"
    assert briefs.chart_label("青岛市某某某某某某某某某某某某工会") == "青岛市" + "某" * 12 + "…"  # 15 + …
    assert briefs.text_width("青岛市第六人民医院工会") == 11.0
    assert briefs.text_width("SN-H1") == 3.0


def test_the_chart_label_column_is_as_wide_as_the_longest_name():
    chart = briefs._chart("走访家庭数", [("城阳区总工会", 6), ("青岛市疾病预防控制中心工会", 15), ("平度市总工会", 0)])
    label_width = 13 * briefs.CHART_FONT + 8
    assert [(b.label, b.x, b.width, b.value_x) for b in chart.bars] == [
        ("城阳区总工会", label_width, 120, label_width + 126),
        ("青岛市疾病预防控制中心工会", label_width, 300, label_width + 306),
        ("平度市总工会", label_width, 0, label_width + 6),
    ]
    assert (chart.width, chart.height) == (label_width + briefs.BAR_WIDTH + 80, 86)


def test_a_wide_form_is_split_into_even_tables_of_figures():
    def brief_of(count):
        columns = [
            briefs.Column(field=FormField(key=f"f{i}", label=f"指标{i}", kind=FieldKind.NUMBER), unit="count")
            for i in range(count)
        ]
        own = briefs.OrgFigures(organisation=None, status="", values={})
        return briefs.Brief(None, None, date(2026, 11, 23), date(2026, 11, 29), date(2026, 12, 1), columns, own, [])

    assert [[c.field.key for c in chunk] for chunk in brief_of(8).column_chunks] == [
        ["f0", "f1", "f2", "f3"],
        ["f4", "f5", "f6", "f7"],
    ]
    assert [len(chunk) for chunk in brief_of(5).column_chunks] == [5]
    assert [len(chunk) for chunk in brief_of(11).column_chunks] == [4, 4, 3]
    assert brief_of(0).column_chunks == []


@time_machine.travel(BRIEF_NOW, tick=False)
def test_the_pdf_table_has_a_names_column_and_the_chart_no_overlap(personas):
    p = personas
    w = rates_data.world(p)
    page = render_to_string(briefs.TEMPLATE, {"brief": briefs.brief(w.form, p.shinan, rates_data.WEEK)})
    assert "table.units col.org { width: 50mm; }" in page
    assert '<colgroup><col class="org"><col class="fig"><col class="fig"><col class="status"></colgroup>' in page
    assert '<td class="org">市南区人民医院工会</td>' in page
    label_width = 9 * briefs.CHART_FONT + 8
    assert f'viewBox="0 0 {label_width + briefs.BAR_WIDTH + 80} 42"' in page
    assert f'<rect x="{label_width}" y="10" width="300" height="16" fill="#c0504d"></rect>' in page


# --- 2. the comment box of a fall typed and submitted at once ----------------------------------------


@time_machine.travel(filling_data.NOW, tick=False)
def test_a_fall_typed_and_submitted_shows_its_comment_box_with_the_typed_values(personas):
    w = filling_data.build_world(personas)
    filling_data.submitted(w, w.p.shinan_hospital, audience=300, start=date(2020, 1, 27))
    report = filling_data.report_of(w, w.p.shinan_hospital)
    c = filling_data.client_for(w.unit_admin)
    url = reverse("reports:report_submit", args=[report.pk])
    page = _text(c.post(url, {"version": report.version, "v_audience": "100", "v_notes": "停办一次"}))
    audience = page.split('data-key="audience"')[1].split('data-key="spent"')[0]
    assert "fell by more than half from the previous period's (300 to 100): say why in its comment." in page
    assert 'name="c_audience"' in audience and 'value="100"' in audience and "停办一次" in page
    report.refresh_from_db()
    assert (report.status, report.values) == (ReportStatus.DRAFT, {})
    response = c.post(url, {"version": report.version, "v_audience": "100", "c_audience": "疫情停办一次"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.comments) == (ReportStatus.SUBMITTED, {"audience": "疫情停办一次"})


@time_machine.travel(filling_data.NOW, tick=False)
def test_no_comment_box_for_a_typed_value_that_did_not_fall_by_half(personas):
    w = filling_data.build_world(personas)
    filling_data.submitted(w, w.p.shinan_hospital, audience=300, start=date(2020, 1, 27))
    report = filling_data.report_of(w, w.p.shinan_hospital)
    c = filling_data.client_for(w.unit_admin)
    url = reverse("reports:report_detail", args=[report.pk])
    page = _text(c.post(url, {"version": report.version, "v_audience": "abc"}))
    assert 'name="c_audience"' not in page
    page = _text(c.post(url, {"version": 999, "v_audience": "150"}))
    assert 'name="c_audience"' not in page


# --- 3. stale reviewers' actions --------------------------------------------------------------------


@time_machine.travel(filling_data.NOW, tick=False)
def test_a_stale_return_is_a_conflict_on_the_page_with_the_comment_kept(personas):
    w = filling_data.build_world(personas)
    report = filling_data.submitted(w, w.p.shinan_hospital)
    opened = report.version
    services.approve(actor=w.p.yi, report=report, version=report.version)
    response = filling_data.client_for(w.p.yi).post(
        reverse("reports:report_return", args=[report.pk]), {"version": opened, "comment": "请补充说明"}
    )
    assert response.status_code == 409
    page = _text(response)
    error = page.split('id="nx-report-action-error">')[1].split("</div>")[0]
    assert error == (
        "乙 changed this record at 2020-02-10 09:00, after you opened it. Your changes were not saved: "
        "reload it to see theirs, then make yours again. What you typed: 请补充说明"
    )
    assert 'data-state="approved"' in page
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED


@time_machine.travel(filling_data.NOW, tick=False)
def test_a_stale_unlock_and_approve_are_conflicts_and_an_outsider_still_refused(personas):
    w = filling_data.build_world(personas)
    report = filling_data.submitted(w, w.p.shinan_hospital)
    yi = filling_data.client_for(w.p.yi)
    opened = report.version
    response = yi.post(reverse("reports:report_unlock", args=[report.pk]), {"version": opened, "reason": "改数"})
    assert response.status_code == 409 and "What you typed: 改数" in _text(response)
    services.return_report(actor=w.p.yi, report=report, comment="核对", version=report.version)
    response = yi.post(reverse("reports:report_approve", args=[report.pk]), {"version": opened})
    assert response.status_code == 409 and "after you opened it" in _text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    # the unit's own administrator never reviews its report: still a 403, whatever its state
    unit = filling_data.client_for(w.unit_admin)
    response = unit.post(reverse("reports:report_unlock", args=[report.pk]), {"version": 1, "reason": "x"})
    assert response.status_code == 403


# --- 6. the rates in the report status words ---------------------------------------------------------


@time_machine.travel(BRIEF_NOW, tick=False)
def test_the_rates_page_and_xlsx_say_submitted_and_approved_as_the_reports_do(personas):
    p = personas
    w = rates_data.world(p)
    c = _zh(p.jia)
    page = _text(c.get(reverse("reports:rates"), {"form": w.form.pk, "period": rates_data.WEEK.isoformat()}))
    assert "提交时间" not in page and "已批准" not in page
    assert page.count("已提交") >= 2 and page.count("已审核通过") >= 2
    response = c.get(reverse("reports:rates_xlsx"), {"form": w.form.pk, "period": rates_data.WEEK.isoformat()})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert (rows[0][2], rows[0][4]) == ("已提交", "已审核通过")


# --- 8. the children's sum ---------------------------------------------------------------------------


@time_machine.travel(filling_data.NOW, tick=False)
def test_no_disagreement_until_every_obliged_child_has_reported(personas):
    w = filling_data.build_world(personas)
    own = filling_data.report_of(w, w.p.shinan)
    own = services.save_values(actor=w.p.yi, report=own, values={"audience": 90}, version=own.version)
    audience = next(r for r in services.rows(own) if r.field.key == "audience")
    flags = (audience.value, audience.children_sum, audience.disagrees)
    assert (*flags, audience.children_reported, audience.children_expected) == (90, 0, False, 0, 1)
    page = _text(filling_data.client_for(w.p.yi).get(reverse("reports:report_detail", args=[own.pk])))
    assert "data-disagrees" not in page and "Children's sum: 0 of 1 reports submitted or approved." in page
    filling_data.submitted(w, w.p.shinan_hospital, audience=100)
    audience = next(r for r in services.rows(own) if r.field.key == "audience")
    assert (audience.children_sum, audience.disagrees, audience.children_reported) == (100, True, 1)


# --- 12. periods outside the form ----------------------------------------------------------------------


@time_machine.travel(filling_data.NOW, tick=False)
def test_opening_a_period_not_begun_or_not_a_period_says_why(personas):
    w = filling_data.build_world(personas)
    c = filling_data.client_for(w.unit_admin)
    url = reverse("reports:report_open")
    query = {"form": w.form.pk, "period": "2020-02-17", "org": w.p.shinan_hospital.pk}
    response = c.get(url, query, follow=True)
    assert response.redirect_chain == [(reverse("reports:home"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "This period has not begun yet: it starts on 2020-02-17, and its report can be opened from then."
    ]
    response = c.get(url, {**query, "period": "2020-02-12"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "2020-02-12 is not the first day of a period of this form (that period starts on 2020-02-10)."
    ]
    assert c.get(url, {**query, "org": w.p.shibei.pk}).status_code == 404  # out of scope: still a 404
    assert not services.Report.objects.filter(period_start=date(2020, 2, 17)).exists()


@time_machine.travel(BRIEF_NOW, tick=False)
def test_a_brief_outside_the_forms_periods_is_refused(personas, english):
    p = personas
    w = rates_data.world(p)
    today = date(2026, 12, 1)
    briefs.check_period(w.form, rates_data.WEEK, today)
    with pytest.raises(ServiceError) as early:
        briefs.check_period(w.form, date(1999, 1, 4), today)
    assert early.value.message == "No brief for 1999-01-04: this form's periods start on 2026-11-02."
    with pytest.raises(ServiceError) as later:
        briefs.check_period(w.form, date(2030, 1, 7), today)
    assert later.value.message == "No brief for 2030-01-07: that period has not begun yet."
    w.form.ends_on = date(2026, 11, 29)
    with pytest.raises(ServiceError) as ended:
        briefs.check_period(w.form, date(2026, 11, 30), today)
    assert ended.value.message == "No brief for 2026-11-30: this form's periods run from 2026-11-02 to 2026-11-29."
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(p.yi)
    response = c.get(reverse("reports:brief_pdf"), {"form": w.form.pk, "period": "1999-01-04"}, follow=True)
    assert response.redirect_chain[0][1] == 302
    assert response.redirect_chain[0][0].startswith(reverse("reports:rates") + "?")
    assert [str(m) for m in response.context["messages"]] == [
        "No brief for 1999-01-04: this form's periods start on 2026-11-02."
    ]


# --- 13. wording -------------------------------------------------------------------------------------


@time_machine.travel(filling_data.NOW, tick=False)
def test_the_submitted_line_has_no_english_full_stop(personas):
    w = filling_data.build_world(personas)
    report = filling_data.submitted(w, w.p.shinan_hospital)
    page = _text(_zh(w.unit_admin).get(reverse("reports:report_detail", args=[report.pk])))
    line = page.split('data-state="submitted">')[1].split("</div>")[0]
    assert "按时 · " in line and "按时." not in line


@time_machine.travel(BRIEF_NOW, tick=False)
def test_the_brief_xlsx_headers_have_no_nested_brackets(personas):
    p = personas
    w = rates_data.world(p)
    FormField.objects.create(form=w.form, position=4, key="spent", label="支出", kind=FieldKind.AMOUNT)
    with translation.override("zh-hans"):
        headers, _rows = briefs.xlsx_table(briefs.brief(w.form, p.shinan, rates_data.WEEK))
    assert headers == ["组织", "报表状态", "走访家庭数", "服务人次", "工作亮点", "支出（元）"]


def test_the_seeded_forms_name_the_visited_families_as_the_builder_does(personas):
    with translation.override("zh-hans"):
        label = str(figures.METRICS["families_visited"].label)
    assert label == "已按时走访慰问家庭数"
    found = {
        (f["key"], f["label"])
        for spec in (seeds.CARE_WEEKLY, seeds.EPIDEMIC_SUMMARY)
        for f in spec
        if f.get("metric") == "families_visited"
    }
    assert found == {("families_visited", label)}
