"""The organisation, user and group pages, through HTTP."""

import re
from html import unescape

import pytest
from django.urls import reverse

from nuanxin.accounts.models import ApiToken, TOTPDevice, User
from nuanxin.accounts.services import create_api_token
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Grant, Organisation, OrganisationGroup

# Queries every signed-in page costs before its own: session, user, grants (the session is saved
# only when its idle clock is a minute old: accounts/middleware.py).
REQUEST_QUERIES = 3


def html(response) -> str:
    return unescape(response.content.decode())


def attr_values(response, attr: str) -> list[str]:
    return re.findall(rf'{attr}="([^"]*)"', response.content.decode())


def select_options(response, name: str) -> list[str]:
    page = response.content.decode()
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return [unescape(label).strip(" \n") for label in re.findall(r"<option [^>]*>([^<]*)</option>", select)]


def messages_of(response) -> list[str]:
    return [unescape(m).strip() for m in re.findall(r'<div class="alert [^"]*" role="alert">(.*?)</div>',
                                                    response.content.decode(), re.S)]


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def add_users(org, count: int, prefix: str):
    for i in range(count):
        services.create_user(actor=SYSTEM, username=f"{prefix}{i:02d}", organisation=org, role=Role.CARE_CONTACT,
                             password="Persona-pass-2020")


# --- the tree ------------------------------------------------------------------------------


def test_tree_shows_the_admins_subtree_with_user_counts(as_user, personas):
    p = personas
    response = as_user(p.yi).get(reverse("orgs:tree"))
    assert response.status_code == 200
    assert attr_values(response, "data-code") == ["SN", "SN-H1"]
    assert attr_values(response, "data-level") == ["0", "1"]
    assert attr_values(response, "data-user-count") == ["1", "1"]
    assert "市北区" not in html(response)


def test_tree_for_the_city_admin_nests_every_organisation(as_user, personas):
    response = as_user(personas.jia).get(reverse("orgs:tree"))
    assert attr_values(response, "data-code") == ["CITY", "SB", "SB-H1", "SN", "SN-H1", "YW"]
    assert attr_values(response, "data-level") == ["0", "1", "2", "1", "2", "1"]
    # jia and the auditor live at the root; counsellor and viewer at the medical union.
    assert attr_values(response, "data-user-count") == ["2", "1", "0", "1", "1", "2"]
    assert html(response).count("<details") == 3


def test_tree_costs_one_query_however_large(as_user, personas, django_assert_num_queries):
    p = personas
    client = as_user(p.yi)
    client.get(reverse("orgs:tree"))
    with django_assert_num_queries(REQUEST_QUERIES + 1):
        client.get(reverse("orgs:tree"))
    for i in range(5):
        child = services.create_organisation(actor=SYSTEM, code=f"SN-U{i}", name=f"单位{i}",
                                             kind=OrgKind.UNIT_UNION, parent=p.shinan)
        add_users(child, 2, f"u{i}-")
    with django_assert_num_queries(REQUEST_QUERIES + 1):
        response = client.get(reverse("orgs:tree"))
    assert len(attr_values(response, "data-code")) == 7


def test_tree_is_for_administrators_only(as_user, personas):
    assert as_user(personas.care).get(reverse("orgs:tree")).status_code == 403
    assert as_user(personas.viewer).get(reverse("orgs:tree")).status_code == 403


# --- organisation pages --------------------------------------------------------------------


def test_org_detail_lists_children_users_and_history(as_user, personas):
    p = personas
    services.move_organisation(actor=p.jia, org=p.shinan_hospital, new_parent=p.shibei)
    services.move_organisation(actor=p.jia, org=p.shinan_hospital, new_parent=p.shinan)
    response = as_user(p.yi).get(reverse("orgs:org_detail", args=[p.shinan.pk]))
    page = html(response)
    assert response.status_code == 200
    assert re.search(r'id="nx-org-name">市南区总工会<', page)
    assert re.findall(r'<a href="/orgs/\d+/">([^<]+)</a>', page.split('id="nx-children"')[1].split("</ul>")[0]) == [
        "市南区人民医院工会"
    ]
    assert "yi" in page.split('id="nx-org-users"')[1].split("</ul>")[0]
    history = page.split('id="nx-org-history"')[1].split("</ul>")[0]
    assert history.count("<li") == 1  # created before the moves: its own row is the creation
    assert "system:" not in history  # the system is named in words, as on the audit log
    hospital = as_user(p.yi).get(reverse("orgs:org_detail", args=[p.shinan_hospital.pk]))
    moves = html(hospital).split('id="nx-org-history"')[1].split("</ul>")[0]
    assert "moved from SB to SN" in moves and "moved from SN to SB" in moves
    # 乙 does not see the root in the breadcrumb: it is outside the scope.
    assert "青岛市总工会" not in page.split("</ol>")[0]


def test_org_pages_outside_the_scope_are_404(as_user, personas):
    p = personas
    client = as_user(p.bing)
    for name in ("orgs:org_detail", "orgs:org_edit", "orgs:org_move", "orgs:org_create"):
        assert client.get(reverse(name, args=[p.shinan.pk])).status_code == 404
    # Nobody but a city admin touches the root: for 乙 it is simply not there.
    assert as_user(p.yi).get(reverse("orgs:org_edit", args=[p.city.pk])).status_code == 404


def test_create_a_child_organisation(as_user, personas):
    p = personas
    client = as_user(p.yi)
    response = client.post(reverse("orgs:org_create", args=[p.shinan.pk]),
                           {"code": "SN-H2", "name": "市南区第二医院工会", "kind": OrgKind.UNIT_UNION})
    org = Organisation.objects.get(code="SN-H2")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:org_detail", args=[org.pk])
    assert org.parent_code == "SN"
    assert AuditLog.objects.get(action="org.create", actor=p.yi).organisation == org


def test_create_with_a_taken_code_shows_the_error_on_the_field(as_user, personas):
    p = personas
    count = Organisation.objects.count()
    response = as_user(p.yi).post(reverse("orgs:org_create", args=[p.shinan.pk]),
                                  {"code": "SB-H1", "name": "重复", "kind": OrgKind.UNIT_UNION})
    assert response.status_code == 200
    assert "An organisation with code “SB-H1” already exists." in html(response)
    assert re.search(r'<input [^>]*class="form-control is-invalid"[^>]*id="id_code"', response.content.decode())
    assert Organisation.objects.count() == count


def test_edit_an_organisation(as_user, personas):
    p = personas
    response = as_user(p.yi).post(reverse("orgs:org_edit", args=[p.shinan_hospital.pk]),
                                  {"name": "市南区人民医院", "kind": OrgKind.OTHER, "version": 1})
    assert response.status_code == 302
    p.shinan_hospital.refresh_from_db()
    assert (p.shinan_hospital.name, p.shinan_hospital.kind) == ("市南区人民医院", "other")


def test_only_the_city_admin_edits_the_root(as_user, personas):
    p = personas
    response = as_user(p.jia).post(reverse("orgs:org_edit", args=[p.city.pk]),
                                   {"name": "青岛市总工会（新）", "kind": OrgKind.CITY_FEDERATION, "version": 1})
    assert response.status_code == 302
    assert Organisation.objects.get(pk=p.city.pk).name == "青岛市总工会（新）"


def test_move_offers_only_managed_organisations_outside_the_subtree(as_user, personas):
    p = personas
    unit = services.create_organisation(actor=SYSTEM, code="SN-U", name="单位工会", kind=OrgKind.UNIT_UNION,
                                        parent=p.shinan)
    services.create_organisation(actor=SYSTEM, code="SN-U-1", name="分会", kind=OrgKind.UNIT_UNION, parent=unit)
    client = as_user(p.yi)
    response = client.get(reverse("orgs:org_move", args=[unit.pk]))
    assert select_options(response, "new_parent") == [
        "Choose an organisation", "市南区总工会 (SN)", "　市南区人民医院工会 (SN-H1)"
    ]
    response = client.post(reverse("orgs:org_move", args=[unit.pk]), {"new_parent": p.shinan_hospital.pk, "version": 1})
    assert response.status_code == 302
    assert Organisation.objects.get(code="SN-U-1").path.startswith(Organisation.objects.get(code="SN-H1").path)
    assert AuditLog.objects.get(action="org.move").detail == {"from": "SN", "to": "SN-H1"}


@pytest.mark.parametrize("under", ["itself", "its child"])
def test_a_move_under_itself_or_its_descendant_gets_the_move_message(as_user, personas, under):
    """Not offered, but sent (e.g. from a page opened before a move made it a descendant):
    the move's own message, not an unknown choice; nothing changes."""
    p = personas
    unit = services.create_organisation(actor=SYSTEM, code="SN-U", name="单位工会", kind=OrgKind.UNIT_UNION,
                                        parent=p.shinan)
    child = services.create_organisation(actor=SYSTEM, code="SN-U-1", name="分会", kind=OrgKind.UNIT_UNION, parent=unit)
    target = unit if under == "itself" else child
    response = as_user(p.yi).post(reverse("orgs:org_move", args=[unit.pk]), {"new_parent": target.pk, "version": 1})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "new_parent": ["An organisation cannot be moved under itself or its own descendants."]
    }
    assert Organisation.objects.get(code="SN-U").parent_code == "SN"
    assert not AuditLog.objects.filter(action="org.move").exists()


def test_the_root_is_not_moved(as_user, personas):
    p = personas
    response = as_user(p.jia).post(reverse("orgs:org_move", args=[p.city.pk]), {"new_parent": p.shinan.pk},
                                   follow=True)
    assert messages_of(response) == ["The root organisation cannot be moved."]
    assert Organisation.objects.get(pk=p.city.pk).is_root()


def test_move_outside_the_scope_is_refused_and_changes_nothing(as_user, personas):
    p = personas
    response = as_user(p.yi).post(reverse("orgs:org_move", args=[p.shinan_hospital.pk]), {"new_parent": p.shibei.pk})
    assert response.status_code == 200
    assert "Select a valid choice." in html(response)
    assert Organisation.objects.get(pk=p.shinan_hospital.pk).parent_code == "SN"
    assert not AuditLog.objects.filter(action="org.move").exists()


# --- the user list -------------------------------------------------------------------------


def test_user_list_shows_accounts_at_home_in_the_scope(as_user, personas):
    response = as_user(personas.yi).get(reverse("orgs:user_list"))
    assert attr_values(response, "data-username") == ["care", "yi"]
    assert "1 account" not in html(response) and "2 accounts" in html(response)
    response = as_user(personas.bing).get(reverse("orgs:user_list"))
    assert attr_values(response, "data-username") == ["bing"]


def test_user_list_search_and_filters(as_user, personas):
    p = personas
    client = as_user(p.jia)
    assert attr_values(client.get(reverse("orgs:user_list") + "?q=联系"), "data-username") == ["care"]
    assert attr_values(client.get(reverse("orgs:user_list") + "?q=BIN"), "data-username") == ["bing"]
    url = reverse("orgs:user_list") + f"?org={p.shinan.pk}"
    assert attr_values(client.get(url), "data-username") == ["care", "yi"]
    url = reverse("orgs:user_list") + f"?org={p.shinan.pk}&role=care_contact"
    assert attr_values(client.get(url), "data-username") == ["care"]
    url = reverse("orgs:user_list") + "?role=auditor"
    assert attr_values(client.get(url), "data-username") == ["auditor"]
    # An organisation outside 乙's scope is not a valid filter: the list stays the scope's.
    response = as_user(p.yi).get(reverse("orgs:user_list") + f"?org={p.shibei.pk}")
    assert attr_values(response, "data-username") == ["care", "yi"]
    assert "Select a valid choice." in html(response)


def test_user_list_pages_in_constant_queries(as_user, personas, django_assert_num_queries):
    p = personas
    add_users(p.shinan_hospital, 30, "staff")
    client = as_user(p.yi)
    client.get(reverse("orgs:user_list"))
    # count, organisations for the filter, the page of users, their grants
    with django_assert_num_queries(REQUEST_QUERIES + 4):
        first = client.get(reverse("orgs:user_list"))
    assert len(attr_values(first, "data-username")) == 25
    assert "32 accounts" in html(first) and "Page 1 of 2" in html(first)
    with django_assert_num_queries(REQUEST_QUERIES + 4):
        second = client.get(reverse("orgs:user_list") + "?q=staff&page=2")
    assert attr_values(second, "data-username") == ["staff25", "staff26", "staff27", "staff28", "staff29"]
    assert 'href="?q=staff&amp;page=1"' in second.content.decode()


# --- the user page and what it offers ------------------------------------------------------


def test_user_detail_shows_grants_tokens_and_only_grantable_roles(as_user, personas):
    p = personas
    create_api_token(actor=SYSTEM, user=p.care, expires_days=10, name="报表")
    response = as_user(p.yi).get(reverse("orgs:user_detail", args=[p.care.pk]))
    page = html(response)
    assert response.status_code == 200
    assert attr_values(response, "data-grant") == [str(p.care.grants.get().pk)]
    assert len(attr_values(response, "data-token")) == 1 and "报表" in page
    assert select_options(response, "role") == [
        "Organisation administrator", "Care contact", "Hotline counsellor", "Hotline supervisor",
        "Hotline coordinator", "Finance clerk", "Finance approver", "Labour-rights officer",
        "Pickup point keeper", "Volunteer team leader", "Report viewer",
    ]
    assert select_options(response, "organisation") == ["—", "市南区总工会 (SN)", "　市南区人民医院工会 (SN-H1)"]
    assert 'name="group"' not in page  # groups are for city admins
    assert "Reset password" in page and "Disable account" in page


def test_city_admin_may_grant_every_role_and_on_groups(as_user, personas):
    response = as_user(personas.jia).get(reverse("orgs:user_detail", args=[personas.care.pk]))
    assert select_options(response, "role") == [label for _value, label in Role.choices]
    assert select_options(response, "group") == ["—", "全市医疗机构"]


def test_an_account_beyond_the_admins_rights_is_shown_without_controls(as_user, personas):
    p = personas
    # jia makes someone at 市南区 a city-wide auditor: 乙 sees the account but may not change it.
    user, _ = services.create_user(actor=SYSTEM, username="sn-auditor", organisation=p.shinan, role=Role.VIEWER)
    services.grant_role(actor=SYSTEM, user=user, role=Role.AUDITOR, organisation=p.city)
    client = as_user(p.yi)
    page = html(client.get(reverse("orgs:user_detail", args=[user.pk])))
    assert "you can see it but not change it" in page
    assert "Disable account" not in page and 'id="nx-grant-form"' not in page
    response = client.post(reverse("orgs:user_toggle_active", args=[user.pk]), {"active": "0"}, follow=True)
    assert messages_of(response) == ["You may not manage this account."]
    assert User.objects.get(pk=user.pk).is_active is True


def test_create_user_with_a_generated_password_shown_once(as_user, personas):
    p = personas
    client = as_user(p.yi)
    response = client.post(reverse("orgs:user_create"), {
        "username": "newcare", "full_name": "新联系人", "email": "", "mobile": "",
        "organisation": p.shinan_hospital.pk, "role": Role.CARE_CONTACT, "password": "",
    })
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r'id="nx-password">([A-Za-z0-9]{16})<', response.content.decode()).group(1)
    user = User.objects.get(username="newcare")
    assert user.check_password(password)
    assert (user.full_name, user.organisation) == ("新联系人", p.shinan_hospital)
    assert user.grants.get().role == "care_contact"
    # Shown once: the account page does not carry it.
    assert password not in html(client.get(reverse("orgs:user_detail", args=[user.pk])))


def test_create_user_with_a_chosen_password(as_user, personas):
    p = personas
    response = as_user(p.yi).post(reverse("orgs:user_create"), {
        "username": "chosen", "organisation": p.shinan.pk, "role": Role.VIEWER, "password": "Chosen-pass-2020",
    })
    user = User.objects.get(username="chosen")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:user_detail", args=[user.pk])
    assert user.check_password("Chosen-pass-2020")


def test_create_user_refusals_are_form_errors_and_create_nothing(as_user, personas):
    p = personas
    client = as_user(p.yi)
    count = User.objects.count()
    # A role 乙 may not grant is not even offered.
    response = client.post(reverse("orgs:user_create"),
                           {"username": "boss", "organisation": p.shinan.pk, "role": Role.CITY_ADMIN})
    assert response.status_code == 200 and "Select a valid choice." in html(response)
    response = client.post(reverse("orgs:user_create"),
                           {"username": "CARE", "organisation": p.shinan.pk, "role": Role.VIEWER})
    assert "The username “CARE” is taken." in html(response)
    response = client.post(reverse("orgs:user_create"),
                           {"username": "weak", "organisation": p.shinan.pk, "role": Role.VIEWER, "password": "abc"})
    assert re.search(r'<input [^>]*class="form-control is-invalid"[^>]*id="id_password"', response.content.decode())
    response = client.post(reverse("orgs:user_create"),
                           {"username": "far", "organisation": p.shibei.pk, "role": Role.VIEWER})
    assert "Select a valid choice." in html(response)
    assert User.objects.count() == count


def test_edit_a_user(as_user, personas):
    p = personas
    response = as_user(p.yi).post(reverse("orgs:user_edit", args=[p.care.pk]),
                                  {"full_name": "王联系", "email": "care@example.org", "mobile": "13800000001",
                                   "version": 1})
    assert response.status_code == 302
    user = User.objects.get(pk=p.care.pk)
    assert (user.full_name, user.email, user.mobile) == ("王联系", "care@example.org", "13800000001")


def test_grant_and_revoke_a_role(as_user, personas):
    p = personas
    client = as_user(p.yi)
    response = client.post(reverse("orgs:grant_create", args=[p.care.pk]),
                           {"role": Role.VIEWER, "organisation": p.shinan.pk})
    assert response.status_code == 302
    grant = Grant.objects.active().get(user=p.care, role=Role.VIEWER)
    assert (grant.organisation, grant.created_by) == (p.shinan, p.yi)
    response = client.post(reverse("orgs:grant_revoke", args=[grant.pk]), follow=True)
    assert messages_of(response) == ["Role granted.", "Role revoked."]
    grant.refresh_from_db()
    assert (grant.revoked_by, grant.revoked_at is not None) == (p.yi, True)
    assert "Revoked roles" in html(response)


def test_grant_form_errors(as_user, personas):
    p = personas
    client = as_user(p.yi)
    response = client.post(reverse("orgs:grant_create", args=[p.care.pk]), {"role": Role.VIEWER})
    assert response.status_code == 200 and "Choose one organisation or one group." in html(response)
    response = client.post(reverse("orgs:grant_create", args=[p.care.pk]),
                           {"role": Role.CARE_CONTACT, "organisation": p.shinan_hospital.pk})
    assert "The user already holds this role there." in html(response)
    assert Grant.objects.filter(user=p.care).count() == 1


def test_city_admin_grants_on_a_group(as_user, personas):
    p = personas
    response = as_user(p.jia).post(reverse("orgs:grant_create", args=[p.care.pk]),
                                   {"role": Role.VIEWER, "group": p.med_group.pk})
    assert response.status_code == 302
    assert Grant.objects.active().get(user=p.care, role=Role.VIEWER).group == p.med_group


def test_disable_and_enable(as_user, personas):
    p = personas
    client = as_user(p.yi)
    response = client.post(reverse("orgs:user_toggle_active", args=[p.care.pk]), {"active": "0"}, follow=True)
    assert messages_of(response) == ["Account disabled."]
    assert User.objects.get(pk=p.care.pk).is_active is False
    response = client.post(reverse("orgs:user_toggle_active", args=[p.care.pk]), {"active": "1"}, follow=True)
    assert messages_of(response) == ["Account enabled."]
    assert User.objects.get(pk=p.care.pk).is_active is True
    assert client.post(reverse("orgs:user_toggle_active", args=[p.care.pk]), {"active": "x"}).status_code == 400
    response = client.post(reverse("orgs:user_toggle_active", args=[p.yi.pk]), {"active": "0"}, follow=True)
    assert messages_of(response) == ["You cannot disable your own account."]
    assert User.objects.get(pk=p.yi.pk).is_active is True


def test_reset_password_shows_a_new_one_once(as_user, personas):
    p = personas
    response = as_user(p.yi).post(reverse("orgs:user_reset_password", args=[p.care.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    password = re.search(r'id="nx-password">([A-Za-z0-9]{16})<', response.content.decode()).group(1)
    user = User.objects.get(pk=p.care.pk)
    assert user.check_password(password) and not user.check_password(p.password)
    assert AuditLog.objects.filter(action="user.password", actor=p.yi, object_id=str(p.care.pk)).count() == 1


def test_revoke_a_token(as_user, personas):
    p = personas
    token, _plaintext = create_api_token(actor=SYSTEM, user=p.care, expires_days=10)
    response = as_user(p.yi).post(reverse("orgs:token_revoke", args=[token.pk]), follow=True)
    assert messages_of(response) == ["Token revoked."]
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    # 丙 cannot reach 市南区's tokens at all.
    other, _ = create_api_token(actor=SYSTEM, user=p.yi, expires_days=10)
    assert as_user(p.bing).post(reverse("orgs:token_revoke", args=[other.pk])).status_code == 404
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None


def test_reset_two_factor(as_user, personas):
    p = personas
    TOTPDevice.objects.create(user=p.care, secret="JBSWY3DPEHPK3PXP")
    client = as_user(p.yi)
    assert "Reset two-factor" in html(client.get(reverse("orgs:user_detail", args=[p.care.pk])))
    response = client.post(reverse("orgs:user_reset_totp", args=[p.care.pk]), follow=True)
    assert messages_of(response) == ["Two-factor authentication reset: the user sets up a new authenticator."]
    assert not TOTPDevice.objects.filter(user=p.care).exists()
    assert AuditLog.objects.filter(action="auth.totp_reset", actor=p.yi).count() == 1
    TOTPDevice.objects.create(user=p.yi, secret="JBSWY3DPEHPK3PXP")
    response = client.post(reverse("orgs:user_reset_totp", args=[p.yi.pk]), follow=True)
    assert messages_of(response) == ["Ask another administrator to reset your own authenticator."]
    assert TOTPDevice.objects.filter(user=p.yi).exists()


def test_user_pages_outside_the_scope_are_404_and_change_nothing(as_user, personas):
    p = personas
    client = as_user(p.bing)
    for name in ("orgs:user_detail", "orgs:user_edit", "orgs:grant_create"):
        assert client.get(reverse(name, args=[p.care.pk])).status_code == 404
    for name, data in (("orgs:user_toggle_active", {"active": "0"}), ("orgs:user_reset_password", {}),
                       ("orgs:user_reset_totp", {})):
        assert client.post(reverse(name, args=[p.care.pk]), data).status_code == 404
    assert client.post(reverse("orgs:grant_revoke", args=[p.care.grants.get().pk])).status_code == 404
    care = User.objects.get(pk=p.care.pk)
    assert care.is_active and care.check_password(p.password) and care.grants.active().count() == 1


def test_the_auditor_changes_nothing(as_user, personas):
    p = personas
    client = as_user(p.auditor)
    assert client.get(reverse("orgs:tree")).status_code == 403
    assert client.get(reverse("orgs:user_list")).status_code == 403
    assert client.post(reverse("orgs:user_toggle_active", args=[p.care.pk]), {"active": "0"}).status_code == 403
    assert client.post(reverse("orgs:org_edit", args=[p.shinan.pk]),
                       {"name": "x", "kind": OrgKind.OTHER}).status_code == 403
    assert User.objects.get(pk=p.care.pk).is_active is True
    assert Organisation.objects.get(pk=p.shinan.pk).name == "市南区总工会"


# --- groups --------------------------------------------------------------------------------


def test_city_admin_creates_and_edits_groups(as_user, personas):
    p = personas
    client = as_user(p.jia)
    response = client.post(reverse("orgs:group_create"),
                           {"code": "DIST", "name": "各区总工会", "members": [p.shinan.pk, p.shibei.pk]})
    assert response.status_code == 302
    group = OrganisationGroup.objects.get(code="DIST")
    assert sorted(group.members.values_list("code", flat=True)) == ["SB", "SN"]
    response = client.get(reverse("orgs:group_list"))
    assert attr_values(response, "data-group") == ["DIST", "MED"]
    response = client.post(reverse("orgs:group_edit", args=[p.med_group.pk]),
                           {"members": [p.shinan_hospital.pk], "version": 1})
    assert response.status_code == 302
    assert list(p.med_group.members.values_list("code", flat=True)) == ["SN-H1"]
    assert AuditLog.objects.get(action="group.members").detail == {"before": ["SB-H1", "SN-H1"], "after": ["SN-H1"]}
    response = client.post(reverse("orgs:group_create"), {"code": "MED", "name": "重复"})
    assert "A group with code “MED” already exists." in html(response)


def test_groups_are_for_city_admins_only(as_user, personas):
    client = as_user(personas.yi)
    assert client.get(reverse("orgs:group_list")).status_code == 403
    assert client.post(reverse("orgs:group_create"), {"code": "X", "name": "X"}).status_code == 403
    assert not OrganisationGroup.objects.filter(code="X").exists()


# --- home counters -------------------------------------------------------------------------


def counters(response) -> dict[str, str]:
    return dict(re.findall(r'data-count="([a-z_]+)">([^<]*)<', response.content.decode()))


def test_home_counts_organisations_for_everyone_and_users_for_admins(as_user, personas):
    p = personas
    yi = counters(as_user(p.yi).get(reverse("home")))
    assert (yi["organisations"], yi["users"]) == ("2", "2")
    jia = counters(as_user(p.jia).get(reverse("home")))
    assert (jia["organisations"], jia["users"]) == ("6", "7")
    care = counters(as_user(p.care).get(reverse("home")))
    assert care["organisations"] == "1" and "users" not in care
    viewer = counters(as_user(p.viewer).get(reverse("home")))
    assert viewer["organisations"] == "2" and "users" not in viewer
