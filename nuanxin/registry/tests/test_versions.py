"""No lost update in the register: two people editing the same worker, family member,
deployment or sensitive data (pages and PATCH), the importer counting its changes, and two
saves at the same moment on PostgreSQL (core/versioning.py)."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.core.errors import Conflict
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services
from nuanxin.registry.models import Deployment, FamilyMember, Worker, WorkerSensitive
from nuanxin.registry.tests.helpers import make_worker
from tests.parallel import on_postgres, run_together

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["nuanxin_language"] = "en"
    return client


def api(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def patch(client, url, data, **headers):
    return client.generic("PATCH", url, data=json.dumps(data), content_type="application/json", **headers)


def conflict_text(obj, who: str) -> str:
    last = obj.history.order_by("-history_date", "-history_id").first()
    when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M")
    return (
        f"{who} changed this record at {when}, after you opened it. Your changes were not saved: "
        "reload it to see theirs, then make yours again."
    )


@pytest.fixture
def zhang(personas):
    worker = make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    services.add_family_member(actor=SYSTEM, worker=worker, name="李明", relation="丈夫", mobile="13900001111")
    services.save_deployment(actor=SYSTEM, worker=worker, batch="第一批", destination="湖北省武汉市")
    return worker


def form_values(response) -> dict:
    """What the page's form would post back unchanged (its initial values and version)."""
    form = response.context["form"]
    return {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}


# --- pages ----------------------------------------------------------------------------------


def test_worker_page_a_stale_save_is_refused_and_keeps_what_was_typed(personas, zhang):
    a, b = page_client(personas.yi), page_client(personas.jia)
    url = reverse("registry:worker_update", args=[zhang.pk])
    form_a, form_b = form_values(a.get(url)), form_values(b.get(url))
    assert (form_a["version"], form_b["version"]) == (1, 1)
    assert a.post(url, {**form_a, "post_title": "主任医师"}).status_code == 302
    before = AuditLog.objects.filter(action="worker.update").count()
    refused = b.post(url, {**form_b, "notes": "家中有老人"})
    assert refused.status_code == 200
    zhang.refresh_from_db()
    assert refused.context["form"].non_field_errors() == [conflict_text(zhang, "乙")]
    assert refused.context["form"]["notes"].value() == "家中有老人"  # the input is kept
    assert conflict_text(zhang, "乙") in refused.content.decode()
    assert (zhang.post_title, zhang.notes, zhang.version) == ("主任医师", "", 2)
    assert AuditLog.objects.filter(action="worker.update").count() == before == 1
    assert AuditLog.objects.get(action="worker.update").actor == personas.yi


def test_every_edit_page_of_the_register_carries_its_version_hidden(personas, zhang):
    client = page_client(personas.yi)
    member, deployment = FamilyMember.objects.get(worker=zhang), Deployment.objects.get(worker=zhang)
    services.update_family_member(actor=SYSTEM, member=member, address="香港中路")  # now at version 2
    pages = {
        reverse("registry:worker_update", args=[zhang.pk]): 1,
        reverse("registry:family_update", args=[member.pk]): 2,
        reverse("registry:deployment_update", args=[deployment.pk]): 1,
        reverse("registry:sensitive_update", args=[zhang.pk]): 1,
    }
    for url, version in pages.items():
        html = client.get(url).content.decode()
        assert html.count(f'<input type="hidden" name="version" value="{version}"') == 1, url


def test_worker_page_without_its_version_saves_nothing(personas, zhang):
    client = page_client(personas.yi)
    url = reverse("registry:worker_update", args=[zhang.pk])
    values = form_values(client.get(url))
    del values["version"]
    response = client.post(url, {**values, "post_title": "主任医师"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The form is missing its version: reload the page and make your changes again."
    ]
    zhang.refresh_from_db()
    assert (zhang.post_title, zhang.version) == ("", 1)


def test_family_page_a_stale_save_is_refused(personas, zhang):
    member = FamilyMember.objects.get(worker=zhang)
    a, b = page_client(personas.yi), page_client(personas.jia)
    url = reverse("registry:family_update", args=[member.pk])
    form_a, form_b = form_values(a.get(url)), form_values(b.get(url))
    assert a.post(url, {**form_a, "address": "香港中路 1 号"}).status_code == 302
    refused = b.post(url, {**form_b, "notes": "白天在家"})
    assert refused.status_code == 200
    member.refresh_from_db()
    assert refused.context["form"].non_field_errors() == [conflict_text(member, "乙")]
    assert (member.address, member.notes, member.version) == ("香港中路 1 号", "", 2)
    assert list(AuditLog.objects.filter(action="family.update").values_list("actor", flat=True)) == [personas.yi.pk]


def test_making_another_member_primary_counts_as_a_change_of_both(personas, zhang):
    first = FamilyMember.objects.get(worker=zhang)
    second = services.add_family_member(actor=SYSTEM, worker=zhang, name="张母", relation="母亲")
    assert (first.version, second.version) == (1, 1)
    services.set_primary_family_member(actor=personas.yi, member=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_primary, first.version, second.is_primary, second.version) == (False, 2, True, 2)


def test_deployment_page_a_stale_save_is_refused(personas, zhang):
    deployment = Deployment.objects.get(worker=zhang)
    a, b = page_client(personas.yi), page_client(personas.jia)
    url = reverse("registry:deployment_update", args=[deployment.pk])
    form_a, form_b = form_values(a.get(url)), form_values(b.get(url))
    assert a.post(url, {**form_a, "returned_on": "2020-03-21"}).status_code == 302
    refused = b.post(url, {**form_b, "notes": "第二梯队"})
    assert refused.status_code == 200
    deployment.refresh_from_db()
    assert refused.context["form"].non_field_errors() == [conflict_text(deployment, "乙")]
    assert (str(deployment.returned_on), deployment.notes, deployment.version) == ("2020-03-21", "", 2)
    assert AuditLog.objects.filter(action="deployment.update").count() == 1


def test_sensitive_page_a_stale_save_is_refused_also_when_the_first_save_created_the_row(personas, zhang):
    a, b = page_client(personas.yi), page_client(personas.jia)
    url = reverse("registry:sensitive_update", args=[zhang.pk])
    form_a, form_b = form_values(a.get(url)), form_values(b.get(url))
    assert (form_a["version"], form_b["version"]) == (1, 1)
    assert a.post(url, {**form_a, "maternity": "pregnant"}).status_code == 302
    refused = b.post(url, {**form_b, "children_under_14": "2"})
    assert refused.status_code == 200
    row = WorkerSensitive.objects.get(worker=zhang)
    assert refused.context["form"].non_field_errors() == [conflict_text(row, "乙")]
    assert (row.maternity, row.children_under_14, row.version) == ("pregnant", None, 2)
    assert AuditLog.objects.filter(action="worker.sensitive_update").count() == 1


# --- API ------------------------------------------------------------------------------------


def test_get_answers_the_version_in_the_body_and_as_etag(personas, zhang):
    response = api(personas.yi).get(f"/api/v1/workers/{zhang.pk}")
    assert (response.status_code, response.json()["version"], response["ETag"]) == (200, 1, '"1"')


def test_two_patches_from_the_same_read_the_second_is_a_409(personas, zhang):
    a, b = api(personas.yi), api(personas.jia)
    url = f"/api/v1/workers/{zhang.pk}"
    read = a.get(url)["ETag"]
    first = patch(a, url, {"post_title": "主任医师"}, HTTP_IF_MATCH=read)
    assert (first.status_code, first.json()["version"], first["ETag"]) == (200, 2, '"2"')
    second = patch(b, url, {"notes": "家中有老人", "version": 1})
    zhang.refresh_from_db()
    assert second.status_code == 409
    assert second.json() == {"code": "conflict", "message": conflict_text(zhang, "乙"), "field": "version"}
    assert (zhang.post_title, zhang.notes, zhang.version) == ("主任医师", "", 2)
    assert AuditLog.objects.filter(action="worker.update").count() == 1
    third = patch(b, url, {"notes": "家中有老人"}, HTTP_IF_MATCH='"2"')
    assert (third.status_code, third.json()["notes"], third.json()["post_title"]) == (200, "家中有老人", "主任医师")


def test_a_patch_without_a_version_is_428_and_changes_nothing(personas, zhang):
    response = patch(api(personas.yi), f"/api/v1/workers/{zhang.pk}", {"post_title": "主任医师"})
    assert response.status_code == 428
    assert response.json() == {
        "code": "version_required",
        "message": "Send the version you read (the “version” of the GET answer, in the body or as the header "
        "If-Match: \"<version>\"), so that a change made since is not overwritten.",
        "field": "version",
    }
    zhang.refresh_from_db()
    assert (zhang.post_title, zhang.version) == ("", 1)


@pytest.mark.parametrize("header", ["*", '"x"', '"0"'])
def test_a_patch_with_a_bad_if_match_is_400(personas, zhang, header):
    response = patch(api(personas.yi), f"/api/v1/workers/{zhang.pk}", {"post_title": "主任医师"}, HTTP_IF_MATCH=header)
    message = "The version must be a whole number of 1 or more."
    assert (response.status_code, response.json()["message"]) == (400, message)
    zhang.refresh_from_db()
    assert zhang.version == 1


# --- everything else that changes a worker counts a version ----------------------------------


def test_status_changes_and_moves_count_a_version(personas, zhang):
    services.set_worker_status(actor=personas.yi, worker=zhang, status="deployed")
    zhang.refresh_from_db()
    assert zhang.version == 2
    services.update_worker(actor=personas.yi, worker=zhang, version=2, post_title="护师")
    services.update_worker(actor=personas.yi, worker=zhang, version=3, post_title="护师")  # no change: no new version
    zhang.refresh_from_db()
    assert zhang.version == 3


@pytest.mark.parametrize("copy_min_rows", [1, 10**9], ids=["copy on postgres", "orm"])
def test_the_bulk_update_counts_a_version_on_each_row(personas, monkeypatch, copy_min_rows):
    from nuanxin.tables.imports import bulk

    monkeypatch.setattr(bulk, "COPY_MIN_ROWS", copy_min_rows)

    workers = [make_worker(personas.shinan_hospital, f"批量{i}") for i in range(3)]
    bulk.update_rows(Worker, ["notes"], [[w.pk, "导入"] for w in workers], bump_version=True)
    bulk.update_rows(Worker, ["notes"], [[workers[0].pk, "再导入"]])  # without: unchanged
    rows = Worker.objects.filter(pk__in=[w.pk for w in workers]).order_by("pk").values_list("notes", "version")
    assert list(rows) == [("再导入", 2), ("导入", 2), ("导入", 2)]


def test_an_import_and_its_undo_count_a_version_so_a_page_opened_before_is_refused(personas, world):
    from nuanxin.tables.imports import services as imports
    from nuanxin.tables.tests.import_fixtures import import_bytes, table1

    def rows(post_title, mobile):
        return [[1, "王小红", "女", "护士", post_title, "13800000001", "李小明", mobile, "", ""]]

    first = import_bytes(personas.yi, world.unit, table1(rows("护师", "13900000001")))
    imports.apply_batch(actor=personas.yi, batch=first)
    worker = Worker.objects.get()
    member = worker.family.get()
    assert (worker.version, member.version) == (1, 1)
    client = page_client(personas.yi)
    opened = form_values(client.get(reverse("registry:worker_update", args=[worker.pk])))
    batch = imports.apply_batch(
        actor=personas.yi, batch=import_bytes(personas.yi, world.unit, table1(rows("主管护师", "13911112222")))
    )
    worker.refresh_from_db()
    member.refresh_from_db()
    assert (worker.post_title, worker.version, member.version) == ("主管护师", 2, 2)
    refused = client.post(reverse("registry:worker_update", args=[worker.pk]), {**opened, "notes": "旧页面"})
    assert refused.status_code == 200 and len(refused.context["form"].non_field_errors()) == 1
    imports.undo_batch(actor=personas.yi, batch=batch)
    worker.refresh_from_db()
    member.refresh_from_db()
    assert (worker.post_title, worker.notes, worker.version, member.version) == ("护师", "", 3, 3)


# --- two saves at the same moment -----------------------------------------------------------


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_worker_saves_from_one_version_exactly_one_wins(personas):
    worker = make_worker(personas.shinan_hospital, "并发")
    results = run_together(
        lambda: services.update_worker(actor=personas.yi, worker=worker, version=1, post_title="主任医师"),
        lambda: services.update_worker(actor=personas.jia, worker=worker, version=1, notes="家中有老人"),
    )
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["Conflict", "Worker"]
    worker.refresh_from_db()
    winner = next(r for r in results if isinstance(r, Worker))
    assert worker.version == 2
    assert (worker.post_title, worker.notes) == (winner.post_title, winner.notes)
    assert AuditLog.objects.filter(action="worker.update").count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_api_patches_from_one_read_one_409(personas):
    worker = make_worker(personas.shinan_hospital, "并发接口")
    clients = [api(personas.yi), api(personas.jia)]
    url = f"/api/v1/workers/{worker.pk}"
    answers = run_together(
        lambda: patch(clients[0], url, {"post_title": "主任医师"}, HTTP_IF_MATCH='"1"'),
        lambda: patch(clients[1], url, {"post_title": "副主任医师"}, HTTP_IF_MATCH='"1"'),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    worker.refresh_from_db()
    winner = next(a for a in answers if a.status_code == 200).json()
    assert (worker.post_title, worker.version) == (winner["post_title"], 2)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_family_and_deployment_saves_exactly_one_wins(personas):
    worker = make_worker(personas.shinan_hospital, "并发家属")
    member = services.add_family_member(actor=SYSTEM, worker=worker, name="李明")
    deployment = services.save_deployment(actor=SYSTEM, worker=worker, batch="第一批")
    def deploy(actor, notes):
        return services.save_deployment(actor=actor, worker=worker, deployment=deployment, version=1, notes=notes)

    results = run_together(
        lambda: services.update_family_member(actor=personas.yi, member=member, version=1, address="甲地"),
        lambda: services.update_family_member(actor=personas.jia, member=member, version=1, address="乙地"),
        lambda: deploy(personas.yi, "1"),
        lambda: deploy(personas.jia, "2"),
    )
    assert [type(r).__name__ for r in results].count("Conflict") == 2
    assert isinstance(results[0], Conflict) != isinstance(results[1], Conflict)
    assert isinstance(results[2], Conflict) != isinstance(results[3], Conflict)
    member.refresh_from_db()
    deployment.refresh_from_db()
    assert (member.version, deployment.version) == (2, 2)
