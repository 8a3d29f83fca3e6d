"""The register's writes: validation, scoping inside the service, audit rows."""

import datetime

import pytest

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import selectors, services
from nuanxin.registry.choices import Carrier, Gender, PersonnelCategory, TeamType, WorkerStatus
from nuanxin.registry.models import Deployment, FamilyMember, Worker, WorkerSensitive
from nuanxin.registry.tests.helpers import assign, make_worker

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def test_create_worker_normalises_and_audits(personas):
    worker = services.create_worker(
        actor=personas.yi,
        organisation=personas.shinan_hospital,
        name=" 张 三 ",
        team="援鄂医疗队",
        gender="女",
        category="护士",
        post_title="主管护师",
        mobile="＋86 １３８ 1234-5678",
    )
    worker.refresh_from_db()
    assert (worker.name, worker.name_key, worker.name_pinyin, worker.name_initials) == (
        "张三",
        "张三",
        "zhangsan",
        "zs",
    )
    assert (worker.mobile, worker.mobile_tail, worker.mobile_masked) == ("+8613812345678", "5678", "138****5678")
    assert (worker.team, worker.gender, worker.category) == (TeamType.HUBEI_AID, Gender.FEMALE, PersonnelCategory.NURSE)
    assert worker.status == WorkerStatus.ON_DUTY
    assert worker.created_by == personas.yi
    row = AuditLog.objects.get(action="worker.create")
    assert (row.actor, row.organisation, row.object_id) == (personas.yi, personas.shinan_hospital, str(worker.pk))
    assert row.detail == {"team": "hubei_aid", "mobile": "138****5678", "unit": "SN-H1"}
    assert worker.history.count() == 1
    assert worker.history.get().history_user == personas.yi


def test_create_worker_outside_scope_is_refused(personas):
    with pytest.raises(NotAllowed):
        services.create_worker(
            actor=personas.bing, organisation=personas.shinan_hospital, name="张三", team="hubei_aid"
        )
    with pytest.raises(NotAllowed):
        services.create_worker(
            actor=personas.care, organisation=personas.shinan_hospital, name="张三", team="hubei_aid"
        )
    assert Worker.objects.count() == 0
    assert AuditLog.objects.filter(action="worker.create").count() == 0


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("mobile", {"mobile": "12345"}),
        ("name", {"name": "  "}),
        ("team", {"team": ""}),
        ("team", {"team": "火星队"}),
        ("gender", {"gender": "x"}),
        ("post_title", {"post_title": "长" * 101}),
    ],
)
def test_create_worker_field_errors(personas, field, kwargs):
    values = {"name": "张三", "team": "hubei_aid", **kwargs}
    with pytest.raises(ServiceError) as exc:
        services.create_worker(actor=personas.yi, organisation=personas.shinan_hospital, **values)
    assert exc.value.field == field
    assert Worker.objects.count() == 0


def test_same_person_is_never_two_workers(personas):
    make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    with pytest.raises(Conflict) as exc:
        services.create_worker(
            actor=personas.bing, organisation=personas.shibei_hospital, name="张 三", team="cdc", mobile="138 1234 5678"
        )
    assert exc.value.code == "same_person"
    # 丙 may not see 市南区: the message does not say where the person is.
    assert "市南区" not in exc.value.message
    with pytest.raises(Conflict) as exc:
        services.create_worker(
            actor=personas.jia, organisation=personas.shibei_hospital, name="张三", team="cdc", mobile="13812345678"
        )
    assert "市南区人民医院工会" in exc.value.message
    assert Worker.objects.count() == 1


def test_likely_duplicate_needs_confirmation(personas):
    make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    with pytest.raises(Conflict) as exc:
        services.create_worker(
            actor=personas.yi, organisation=personas.shinan_hospital, name="张三", team="cdc", mobile="13912345678"
        )
    assert (exc.value.code, exc.value.field) == ("likely_duplicate", "name")
    services.create_worker(
        actor=personas.yi,
        organisation=personas.shinan_hospital,
        name="张三",
        team="cdc",
        mobile="13912345678",
        allow_duplicate=True,
    )
    # The same name in another unit is not a likely duplicate.
    services.create_worker(
        actor=personas.bing, organisation=personas.shibei_hospital, name="张三", team="cdc", mobile="13712345678"
    )
    assert Worker.objects.count() == 3


def test_identity_match(personas):
    a = make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    b = make_worker(personas.shinan_hospital, "张三", mobile="13912345678")
    c = make_worker(personas.shinan_hospital, "张三", mobile="")
    other = make_worker(personas.shibei_hospital, "张三", mobile="13712345678")
    match = selectors.identity_match(personas.shibei_hospital, "張三", "+86 138-1234-5678")
    assert match.same is None  # 張 (traditional) is another name key
    match = selectors.identity_match(personas.shibei_hospital, "张 三", "+86 138-1234-5678")
    assert match.same == a
    assert match.likely_duplicates == [other]
    match = selectors.identity_match(personas.shinan_hospital, "张三", "13812345678")
    assert match.same == a
    assert match.likely_duplicates == [b, c]
    match = selectors.identity_match(personas.shinan_hospital, "张三", "13812345678", exclude=a)
    assert (match.same, match.likely_duplicates) == (None, [b, c])
    match = selectors.identity_match(personas.shinan_hospital, "张三", "")
    assert (match.same, match.likely_duplicates) == (None, [a, b, c])
    assert selectors.identity_match(personas.shinan_hospital, "李四", "13812345678").is_new
    assert selectors.identity_key("张 三", "138 1234 5678") == ("张三", "+8613812345678")


def test_update_worker_audits_changes_with_masked_mobiles(personas):
    worker = make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    services.update_worker(actor=personas.yi, worker=worker, mobile="13912340000", post_title="主任医师", gender="male")
    worker.refresh_from_db()
    assert (worker.mobile, worker.mobile_tail) == ("+8613912340000", "0000")
    row = AuditLog.objects.get(action="worker.update")
    assert row.detail == {
        "changes": {
            "mobile": ["138****5678", "139****0000"],
            "post_title": ["", "主任医师"],
            "gender": ["", "male"],
        }
    }
    # Nothing changed: no audit row.
    services.update_worker(actor=personas.yi, worker=worker, post_title="主任医师")
    assert AuditLog.objects.filter(action="worker.update").count() == 1
    assert worker.history.count() == 2


def test_update_worker_scope(personas):
    worker = make_worker(personas.shinan_hospital)
    with pytest.raises(NotAllowed):
        services.update_worker(actor=personas.bing, worker=worker, post_title="x")
    with pytest.raises(NotAllowed):
        services.update_worker(actor=personas.yi, worker=worker, organisation=personas.shibei_hospital)
    with pytest.raises(ServiceError):
        services.update_worker(actor=personas.yi, worker=worker, created_by=personas.yi)
    services.update_worker(actor=personas.jia, worker=worker, organisation=personas.shibei_hospital)
    worker.refresh_from_db()
    assert worker.organisation == personas.shibei_hospital
    assert AuditLog.objects.get(action="worker.update").detail == {"changes": {"organisation": ["SN-H1", "SB-H1"]}}


def test_set_worker_status(personas):
    worker = make_worker(personas.shinan_hospital)
    services.set_worker_status(actor=personas.yi, worker=worker, status=WorkerStatus.RETURNED)
    worker.refresh_from_db()
    assert worker.status == "returned"
    with pytest.raises(ServiceError):
        services.set_worker_status(actor=personas.yi, worker=worker, status="gone")


def test_family_primary_is_always_exactly_one(personas):
    worker = make_worker(personas.shinan_hospital)
    mother = services.add_family_member(
        actor=personas.yi, worker=worker, name="王芳", relation="母亲", mobile="13900001111"
    )
    husband = services.add_family_member(actor=personas.yi, worker=worker, name="李明", relation="丈夫")
    assert list(worker.family.filter(is_primary=True)) == [mother]
    services.set_primary_family_member(actor=personas.yi, member=husband)
    assert list(worker.family.filter(is_primary=True)) == [husband]
    child = services.add_family_member(
        actor=personas.yi, worker=worker, name="李小明", relation="儿子", is_primary=True
    )
    assert list(worker.family.filter(is_primary=True)) == [child]
    services.remove_family_member(actor=personas.yi, member=child)
    assert list(worker.family.filter(is_primary=True)) == [mother]
    services.remove_family_member(actor=personas.yi, member=husband)
    services.remove_family_member(actor=personas.yi, member=mother)
    assert FamilyMember.objects.count() == 0
    actions = list(
        AuditLog.objects.filter(action__startswith="family.").order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        "family.add",
        "family.add",
        "family.update",
        "family.add",
        "family.remove",
        "family.remove",
        "family.remove",
    ]
    assert AuditLog.objects.filter(action="family.add").order_by("id").first().detail == {
        "worker": worker.pk,
        "relation": "母亲",
        "mobile": "139****1111",
        "primary": True,
    }


def test_family_member_update_and_scope(personas):
    worker = make_worker(personas.shinan_hospital)
    member = services.add_family_member(actor=SYSTEM, worker=worker, name="王芳", mobile="13900001111")
    services.update_family_member(actor=personas.yi, member=member, mobile="13900002222", address="市南区香港中路1号")
    member.refresh_from_db()
    assert (member.mobile, member.address) == ("+8613900002222", "市南区香港中路1号")
    assert AuditLog.objects.get(action="family.update").detail["changes"]["mobile"] == ["139****1111", "139****2222"]
    for actor in (personas.bing, personas.care):
        with pytest.raises(NotAllowed):
            services.update_family_member(actor=actor, member=member, relation="母亲")
        with pytest.raises(NotAllowed):
            services.remove_family_member(actor=actor, member=member)
    with pytest.raises(ServiceError) as exc:
        services.add_family_member(actor=personas.yi, worker=worker, name="李明", mobile="abc")
    assert exc.value.field == "mobile"
    assert FamilyMember.objects.count() == 1


def test_deployment_carrier_is_suggested_and_can_be_corrected(personas):
    worker = make_worker(personas.shinan_hospital)
    dep = services.save_deployment(
        actor=personas.yi,
        worker=worker,
        batch="第一批",
        destination="湖北省武汉市",
        departed_on="2020-02-09",
        deployed_mobile="186 0000 1234",
    )
    assert (dep.deployed_mobile, dep.carrier, dep.departed_on) == (
        "+8618600001234",
        Carrier.UNICOM,
        datetime.date(2020, 2, 9),
    )
    dep = services.save_deployment(actor=personas.yi, worker=worker, deployment=dep, carrier="移动")
    assert dep.carrier == Carrier.MOBILE  # the user knows better (number moved carriers)
    dep = services.save_deployment(actor=personas.yi, worker=worker, deployment=dep, returned_on="2020-03-20")
    assert dep.carrier == Carrier.MOBILE  # kept while the number stays
    dep = services.save_deployment(actor=personas.yi, worker=worker, deployment=dep, deployed_mobile="18900001234")
    assert dep.carrier == Carrier.TELECOM  # a new number: suggested again
    with pytest.raises(ServiceError) as exc:
        services.save_deployment(actor=personas.yi, worker=worker, deployment=dep, returned_on="2020-01-01")
    assert exc.value.field == "returned_on"
    with pytest.raises(NotAllowed):
        services.save_deployment(actor=personas.bing, worker=worker, batch="第二批")
    actions = list(AuditLog.objects.filter(action__startswith="deployment.").values_list("action", flat=True))
    assert sorted(actions) == ["deployment.create", "deployment.update", "deployment.update", "deployment.update"]
    first = AuditLog.objects.get(action="deployment.create")
    assert first.detail["changes"]["deployed_mobile"] == [None, "186****1234"]
    services.remove_deployment(actor=personas.yi, deployment=dep)
    assert Deployment.objects.count() == 0


def test_update_sensitive(personas):
    worker = make_worker(personas.shinan_hospital)
    row = services.update_sensitive(
        actor=personas.yi, worker=worker, id_number="11010519491231002x", maternity="哺乳期", children_under_14="2"
    )
    assert (row.id_number, row.maternity, row.children_under_14) == (VALID_ID, "lactating", 2)
    audit_row = AuditLog.objects.get(action="worker.sensitive_update")
    assert audit_row.detail == {"fields": ["children_under_14", "id_number", "maternity"]}
    assert VALID_ID not in str(audit_row.detail)
    with pytest.raises(ServiceError) as exc:
        services.update_sensitive(actor=personas.yi, worker=worker, id_number="110105194912310021")
    assert exc.value.field == "id_number"
    for actor in (personas.care, personas.bing, personas.counsellor):
        with pytest.raises(NotAllowed):
            services.update_sensitive(actor=actor, worker=worker, maternity="pregnant")
    assert WorkerSensitive.objects.get().maternity == "lactating"


def test_sensitive_read_is_audited_every_time(personas):
    worker = make_worker(personas.shinan_hospital)
    assert selectors.sensitive_for(personas.yi, worker) is None
    services.update_sensitive(actor=SYSTEM, worker=worker, maternity="pregnant")
    assert selectors.sensitive_for(personas.jia, worker).maternity == "pregnant"
    assert AuditLog.objects.filter(action="worker.sensitive_read").count() == 2
    assign(worker, personas.care)
    for actor in (personas.care, personas.bing, personas.viewer):
        with pytest.raises(NotAllowed):
            selectors.sensitive_for(actor, worker)
    assert AuditLog.objects.filter(action="worker.sensitive_read").count() == 2


def test_reveal_mobile(personas):
    worker = make_worker(personas.shinan_hospital, mobile="13812345678")
    member = services.add_family_member(actor=SYSTEM, worker=worker, name="王芳", mobile="13900001111")
    dep = services.save_deployment(actor=SYSTEM, worker=worker, deployed_mobile="18600001234")
    assert services.reveal_mobile(actor=personas.yi, target=worker) == "13812345678"
    assert services.reveal_mobile(actor=personas.yi, target=member) == "13900001111"
    assert services.reveal_mobile(actor=personas.yi, target=dep) == "18600001234"
    with pytest.raises(NotAllowed):
        services.reveal_mobile(actor=personas.care, target=worker)  # not assigned to them
    assign(worker, personas.care)
    assert services.reveal_mobile(actor=personas.care, target=member) == "13900001111"
    with pytest.raises(NotAllowed):
        services.reveal_mobile(actor=personas.bing, target=worker)
    rows = AuditLog.objects.filter(action="worker.mobile_reveal").order_by("id")
    assert [(r.actor.username, r.detail["whose"], r.detail["mobile"]) for r in rows] == [
        ("yi", "worker", "138****5678"),
        ("yi", "family", "139****1111"),
        ("yi", "deployment", "186****1234"),
        ("care", "family", "139****1111"),
    ]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张三", ["张三", "张三丰"]),
        ("三丰", ["张三丰"]),
        ("张", ["张三", "张三丰"]),
        ("zhangsan", ["张三", "张三丰"]),
        ("zhang", ["张三", "张三丰"]),
        ("Zhang San", ["张三", "张三丰"]),
        ("zs", ["张三", "张三丰"]),
        ("zsf", ["张三丰"]),
        ("sf", []),
        ("ls", ["李四"]),
        ("5678", ["张三"]),
        ("678", ["张三"]),
        ("138 1234", ["张三"]),
        ("4321", ["李四"]),
        ("王", []),
        ("", ["张三", "张三丰", "李四"]),
    ],
)
def test_search_workers(personas, q, expected):
    make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    make_worker(personas.shinan_hospital, "张三丰", mobile="13900001111")
    make_worker(personas.shinan_hospital, "李四", mobile="13900004321")
    found = selectors.search_workers(Worker.objects.order_by("id"), q)
    assert [w.name for w in found] == expected
