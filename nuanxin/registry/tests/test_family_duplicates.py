"""One family member once: the same name with the same mobile (or the same name, neither with a
mobile) is refused for the same worker, on the service, the page and the import, and in
parallel on PostgreSQL."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nuanxin.core.errors import Conflict
from nuanxin.core.models import AuditLog
from nuanxin.registry import services
from nuanxin.registry.models import FamilyMember, Worker
from nuanxin.registry.tests.helpers import make_worker
from nuanxin.tables.imports import services as import_services
from nuanxin.tables.tests.import_fixtures import import_bytes, outcomes, table1
from tests.parallel import on_postgres, run_together

pytestmark = pytest.mark.usefixtures("english")


def already(name: str) -> str:
    return f"This family member is already registered ({name})."


@pytest.mark.django_db
def test_the_same_member_twice_is_refused(personas):
    worker = make_worker(personas.shinan_hospital, "张三")
    other = make_worker(personas.shinan_hospital, "李四")
    services.add_family_member(actor=personas.yi, worker=worker, name="李明", relation="丈夫", mobile="13900001111")
    services.add_family_member(actor=personas.yi, worker=worker, name="张小", relation="女儿")
    for name, mobile in (("李明", "139 0000 1111"), ("李 明", "+86 13900001111"), ("张小", "")):
        with pytest.raises(Conflict) as exc:
            services.add_family_member(actor=personas.yi, worker=worker, name=name, mobile=mobile)
        assert (exc.value.code, exc.value.field, exc.value.message) == (
            "same_family_member", "name", already(name.replace(" ", ""))
        )
    assert FamilyMember.objects.filter(worker=worker).count() == 2
    assert AuditLog.objects.filter(action="family.add").count() == 2
    # Not the same member: another mobile, a mobile where the other has none, another worker's family.
    services.add_family_member(actor=personas.yi, worker=worker, name="李明", mobile="13900002222")
    services.add_family_member(actor=personas.yi, worker=worker, name="张小", mobile="13900003333")
    services.add_family_member(actor=personas.yi, worker=other, name="李明", mobile="13900001111")
    assert FamilyMember.objects.filter(worker=worker).count() == 4
    assert FamilyMember.objects.filter(worker=other).count() == 1


@pytest.mark.django_db
def test_a_member_changed_into_another_is_refused(personas):
    worker = make_worker(personas.shinan_hospital, "张三")
    services.add_family_member(actor=personas.yi, worker=worker, name="李明", mobile="13900001111")
    second = services.add_family_member(actor=personas.yi, worker=worker, name="李明", mobile="13900002222")
    with pytest.raises(Conflict) as exc:
        services.update_family_member(actor=personas.yi, member=second, mobile="13900001111", version=1)
    assert (exc.value.code, exc.value.message) == ("same_family_member", already("李明"))
    second.refresh_from_db()
    assert (second.mobile, second.version) == ("+8613900002222", 1)
    # changing something else of a member leaves the check quiet
    services.update_family_member(actor=personas.yi, member=second, relation="弟弟", version=1)
    second.refresh_from_db()
    assert (second.relation, second.version) == ("弟弟", 2)


@pytest.mark.django_db
def test_forms_sent_twice_without_a_token_add_one_member(personas):
    worker = make_worker(personas.shinan_hospital, "张三")
    client = Client()
    client.force_login(personas.yi)
    client.cookies["nuanxin_language"] = "en"
    url = reverse("registry:family_create", args=[worker.pk])
    data = {"name": "李明", "relation": "丈夫", "mobile": "13900001111"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [already("李明")]}
    assert FamilyMember.objects.filter(worker=worker).count() == 1


@pytest.mark.django_db
def test_import_keeps_a_known_member_and_refuses_one_added_since_the_dry_run(world):
    rows = [[1, "王五", "女", "护士", "护师", "13800000001", "李明", "13900000001", "", ""]]
    import_services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, table1(rows)))
    assert outcomes(import_bytes(world.p.yi, world.unit, table1(rows))) == [(3, "unchanged")]
    rows[0][6] = "李明、王芳"
    rows[0][7] = "13900000001、13900000002"
    batch = import_bytes(world.p.yi, world.unit, table1(rows))
    assert outcomes(batch) == [(3, "update")]
    worker = Worker.objects.get(name="王五")
    services.add_family_member(actor=world.p.yi, worker=worker, name="王芳", mobile="13900000002")
    with pytest.raises(Conflict) as exc:
        import_services.apply_batch(actor=world.p.yi, batch=batch)
    assert exc.value.message == (
        "A family member of row 3 (sheet “Sheet1”) changed after the dry run; nothing was applied. "
        "Upload the file again for a new dry run."
    )
    assert sorted(worker.family.values_list("name", flat=True)) == ["李明", "王芳"]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_identical_adds_make_one_member(personas):
    worker = make_worker(personas.shinan_hospital, "张三")

    def add():
        with translation.override("en"):  # a thread starts in the default language (Chinese)
            return services.add_family_member(
                actor=personas.yi, worker=worker, name="李明", relation="丈夫", mobile="13900001111"
            )

    results = run_together(*[add] * 10)
    assert sorted(type(r).__name__ for r in results) == ["Conflict"] * 9 + ["FamilyMember"]
    assert {r.message for r in results if isinstance(r, Conflict)} == {already("李明")}
    assert FamilyMember.objects.filter(worker=worker).count() == 1
    assert AuditLog.objects.filter(action="family.add").count() == 1
    assert FamilyMember.objects.get(worker=worker).is_primary is True
