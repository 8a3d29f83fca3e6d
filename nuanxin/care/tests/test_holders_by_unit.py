"""The policy's batch reverse query (``Policy.holders_by_unit``) that the care pages and the
reminders use instead of reading grants by hand."""

from __future__ import annotations

from nuanxin.care import pages
from nuanxin.care.models import Campaign, CareAssignment
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services


def _names(users) -> list[str]:
    return [u.username for u in users]


def test_holders_of_many_units_at_once(personas, django_assert_max_num_queries):
    p = personas
    units = [p.city, p.shinan, p.shinan_hospital, p.shibei_hospital, p.medical_union]
    with django_assert_max_num_queries(2):  # the grants, their groups' members
        admins = CareAssignment.policy.holders_by_unit("change", units)
    assert _names(admins[p.city.pk]) == ["jia"]
    assert set(_names(admins[p.shinan.pk])) == {"jia", "yi"}
    assert set(_names(admins[p.shinan_hospital.pk])) == {"jia", "yi"}
    assert set(_names(admins[p.shibei_hospital.pk])) == {"jia", "bing"}
    assert _names(admins[p.medical_union.pk]) == ["jia"]
    # one answer per unit agrees with the single-unit query
    for unit in units:
        assert {u.pk for u in admins[unit.pk]} == set(
            CareAssignment.policy.holders("change", unit).values_list("pk", flat=True)
        )


def test_below_adds_the_grants_under_the_unit(personas):
    p = personas
    contacts = CareAssignment.policy.holders_by_unit("contact", [p.shinan, p.shibei], below=True)
    assert _names(contacts[p.shinan.pk]) == ["care"]  # at the 市南区 hospital, under 市南区
    assert contacts[p.shibei.pk] == []
    covering = CareAssignment.policy.holders_by_unit("contact", [p.shinan])
    assert covering[p.shinan.pk] == []  # nobody's contact grant covers 市南区 itself


def test_group_grants_and_inactive_users(personas):
    p = personas
    helper, _ = org_services.create_user(
        actor=SYSTEM, username="helper", organisation=p.shibei_hospital, role=Role.CARE_CONTACT, password=p.password,
        full_name="帮手",
    )
    org_services.revoke_grant(actor=SYSTEM, grant=helper.grants.get())
    org_services.grant_role(actor=SYSTEM, user=helper, role=Role.CARE_CONTACT, group=p.med_group)
    found = CareAssignment.policy.holders_by_unit("contact", [p.shinan_hospital, p.shibei_hospital, p.shibei])
    assert set(_names(found[p.shinan_hospital.pk])) == {"care", "helper"}
    assert _names(found[p.shibei_hospital.pk]) == ["helper"]
    assert found[p.shibei.pk] == []
    helper.is_active = False
    helper.save(update_fields=["is_active"])
    found = CareAssignment.policy.holders_by_unit("contact", [p.shibei_hospital])
    assert found[p.shibei_hospital.pk] == []


def test_a_root_only_action_answers_the_roots_holders(personas):
    p = personas
    found = Campaign.policy.holders_by_unit("manage", [p.shinan_hospital, p.shibei])
    assert _names(found[p.shinan_hospital.pk]) == ["jia"] and _names(found[p.shibei.pk]) == ["jia"]


def test_assignable_contacts_and_suggestions_read_the_policy(personas):
    p = personas
    assert _names(pages.assignable_contacts(p.yi)) == ["care"]
    assert pages.assignable_contacts(p.bing) == []
    assert _names(pages.assignable_contacts(p.jia)) == ["care"]
    assert pages.assignable_contacts(p.care) == []
