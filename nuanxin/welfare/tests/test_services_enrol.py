"""Enrolling a unit's team: eligibility, the team's name, never twice, scope."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError

from nuanxin.core.audit import AuditLog
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import TeamType
from nuanxin.welfare.choices import EnrolmentSource
from nuanxin.welfare.models import Enrolment
from nuanxin.welfare.selectors.eligibility import default_team_name, eligible_workers, team_batches
from nuanxin.welfare.services import enrolments, schemes

pytestmark = pytest.mark.django_db


def test_eligible_are_the_aid_team_not_enrolled(w):
    assert [x.name for x in eligible_workers(w.scheme, w.p.shinan_hospital)] == ["李援鄂", "王援鄂", "张援鄂"]
    assert default_team_name(w.scheme, [w.aid1, w.aid2]) == "青岛市第2批援鄂医疗队"


def test_enrol_the_unit_team_in_one_action(w):
    result = enrolments.enrol_unit(actor=w.unit_admin, scheme=w.scheme, organisation=w.p.shinan_hospital,
                                   on=date(2020, 4, 1))
    assert sorted(e.worker.name for e in result.enrolments) == ["张援鄂", "李援鄂", "王援鄂"]
    e = Enrolment.objects.get(worker=w.aid1)
    assert (e.team_name, e.source, e.contribution, e.enrolled_on, e.organisation) == (
        "青岛市第2批援鄂医疗队", EnrolmentSource.ENROLLED, Decimal("30.00"), date(2020, 4, 1), w.p.shinan_hospital)
    assert AuditLog.objects.filter(action="welfare.enrolment.create").count() == 3
    assert list(eligible_workers(w.scheme, w.p.shinan_hospital)) == []
    with pytest.raises(ServiceError) as exc:
        enrolments.enrol_unit(actor=w.unit_admin, scheme=w.scheme, organisation=w.p.shinan_hospital)
    assert exc.value.message == "本单位已没有可参保的人员。"


def test_team_name_typed_and_chosen_workers(w):
    result = enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital,
                                   team_name="  市南区人民医院援鄂医疗队 ", workers=[w.aid2])
    assert [(e.worker, e.team_name) for e in result.enrolments] == [(w.aid2, "市南区人民医院援鄂医疗队")]
    # Again the same worker: enrolled already, a message, nothing more.
    with pytest.raises(ServiceError) as exc:
        enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital, workers=[w.aid2])
    assert exc.value.message == "所选人员均已参加本保障。"
    assert Enrolment.objects.count() == 1


def test_not_eligible_worker_refused(w):
    with pytest.raises(ServiceError) as exc:
        enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital,
                              workers=[w.nurse, w.aid1])
    assert exc.value.message == "不是本单位可参保的人员：赵护士。"
    assert Enrolment.objects.count() == 0


def test_extension_to_other_frontline_teams(w):
    scheme = schemes.update_scheme(w.scheme, actor=w.p.jia,
                                   teams=[TeamType.HUBEI_AID, TeamType.DESIGNATED_HOSPITAL])
    assert [x.name for x in eligible_workers(scheme, w.p.shinan_hospital)] == ["李援鄂", "王援鄂", "张援鄂", "赵护士"]


def test_scope_other_district_and_viewer(w):
    with pytest.raises(NotAllowed):
        enrolments.enrol_unit(actor=w.p.bing, scheme=w.scheme, organisation=w.p.shinan_hospital)
    with pytest.raises(NotAllowed):
        enrolments.enrol_unit(actor=w.p.viewer, scheme=w.scheme, organisation=w.p.shinan_hospital)
    with pytest.raises(NotAllowed):
        enrolments.enrol_unit(actor=w.p.auditor, scheme=w.scheme, organisation=w.p.shinan_hospital)
    assert Enrolment.objects.count() == 0


def test_closed_scheme(w):
    schemes.update_scheme(w.scheme, actor=SYSTEM, active=False)
    with pytest.raises(ServiceError) as exc:
        enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital)
    assert exc.value.message == "本保障已停止参保。"


def test_never_twice_in_the_database(w):
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital, workers=[w.aid1])
    with pytest.raises(IntegrityError):
        Enrolment.objects.create(scheme=w.scheme, worker=w.aid1, organisation=w.p.shinan_hospital,
                                 source="enrolled", enrolled_on=date(2020, 1, 1))


def test_race_skips_instead_of_failing(w):
    """A worker enrolled by someone else between the eligibility read and the insert is skipped."""
    result = enrolments.create_enrolments(actor=w.p.yi, scheme=w.scheme, workers=[w.aid1, w.aid1],
                                          source="enrolled")
    assert len(result.enrolments) == 1 and result.skipped == [w.aid1]


def test_scheme_rules(w):
    with pytest.raises(NotAllowed):
        schemes.create_scheme(actor=w.p.yi, name="x", year=2021, cover_from=date(2021, 1, 1),
                              cover_to=date(2021, 12, 31), contribution="30")
    with pytest.raises(ServiceError) as exc:
        schemes.create_scheme(actor=w.p.jia, name="青岛市职工互助保障", year=2020, cover_from=date(2021, 1, 1),
                              cover_to=date(2021, 12, 31), contribution="30")
    assert exc.value.message == "该名称和年度的保障已存在。"
    with pytest.raises(ServiceError) as exc:
        schemes.create_scheme(actor=w.p.jia, name="新保障", year=2021, cover_from=date(2021, 1, 1),
                              cover_to=date(2020, 12, 31), contribution="30")
    assert exc.value.field == "cover_to"
    with pytest.raises(ServiceError) as exc:
        schemes.create_scheme(actor=w.p.jia, name="新保障", year=2021, cover_from=date(2021, 1, 1),
                              cover_to=date(2021, 12, 31), contribution="abc")
    assert exc.value.field == "contribution"


def _two_batches(w):
    """Two more aid-team workers of SN-H1, deployed with other batches than aid1–aid3's."""
    from nuanxin.welfare.tests.fixtures import aid_worker

    first = aid_worker(w.p.shinan_hospital, "陈一批", "13800000011", batch="青岛市第一批援鄂医疗队")
    short = aid_worker(w.p.shinan_hospital, "周五批", "13800000012", batch="第五批")
    return first, short


def test_people_of_several_batches_are_each_enrolled_under_their_own_batch(w):
    _first, short = _two_batches(w)
    workers = list(eligible_workers(w.scheme, w.p.shinan_hospital))
    assert default_team_name(w.scheme, workers) == ""
    assert team_batches(w.scheme, workers) == [
        ("青岛市第2批援鄂医疗队", 3), ("青岛市第一批援鄂医疗队", 1), ("青岛市第五批援鄂医疗队", 1)]
    result = enrolments.enrol_unit(actor=w.unit_admin, scheme=w.scheme, organisation=w.p.shinan_hospital)
    assert len(result.enrolments) == 5
    assert dict(Enrolment.objects.values_list("worker__name", "team_name")) == {
        "张援鄂": "青岛市第2批援鄂医疗队", "李援鄂": "青岛市第2批援鄂医疗队", "王援鄂": "青岛市第2批援鄂医疗队",
        "陈一批": "青岛市第一批援鄂医疗队", "周五批": "青岛市第五批援鄂医疗队"}
    audited = AuditLog.objects.filter(action="welfare.enrolment.create", object_id=str(
        Enrolment.objects.get(worker=short).pk)).get()
    assert audited.detail["team_name"] == "青岛市第五批援鄂医疗队"


def test_a_typed_team_name_applies_to_everyone_whatever_their_batch(w):
    first, short = _two_batches(w)
    enrolments.enrol_unit(actor=w.unit_admin, scheme=w.scheme, organisation=w.p.shinan_hospital,
                          team_name="市南区人民医院援鄂医疗队", workers=[first, short, w.aid1])
    assert set(Enrolment.objects.values_list("worker__name", "team_name")) == {
        ("陈一批", "市南区人民医院援鄂医疗队"), ("周五批", "市南区人民医院援鄂医疗队"),
        ("张援鄂", "市南区人民医院援鄂医疗队")}


def test_workers_chosen_who_are_enrolled_already_are_returned_as_skipped(w):
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital, workers=[w.aid1])
    result = enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital,
                                   workers=[w.aid1, w.aid2])
    assert [e.worker for e in result.enrolments] == [w.aid2]
    assert result.skipped == [w.aid1]
