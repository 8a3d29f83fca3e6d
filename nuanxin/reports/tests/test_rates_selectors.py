"""The reporting rates: counts per child organisation rolled up, the total, the missing with
their contacts, the official tables counted by imports, and a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.registry.import_models import BatchStatus, ImportBatch
from nuanxin.reports.selectors import rates as selectors
from nuanxin.reports.tests.test_rates_data import DUE, SHANGHAI, TABLES_DUE, WEEK, world

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


def _by_code(table: selectors.RatesTable) -> dict[str, dict[str, int]]:
    return {("own " if r.own else "") + r.organisation.code: r.counts.as_dict() for r in table.rows}


@time_machine.travel(NOW, tick=False)
def test_rates_per_child_rolled_up_with_the_total(personas):
    p = personas
    w = world(p)
    table = selectors.rates(p.jia, w.form, date(2026, 11, 25))
    assert table.organisation == p.city
    assert (table.period_start, table.period_end, table.due_at) == (WEEK, date(2026, 11, 29), DUE)
    assert _by_code(table) == {
        "SB": {"expected": 2, "submitted": 0, "on_time": 0, "approved": 0, "missing": 2},
        "SN": {"expected": 2, "submitted": 2, "on_time": 1, "approved": 1, "missing": 0},
        "YW": {"expected": 1, "submitted": 0, "on_time": 0, "approved": 0, "missing": 1},
    }
    assert table.total.as_dict() == {"expected": 5, "submitted": 2, "on_time": 1, "approved": 1, "missing": 3}
    assert (table.total.submitted_rate, table.total.on_time_rate, table.total.late) == (40, 20, 1)
    assert [(m.organisation.code, m.status, m.parent.code if m.parent else None) for m in table.missing] == [
        ("SB", "", "CITY"),
        ("SB-H1", "returned", "SB"),
        ("YW", "draft", "CITY"),
    ]
    assert [[u.username for u in m.contacts] for m in table.missing] == [["bing"], ["sbh1-admin"], []]
    assert table.missing_count == 3


@time_machine.travel(NOW, tick=False)
def test_a_district_sees_its_own_report_and_its_units(personas):
    p = personas
    w = world(p)
    table = selectors.rates(p.bing, w.form, WEEK, organisation=p.shibei)
    assert _by_code(table) == {
        "own SB": {"expected": 1, "submitted": 0, "on_time": 0, "approved": 0, "missing": 1},
        "SB-H1": {"expected": 1, "submitted": 0, "on_time": 0, "approved": 0, "missing": 1},
    }
    assert [m.organisation.code for m in table.missing] == ["SB", "SB-H1"]


@time_machine.travel(NOW, tick=False)
def test_organisation_out_of_reach_is_a_404_and_contacts_are_for_reviewers(personas):
    from django.http import Http404

    p = personas
    world(p)
    with pytest.raises(Http404):
        selectors.organisation_for(p.bing, p.shinan.pk)
    assert selectors.organisation_for(p.yi) == p.shinan
    assert selectors.organisation_for(p.viewer) == p.shibei_hospital  # the group's first member
    assert selectors.may_see_contacts(p.yi, p.shinan) is True
    assert selectors.may_see_contacts(p.viewer, p.shinan_hospital) is False
    assert selectors.may_see_contacts(p.auditor, p.city) is False


@time_machine.travel(NOW, tick=False)
def test_the_official_tables_count_an_applied_import_within_the_period(personas):
    p = personas
    w = world(p)
    ImportBatch.objects.create(
        organisation=p.shinan_hospital,
        filename="三张表.xlsx",
        file_kind="xlsx",
        status=BatchStatus.APPLIED,
        applied_at=datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI),
    )
    ImportBatch.objects.create(  # undone: does not count
        organisation=p.shibei_hospital,
        filename="三张表.xlsx",
        file_kind="xlsx",
        status=BatchStatus.UNDONE,
        applied_at=datetime(2026, 11, 21, 10, 0, tzinfo=SHANGHAI),
    )
    ImportBatch.objects.create(  # before the period: does not count
        organisation=p.shibei_hospital,
        filename="旧表.xlsx",
        file_kind="xlsx",
        status=BatchStatus.APPLIED,
        applied_at=datetime(2026, 10, 30, 10, 0, tzinfo=SHANGHAI),
    )
    table = selectors.rates(p.jia, w.tables, date(2026, 11, 1))
    assert table.is_tables and table.due_at == TABLES_DUE
    assert _by_code(table) == {
        "SB": {"expected": 1, "submitted": 0, "on_time": 0, "approved": 0, "missing": 1},
        "SN": {"expected": 1, "submitted": 1, "on_time": 1, "approved": 0, "missing": 0},
    }
    assert [(m.organisation.code, m.status) for m in table.missing] == [("SB-H1", "")]


@time_machine.travel(NOW, tick=False)
def test_a_fixed_number_of_queries_whatever_the_tree(personas):
    p = personas
    w = world(p)
    selectors.rates(p.jia, w.form, WEEK)  # warm the grant cache
    with CaptureQueriesContext(connection) as small:
        selectors.rates(p.jia, w.form, WEEK)
    for i in range(12):
        unit = org_services.create_organisation(
            actor=SYSTEM, code=f"SB-U{i:02d}", name=f"市北区单位{i}", kind=OrgKind.UNIT_UNION, parent=p.shibei
        )
        org_services.create_user(
            actor=SYSTEM, username=f"u{i}", organisation=unit, role="org_admin", password=p.password, full_name=f"管{i}"
        )
    with CaptureQueriesContext(connection) as large:
        table = selectors.rates(p.jia, w.form, WEEK)
    assert table.total.expected == 17
    assert len(large.captured_queries) == len(small.captured_queries)
