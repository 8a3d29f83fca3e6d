"""The reports a user fills and reviews; a root's own report approved by its city
administrators once its children's are; the period being reported."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.reports.selectors import reports as selectors
from nuanxin.reports.services import forms as form_services
from nuanxin.reports.services import reports as services
from nuanxin.reports.services import seeds

pytestmark = pytest.mark.django_db

WEEK = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def world(personas):
    p = personas
    p.unit_admin, _ = org_services.create_user(
        actor=SYSTEM,
        username="sn-h1-admin",
        organisation=p.shinan_hospital,
        role=Role.ORG_ADMIN,
        password=p.password,
        full_name="丁",
    )
    p.weekly = seeds.ensure_standard_forms(actor=SYSTEM, root=p.city, starts_on=date(2026, 2, 2))[0]
    return p


def _submit(actor, report):
    return services.submit(actor=actor, report=report, version=report.version, values={"cadres": 1, "notes": "好"})


@time_machine.travel("2026-03-09 09:00 +08:00", tick=False)
def test_to_fill(world):
    p = world
    assert selectors.current_period(p.weekly, date(2026, 3, 9)) == (WEEK, date(2026, 3, 8))
    assert selectors.current_period(p.weekly, date(2026, 2, 4)) == (date(2026, 2, 2), date(2026, 2, 8))  # the first
    duties = selectors.to_fill(p.unit_admin, form=p.weekly)
    assert [(d.organisation.code, d.period_start, d.report, d.status) for d in duties] == [
        ("SN-H1", WEEK, None, "draft")
    ]
    assert duties[0].due_at.isoformat() == "2026-03-09T12:00:00+08:00"
    report = services.open_report(actor=p.yi, form=p.weekly, organisation=p.shinan, period_start=WEEK)
    duties = selectors.to_fill(p.yi)  # every form: the district's own (the units' are their own to fill)
    assert sorted((d.form.code, d.organisation.code, d.period_start) for d in duties) == [
        ("care-weekly", "SN", WEEK),
        ("epidemic-summary", "SN", date(2026, 2, 2)),
        ("funds-monthly", "SN", date(2026, 2, 1)),
        ("volunteers-monthly", "SN", date(2026, 2, 1)),
    ]
    assert next(d.report for d in duties if d.form == p.weekly) == report
    assert selectors.to_fill(p.viewer) == []
    assert selectors.to_fill(p.jia, form=p.weekly) == []  # the city itself is not obliged


@time_machine.travel("2026-03-09 09:00 +08:00", tick=False)
def test_to_review_and_children(world):
    p = world
    unit = services.open_report(actor=p.unit_admin, form=p.weekly, organisation=p.shinan_hospital, period_start=WEEK)
    district = services.open_report(actor=p.yi, form=p.weekly, organisation=p.shinan, period_start=WEEK)
    assert list(selectors.to_review(p.yi)) == []
    unit = _submit(p.unit_admin, unit)
    district = _submit(p.yi, district)
    assert list(selectors.to_review(p.yi)) == [unit]  # its own waits for its unit's
    assert set(selectors.to_review(p.jia)) == {unit, district}
    assert list(selectors.to_review(p.bing)) == []
    assert list(selectors.to_review(p.unit_admin)) == []
    children = selectors.children_reports(p.weekly, p.shinan, WEEK)
    assert [(d.organisation.code, d.report) for d in children] == [("SN-H1", unit)]
    assert [d.organisation.code for d in selectors.children_reports(p.weekly, p.shibei, WEEK)] == ["SB-H1"]
    assert selectors.children_reports(p.weekly, p.shibei, WEEK)[0].report is None
    assert set(selectors.readable(p.viewer)) == {unit}  # the medical group: 市南区人民医院 only
    assert set(selectors.readable(p.bing)) == set()


def test_a_roots_own_report(world):
    p = world
    form = form_services.create_form(
        actor=p.jia,
        organisation=p.city,
        code="city-monthly",
        name="全市月报",
        period_type="monthly",
        starts_on=date(2026, 2, 1),
        deadline_days=Decimal("3"),
        obliged_depths=[1, 2],
    )
    form = form_services.set_fields(
        actor=p.jia, form=form, version=form.version, fields=[{"key": "n", "label": "人数", "kind": "number"}]
    )
    month = date(2026, 2, 1)
    city = services.open_report(actor=p.jia, form=form, organisation=p.city, period_start=month)
    city = services.submit(actor=p.jia, report=city, version=city.version, values={"n": 3})
    assert not services.may(p.yi, "approve", city) and not services.may(p.auditor, "approve", city)
    with pytest.raises(ServiceError) as error:
        services.approve(actor=p.jia, report=city, version=city.version)
    assert error.value.message == (
        "3 obliged organisations' reports of this period are not approved yet, e.g. 市北区总工会."
    )
    for org, admin in ((p.shinan, p.yi), (p.shibei, p.bing), (p.medical_union, p.jia)):
        r = services.open_report(actor=p.jia, form=form, organisation=org, period_start=month)
        r = services.submit(actor=admin, report=r, version=r.version, values={"n": 1})
        if admin is not p.jia:  # no children: its own administrators do not approve it, the city does
            with pytest.raises(NotAllowed):
                services.approve(actor=admin, report=r, version=r.version)
        services.approve(actor=p.jia, report=r, version=r.version)
    rows = services.rows(city)
    assert (rows[0].value, rows[0].children_sum, rows[0].disagrees) == (3, 3, False)
    city = services.approve(actor=p.jia, report=city, version=city.version)
    assert city.status == "approved"
    with pytest.raises(NotAllowed):
        services.unlock(actor=p.yi, report=city, reason="x", version=city.version)
    assert services.unlock(actor=p.jia, report=city, reason="更正", version=city.version).status == "submitted"
