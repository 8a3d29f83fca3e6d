"""Apply is all-or-nothing, refuses a stale plan, undo refuses when records changed since,
scoping holds, large files go to the background task."""

import pytest

from nuanxin.core.errors import Conflict, NotAllowed
from nuanxin.registry import services as registry_services
from nuanxin.registry.import_models import BatchStatus, ImportBatch, ImportProgress
from nuanxin.registry.models import FamilyMember, Worker
from nuanxin.tables.imports import apply, applysql, progress, services
from nuanxin.tables.imports.messages import render_all
from nuanxin.tables.tests.import_fixtures import (
    import_bytes,
    outcomes,
    table1,
    xlsx_bytes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _name(i: int) -> str:
    return "测" + "".join("零一二三四五六七八九"[int(c)] for c in f"{i:03d}")


def _rows(n, start=0):
    return [[i + 1, _name(i), "女", "护士", "护师", f"1380000{i:04d}", "家" + _name(i)[1:], f"1390000{i:04d}", "", ""]
            for i in range(start, start + n)]


@pytest.mark.parametrize("crash_in", ["family", "other records", "difficulties", "plan rows", "updates", "finish"])
def test_a_crash_mid_apply_writes_nothing(world, monkeypatch, crash_in):
    """Whatever the apply has written when it crashes (workers, family members, history rows,
    difficulties, the rows' record of what they wrote) goes, on every path of the apply."""
    rows = _rows(5)
    rows[0][9] = "孩子无人照看"
    batch = import_bytes(world.p.yi, world.unit, table1(rows))
    real = apply.phase
    entered = []

    def crash(name):
        entered.append(name)
        if name == crash_in:
            raise RuntimeError(f"crash in {name}")
        return real(name)

    monkeypatch.setattr(apply, "phase", crash)
    # the phases named above are the reference (ORM) path's; on PostgreSQL the fast path would
    # write the workers and family members in the database instead (compared with this path by
    # test_import_bulk.test_the_postgres_fast_path_writes_what_the_orm_path_writes)
    monkeypatch.setattr(applysql, "writes_in_database", lambda batch: False)
    with pytest.raises(RuntimeError):
        services.apply_batch(actor=world.p.yi, batch=batch)
    assert "workers" in entered and crash_in in entered
    from nuanxin.care.models import Difficulty

    assert (Worker.objects.count(), FamilyMember.objects.count(), Difficulty.objects.count()) == (0, 0, 0)
    assert (Worker.history.count(), FamilyMember.history.count()) == (0, 0)
    assert batch.rows.exclude(applied={}).count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PLANNED
    monkeypatch.setattr(apply, "phase", real)
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert (Worker.objects.count(), FamilyMember.objects.count(), Difficulty.objects.count()) == (5, 5, 1)


def test_apply_refuses_when_a_planned_worker_changed_since_the_dry_run(world):
    services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(2))))
    changed = _rows(2)
    changed[0][4] = "主管护师"
    batch = import_bytes(world.p.yi, world.unit, table1(changed))
    assert outcomes(batch) == [(3, "update"), (4, "unchanged")]
    worker = Worker.objects.get(name=_name(0))
    registry_services.update_worker(actor=world.p.yi, worker=worker, post_title="护士长")
    with pytest.raises(Conflict) as exc:
        services.apply_batch(actor=world.p.yi, batch=batch)
    assert "row 3" in str(exc.value.message)
    worker.refresh_from_db()
    assert worker.post_title == "护士长"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PLANNED


def test_apply_refuses_when_a_planned_person_now_exists(world):
    first = import_bytes(world.p.yi, world.unit, table1(_rows(1)))
    second = import_bytes(world.p.yi, world.unit, table1(_rows(1)))
    services.apply_batch(actor=world.p.yi, batch=first)
    with pytest.raises(Conflict):
        services.apply_batch(actor=world.p.yi, batch=second)
    assert Worker.objects.count() == 1


def test_undo_is_refused_after_a_record_changed(world):
    batch = services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(2))))
    Worker.objects.filter(name=_name(1)).update(updated_at=batch.applied_until.replace(year=2099))
    with pytest.raises(Conflict):
        services.undo_batch(actor=world.p.yi, batch=batch)
    assert Worker.objects.count() == 2


def test_undo_is_refused_when_a_family_member_was_added_since(world):
    batch = services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(1))))
    worker = Worker.objects.get()
    FamilyMember.objects.create(worker=worker, name="后来者", name_key="后来者")
    with pytest.raises(Conflict) as exc:
        services.undo_batch(actor=world.p.yi, batch=batch)
    assert exc.value.message == UNDO_REFUSED + (
        "Records have been added to worker “测零零零” since (family members, visits, notes or others)."
    )
    assert Worker.objects.count() == 1


UNDO_REFUSED = (
    "Records written by this import have changed since it was applied; it can no longer be undone as a whole. "
)


def _at(day: int, hour: int, minute: int):
    """time_machine on 2020-02-``day`` at a local (Asia/Shanghai) time, not ticking."""
    import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    return time_machine.travel(
        datetime.datetime(2020, 2, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    )


def test_a_refused_undo_names_the_later_import_and_undoing_that_one_first_lets_it_through(world):
    with _at(17, 9, 0):
        first = services.apply_batch(
            actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(2)), filename="第一批.xlsx")
        )
    changed = _rows(2)
    changed[1][4], changed[1][7] = "主管护师", "13911112222"
    with _at(18, 10, 30):
        second = services.apply_batch(
            actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(changed), filename="第二批.xlsx")
        )
    with pytest.raises(Conflict) as exc:
        services.undo_batch(actor=world.p.yi, batch=first)
    assert exc.value.message == UNDO_REFUSED + (
        f"Import {second.pk} (“第二批.xlsx”, applied 2020-02-18 10:30) wrote to worker “测零零一” since; "
        "undo that import first."
    )
    with _at(19, 8, 0):
        services.undo_batch(actor=world.p.yi, batch=second)
    # restored as it was before the second import, its time of change included
    worker = Worker.objects.get(name=_name(1))
    member = worker.family.get()
    with _at(17, 9, 0):
        from django.utils import timezone

        then = timezone.now()
    assert (worker.post_title, worker.updated_at, member.mobile, member.updated_at) == (
        "护师", then, "+8613900000001", then
    )
    services.undo_batch(actor=world.p.yi, batch=first)
    assert (Worker.objects.count(), FamilyMember.objects.count()) == (0, 0)


def test_a_refused_undo_names_the_record_changed_or_deleted_since(world):
    with _at(17, 9, 0):
        batch = services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(2))))
    member = FamilyMember.objects.get(worker__name=_name(0))
    with _at(18, 11, 5):
        registry_services.update_family_member(actor=world.p.yi, member=member, relation="妻")
    with pytest.raises(Conflict) as exc:
        services.undo_batch(actor=world.p.yi, batch=batch)
    assert exc.value.message == UNDO_REFUSED + "A family member of worker “测零零零” was changed at 2020-02-18 11:05."
    member.delete()
    with pytest.raises(Conflict) as exc:
        services.undo_batch(actor=world.p.yi, batch=batch)
    assert exc.value.message == UNDO_REFUSED + "A family member of worker “测零零零” has been deleted since."
    with _at(18, 12, 0):
        registry_services.update_worker(actor=world.p.yi, worker=Worker.objects.get(name=_name(1)), post_title="护士长")
    with pytest.raises(Conflict) as exc:
        services.undo_batch(actor=world.p.yi, batch=batch)
    assert exc.value.message == UNDO_REFUSED + "Worker “测零零一” was changed at 2020-02-18 12:00."
    assert Worker.objects.count() == 2


def test_undo_is_refused_when_a_record_of_another_app_hangs_off_a_created_one(world):
    """Two relations down (worker -> difficulty -> note): the "opened" note the apply wrote may
    go with the batch, a note written since may not."""
    import datetime

    from nuanxin.care.models import Difficulty, DifficultyNote

    rows = _rows(1)
    rows[0][9] = "孩子无人照看"
    batch = services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(rows)))
    difficulty = Difficulty.objects.get()
    assert difficulty.notes.count() == 1
    DifficultyNote.objects.create(
        difficulty=difficulty, text="后来写的", at=batch.applied_until + datetime.timedelta(minutes=5)
    )
    with pytest.raises(Conflict):
        services.undo_batch(actor=world.p.yi, batch=batch)
    assert (Worker.objects.count(), Difficulty.objects.count(), DifficultyNote.objects.count()) == (1, 1, 2)
    DifficultyNote.objects.filter(text="后来写的").delete()
    services.undo_batch(actor=world.p.yi, batch=batch)
    assert (Worker.objects.count(), Difficulty.objects.count(), DifficultyNote.objects.count()) == (0, 0, 0)


def test_undo_restores_updated_values(world):
    services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(1))))
    changed = _rows(1)
    changed[0][4] = "主管护师"
    changed[0][7] = "13911112222"
    batch = services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(changed)))
    worker = Worker.objects.get()
    assert (worker.post_title, worker.family.get().mobile) == ("主管护师", "+8613911112222")
    services.undo_batch(actor=world.p.yi, batch=batch)
    worker.refresh_from_db()
    assert (worker.post_title, worker.family.get().mobile) == ("护师", "+8613900000000")


def test_a_district_admin_cannot_import_into_another_district(world):
    with pytest.raises(NotAllowed):
        import_bytes(world.p.bing, world.unit, table1(_rows(1)))
    assert ImportBatch.objects.count() == 0


def test_rows_naming_a_unit_outside_the_target_are_rejected(world):
    header = ["序号", "姓名", "单位", "性别", "联系方式"]
    data = xlsx_bytes([["抗疫一线医护职工联系表"], header,
                       [1, "甲一", "市北区人民医院", "男", "13800001111"],
                       [2, "甲二", "青岛大学附属医院", "男", "13800001112"],
                       [3, "甲三", "不存在的医院", "男", "13800001113"]])
    from nuanxin.orgs.models import Organisation

    shinan = Organisation.objects.get(code="SN")  # fresh: sorted siblings move paths after creation
    batch = import_bytes(world.p.yi, shinan, data)
    assert outcomes(batch) == [(3, "reject"), (4, "create"), (5, "reject")]
    # Another district's unit and a unit that does not exist get the same answer.
    assert [x["code"] for x in batch.rows.get(line=3).reasons] == ["unit_unknown"]
    assert [x["code"] for x in batch.rows.get(line=5).reasons] == ["unit_unknown"]
    assert batch.rows.get(line=4).data["unit_id"] == world.unit.pk


def test_a_unit_of_the_users_scope_outside_the_chosen_organisation_is_said_to_be_so(world):
    """市南区人民医院 is in 乙's district but not under the hospital chosen for the import: said
    so; 市北区人民医院 is outside 乙's scope (not the city administrator's): answered like a unit
    that does not exist, which, the hospital chosen being a single unit, is a row that goes to
    it with a warning (issue 14, item 6)."""
    header = ["序号", "姓名", "单位", "性别", "联系方式"]
    data = xlsx_bytes([["抗疫一线医护职工联系表"], header,
                       [1, "甲一", "市南区人民医院", "男", "13800001111"],
                       [2, "甲二", "市北区人民医院", "男", "13800001112"],
                       [3, "甲三", "不存在的医院", "男", "13800001113"]])
    batch = import_bytes(world.p.yi, world.unit, data)
    assert outcomes(batch) == [(3, "reject"), (4, "create"), (5, "create")]
    rows = list(batch.rows.order_by("index"))
    assert render_all(rows[0].reasons) == [
        "Unit “市南区人民医院” is not under 青岛大学附属医院工会, the organisation selected for this import; "
        "import it into an organisation that covers it."
    ]
    assert render_all(rows[1].reasons)[0] == (
        "Unit “市北区人民医院” is not the name of this unit (青岛大学附属医院工会); the row is taken as this unit's. "
        "Check it."
    )
    assert rows[1].reasons[0]["code"] == rows[2].reasons[0]["code"] == "unit_assumed"
    batch = import_bytes(world.p.jia, world.unit, data)
    assert [[x["code"] for x in r.reasons] for r in batch.rows.order_by("index")][:2] == [
        ["unit_outside_org"], ["unit_outside_org"]
    ]


def test_a_person_registered_outside_the_actors_scope_is_rejected(world):
    theirs = import_bytes(world.p.bing, world.p.shibei_hospital, table1(_rows(1)))
    services.apply_batch(actor=world.p.bing, batch=theirs)
    batch = import_bytes(world.p.yi, world.unit, table1(_rows(1)))
    assert outcomes(batch) == [(3, "reject")]
    assert [x["code"] for x in batch.rows.get().reasons] == ["registered_elsewhere"]


def test_the_same_person_from_two_units_is_one_worker(world):
    services.apply_batch(actor=world.p.jia, batch=import_bytes(world.p.jia, world.p.shibei_hospital, table1(_rows(1))))
    batch = import_bytes(world.p.jia, world.unit, table1(_rows(1)))
    assert outcomes(batch) == [(3, "unchanged")]
    assert batch.rows.get().data["notes"] == [{"code": "other_unit", "params": {"unit": "市北区人民医院工会"}}]


def test_several_sheets_with_tables_1_and_3(world):
    data = xlsx_bytes([], sheets={
        "附件3": [["青岛市援鄂医疗队成员在鄂期间联系方式统计表"], ["姓名", "单位", "在武汉使用的手机号", "手机运营商"],
                [_name(0), "", "18600001111", "联通"]],
        "附件1": [["青岛市援鄂医疗队成员联系表"], [
            "序号", "职工姓名", "性别", "人员类别", "职务职称", "联系方式", "家属姓名", "联系方式"],
            *[r[:8] for r in _rows(1)]],
    })
    batch = import_bytes(world.p.yi, world.unit, data)
    assert [(r.sheet, r.line, r.outcome) for r in batch.rows.order_by("index")] == [
        ("附件1", 3, "create"), ("附件3", 3, "update"),
    ]
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert Worker.objects.get().deployments.get().deployed_mobile == "+8618600001111"


def test_utf8_csv_with_bom(world):
    text = "职工姓名,性别,联系方式\n王一,男,13800002222\n"
    batch = import_bytes(world.p.yi, world.unit, text.encode("utf-8-sig"), filename="t.csv")
    assert outcomes(batch) == [(2, "create")]


def test_a_sheet_without_an_official_table_refuses_the_file(world):
    batch = import_bytes(world.p.yi, world.unit, xlsx_bytes([["hello", "world"], ["1", "2"]]))
    assert batch.status == BatchStatus.REFUSED
    assert batch.message.startswith("No official table was found")
    assert batch.rows.count() == 0


def test_large_files_are_read_by_the_background_task(world, settings, django_capture_on_commit_callbacks):
    settings.NUANXIN_IMPORT_INLINE_BYTES = 10
    settings.NUANXIN_IMPORT_INLINE_APPLY_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = services.create_batch(
            actor=world.p.yi, organisation=world.unit, upload=__import__("io").BytesIO(table1(_rows(3))),
            filename="big.xlsx",
        )
        assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.QUEUED
    assert len(callbacks) == 2  # the dry run's task, and (once the task read it) the upload's deletion
    batch.refresh_from_db()
    assert (batch.status, batch.counts["create"], batch.progress_percent) == (BatchStatus.PLANNED, 3, 100)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.request_apply(actor=world.p.yi, batch=batch)
    assert len(callbacks) == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    assert Worker.objects.count() == 3


def test_a_background_apply_shows_its_progress(world, settings, monkeypatch, django_capture_on_commit_callbacks):
    """The apply is one transaction: the task notes its progress in the database (on a connection
    of its own on PostgreSQL) where the page and the API read it; the bar starts at 0 (not at the
    dry run's 100 %) and the note goes at the end."""
    settings.NUANXIN_IMPORT_INLINE_APPLY_ROWS = 1
    monkeypatch.setattr(applysql, "APPLY_CHUNK", 4)
    batch = import_bytes(world.p.yi, world.unit, table1(_rows(12)))
    assert batch.progress_percent == 100  # the dry run read every row
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.request_apply(actor=world.p.yi, batch=batch)
    queued = services.live_progress(ImportBatch.objects.get(pk=batch.pk))
    assert (queued.status, queued.progress_done, queued.progress_total) == (BatchStatus.APPLYING, 0, 1000)
    seen = []
    note = progress.note

    def noting(batch_id, done):
        note(batch_id, done)
        live = services.live_progress(ImportBatch.objects.get(pk=batch_id))
        seen.append((live.progress_done, live.progress_total))

    monkeypatch.setattr(progress, "note", noting)
    callbacks[0]()
    assert ImportBatch.objects.get(pk=batch.pk).status == BatchStatus.APPLIED
    if applysql.writes_in_database(batch):  # PostgreSQL: the database writes the new records
        assert seen == [(0, 1000), (500, 1000)]
    else:  # rows 0-3, 4-7, 8-11 in chunks of four
        assert seen == [(0, 1000), (333, 1000), (666, 1000), (999, 1000)]
    assert not ImportProgress.objects.filter(batch_id=batch.pk).exists()


def test_an_apply_that_breaks_leaves_the_batch_planned_with_a_message(world, settings, monkeypatch):
    """An unexpected error in the background apply: nothing written, and the batch goes back
    to planned (not "applying" for ever, with the page polling)."""
    settings.NUANXIN_IMPORT_INLINE_APPLY_ROWS = 1
    batch = import_bytes(world.p.yi, world.unit, table1(_rows(3)))
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.APPLYING)

    def broken(actor, batch):
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply, "_apply", broken)
    with pytest.raises(RuntimeError):
        services.apply_batch(actor=world.p.yi, batch=ImportBatch.objects.get(pk=batch.pk))
    batch.refresh_from_db()
    assert (batch.status, batch.message) == (
        BatchStatus.PLANNED,
        "Applying the import failed and nothing was written; try again, or ask the administrator.",
    )
    assert Worker.objects.count() == 0


def test_an_apply_cut_off_with_its_worker_is_reset_by_the_sweep(world):
    """A worker killed mid-apply leaves the batch "applying" and its progress note behind;
    the periodic sweep puts it back to planned once the note is a quarter of an hour old. A
    batch still queued (no note) or progressing is left alone."""
    from datetime import timedelta

    from django.utils import timezone

    from nuanxin.core.models import AuditLog
    from nuanxin.tables.periodic import JOBS

    assert [(j.name, j.schedule.minutes) for j in JOBS] == [("registry.reset_interrupted_imports", 10)]
    killed, queued, running = (import_bytes(world.p.yi, world.unit, table1(_rows(n))) for n in (2, 3, 4))
    ImportBatch.objects.filter(pk__in=[killed.pk, queued.pk, running.pk]).update(status=BatchStatus.APPLYING)
    progress.note(killed.pk, 500)
    old = timezone.now() - timedelta(seconds=progress.STALE_APPLY_SECONDS + 60)
    ImportProgress.objects.filter(batch_id=killed.pk).update(noted_at=old)
    progress.note(running.pk, 100)
    assert services.reset_interrupted_applies() == 1
    statuses = dict(ImportBatch.objects.values_list("pk", "status"))
    assert statuses == {
        killed.pk: BatchStatus.PLANNED, queued.pk: BatchStatus.APPLYING, running.pk: BatchStatus.APPLYING
    }
    killed.refresh_from_db()
    assert killed.message == (
        "The import was interrupted (the task worker stopped) and nothing was written; apply it again."
    )
    assert not ImportProgress.objects.filter(batch_id=killed.pk).exists()
    assert AuditLog.objects.get(action="import.apply_interrupted").object_id == str(killed.pk)
    assert services.reset_interrupted_applies() == 0  # once
    services.apply_batch(actor=world.p.yi, batch=killed)  # and it can be applied again
    assert Worker.objects.count() == 2
    progress.clear(running.pk)


def test_sixty_rows_take_the_bulk_path_and_round_trip(world):
    """Above COPY_MIN_ROWS the PostgreSQL COPY path writes (bulk_create elsewhere)."""
    from nuanxin.registry.import_models import ImportRow

    batch = services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(60))))
    assert (Worker.objects.count(), FamilyMember.objects.count()) == (60, 60)
    assert Worker.history.filter(history_type="+", history_user=world.p.yi).count() == 60
    assert FamilyMember.history.filter(history_type="+").count() == 60
    w = Worker.objects.get(name=_name(59))
    assert (w.mobile, w.name_initials, w.mobile_tail, w.family.get().is_primary) == ("+8613800000059", "clwj", "0059",
                                                                                       True)
    assert ImportRow.objects.filter(batch=batch, applied__created=True, worker__isnull=False).count() == 60
    again = import_bytes(world.p.yi, world.unit, table1(_rows(60)))
    assert again.counts["unchanged"] == 60
    services.undo_batch(actor=world.p.yi, batch=batch)
    assert (Worker.objects.count(), FamilyMember.objects.count()) == (0, 0)


def test_bulk_difficulties_are_what_the_care_service_opens(world):
    """The importer opens difficulties in bulk; the records must equal care.services.open_difficulty's."""
    from nuanxin.care.choices import DifficultySource
    from nuanxin.care.models import Difficulty
    from nuanxin.care.services import open_difficulty
    from nuanxin.core.models import AuditLog

    services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(_rows(2))))
    one, two = Worker.objects.order_by("name")
    by_service = open_difficulty(
        actor=world.p.yi, worker=one, description="孩子无人照看", source=DifficultySource.IMPORT
    )
    by_bulk = Difficulty.objects.get(
        pk=apply.open_difficulties(world.p.yi, [(0, two.pk, two.organisation_id, "孩子无人照看")])[0]
    )
    fields = [f.attname for f in Difficulty._meta.concrete_fields if f.attname not in {"id", "worker_id"}]

    def shape(d):
        d = Difficulty.objects.get(pk=d.pk)
        values = {f: getattr(d, f) for f in fields if f not in {"created_at", "updated_at"}}
        notes = list(d.notes.values_list("kind", "author_id", "from_status", "to_status", "text"))
        audit = AuditLog.objects.get(action="difficulty.open", object_id=str(d.pk))
        detail = {k: v for k, v in audit.detail.items() if k != "worker"}
        return values, notes, (audit.actor_id, audit.object_type, audit.organisation_id, detail)

    assert shape(by_service) == shape(by_bulk)
    assert Difficulty.history.filter(history_type="+").count() == 2


def test_the_upload_waits_as_an_attachment_of_its_batch_and_goes_once_read(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    """No file under var/: the upload is kept through the storage API (STORAGES["private"]) as
    the batch's attachment, the dry run reads a private copy of it, and it is deleted once read."""
    from nuanxin.core import attachments
    from nuanxin.core.models import Attachment, AuditLog
    from nuanxin.tables.imports import batches

    seen = []
    real_plan = batches._plan

    def plan(batch, actor, path):
        upload = Attachment.objects.get()
        seen.append((upload.owner_id, upload.kind, upload.size, upload.sha256 == batch.sha256, str(path) != ""))
        with attachments.open(upload) as fh:
            seen.append(fh.read()[:2])
        return real_plan(batch, actor, path)

    monkeypatch.setattr(batches, "_plan", plan)
    data = table1(_rows(2))
    before = set(attachments._walk(attachments.storage(), ""))
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_bytes(world.p.yi, world.unit, data)
    assert batch.status == "planned" and batch.file_size == len(data)
    assert seen == [(batch.pk, "xlsx", len(data), True, True), b"PK"]
    assert Attachment.objects.count() == 0
    assert set(attachments._walk(attachments.storage(), "")) == before  # the file is gone too
    assert list(AuditLog.objects.filter(action__startswith="attachment.").values_list("action", flat=True)
                .order_by("pk")) == ["attachment.store", "attachment.delete"]
