"""The unassigned families (``UnassignedFamily``): kept in step by every write that can change
them, checked by the hourly job, read by the overview and the assignment page."""

import importlib
import logging
from datetime import timedelta

from django.apps import apps

from nuanxin.care import pages, selectors, services, tasks
from nuanxin.care.models import CareAssignment, UnassignedFamily
from nuanxin.care.tests.helpers import W1, at, build_world, care_contact, fresh, worker
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Grant
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType, WorkerStatus
from nuanxin.tables.imports import services as import_services
from nuanxin.tables.tests.import_fixtures import TABLE1_HEADER, import_bytes, xlsx_bytes


def rows(campaign) -> set:
    """The rows of ``campaign`` as (worker name, unit code)."""
    return set(
        UnassignedFamily.objects.filter(campaign=campaign).values_list("worker__name", "organisation__code")
    )


def in_step() -> bool:
    """No difference between the rows and a recomputation from the register."""
    return services.sync_unassigned() == {"added": 0, "removed": 0}


def test_every_write_keeps_the_rows_in_step(personas):
    w = build_world(personas)
    unit = personas.shinan_hospital.code
    # build_world assigned every family: no row, nothing to repair
    assert rows(w.campaign) == set()
    new = worker(personas.shinan_hospital, "新来")
    assert rows(w.campaign) == {("新来", unit)}
    # a team without visits is no family of the campaign; back to the aid team, it is again
    registry_services.update_worker(actor=personas.yi, worker=new, team=TeamType.CDC)
    assert rows(w.campaign) == set()
    registry_services.update_worker(actor=personas.yi, worker=new, team=TeamType.HUBEI_AID)
    assert rows(w.campaign) == {("新来", unit)}
    assert in_step()
    with at(W1 + timedelta(days=1)):
        services.bulk_assign(actor=personas.yi, campaign=w.campaign, workers=[new], contact=personas.care)
        assert rows(w.campaign) == set()
        services.unassign(actor=personas.yi, campaign=w.campaign, worker=w.a2)
        assert rows(w.campaign) == {("安二", unit)}
        # the CDC family is assigned but not visited; once the CDC team is visited, it is a
        # family of the campaign with a contact: still no row
        services.unassign(actor=personas.yi, campaign=w.campaign, worker=w.cdc)
        assert rows(w.campaign) == {("安二", unit)}
        services.set_cadence(actor=personas.jia, campaign=w.campaign, cadence={TeamType.CDC: "weekly"})
        assert rows(w.campaign) == {("安二", unit), ("疾控", unit)}
        services.set_cadence(actor=personas.jia, campaign=w.campaign, cadence={TeamType.CDC: "none"})
        assert rows(w.campaign) == {("安二", unit)}
    assert in_step()
    # archived: out of the register's work; back on duty: unassigned again
    registry_services.set_worker_status(actor=personas.yi, worker=w.a2, status=WorkerStatus.ARCHIVED)
    assert rows(w.campaign) == set()
    registry_services.set_worker_status(actor=personas.yi, worker=w.a2, status=WorkerStatus.ON_DUTY)
    assert rows(w.campaign) == {("安二", unit)}
    # moved to another unit: the row follows; a contact who cannot serve there is let go
    other = org_services.create_organisation(
        actor=SYSTEM, code="QD-SN-99", name="另一医院工会", kind=OrgKind.UNIT_UNION, parent=personas.shinan
    )
    registry_services.update_worker(actor=personas.yi, worker=w.a2, organisation=fresh(other))
    assert rows(w.campaign) == {("安二", "QD-SN-99")}
    with at(W1 + timedelta(days=2)):
        registry_services.update_worker(actor=personas.yi, worker=w.a1, organisation=fresh(other))
    assert rows(w.campaign) == {("安二", "QD-SN-99"), ("安一", "QD-SN-99")}
    # a second campaign has rows of its own
    second = services.create_campaign(actor=personas.jia, name="第二次", starts_on=W1)
    assert rows(second) == {(n, u) for n, u in [("安一", "QD-SN-99"), ("安二", "QD-SN-99"), ("安三", unit),
                                                 ("新来", unit), ("北一", personas.shibei_hospital.code)]}  # fmt: skip
    assert in_step()


def test_imports_and_their_undo_keep_the_rows_in_step(personas):
    w = build_world(personas)
    data = xlsx_bytes(
        [
            ["青岛市援鄂医疗队成员联系表"],
            TABLE1_HEADER,
            [1, "导入甲", "男", "医生", "主治医师", "13811110001", "家属甲（妻）", "13911110001", "", ""],
            [2, "导入乙", "女", "护士", "护师", "13811110002", "家属乙（丈夫）", "13911110002", "联系人", ""],
        ]
    )
    batch = import_bytes(personas.yi, personas.shinan_hospital, data)
    assert batch.counts["create"] == 2
    with at(W1 + timedelta(days=1)):
        import_services.apply_batch(actor=personas.yi, batch=batch)
    # 导入乙's 工会联系人 is the care contact "联系人" (personas.care): assigned by the import
    assert rows(w.campaign) == {("导入甲", personas.shinan_hospital.code)}
    assert in_step()
    import_services.undo_batch(actor=personas.yi, batch=batch)
    assert rows(w.campaign) == set()
    assert in_step()


def test_the_hourly_job_repairs_and_warns(personas, caplog):
    w = build_world(personas)
    worker(personas.shinan_hospital, "新来")
    UnassignedFamily.objects.filter(campaign=w.campaign).delete()  # as if a write had missed the sync
    worker_a1 = UnassignedFamily(campaign=w.campaign, worker=w.a1, organisation=w.a1.organisation)
    worker_a1.save()  # and as if one had left a row behind
    # readers apply the rule again: the stale row shows nobody, the missing one hides 新来
    assert [x.name for x in selectors.unassigned_families(personas.yi, fresh(personas.shinan), w.campaign)] == []
    with caplog.at_level(logging.WARNING, logger="nuanxin.care.tasks"):
        assert tasks.sync_unassigned.call() == {"added": 1, "removed": 1}
    assert "repaired 1 missing and 1 stale rows" in caplog.text
    assert rows(w.campaign) == {("新来", personas.shinan_hospital.code)}
    assert [x.name for x in selectors.unassigned_families(personas.yi, fresh(personas.shinan), w.campaign)] == ["新来"]
    assert [r["count"] for r in pages.unassigned_counts(personas.yi, w.campaign)] == [1]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="nuanxin.care.tasks"):
        assert tasks.sync_unassigned.call() == {"added": 0, "removed": 0}
    assert caplog.text == ""


def test_the_migration_fills_the_rows_by_the_same_rule(personas):
    w = build_world(personas)
    worker(personas.shinan_hospital, "新来")
    worker(personas.shinan_hospital, "疾控二", team=TeamType.CDC)
    with at(W1 + timedelta(days=1)):
        services.unassign(actor=personas.bing, campaign=w.campaign, worker=w.b1)
    expected = rows(w.campaign)
    assert expected == {("新来", personas.shinan_hospital.code), ("北一", personas.shibei_hospital.code)}
    UnassignedFamily.objects.all().delete()
    migration = importlib.import_module("nuanxin.care.migrations.0004_unassigned_families")
    migration.fill(apps, None)
    assert rows(w.campaign) == expected
    # the migration's copy of the team list is the register's (as of migration 0004)
    assert set(TeamType.values) == {"hubei_aid", "designated_hospital", "cdc", "ambulance", "other"}


def test_a_care_contact_of_another_unit_sees_no_rows(personas):
    w = build_world(personas)
    worker(personas.shinan_hospital, "新来")
    care_contact("care9", personas.shibei_hospital, "北九")
    assert list(selectors.unassigned_families(personas.bing, fresh(personas.shinan), w.campaign)) == []
    assert pages.unassigned_counts(personas.bing, w.campaign) == []


def released(worker) -> int:
    return AuditLog.objects.filter(
        action="care.unassign", object_id=str(worker.pk), detail__reason="contact_released"
    ).count()


def test_a_contact_who_can_no_longer_serve_is_released(personas):
    """Revoked grant, disabled account, unit moved out of the grant's subtree, unit out of
    the grant's group: the family becomes unassigned (history and audit kept)."""
    w = build_world(personas)
    sn, sb = personas.shinan_hospital.code, personas.shibei_hospital.code
    # a district-wide contact of 市南区 looks after 安一; 联系人 (personas.care) the others
    district_wide = care_contact("care_sn", personas.shinan, "区联系人")
    with at(W1 + timedelta(days=1)):
        services.bulk_assign(actor=personas.yi, campaign=w.campaign, workers=[w.a1], contact=district_wide)
    assert rows(w.campaign) == set()
    # the hospital's union moves to 市北区: 区联系人's grant no longer covers 安一; 联系人's grant
    # is on the hospital itself and moves with it
    org_services.move_organisation(actor=personas.jia, org=fresh(personas.shinan_hospital), new_parent=personas.shibei)
    assert rows(w.campaign) == {("安一", sn)}
    assert released(w.a1) == 1
    assert CareAssignment.objects.current().filter(contact=personas.care).count() == 3
    # disabling 北联系人 releases 北一
    org_services.set_user_active(actor=personas.jia, user=w.care_sb, active=False)
    assert rows(w.campaign) == {("安一", sn), ("北一", sb)}
    # revoking 联系人's grant releases 安二, 安三 (and the CDC family, which the campaign does not visit)
    grant = Grant.objects.active().get(user=personas.care, role=Role.CARE_CONTACT)
    org_services.revoke_grant(actor=personas.jia, grant=grant)
    assert rows(w.campaign) == {("安一", sn), ("北一", sb), ("安二", sn), ("安三", sn)}
    assert CareAssignment.objects.current().count() == 0
    assert CareAssignment.objects.filter(contact=personas.care, ended_at__isnull=False).count() == 4  # history
    assert in_step()


def test_a_unit_leaving_a_group_releases_the_groups_contacts(personas):
    w = build_world(personas)
    group = org_services.create_group(
        actor=personas.jia, code="G-HOSP", name="医院组", members=[personas.shinan_hospital, personas.shibei_hospital]
    )
    by_group, _pw = org_services.create_user(
        actor=SYSTEM, username="care_g", organisation=personas.city, role=Role.VIEWER, password="Care-pass-2020x"
    )
    org_services.grant_role(actor=personas.jia, user=by_group, role=Role.CARE_CONTACT, group=group)
    with at(W1 + timedelta(days=1)):
        services.bulk_assign(actor=personas.jia, campaign=w.campaign, workers=[w.a1, w.b1], contact=by_group)
    org_services.set_group_members(actor=personas.jia, group=group, members=[personas.shibei_hospital])
    assert rows(w.campaign) == {("安一", personas.shinan_hospital.code)}
    assert CareAssignment.objects.current().get(worker=w.b1).contact == by_group
    assert in_step()
