"""The weekly totals (``care.WeekTotal``) that the overview and the chart read: kept by the
database's triggers through every change of a duty (services, bulk jobs, cascades), equal to a
fresh count after any sequence of them, rebuilt by ``nuanxin care rebuild-totals``; and the
figures read from them equal those counted from the duties, for every scope."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nuanxin.care import selectors, services, weeks
from nuanxin.care.models import Visit, VisitDuty, WeekTotal
from nuanxin.care.selectors import overview as overview_module
from nuanxin.care.services.totals import counted_totals, stored_totals
from nuanxin.care.tests.helpers import W1, at, build_world, fresh
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services as registry_services
from nuanxin.registry.models import Worker

OPS = (
    "visit",
    "visit_moved",
    "visit_deleted",
    "excuse",
    "turn",
    "unassign",
    "reassign",
    "move",
    "cadence",
    "end",
    "end_cleared",
    "worker_deleted",
)


def _figures(personas, campaign, week, today):
    """What the overview (both groupings) and the chart show to each kind of reader."""
    result = {}
    for name in ("jia", "yi", "bing", "viewer"):
        user = getattr(personas, name)
        for org in (fresh(personas.city), fresh(personas.shinan)):
            for by in ("child", "unit"):
                o = selectors.week_overview(user, org, week, campaign, by=by)
                result[(name, org.code, by)] = [(r.code, r.due, r.done, r.missed, r.excused) for r in o.rows]
            result[(name, org.code, "chart")] = selectors.completion_series(user, org, campaign, today)["series"]
    return result


def _apply(op: str, w, personas, family, day) -> None:
    campaign = w.campaign
    if op == "visit":
        services.record_visit(actor=SYSTEM, worker=family, on=day, mode="phone")
    elif op == "visit_moved":
        visit = Visit.objects.filter(worker=family).order_by("pk").last()
        if visit is not None:
            services.update_visit(actor=SYSTEM, visit=visit, version=visit.version, on=day - timedelta(days=8))
    elif op == "visit_deleted":
        visit = Visit.objects.filter(worker=family).order_by("pk").first()
        if visit is not None:
            services.delete_visit(actor=SYSTEM, visit=visit, version=visit.version)
    elif op == "excuse":
        duty = VisitDuty.objects.filter(worker=family).order_by("-week").first()
        if duty is not None:
            services.excuse_duty(actor=SYSTEM, duty=duty, reason="家属要求本周不走访")
    elif op == "turn":
        services.open_duties()
    elif op == "unassign":
        services.unassign(actor=SYSTEM, campaign=campaign, worker=family)
    elif op == "reassign":
        contact = personas.care if family.organisation_id == personas.shinan_hospital.pk else w.care_sb
        services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[family], contact=contact)
    elif op == "move":
        family = Worker.objects.get(pk=family.pk)
        other = personas.shibei_hospital if family.organisation_id == personas.shinan_hospital.pk else None
        registry_services.update_worker(
            actor=SYSTEM, worker=family, organisation=fresh(other or personas.shinan_hospital)
        )
    elif op == "cadence":
        current = campaign.__class__.objects.get(pk=campaign.pk)
        value = "none" if current.cadence_for("cdc") != "none" else "weekly"
        services.set_cadence(actor=SYSTEM, campaign=current, cadence={"cdc": value})
    elif op == "end":
        services.declare_end(actor=SYSTEM, campaign=campaign.__class__.objects.get(pk=campaign.pk), on=day)
    elif op == "end_cleared":
        services.declare_end(actor=SYSTEM, campaign=campaign.__class__.objects.get(pk=campaign.pk), on=None)
    elif op == "worker_deleted":
        Worker.objects.filter(pk=family.pk).delete()  # its duties go with it (CASCADE)


@pytest.mark.django_db
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 4), st.integers(0, 4)), max_size=14))
def test_totals_equal_a_fresh_count_after_any_sequence_of_changes(personas, steps):
    with transaction.atomic():
        w = build_world(personas)
        families = [w.a1, w.a2, w.a3, w.cdc, w.b1]
        day = W1
        for op, which, days in steps:
            day += timedelta(days=days)
            family = families[which]
            with at(day, 10):
                try:
                    with transaction.atomic():
                        if Worker.objects.filter(pk=family.pk).exists() or op == "turn":
                            _apply(op, w, personas, family, day)
                except ServiceError:
                    pass  # refused (e.g. a visit on a day the campaign has no week for): nothing changed
            assert stored_totals() == counted_totals(), (op, day)
        # The pages' figures from the totals equal the duties counted for the same readers.
        with at(day, 11):
            week = weeks.current_week()
            from_totals = _figures(personas, w.campaign, week, day)
            original = overview_module._report_totals
            overview_module._report_totals = lambda *args: None  # counted from the duties
            try:
                from_duties = _figures(personas, w.campaign, week, day)
            finally:
                overview_module._report_totals = original
        assert from_totals == from_duties
        transaction.set_rollback(True)


def test_a_bulk_update_and_a_cascade_are_counted(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=14), 9):
        services.open_duties()  # two weeks opened after W1, the past ones marked missed in one UPDATE
    assert stored_totals() == counted_totals()
    sn = WeekTotal.objects.get(campaign=w.campaign, week=W1, organisation=personas.shinan_hospital)
    assert (sn.due, sn.done, sn.missed, sn.excused) == (0, 0, 3, 0)
    Worker.objects.filter(pk=w.a1.pk).delete()
    sn.refresh_from_db()
    assert sn.missed == 2
    assert stored_totals() == counted_totals()


def test_rebuild_repairs_what_bypassed_the_triggers(personas):
    w = build_world(personas)
    WeekTotal.objects.filter(campaign=w.campaign).update(due=7)  # as if a load had skipped them
    WeekTotal.objects.filter(organisation=personas.shibei_hospital).delete()
    out = StringIO()
    call_command("care", "rebuild-totals", stdout=out)
    assert "2" in out.getvalue()
    assert stored_totals() == counted_totals()
    assert AuditLog.objects.filter(action="care.totals.rebuild").count() == 1
    # nothing to repair: nothing written, no audit row
    assert services.rebuild_week_totals() == {"rows": 2, "repaired": 0}
    assert AuditLog.objects.filter(action="care.totals.rebuild").count() == 1


def test_the_overview_reads_the_totals_not_the_duties(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = build_world(personas)
    with at(W1, 10), CaptureQueriesContext(connection) as captured:
        selectors.week_overview(personas.jia, fresh(personas.city), W1, w.campaign, by="child")
        selectors.completion_series(personas.jia, fresh(personas.city), w.campaign, W1)
    aggregates = [q["sql"] for q in captured.captured_queries if "GROUP BY" in q["sql"]]
    assert len(aggregates) == 2
    assert all("care_weektotal" in sql and "care_visitduty" not in sql for sql in aggregates)


@pytest.mark.parametrize("list_rows", [1, 2, 3, 50])
def test_the_overview_lists_read_unit_by_unit_give_the_same_rows(personas, monkeypatch, list_rows):
    from nuanxin.care import pages

    w = build_world(personas)
    with at(W1 + timedelta(days=7), 10):
        services.open_duties()  # W1's duties missed in both districts
        services.bulk_assign(actor=SYSTEM, campaign=w.campaign, workers=[w.a2, w.b1], contact=None)
        monkeypatch.setattr(pages, "LIST_ROWS", list_rows)
        for name in ("jia", "yi", "bing", "viewer"):
            user = getattr(personas, name)
            for org in (fresh(personas.city), fresh(personas.shinan), fresh(personas.shibei_hospital)):
                people = name != "viewer"
                reads = pages.overview_reads(user, org, W1 + timedelta(days=7), w.campaign, by="child", people=people)
                if not people:
                    continue
                missed = selectors.missed_duties(user, org, W1, w.campaign)
                unassigned = selectors.unassigned_families(user, org, w.campaign)
                assert (reads["missed"], reads["missed_count"]) == pages._first_rows(missed), (name, org.code)
                assert (reads["unassigned"], reads["unassigned_count"]) == pages._first_rows(unassigned)
