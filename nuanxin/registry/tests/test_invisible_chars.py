"""Names and other text with invisible control or direction characters (core/plaintext.py), on
every way in: the API, the pages, the services, the importer, organisations and accounts. A
refusal names the field, in the user's language, and changes nothing."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.accounts.models import ApiToken
from nuanxin.accounts.services import create_api_token
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation, OrganisationGroup
from nuanxin.registry import services
from nuanxin.registry.models import Deployment, FamilyMember, Worker
from nuanxin.registry.tests.helpers import make_worker
from nuanxin.tables.imports import services as import_services
from nuanxin.tables.imports.messages import render_all
from nuanxin.tables.tests.import_fixtures import import_bytes, outcomes, table1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def refused(label: str, chars: str) -> str:
    return (
        f"{label} contains invisible control characters ({chars}), such as ones that reverse the direction of "
        "the text: type it again rather than pasting it."
    )


def api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.mark.parametrize(("name", "chars"), [("张\u202e三", "U+202E"), ("a\u0007b", "U+0007")])
def test_api_refuses_a_worker_name_with_control_characters(personas, name, chars):
    client = api(personas.yi)
    audit_rows = AuditLog.objects.count()
    response = post(client, "/api/v1/workers", {"org": "SN-H1", "name": name, "team": "hubei_aid"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": refused("Name", chars),
        "field": "name",
    }
    assert Worker.objects.count() == 0
    assert AuditLog.objects.count() == audit_rows


def test_api_drops_zero_width_characters_from_a_name(personas):
    response = post(
        api(personas.yi), "/api/v1/workers", {"org": "SN-H1", "name": "a\u200bb", "team": "hubei_aid"}
    )
    assert response.status_code == 201
    assert response.json()["name"] == "ab"
    assert list(Worker.objects.values_list("name", "name_key")) == [("ab", "ab")]


def test_a_zero_width_space_does_not_make_a_second_person(personas):
    """"张\u200b三" with 张三's mobile is 张三: the duplicate check sees through it."""
    make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    response = post(
        api(personas.yi),
        "/api/v1/workers",
        {"org": "SN-H1", "name": "张\u200b三", "team": "hubei_aid", "mobile": "13812345678"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "same_person"
    assert Worker.objects.count() == 1


def test_api_patch_refuses_direction_characters_and_keeps_the_worker(personas):
    worker = make_worker(personas.shinan_hospital, "张三", post_title="护师")
    response = api(personas.yi).patch(
        f"/api/v1/workers/{worker.pk}",
        data=json.dumps({"version": worker.version, "post_title": "主管\u202e护师", "name": "李四"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["message"]) == (
        "post_title",
        refused("Post and title", "U+202E"),
    )
    worker.refresh_from_db()
    assert (worker.name, worker.post_title, worker.version) == ("张三", "护师", 1)


def test_page_shows_the_refusal_beside_the_name(personas):
    client = Client()
    client.force_login(personas.yi)
    client.cookies["nuanxin_language"] = "en"
    response = client.post(
        reverse("registry:worker_create"), {"organisation": "SN-H1", "name": "张\u202e三", "team": "hubei_aid"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [refused("Name", "U+202E")]}
    assert Worker.objects.count() == 0


def test_family_member_and_deployment_fields(personas):
    worker = make_worker(personas.shinan_hospital, "张三")
    cases = [
        ({"name": "李\u202e明"}, "name", refused("Name", "U+202E")),
        ({"name": "李明", "relation": "丈\u2066夫"}, "relation", refused("Relation", "U+2066")),
        ({"name": "李明", "address": "香港中路\x1b"}, "address", refused("Address", "U+001B")),
        ({"name": "李明", "notes": "第一行\n\u202e第二行"}, "notes", refused("Notes", "U+202E")),
    ]
    for values, field, message in cases:
        with pytest.raises(ServiceError) as exc:
            services.add_family_member(actor=personas.yi, worker=worker, **values)
        assert (exc.value.field, exc.value.message) == (field, message)
    assert FamilyMember.objects.count() == 0
    member = services.add_family_member(
        actor=personas.yi, worker=worker, name="李\u200b明", relation="丈夫", notes="第一行\n\t第二行"
    )
    assert (member.name, member.notes) == ("李明", "第一行\n\t第二行")
    with pytest.raises(ServiceError) as exc:
        services.save_deployment(actor=personas.yi, worker=worker, batch="第一批", destination="武汉\u200f")
    assert (exc.value.field, exc.value.message) == ("destination", refused("Destination", "U+200F"))
    with pytest.raises(ServiceError) as exc:
        services.update_sensitive(actor=personas.yi, worker=worker, health_notes="良好\x07")
    assert (exc.value.field, exc.value.message) == ("health_notes", refused("Health", "U+0007"))
    assert Deployment.objects.count() == 0
    assert not hasattr(worker, "sensitive") or worker.sensitive.health_notes == ""


def test_import_rejects_the_rows_and_imports_the_rest(world):
    rows = [
        [1, "王五", "女", "护士", "护师", "13800000001", "", "", "", ""],
        [2, "赵\u202e六", "女", "护士", "护师", "13800000002", "", "", "", ""],
        [3, "孙七", "女", "护士", "护师", "13800000003", "李\u0007四", "13900000003", "", ""],
        [4, "周八", "女", "护士", "护师", "13800000004", "", "", "", "孩子\n无人\u202e照看"],
        [5, "吴\u200b九", "女", "护士", "护\x1c师", "13800000005", "", "", "", ""],
        [6, "郑十", "女", "护士", "护师", "13800000006", "", "", "", "孩子\n无人照看"],
    ]
    batch = import_bytes(world.p.yi, world.unit, table1(rows))
    assert outcomes(batch) == [(3, "create"), (4, "reject"), (5, "reject"), (6, "reject"), (7, "reject"),
                               (8, "create")]
    rejected = batch.rows.filter(outcome="reject").order_by("index")
    assert [render_all(r.reasons) for r in rejected] == [
        [refused("姓名", "U+202E")],
        [refused("家属姓名", "U+0007")],
        [refused("存在困难", "U+202E")],
        [refused("职务职称", "U+001C")],
    ]
    import_services.apply_batch(actor=world.p.yi, batch=batch)
    assert sorted(Worker.objects.values_list("name", flat=True)) == ["王五", "郑十"]
    assert FamilyMember.objects.count() == 0


def test_organisation_group_and_account_names(personas):
    cases = [
        (lambda: org_services.create_organisation(
            actor=personas.jia, code="SN-H9", name="市立\u202e医院", kind=OrgKind.UNIT_UNION, parent=personas.shinan
        ), "name", refused("Name", "U+202E")),
        (lambda: org_services.update_organisation(
            actor=personas.jia, org=personas.shinan_hospital, name="医院\x00", kind=OrgKind.UNIT_UNION,
            version=personas.shinan_hospital.version,
        ), "name", refused("Name", "U+0000")),
        (lambda: org_services.create_group(actor=personas.jia, code="G1", name="\u2067组", members=[]),
         "name", refused("Name", "U+2067")),
        (lambda: org_services.create_user(
            actor=personas.jia, username="wang", organisation=personas.shinan, role=Role.VIEWER,
            full_name="王\u202e五",
        ), "full_name", refused("Full name", "U+202E")),
        (lambda: org_services.update_user(
            actor=personas.jia, user=personas.yi, full_name="乙\u200e", email="", mobile="",
            version=personas.yi.version,
        ), "full_name", refused("Full name", "U+200E")),
        (lambda: create_api_token(actor=personas.yi, user=personas.yi, name="脚本\u202e"),
         "name", refused("What the token is for", "U+202E")),
    ]
    tokens, groups = ApiToken.objects.count(), OrganisationGroup.objects.count()
    for call, field, message in cases:
        with pytest.raises(ServiceError) as exc:
            call()
        assert (exc.value.field, exc.value.message) == (field, message)
    assert Organisation.objects.filter(code="SN-H9").count() == 0
    assert Organisation.objects.get(pk=personas.shinan_hospital.pk).name == personas.shinan_hospital.name
    assert OrganisationGroup.objects.count() == groups
    assert personas.yi.__class__.objects.filter(username="wang").count() == 0
    personas.yi.refresh_from_db()
    assert personas.yi.full_name == "乙"
    assert ApiToken.objects.count() == tokens
    org = org_services.create_organisation(
        actor=personas.jia, code="SN-H9", name="\ufeff市立\u200b医院\n", kind=OrgKind.UNIT_UNION,
        parent=personas.shinan,
    )
    assert org.name == "市立医院"


def test_organisation_page_shows_the_refusal(personas):
    client = Client()
    client.force_login(personas.jia)
    client.cookies["nuanxin_language"] = "en"
    response = client.post(
        reverse("orgs:org_create", args=[personas.shinan.pk]),
        {"code": "SN-H9", "name": "市立\u202e医院", "kind": OrgKind.UNIT_UNION},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [refused("Name", "U+202E")]}
    assert Organisation.objects.filter(code="SN-H9").count() == 0
