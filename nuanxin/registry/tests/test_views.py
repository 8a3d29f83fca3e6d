"""The register pages, through HTTP: list (fast, scoped, masked), detail, forms, reveals."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services
from nuanxin.registry.models import Deployment, FamilyMember, Worker
from nuanxin.registry.tests.helpers import assign, make_worker

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(personas):
    """Three workers in 市南区's hospital, two in 市北区's."""
    sn = personas.shinan_hospital
    sb = personas.shibei_hospital
    zhang = make_worker(sn, "张三", mobile="13812345678", team="hubei_aid", category="nurse")
    services.add_family_member(actor=SYSTEM, worker=zhang, name="李明", relation="丈夫", mobile="13900001111")
    li = make_worker(sn, "李四", mobile="13800004321", team="cdc", category="doctor")
    wang = make_worker(sn, "王五", mobile="13800005555", team="ambulance", status="archived")
    zhao = make_worker(sb, "赵六", mobile="13800006666", team="hubei_aid")
    qian = make_worker(sb, "钱七", mobile="13800007777", team="cdc")
    return {"zhang": zhang, "li": li, "wang": wang, "zhao": zhao, "qian": qian}


def listed(response) -> list[str]:
    return [w.name for w in response.context["page"].object_list]


def test_list_is_scoped_and_masked(personas, people):
    url = reverse("registry:worker_list")
    response = client_for(personas.yi).get(url)
    assert response.status_code == 200
    assert listed(response) == ["李四", "张三"]
    html = response.content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html
    assert listed(client_for(personas.bing).get(url)) == ["钱七", "赵六"]
    assert listed(client_for(personas.jia).get(url)) == ["李四", "张三", "钱七", "赵六"]
    # A care contact sees only the families assigned to them.
    assert listed(client_for(personas.care).get(url)) == []
    assign(people["zhang"], personas.care)
    assert listed(client_for(personas.care).get(url)) == ["张三"]
    for user in (personas.viewer, personas.counsellor, personas.auditor):
        assert client_for(user).get(url).status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=zs", ["张三"]),
        ("q=zhang", ["张三"]),
        ("q=4321", ["李四"]),
        ("q=李", ["李四"]),
        ("team=hubei_aid", ["张三", "赵六"]),
        ("category=doctor", ["李四"]),
        ("status=archived", ["王五"]),
        ("org=SB", ["钱七", "赵六"]),
        ("org=SN-H1&team=cdc", ["李四"]),
        ("org=NOPE", ["李四", "张三", "钱七", "赵六"]),
    ],
)
def test_list_filters(personas, people, query, expected):
    response = client_for(personas.jia).get(reverse("registry:worker_list") + "?" + query)
    assert listed(response) == expected


def test_list_org_filter_offers_only_the_scope(personas, people):
    response = client_for(personas.yi).get(reverse("registry:worker_list") + "?org=SB")
    assert listed(response) == ["李四", "张三"]
    assert response.context["form"].errors["org"]
    codes = [code for code, _label in response.context["form"].fields["org"].choices]
    assert codes == ["", "SN", "SN-H1"]


def test_list_queries_do_not_grow_with_rows(personas, django_assert_num_queries):
    for i in range(60):
        make_worker(personas.shinan_hospital, f"职工{i:02d}")
    client = client_for(personas.yi)
    url = reverse("registry:worker_list")
    client.get(url)  # warm the session
    # session, user, grants, the filter's organisations, count, "may create", the page (the session
    # is saved only when its idle clock is a minute old)
    with django_assert_num_queries(7):
        response = client.get(url + "?page=2")
    assert len(response.context["page"].object_list) == 10
    with django_assert_num_queries(7):
        response = client.get(url + "?q=zg")
    assert len(response.context["page"].object_list) == 50


def test_detail_shows_family_deployments_history(personas, people):
    zhang = people["zhang"]
    services.save_deployment(
        actor=SYSTEM,
        worker=zhang,
        batch="第一批",
        destination="湖北省武汉市",
        departed_on="2020-02-09",
        deployed_mobile="18600001234",
    )
    services.update_worker(actor=personas.yi, worker=zhang, post_title="主管护师", mobile="13812349999")
    response = client_for(personas.yi).get(reverse("registry:worker_detail", args=[zhang.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "李明" in html and "139****1111" in html and "13900001111" not in html
    assert "第一批" in html and "186****1234" in html and "18600001234" not in html
    history = response.context["history"]
    assert len(history) == 2
    changes = {c["name"]: (c["old"], c["new"]) for c in history[0]["changes"]}
    assert changes == {"post_title": ("", "主管护师"), "mobile": ("138****5678", "138****9999")}
    assert history[0]["who"] == personas.yi
    assert [c["name"] for c in history[1]["changes"]] == [""]  # created
    assert response.context["can_change"] is True
    assert response.context["can_see_sensitive"] is True
    # Out of scope: the same 404 as a missing row.
    assert client_for(personas.bing).get(reverse("registry:worker_detail", args=[zhang.pk])).status_code == 404
    assert client_for(personas.care).get(reverse("registry:worker_detail", args=[zhang.pk])).status_code == 404
    assign(zhang, personas.care)
    response = client_for(personas.care).get(reverse("registry:worker_detail", args=[zhang.pk]))
    assert response.status_code == 200
    assert (response.context["can_change"], response.context["can_see_sensitive"]) == (False, False)
    assert "sensitive" not in response.content.decode().lower().replace("nx-sensitive", "")


def test_reveal_is_a_post_and_audited(personas, people):
    zhang = people["zhang"]
    client = client_for(personas.yi)
    url = reverse("registry:worker_reveal", args=[zhang.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert (
        response.content.decode().strip()
        == '<a class="font-monospace nx-revealed" href="tel:13812345678">13812345678</a>'
    )
    member = zhang.family.get()
    response = client.post(reverse("registry:family_reveal", args=[member.pk]))
    assert "13900001111" in response.content.decode()
    assert AuditLog.objects.filter(action="worker.mobile_reveal", actor=personas.yi).count() == 2
    assert client_for(personas.bing).post(url).status_code == 404


def test_sensitive_panel_loads_on_demand_and_is_audited(personas, people):
    zhang = people["zhang"]
    services.update_sensitive(actor=SYSTEM, worker=zhang, id_number="11010519491231002X", maternity="lactating")
    detail = client_for(personas.yi).get(reverse("registry:worker_detail", args=[zhang.pk]))
    assert "11010519491231002X" not in detail.content.decode()
    assert AuditLog.objects.filter(action="worker.sensitive_read").count() == 0
    url = reverse("registry:worker_sensitive", args=[zhang.pk])
    response = client_for(personas.yi).post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "11010519491231002X" in response.content.decode()
    assert AuditLog.objects.filter(action="worker.sensitive_read").count() == 1
    assign(zhang, personas.care)
    assert client_for(personas.care).post(url).status_code == 403
    assert client_for(personas.bing).post(url).status_code == 404
    assert AuditLog.objects.filter(action="worker.sensitive_read").count() == 1


def test_create_worker_form(personas):
    client = client_for(personas.yi)
    client.cookies["nuanxin_language"] = "en"
    url = reverse("registry:worker_create")
    assert client.get(url).status_code == 200
    response = client.post(url, {"organisation": "SN-H1", "name": "", "team": "", "mobile": "123"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"name", "team", "mobile"}
    assert errors["mobile"] == ["“123” is not a valid phone number."]
    response = client.post(url, {"organisation": "SB-H1", "name": "张三", "team": "cdc"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organisation"]
    response = client.post(
        url,
        {"organisation": "SN-H1", "name": "张 三", "team": "hubei_aid", "mobile": "138-1234-5678", "gender": "female"},
    )
    worker = Worker.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("registry:worker_detail", args=[worker.pk])
    assert (worker.name, worker.mobile, worker.created_by) == ("张三", "+8613812345678", personas.yi)


def test_create_form_in_chinese(personas):
    client = client_for(personas.yi)
    client.cookies["nuanxin_language"] = "zh-hans"
    response = client.post(reverse("registry:worker_create"), {"organisation": "SN-H1", "name": ""})
    assert response.status_code == 200
    with translation.override("zh-hans"):
        required = translation.gettext("This field is required.")
    assert required != "This field is required."
    assert response.context["form"].errors["name"] == [required]


def test_create_form_likely_duplicate_asks_for_confirmation(personas):
    make_worker(personas.shinan_hospital, "张三", mobile="13812345678")
    client = client_for(personas.yi)
    url = reverse("registry:worker_create")
    data = {"organisation": "SN-H1", "name": "张三", "team": "cdc", "mobile": "13912345678"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert 'name="allow_duplicate"' in response.content.decode()
    assert 'type="checkbox" name="allow_duplicate"' in response.content.decode()
    assert Worker.objects.count() == 1
    response = client.post(url, {**data, "allow_duplicate": "on"})
    assert response.status_code == 302
    assert Worker.objects.count() == 2
    # The same name and mobile is the same person: never a second worker.
    response = client.post(url, {**data, "mobile": "13812345678", "allow_duplicate": "on"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["mobile"]


def test_edit_worker_form(personas, people):
    zhang = people["zhang"]
    client = client_for(personas.yi)
    url = reverse("registry:worker_update", args=[zhang.pk])
    response = client.get(url)
    assert response.context["form"].initial["mobile"] == "13812345678"
    data = {
        "organisation": "SN-H1",
        "name": "张三",
        "team": "hubei_aid",
        "mobile": "13812345678",
        "status": "deployed",
        "category": "nurse",
        "post_title": "护师",
        "version": "1",
    }
    assert client.post(url, data).status_code == 302
    zhang.refresh_from_db()
    assert (zhang.status, zhang.post_title) == ("deployed", "护师")
    assert AuditLog.objects.get(action="worker.update").detail == {
        "changes": {"post_title": ["", "护师"], "status": ["on_duty", "deployed"]}
    }
    assert client_for(personas.bing).get(url).status_code == 404
    assign(zhang, personas.care)
    assert client_for(personas.care).get(url).status_code == 403


def test_family_pages(personas, people):
    zhang = people["zhang"]
    client = client_for(personas.yi)
    response = client.post(
        reverse("registry:family_create", args=[zhang.pk]), {"name": "张小", "relation": "女儿", "mobile": "bad"}
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["mobile"]
    response = client.post(
        reverse("registry:family_create", args=[zhang.pk]), {"name": "张小", "relation": "女儿", "is_primary": "on"}
    )
    assert response.status_code == 302
    child = FamilyMember.objects.get(name="张小")
    assert list(zhang.family.filter(is_primary=True)) == [child]
    husband = FamilyMember.objects.get(name="李明")
    assert client.post(reverse("registry:family_primary", args=[husband.pk])).status_code == 302
    assert list(zhang.family.filter(is_primary=True)) == [husband]
    child.refresh_from_db()
    response = client.post(
        reverse("registry:family_update", args=[child.pk]),
        {"name": "张小", "relation": "女儿", "address": "香港中路", "version": child.version},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.address == "香港中路"
    assert client.post(reverse("registry:family_remove", args=[husband.pk])).status_code == 302
    assert list(zhang.family.values_list("name", "is_primary")) == [("张小", True)]
    assert client_for(personas.bing).post(reverse("registry:family_remove", args=[child.pk])).status_code == 404
    assert FamilyMember.objects.count() == 1


def test_deployment_pages(personas, people):
    zhang = people["zhang"]
    client = client_for(personas.yi)
    url = reverse("registry:deployment_create", args=[zhang.pk])
    response = client.post(url, {"batch": "第一批", "departed_on": "2020-02-09", "returned_on": "2020-02-01"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["returned_on"]
    response = client.post(url, {"batch": " ", "destination": "", "carrier": ""})
    assert response.status_code == 200 and Deployment.objects.count() == 0
    assert response.context["form"].non_field_errors() == ["派出信息为空：请至少填写一项。"]
    response = client.post(
        url,
        {
            "batch": "第一批",
            "destination": "湖北省武汉市",
            "departed_on": "2020-02-09",
            "deployed_mobile": "189 0000 1234",
        },
    )
    assert response.status_code == 302
    dep = Deployment.objects.get()
    assert (dep.deployed_mobile, dep.carrier) == ("+8618900001234", "telecom")
    edit = reverse("registry:deployment_update", args=[dep.pk])
    data = {
        "batch": "第一批",
        "destination": "湖北省武汉市",
        "departed_on": "2020-02-09",
        "deployed_mobile": "18900001234",
        "carrier": "mobile",
        "version": "1",
    }
    assert client.post(edit, data).status_code == 302
    dep.refresh_from_db()
    assert dep.carrier == "mobile"
    assert client.post(edit, {**data, "deployed_mobile": "18600001234", "version": "2"}).status_code == 302
    dep.refresh_from_db()
    assert dep.carrier == "unicom"  # a new number, carrier left as it was: suggested again
    assert client.post(reverse("registry:deployment_remove", args=[dep.pk])).status_code == 302
    assert Deployment.objects.count() == 0


def test_deployment_edit_form_keeps_its_dates_in_chinese(personas, people):
    """A date input only takes ISO dates: the Chinese date format (2020/02/09) would show an empty
    field, and saving the form would erase the dates."""
    from datetime import date

    dep = services.save_deployment(
        actor=SYSTEM, worker=people["zhang"], departed_on=date(2020, 2, 9), returned_on=date(2020, 3, 21)
    )
    client = client_for(personas.yi)
    client.cookies["nuanxin_language"] = "zh-hans"
    html = client.get(reverse("registry:deployment_update", args=[dep.pk])).content.decode()
    assert 'type="date" name="departed_on" value="2020-02-09"' in html
    assert 'type="date" name="returned_on" value="2020-03-21"' in html


def test_sensitive_form(personas, people):
    zhang = people["zhang"]
    client = client_for(personas.yi)
    url = reverse("registry:sensitive_update", args=[zhang.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"id_number": "110105194912310021", "version": "1"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["id_number"]
    data = {"id_number": "11010519491231002x", "maternity": "pregnant", "version": "1"}
    assert client.post(url, data).status_code == 302
    assert zhang.sensitive.id_number == "11010519491231002X"
    assign(zhang, personas.care)
    assert client_for(personas.care).get(url).status_code == 403


def test_home_counter(personas, people):
    from nuanxin.registry.manifest import count_workers

    assert count_workers(personas.jia) == 4
    assert count_workers(personas.yi) == 2
    assert count_workers(personas.care) == 0
    assert count_workers(personas.viewer) is None
    assert count_workers(personas.counsellor) is None
    response = client_for(personas.yi).get(reverse("home"))
    assert 'data-count="workers">2<' in response.content.decode()
