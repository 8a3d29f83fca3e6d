"""The importer's care side goes through care's own services: a 工会联系人 naming a care contact
is an assignment made by ``care.services.assign_many`` — audited and owing this week's visit at
once, exactly as the same assignment made on the assignment page (``bulk_assign``) — and the
undo takes it back."""

import pytest

from nuanxin.care import weeks
from nuanxin.care.models import CareAssignment, VisitDuty
from nuanxin.care.services import bulk_assign
from nuanxin.core.models import AuditLog
from nuanxin.registry.models import Worker
from nuanxin.registry.tests.helpers import make_worker
from nuanxin.tables.imports import services
from nuanxin.tables.tests.import_fixtures import import_bytes, table1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GIVEN = "伟芳娜敏静丽"


def _shape(row: AuditLog) -> tuple:
    detail = dict(row.detail)
    return (row.action, row.actor_id, row.object_type, row.organisation_id, tuple(sorted(detail)), detail["campaign"],
            detail["contact"], detail["previous"])


def test_an_imported_care_contact_is_audited_and_owes_this_weeks_visit_at_once(world):
    """Six families whose 工会联系人 names 张联络: six assignments, six ``care.assign`` audit rows
    and six duties of the current week right after the apply (not only after next Monday's
    turn), the same rows the page's assignment of six other families leaves."""
    rows = [[i + 1, "导" + GIVEN[i], "女", "护士", "护师", f"1380000{i:04d}", "", "", "张联络", ""] for i in range(6)]
    batch = import_bytes(world.p.yi, world.unit, table1(rows))
    assert batch.counts["create"] == 6
    services.apply_batch(actor=world.p.yi, batch=batch)
    imported = list(Worker.objects.filter(name__startswith="导").order_by("pk"))
    week = weeks.current_week()
    assert len(imported) == 6
    assert CareAssignment.objects.current().filter(worker__in=imported, contact=world.contact).count() == 6
    by_import = list(AuditLog.objects.filter(action="care.assign").order_by("pk"))
    assert len(by_import) == 6
    assert sorted(int(a.object_id) for a in by_import) == [w.pk for w in imported]
    assert VisitDuty.objects.filter(campaign=world.campaign, week=week, worker__in=imported).count() == 6

    on_page = [make_worker(world.unit, "页" + GIVEN[i]) for i in range(6)]
    bulk_assign(actor=world.p.yi, campaign=world.campaign, workers=on_page, contact=world.contact)
    by_page = list(AuditLog.objects.filter(action="care.assign").exclude(pk__in=[a.pk for a in by_import]))
    assert len(by_page) == 6
    assert VisitDuty.objects.filter(campaign=world.campaign, week=week, worker__in=on_page).count() == 6
    assert {_shape(a) for a in by_import} == {_shape(a) for a in by_page}
    assert len({_shape(a) for a in by_import}) == 1

    # the undo removes what the import made (the workers and their assignments)
    services.undo_batch(actor=world.p.yi, batch=batch)
    assert CareAssignment.objects.filter(worker_id__in=[w.pk for w in imported]).count() == 0
    assert CareAssignment.objects.current().filter(worker__in=on_page).count() == 6
    # ... and ends them as the page does: one care.unassign audit row per family (bulk)
    ended = list(AuditLog.objects.filter(action="care.unassign").order_by("pk"))
    assert sorted(int(a.object_id) for a in ended) == [w.pk for w in imported]
    bulk_assign(actor=world.p.yi, campaign=world.campaign, workers=on_page, contact=None)
    by_page_end = AuditLog.objects.filter(action="care.unassign").exclude(pk__in=[a.pk for a in ended])
    assert by_page_end.count() == 6
    assert {_shape(a) for a in ended} == {_shape(a) for a in by_page_end}
    assert len({_shape(a) for a in ended}) == 1
