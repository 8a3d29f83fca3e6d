"""A labour-rights officer, who reads no register entry, finds and opens the families of the
units in their grant (by the record's policy), and no other; the care contact only theirs."""

import pytest
from django.urls import reverse

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.models import Arrangement, EmploymentCase, LegalCase
from nuanxin.labour.selectors import workers as find_workers
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    def worker(name, unit, gender="female"):
        return registry.create_worker(
            actor=SYSTEM, organisation=unit, name=name, gender=gender, team="hubei_aid", mobile="13800138000"
        )

    officer, _ = org_services.create_user(
        actor=SYSTEM,
        username="officer-sn",
        organisation=personas.shinan,
        role=Role.LABOUR_OFFICER,
        password=personas.password,
    )
    return {
        "officer": officer,
        "here": worker("张晓红", personas.shinan_hospital),
        "there": worker("张晓兰", personas.shibei_hospital),
    }


@pytest.mark.parametrize("model", [Arrangement, LegalCase, EmploymentCase])
def test_an_officer_finds_the_families_of_their_units_only(personas, world, model):
    officer = world["officer"]
    assert [w.name for w in find_workers.find(officer, model, "张晓")] == ["张晓红"]
    assert [w.name for w in find_workers.find(officer, model, "zhangxiao")] == ["张晓红"]
    assert find_workers.openable(officer, model, world["here"].pk) == world["here"]
    assert find_workers.openable(officer, model, world["there"].pk) is None
    assert find_workers.openable(officer, model, "x") is None
    # The 市北区 administrator finds the other one only.
    assert [w.name for w in find_workers.find(personas.bing, model, "张晓")] == ["张晓兰"]


@pytest.mark.parametrize("url_name", ["labour:arrangement_create", "labour:legal_create", "labour:employment_create"])
def test_the_create_pages_search_and_open_for_an_officer(client, world, url_name):
    client.force_login(world["officer"])
    page = client.get(reverse(url_name), {"q": "张晓"})
    assert page.status_code == 200
    assert [w.name for w in page.context["found"]] == ["张晓红"]
    assert client.get(reverse(url_name), {"worker": world["here"].pk}).status_code == 200
    assert client.get(reverse(url_name), {"worker": world["there"].pk}).status_code == 404
