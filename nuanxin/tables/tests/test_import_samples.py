"""The sample files of docs/samples give exactly the outcomes their messiness calls for; what
the dry run shows is what applying writes; importing again changes nothing; undo restores."""

import pytest

from nuanxin.care.choices import DifficultySource
from nuanxin.care.models import CareAssignment, Difficulty
from nuanxin.core.errors import Conflict
from nuanxin.core.models import AuditLog
from nuanxin.registry.choices import Carrier, TeamType
from nuanxin.registry.import_models import BatchStatus, Decision
from nuanxin.registry.models import Deployment, FamilyMember, Worker
from nuanxin.tables.imports import services
from nuanxin.tables.imports.messages import render_all
from nuanxin.tables.tests.import_fixtures import (
    import_path,
    outcomes,
    sample,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


TABLE1_OUTCOMES = [
    (5, "create"),
    (6, "create"),
    (7, "create"),
    (10, "create"),
    (11, "unchanged"),
    (12, "reject"),
    (13, "create"),
]


def _apply_table1(world):
    batch = import_path(world.p.yi, world.unit, sample("table1_aid_team.xlsx"))
    return services.apply_batch(actor=world.p.yi, batch=batch)


def test_table1_sample_dry_run_writes_nothing(world):
    batch = import_path(world.p.yi, world.unit, sample("table1_aid_team.xlsx"))
    assert batch.status == BatchStatus.PLANNED
    assert outcomes(batch) == TABLE1_OUTCOMES
    assert batch.counts == {"create": 5, "update": 0, "unchanged": 1, "reject": 1, "review": 0, "total": 7}
    assert Worker.objects.count() == 0
    rejected = batch.rows.get(line=12)
    assert render_all(rejected.reasons) == ["联系方式: “1380532123” is not a valid phone number."]
    dup = batch.rows.get(line=11)
    assert dup.data["notes"] == [
        {"code": "same_as_row", "params": {"line": 5, "sheet": "附件1"}},
        {"code": "difficulty_in_row", "params": {"line": 5, "sheet": "附件1"}},
    ]
    # nothing is registered yet: the difficulty comes with row 5, none is "already open"
    assert render_all(dup.data["notes"]) == [
        "Same person as row 5 of sheet “附件1”.",
        "The same difficulty comes with row 5 of sheet “附件1”; it is opened once.",
    ]


def test_table1_sample_applied_exactly_as_planned(world):
    batch = _apply_table1(world)
    assert batch.status == BatchStatus.APPLIED
    assert Worker.objects.count() == 5
    zhang = Worker.objects.get(name="张伟")
    assert (zhang.mobile, zhang.gender, zhang.category, zhang.team) == ("+8613805321234", "male", "doctor", "hubei_aid")
    assert zhang.organisation == world.unit
    assert zhang.name_initials == "zw"
    assert list(zhang.family.values_list("name", "relation", "mobile", "is_primary")) == [
        ("李娜", "妻", "+8613905320001", True)
    ]
    liu = Worker.objects.get(name="刘洋")
    assert liu.mobile == "+8613805321235"
    assert sorted(liu.family.values_list("name", "is_primary")) == [("刘建国", True), ("陈秀英", False)]
    chen = Worker.objects.get(name="陈静")
    assert sorted(chen.family.values_list("name", flat=True)) == ["赵强", "陈小明"]
    wang = Worker.objects.get(name="王芳")
    assert (wang.mobile, wang.contact_name_hint) == ("+8613805321237", "李老师")
    assert FamilyMember.objects.count() == 7
    assert sorted(CareAssignment.objects.values_list("worker__name", "contact__full_name")) == [
        ("刘洋", "张联络"),
        ("张伟", "张联络"),
    ]
    assert sorted(Difficulty.objects.values_list("worker__name", "description", "source", "status")) == [
        ("周敏", "家中老人独居", DifficultySource.IMPORT, "open"),
        ("张伟", "孩子上网课无人照看", DifficultySource.IMPORT, "open"),
        ("王芳", "父母年迈需要照顾", DifficultySource.IMPORT, "open"),
    ]
    assert Worker.history.filter(history_type="+").count() == 5
    assert AuditLog.objects.filter(action="import.apply", object_id=str(batch.pk)).count() == 1
    assert batch.applied_by == world.p.yi


def test_reimporting_the_same_file_changes_nothing(world):
    _apply_table1(world)
    again = import_path(world.p.yi, world.unit, sample("table1_aid_team.xlsx"))
    assert outcomes(again) == [
        (5, "unchanged"),
        (6, "unchanged"),
        (7, "unchanged"),
        (10, "unchanged"),
        (11, "unchanged"),
        (12, "reject"),
        (13, "unchanged"),
    ]
    # now the difficulty is in the register, for the person's both rows
    assert [n["code"] for n in again.rows.get(line=5).data["notes"]] == ["difficulty_exists"]
    assert [n["code"] for n in again.rows.get(line=11).data["notes"]] == ["same_as_row", "difficulty_exists"]
    services.apply_batch(actor=world.p.yi, batch=again)
    assert (Worker.objects.count(), FamilyMember.objects.count(), Difficulty.objects.count()) == (5, 7, 3)
    assert CareAssignment.objects.count() == 2


def test_table2_gbk_csv_sample(world):
    _apply_table1(world)
    batch = import_path(world.p.yi, world.unit, sample("table2_frontline_gbk.csv"))
    assert batch.sheets[0]["team"] == TeamType.CDC
    assert outcomes(batch) == [
        (5, "create"),
        (6, "create"),
        (7, "create"),
        (8, "reject"),
        (9, "unchanged"),
        (10, "review"),
    ]
    assert render_all(batch.rows.get(line=8).reasons) == ["Gender “未知” is neither 男 nor 女."]
    review = batch.rows.get(line=10)
    assert [c["name"] for c in review.candidates] == ["陈静"]
    # applying waits for the decision
    with pytest.raises(Conflict):
        services.apply_batch(actor=world.p.yi, batch=batch)
    services.decide_row(actor=world.p.yi, batch=batch, row=review, decision=Decision.NEW)
    batch.refresh_from_db()
    assert batch.counts["create"] == 4
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert Worker.objects.filter(team=TeamType.CDC).count() == 4
    assert Worker.objects.filter(name="陈静").count() == 2
    assert Worker.objects.get(name="杨帆").mobile == "+8613805322002"


def test_deciding_same_person_updates_the_existing_worker(world):
    _apply_table1(world)
    batch = import_path(world.p.yi, world.unit, sample("table2_frontline_gbk.csv"))
    review = batch.rows.get(line=10)
    row = services.decide_row(actor=world.p.yi, batch=batch, row=review, decision=Decision.SAME, candidate=0)
    assert row.outcome == "update"
    assert row.changes["worker"]["mobile"] == ["+8613805321236", "+8613805329999"]
    assert row.changes["worker"]["team"] == ["hubei_aid", "cdc"]
    services.apply_batch(actor=world.p.yi, batch=batch)
    chen = Worker.objects.get(name="陈静")
    assert (chen.mobile, chen.team, chen.mobile_tail) == ("+8613805329999", "cdc", "9999")


def test_table3_sample_attaches_wuhan_phones(world):
    _apply_table1(world)
    batch = import_path(world.p.yi, world.unit, sample("table3_wuhan_phones.xlsx"))
    assert outcomes(batch) == [(4, "update"), (5, "update"), (6, "update"), (7, "reject")]
    assert "孙悟空" in render_all(batch.rows.get(line=7).reasons)[0]
    services.apply_batch(actor=world.p.yi, batch=batch)
    got = sorted(Deployment.objects.values_list("worker__name", "deployed_mobile", "carrier"))
    assert got == [
        ("刘洋", "+8613905321111", Carrier.MOBILE),
        ("张伟", "+8618605320001", Carrier.UNICOM),
        ("王芳", "+8618905320003", Carrier.TELECOM),
    ]
    again = import_path(world.p.yi, world.unit, sample("table3_wuhan_phones.xlsx"))
    assert outcomes(again) == [(4, "unchanged"), (5, "unchanged"), (6, "unchanged"), (7, "reject")]


def test_undo_restores_the_register(world):
    first = _apply_table1(world)
    table3 = import_path(world.p.yi, world.unit, sample("table3_wuhan_phones.xlsx"))
    services.apply_batch(actor=world.p.yi, batch=table3)
    services.undo_batch(actor=world.p.yi, batch=table3)
    assert Deployment.objects.count() == 0
    services.undo_batch(actor=world.p.yi, batch=first)
    assert (Worker.objects.count(), FamilyMember.objects.count(), Difficulty.objects.count()) == (0, 0, 0)
    assert CareAssignment.objects.count() == 0
    first.refresh_from_db()
    assert first.status == BatchStatus.UNDONE and first.undone_by == world.p.yi
    assert AuditLog.objects.filter(action="import.undo").count() == 2


def test_legacy_xls_sample_plans_and_applies_like_the_xlsx(world):
    """Older WPS and Excel save .xls (BIFF8): the same table gives the same outcomes and writes."""
    batch = import_path(world.p.yi, world.unit, sample("table1_aid_team_legacy.xls"))
    assert batch.status == BatchStatus.PLANNED
    assert outcomes(batch) == TABLE1_OUTCOMES
    assert batch.counts == {"create": 5, "update": 0, "unchanged": 1, "reject": 1, "review": 0, "total": 7}
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert sorted(Worker.objects.values_list("name", "mobile")) == [
        ("刘洋", "+8613805321235"), ("周敏", "+8613805321239"), ("张伟", "+8613805321234"),
        ("王芳", "+8613805321237"), ("陈静", "+8613805321236"),
    ]
    # The rest of the xlsx sample's writes, counted the same.
    assert FamilyMember.objects.count() == 7
    again = import_path(world.p.yi, world.unit, sample("table1_aid_team.xlsx"))
    assert again.counts["unchanged"] == 6 and again.counts["create"] == 0
