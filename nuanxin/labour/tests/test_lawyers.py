"""The lawyer team: adding and editing lawyers (labour-rights officers and administrators of
the organisation), the list with each lawyer's load, the candidates offered for a case (the
unit and every level above, matching specialty first) and the capacity."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.models import Lawyer
from nuanxin.labour.services import lawyers
from nuanxin.labour.tests.authz_legal import lawyer as make_lawyer
from nuanxin.labour.tests.authz_legal import legal_case, worker
from nuanxin.orgs import services as org_services


@pytest.fixture
def officer(personas):
    user, _ = org_services.create_user(
        actor=SYSTEM,
        username="officer",
        organisation=personas.shinan,
        role=Role.LABOUR_OFFICER,
        password=personas.password,
        full_name="劳动干事",
    )
    return user


def test_an_officer_adds_a_lawyer_with_the_mobile_normalised_and_masked_in_the_audit(personas, officer):
    lw = lawyers.create_lawyer(
        actor=officer,
        organisation=personas.shinan,
        name=" 王明 ",
        firm="青岛某律师事务所",
        mobile="138 1234 5678",
        specialties=["contract", "wages", "contract"],
        capacity=4,
    )
    assert (lw.name, lw.mobile, lw.specialties, lw.capacity, lw.active) == (
        "王明",
        "+8613812345678",
        ["wages", "contract"],
        4,
        True,
    )
    row = AuditLog.objects.get(action="labour.lawyer.create")
    assert row.detail["mobile"] == "138****5678"
    assert row.organisation_id == personas.shinan.pk


def test_lawyers_are_added_only_in_ones_own_organisations(personas, officer):
    with pytest.raises(NotAllowed):
        lawyers.create_lawyer(actor=officer, organisation=personas.shibei, name="李律师")
    with pytest.raises(NotAllowed):
        lawyers.create_lawyer(actor=personas.care, organisation=personas.shinan_hospital, name="李律师")
    with pytest.raises(NotAllowed):
        lawyers.create_lawyer(actor=personas.auditor, organisation=personas.city, name="李律师")
    assert not Lawyer.objects.exists()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"mobile": "12345"}, "mobile"),
        ({"specialties": ["tax"]}, "specialties"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 100}, "capacity"),
    ],
)
def test_bad_lawyer_input_is_refused_on_its_field(personas, values, field):
    values = {"name": "王明", **values}
    with pytest.raises(ServiceError) as exc:
        lawyers.create_lawyer(actor=personas.yi, organisation=personas.shinan, **values)
    assert exc.value.field == field
    assert not Lawyer.objects.exists()


def test_editing_a_lawyer_checks_the_version_and_audits_the_change(personas):
    lw = make_lawyer(personas.shinan, "王明", capacity=3)
    saved = lawyers.update_lawyer(actor=personas.yi, lawyer=lw, version=lw.version, capacity=5, active=False)
    assert (saved.capacity, saved.active, saved.version) == (5, False, lw.version + 1)
    row = AuditLog.objects.get(action="labour.lawyer.update")
    assert row.detail == {"changed": ["capacity", "active"], "before": {"capacity": 3, "active": True}}
    with pytest.raises(ServiceError) as exc:
        lawyers.update_lawyer(actor=personas.yi, lawyer=lw, version=lw.version, capacity=9)
    assert exc.value.code == "conflict"
    with pytest.raises(NotAllowed):
        lawyers.update_lawyer(actor=personas.bing, lawyer=lw, version=saved.version, capacity=9)


def test_candidates_are_the_units_lawyers_and_every_level_above_matching_specialty_first(personas):
    unit = personas.shinan_hospital
    city = make_lawyer(personas.city, "市律师", specialties=["dismissal"])
    district = make_lawyer(personas.shinan, "区律师", specialties=["wages"])
    own = make_lawyer(unit, "院律师", specialties=[])
    make_lawyer(personas.shibei, "北区律师", specialties=["dismissal"])  # another district: not offered
    make_lawyer(personas.city, "停用律师", specialties=["dismissal"], active=False)
    names = [lw.name for lw in lawyers.candidates(unit, "dismissal")]
    assert names == ["市律师", "院律师", "区律师"]
    rows = lawyers.candidates(unit, "wages")
    assert [(lw.name, lw.matches, lw.load) for lw in rows] == [
        ("区律师", True, 0),
        ("院律师", False, 0),
        ("市律师", False, 0),
    ]
    assert {city.pk, district.pk, own.pk} == {lw.pk for lw in rows}


def test_a_lawyer_at_capacity_is_refused_with_a_clear_message(personas, english):
    lw = make_lawyer(personas.shinan, "王明", capacity=1)
    w = worker(personas.shinan_hospital, "张三")
    legal_case(w, lawyer=lw)
    with pytest.raises(ServiceError) as exc:
        legal_case(w, lawyer=lw)
    assert exc.value.field == "lawyer"
    assert exc.value.message == (
        "王明 already has 1 open cases and takes at most 1: choose another lawyer, or raise the capacity on "
        "the lawyer team's page."
    )


def test_a_lawyer_of_another_district_is_refused(personas, english):
    lw = make_lawyer(personas.shibei, "北区律师")
    w = worker(personas.shinan_hospital, "张三")
    with pytest.raises(ServiceError) as exc:
        legal_case(w, lawyer=lw)
    assert exc.value.message == "北区律师 serves 市北区总工会, not this case's unit."


def test_the_list_shows_the_load_and_the_masked_mobile(personas, client):
    lw = make_lawyer(personas.shinan, "王明", capacity=2, mobile="13812345678")
    w = worker(personas.shinan_hospital, "张三")
    legal_case(w, lawyer=lw)
    client.force_login(personas.yi)
    html = client.get(reverse("labour:lawyer_list")).content.decode()
    assert 'data-load="1" data-capacity="2"' in html
    assert "138****5678" in html and "13812345678" not in html
    client.force_login(personas.bing)
    assert "王明" not in client.get(reverse("labour:lawyer_list")).content.decode()


def test_the_lawyer_pages_add_and_edit(personas, client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("labour:lawyer_create"),
        {"organisation": str(personas.shinan.pk), "name": "王明", "capacity": "3", "specialties": ["wages"]},
    )
    assert response.status_code == 302
    lw = Lawyer.objects.get()
    assert (lw.name, lw.capacity, lw.specialties, lw.organisation_id) == ("王明", 3, ["wages"], personas.shinan.pk)
    response = client.post(
        reverse("labour:lawyer_edit", kwargs={"pk": lw.pk}),
        {"name": "王明", "capacity": "0", "version": str(lw.version)},
    )
    assert response.status_code == 200
    lw.refresh_from_db()
    assert lw.capacity == 3
