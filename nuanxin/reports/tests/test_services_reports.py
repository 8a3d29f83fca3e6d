"""A report's life cycle up the tree: open, fill, validate, submit (late or on time), review by
the level above, return with a comment, resubmit, approve; the district's own report only after
all its units'; approved = locked; unlock by the level above only while the parent's is not
approved; the rows with the previous period's value, the children's sum and the flags."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation

from nuanxin.care.models import Campaign, VisitDuty
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import Gender, TeamType
from nuanxin.reports.choices import ReportStatus
from nuanxin.reports.services import reports as services
from nuanxin.reports.services import seeds
from nuanxin.reports.services.reports import NotFound

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 2)  # Monday; due Monday 9 March 12:00
LAST_WEEK = date(2026, 2, 23)
ON_TIME = "2026-03-09 11:59 +08:00"
LATE = "2026-03-09 12:01 +08:00"


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def world(personas):
    p = personas
    unit_admin, _ = org_services.create_user(
        actor=SYSTEM,
        username="sn-h1-admin",
        organisation=p.shinan_hospital,
        role=Role.ORG_ADMIN,
        password=p.password,
        full_name="丁",
    )
    p.unit_admin = unit_admin
    p.forms = seeds.ensure_standard_forms(actor=SYSTEM, root=p.city, starts_on=date(2026, 2, 2))
    p.weekly = p.forms[0]
    return p


def _open(p, org, week=WEEK, actor=None):
    return services.open_report(actor=actor or p.jia, form=p.weekly, organisation=org, period_start=week)


def _submit(actor, report, cadres=3, notes="正常", **kw):
    return services.submit(
        actor=actor, report=report, version=report.version, values={"cadres": cadres, "notes": notes}, **kw
    )


def _actions(report):
    return list(
        AuditLog.objects.filter(object_id=str(report.pk), action__startswith="reports.")
        .exclude(action__startswith="reports.form.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_standard_forms_are_made_once(world):
    p = world
    again = seeds.ensure_standard_forms(actor=SYSTEM, root=p.city, starts_on=date(2026, 2, 2))
    assert [f.pk for f in again] == [f.pk for f in p.forms]
    weekly = p.weekly
    assert (weekly.name, weekly.period_type, str(weekly.deadline_days)) == ("关爱慰问情况周报", "weekly", "0.50")
    assert sorted(weekly.obliged_kinds) == ["district_federation", "unit_union"]
    assert [(f.key, f.kind, f.required) for f in weekly.fields.all()][-2:] == [
        ("cadres", "number", True),
        ("notes", "text", True),
    ]
    volunteers = p.forms[2]
    assert volunteers.name == "志愿服务情况" and volunteers.period_type == "monthly"
    assert [f.key for f in volunteers.fields.filter(kind="number")] == ["live_audience"]
    assert p.forms[3].name == "疫情防控工作总结" and p.forms[3].period_type == "once"


def test_tables_form_for_a_campaign(world):
    p = world
    campaign = Campaign.objects.create(name="暖心行动", starts_on=date(2026, 1, 28))
    forms = seeds.ensure_standard_forms(actor=SYSTEM, root=p.city, campaign=campaign, tables_due_on=date(2026, 2, 18))
    tables = forms[-1]
    assert (tables.name, tables.source, tables.period_type) == ("三张表报送", "tables", "once")
    assert (tables.starts_on, tables.once_on) == (date(2026, 1, 28), date(2026, 2, 18))
    with pytest.raises(ServiceError) as error:
        services.open_report(actor=p.jia, form=tables, organisation=p.shinan_hospital, period_start=date(2026, 1, 28))
    assert error.value.message == "This form is sent as the official tables, not filled in here."


def test_open_report(world):
    p = world
    report = _open(p, p.shinan_hospital, actor=p.unit_admin)
    assert (report.status, report.period_start, report.period_end) == ("draft", WEEK, date(2026, 3, 8))
    assert report.due_at == dt.datetime(2026, 3, 9, 4, 0, tzinfo=dt.UTC)  # Monday 12:00 in Shanghai
    assert _open(p, p.shinan_hospital).pk == report.pk  # opened again: the same one
    assert _actions(report) == ["reports.open"]
    with pytest.raises(NotFound) as error:
        _open(p, p.medical_union)  # an industry union need not report it
    assert error.value.message == "This organisation does not report this form."
    with pytest.raises(NotFound):
        _open(p, p.shinan_hospital, actor=p.bing)  # 市北区's administrator: out of scope
    with pytest.raises(ServiceError) as error:
        _open(p, p.shinan_hospital, week=date(2026, 3, 4))
    assert error.value.code == "invalid"
    with time_machine.travel("2026-03-08 23:59 +08:00", tick=False), pytest.raises(ServiceError) as error:
        _open(p, p.shinan_hospital, week=date(2026, 3, 9))
    assert error.value.message == "The period starting on 2026-03-09 has not begun yet."


def test_validation_messages(world):
    p = world
    report = _open(p, p.shinan_hospital)
    cases = [
        ({"cadres": "", "notes": "x"}, "参与走访的工会干部人次 is required."),
        ({"cadres": "2.5", "notes": "x"}, "参与走访的工会干部人次: enter a whole number."),
        ({"cadres": "三", "notes": "x"}, "参与走访的工会干部人次: enter a whole number."),
        ({"cadres": "-1", "notes": "x"}, "参与走访的工会干部人次: a count cannot be negative."),
        ({"cadres": "1"}, "工作情况及存在问题 is required."),
        ({"families": "9"}, "应走访慰问家庭数 is computed by the system and cannot be entered."),
        ({"nope": "9"}, "This form has no field nope."),
    ]
    for values, message in cases:
        with pytest.raises(ServiceError) as error:
            services.submit(actor=p.unit_admin, report=report, version=report.version, values=values)
        assert error.value.message == message
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.version == 1  # nothing saved
    saved = services.save_values(actor=p.unit_admin, report=report, values={"cadres": "1,200"}, version=1)
    assert saved.values == {"cadres": 1200} and saved.version == 2


def test_a_fall_by_more_than_half_needs_a_comment(world):
    p = world
    with time_machine.travel("2026-03-02 09:00 +08:00", tick=False):
        last = _open(p, p.shinan_hospital, week=LAST_WEEK)
        _submit(p.unit_admin, last, cadres=10)
    with time_machine.travel(ON_TIME, tick=False):
        report = _open(p, p.shinan_hospital)
        with pytest.raises(ServiceError) as error:
            _submit(p.unit_admin, report, cadres=4)
        assert error.value.message == (
            "参与走访的工会干部人次 fell by more than half from the previous period's (10 to 4): "
            "say why in its comment."
        )
        assert error.value.code == "comment_required" and error.value.field == "cadres"
        row = {r.field.key: r for r in services.rows(report)}["cadres"]
        assert (row.previous, row.needs_comment) == (10, False)  # nothing entered yet
        services.save_values(actor=p.unit_admin, report=report, values={"cadres": 4}, version=report.version)
        report.refresh_from_db()
        row = {r.field.key: r for r in services.rows(report)}["cadres"]
        assert (row.value, row.previous, row.needs_comment) == (4, 10, True)
        report = _submit(p.unit_admin, report, cadres=4, comments={"cadres": "部分干部下沉社区"})
        assert report.status == ReportStatus.SUBMITTED
        assert report.comments == {"cadres": "部分干部下沉社区"}


def test_exactly_half_needs_no_comment(world):
    p = world
    with time_machine.travel("2026-03-02 09:00 +08:00", tick=False):
        _submit(p.unit_admin, _open(p, p.shinan_hospital, week=LAST_WEEK), cadres=10)
    with time_machine.travel(ON_TIME, tick=False):
        assert _submit(p.unit_admin, _open(p, p.shinan_hospital), cadres=5).status == ReportStatus.SUBMITTED


def test_up_the_tree(world):
    p = world
    unit = _open(p, p.shinan_hospital)
    district = _open(p, p.shinan)
    with time_machine.travel(LATE, tick=False):
        unit = _submit(p.unit_admin, unit)
    assert AuditLog.objects.filter(action="reports.submit", object_id=str(unit.pk)).get().detail == {
        "late": True,
        "resubmitted": False,
    }
    # The unit does not approve its own; 市北区 does not review 市南区's units.
    for who in (p.unit_admin, p.bing):
        with pytest.raises(NotAllowed):
            services.approve(actor=who, report=unit, version=unit.version)
    # Returned with a comment (required), corrected, resubmitted.
    with pytest.raises(ServiceError) as error:
        services.return_report(actor=p.yi, report=unit, comment="  ", version=unit.version)
    assert error.value.message == "Say what is to be corrected."
    unit = services.return_report(actor=p.yi, report=unit, comment="走访人数有误", version=unit.version)
    assert (unit.status, unit.return_comment, unit.returned_by) == ("returned", "走访人数有误", p.yi)
    with time_machine.travel(LATE, tick=False):
        unit = _submit(p.unit_admin, unit, cadres=4)
    # The district submits its own; it cannot approve it before its unit's is approved.
    with time_machine.travel(ON_TIME, tick=False):
        district = _submit(p.yi, district)
    assert not services.may(p.yi, "return", district)  # its own: the level above returns it
    with pytest.raises(ServiceError) as error:
        services.approve(actor=p.yi, report=district, version=district.version)
    assert error.value.message == (
        "1 obliged organisations' reports of this period are not approved yet, e.g. 市南区人民医院工会."
    )
    assert error.value.code == "children_not_approved"
    unit = services.approve(actor=p.yi, report=unit, version=unit.version)
    assert (unit.status, unit.approved_by) == ("approved", p.yi)
    assert services.may(p.yi, "approve", district)
    district = services.approve(actor=p.yi, report=district, version=district.version)
    assert district.status == ReportStatus.APPROVED
    assert _actions(unit) == [
        "reports.open",
        "reports.submit",
        "reports.return",
        "reports.submit",
        "reports.approve",
    ]
    # Approved = locked.
    with pytest.raises(ServiceError) as error:
        services.save_values(actor=p.unit_admin, report=unit, values={"cadres": 9}, version=unit.version)
    assert error.value.message == "This report is approved and locked."
    with pytest.raises(ServiceError) as error:
        services.return_report(actor=p.yi, report=unit, comment="再改", version=unit.version)
    assert error.value.message == "Only a submitted report can be returned."


def test_whoever_approves_a_district_waits_for_its_units(world):
    """Whoever approves, a report rolling up children waits for theirs."""
    p = world
    unit = _submit(p.unit_admin, _open(p, p.shinan_hospital))
    district = _submit(p.yi, _open(p, p.shinan))
    with pytest.raises(ServiceError) as error:
        services.approve(actor=p.jia, report=district, version=district.version)
    assert error.value.code == "children_not_approved"
    services.approve(actor=p.jia, report=unit, version=unit.version)
    assert services.approve(actor=p.jia, report=district, version=district.version).status == "approved"


def test_unlock_rules(world):
    p = world
    unit = _submit(p.unit_admin, _open(p, p.shinan_hospital))
    unit = services.approve(actor=p.yi, report=unit, version=unit.version)
    district = _submit(p.yi, _open(p, p.shinan))
    district = services.approve(actor=p.yi, report=district, version=district.version)
    # The unit cannot unlock its own; the district's own report is unlocked by the city only.
    with pytest.raises(NotAllowed) as error:
        services.unlock(actor=p.unit_admin, report=unit, reason="填错", version=unit.version)
    assert error.value.message == "Only the level above may unlock this report."
    with pytest.raises(NotAllowed):
        services.unlock(actor=p.yi, report=district, reason="填错", version=district.version)
    # Not while the district's report (which rolls it up) is approved.
    with pytest.raises(ServiceError) as error:
        services.unlock(actor=p.yi, report=unit, reason="填错", version=unit.version)
    assert error.value.message == "市南区总工会's report of this period is approved: unlock it first."
    with pytest.raises(ServiceError) as error:
        services.unlock(actor=p.jia, report=district, reason=" ", version=district.version)
    assert error.value.message == "Give the reason for unlocking."
    district = services.unlock(actor=p.jia, report=district, reason="区级数据需更正", version=district.version)
    assert (district.status, district.unlocked_by) == ("submitted", p.jia)
    unit = services.unlock(actor=p.yi, report=unit, reason="填错", version=unit.version)
    assert unit.status == ReportStatus.SUBMITTED
    log = AuditLog.objects.filter(action="reports.unlock", object_id=str(district.pk)).get()
    assert log.detail == {"reason": "区级数据需更正"}
    # Unlocked: the level above can now return it for correction.
    unit = services.return_report(actor=p.yi, report=unit, comment="请更正", version=unit.version)
    assert unit.status == ReportStatus.RETURNED
    with pytest.raises(ServiceError) as error:
        services.unlock(actor=p.yi, report=unit, reason="x", version=unit.version)
    assert error.value.message == "Only an approved report can be unlocked."


def test_a_stale_version_is_refused(world):
    p = world
    report = _open(p, p.shinan_hospital)
    services.save_values(actor=p.unit_admin, report=report, values={"cadres": 1}, version=1)
    with pytest.raises(Conflict):
        services.save_values(actor=p.yi, report=report, values={"cadres": 2}, version=1)


def _duty(campaign, org, name, mobile, status="done", week=WEEK):
    w = registry_services.create_worker(
        actor=SYSTEM, organisation=org, name=name, team=TeamType.HUBEI_AID, mobile=mobile, gender=Gender.FEMALE
    )
    return VisitDuty.objects.create(campaign=campaign, worker=w, organisation=org, week=week, status=status)


def test_rows_frozen_previous_children_sum_and_disagreement(world):
    p = world
    campaign = Campaign.objects.create(name="暖心行动", starts_on=date(2026, 2, 1))
    _duty(campaign, p.shinan_hospital, "家一", "13800081001")
    _duty(campaign, p.shinan_hospital, "家二", "13800081002", week=LAST_WEEK)
    _duty(campaign, p.shinan_hospital, "家五", "13800081005", status="missed", week=LAST_WEEK)
    unit = _open(p, p.shinan_hospital)
    rows = {r.field.key: r for r in services.rows(unit)}
    # Live while a draft; the previous week's computed now (no report was sent for it).
    assert (rows["families"].value, rows["families"].previous) == (1, 2)
    assert rows["families_visited"].value == 1 and rows["families_missed"].previous == 1
    assert rows["families"].children_sum is None  # a unit rolls up nothing
    unit = _submit(p.unit_admin, unit)
    assert unit.computed["families"] == 1
    _duty(campaign, p.shinan_hospital, "家三", "13800081003")  # recorded after the submission
    rows = {r.field.key: r for r in services.rows(unit)}
    assert rows["families"].value == 1  # frozen as submitted
    # The district: its own worker's family too, so its figure and its unit's sum disagree.
    _duty(campaign, p.shinan, "家四", "13800081004")
    district = _open(p, p.shinan)
    rows = {r.field.key: r for r in services.rows(district)}
    assert (rows["families"].value, rows["families"].children_sum, rows["families"].disagrees) == (3, 1, True)
    assert (rows["cadres"].children_sum, rows["cadres"].disagrees) == (3, False)  # nothing entered yet
    assert (rows["families"].children_reported, rows["families"].children_expected) == (1, 1)
    assert rows["notes"].children_sum is None
    services.save_values(actor=p.yi, report=district, values={"cadres": 3}, version=district.version)
    district.refresh_from_db()
    rows = {r.field.key: r for r in services.rows(district)}
    assert (rows["cadres"].value, rows["cadres"].children_sum, rows["cadres"].disagrees) == (3, 3, False)


def test_may(world):
    p = world
    unit = _open(p, p.shinan_hospital)
    assert services.may(p.unit_admin, "fill", unit) and services.may(p.yi, "fill", unit)
    assert not services.may(p.bing, "fill", unit) and not services.may(p.viewer, "fill", unit)
    assert not services.may(p.yi, "approve", unit)  # a draft
    unit = _submit(p.unit_admin, unit)
    assert not services.may(p.unit_admin, "fill", unit)
    assert services.may(p.yi, "approve", unit) and services.may(p.jia, "approve", unit)
    assert not services.may(p.unit_admin, "approve", unit) and not services.may(p.bing, "return", unit)
    assert not services.may(p.auditor, "approve", unit)
    assert services.may(p.auditor, "view", unit)
    assert services.may(p.yi, "nonsense", unit) is False


def test_message_translated(world):
    p = world
    report = _open(p, p.shinan_hospital)
    with translation.override("zh-hans"), pytest.raises(ServiceError) as error:
        services.return_report(actor=p.yi, report=report, comment="x", version=report.version)
    assert error.value.message in ("Only a submitted report can be returned.", "只能退回已提交的报表。")


def test_amounts_and_texts(world):
    from nuanxin.reports.services import forms as form_services

    p = world
    form = form_services.create_form(
        actor=p.jia,
        organisation=p.city,
        code="amounts",
        name="金额",
        period_type="monthly",
        starts_on=date(2026, 2, 1),
        obliged_kinds=["unit_union"],
    )
    form = form_services.set_fields(
        actor=p.jia,
        form=form,
        version=form.version,
        fields=[
            {"key": "money", "label": "捐款", "kind": "amount", "required": True},
            {"key": "spent", "label": "投入", "kind": "computed", "metric": "funds_spent"},
            {"key": "text", "label": "说明", "kind": "text"},
        ],
    )
    report = services.open_report(actor=p.jia, form=form, organisation=p.shinan_hospital, period_start=date(2026, 2, 1))
    for raw, message in (
        ("12.345", "捐款: enter an amount in yuan with at most two decimals."),
        ("abc", "捐款: enter an amount in yuan with at most two decimals."),
        ("-1", "捐款: an amount cannot be negative."),
    ):
        with pytest.raises(ServiceError) as error:
            services.save_values(actor=p.unit_admin, report=report, values={"money": raw}, version=report.version)
        assert error.value.message == message
    with pytest.raises(ServiceError) as error:
        services.save_values(actor=p.unit_admin, report=report, values={"text": "长" * 5001}, version=report.version)
    assert error.value.message == "说明: at most 5000 characters, now 5001."
    report = services.submit(
        actor=p.unit_admin, report=report, version=report.version, values={"money": "1,000.5", "text": " 好 "}
    )
    assert report.values == {"money": "1000.50", "text": "好"}
    assert report.computed == {"spent": "0.00"}
    values = {r.field.key: r.value for r in services.rows(report)}
    assert values == {"money": Decimal("1000.50"), "spent": Decimal("0.00"), "text": "好"}


def test_rows_is_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from nuanxin.reports.models import Report

    def fresh(report):
        return Report.objects.select_related("form__organisation", "organisation").get(pk=report.pk)

    p = world
    district = _open(p, p.shinan)
    with CaptureQueriesContext(connection) as none_sent:
        services.rows(fresh(district))
    unit = _submit(p.unit_admin, _open(p, p.shinan_hospital))
    services.approve(actor=p.yi, report=unit, version=unit.version)
    with CaptureQueriesContext(connection) as one_sent:
        services.rows(fresh(district))
    assert len(one_sent) == len(none_sent)
