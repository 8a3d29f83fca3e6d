"""The access policy (core/policy.py): one declaration per model, from which the scoped
queryset, the object check, the menus' question and the reverse query are derived."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from nuanxin.accounts.models import User
from nuanxin.core import access, audit, roles
from nuanxin.core.errors import NotAllowed
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM, Policy, is_system
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation, OrganisationGroup
from nuanxin.registry.models import Worker

pytestmark = pytest.mark.django_db

# A policy of organisations (their own path) exercising every feature, without touching any
# model's declared policy.
TOY = Policy(
    path="path",
    actions={"view": roles.REGISTER_VIEW, "change": roles.MANAGERS, "manage": roles.CITY_ADMINS},
    related={Role.CARE_CONTACT: "mine"},
    root_only={"manage"},
)


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_the_tree_scopes_every_role_to_its_subtrees(personas):
    p = personas
    rows = Organisation.objects.all()
    assert codes(TOY.for_user(rows, p.yi, "change")) == ["SN", "SN-H1"]
    assert codes(TOY.for_user(rows, p.bing, "change")) == ["SB", "SB-H1"]
    assert len(codes(TOY.for_user(rows, p.jia, "change"))) == 6
    assert codes(TOY.for_user(rows, p.viewer, "change")) == []
    assert codes(TOY.for_user(rows, p.yi, "unknown action")) == []
    assert TOY.allows(p.yi, "change", p.shinan_hospital)
    assert not TOY.allows(p.yi, "change", p.shibei_hospital)
    assert not TOY.allows(p.yi, "change", p.city)
    with pytest.raises(NotAllowed, match="Not yours"):
        TOY.require(p.bing, "change", p.shinan, "Not yours")
    assert TOY.allows_in(p.yi, "change", p.shinan_hospital) and not TOY.allows_in(p.bing, "change", p.shinan)


def test_a_relation_narrows_its_role_and_is_nothing_until_an_app_adds_it(personas):
    p = personas
    rows = Organisation.objects.all()
    toy = Policy(path="path", actions={"view": roles.REGISTER_VIEW}, related={Role.CARE_CONTACT: "mine"})
    assert codes(toy.for_user(rows, p.care, "view")) == []
    assert toy.may(p.care, "view")  # the role is held: the menu shows, the rows are narrowed
    toy.relate("mine", q=lambda user: Q(code="SN-H1"))
    assert codes(toy.for_user(rows, p.care, "view")) == ["SN-H1"]
    assert toy.allows(p.care, "view", p.shinan_hospital)  # the default test: the row passes q
    toy.relate("mine", q=lambda user: Q(code="SN-H1"), test=lambda user, obj: False)
    assert not toy.allows(p.care, "view", p.shinan_hospital)
    assert not toy.allows_in(p.care, "view", p.shinan_hospital)  # no row to relate to yet
    with pytest.raises(ValueError, match="No role"):
        toy.relate("other", q=lambda user: Q())


def test_a_root_only_action_needs_a_grant_covering_the_root(personas):
    p = personas
    rows = Organisation.objects.all()
    assert TOY.may(p.jia, "manage") and not TOY.may(p.yi, "manage")
    assert TOY.allows(p.jia, "manage", p.shinan) and not TOY.allows(p.yi, "manage", p.shinan)
    assert len(codes(TOY.for_user(rows, p.jia, "manage"))) == 6
    assert codes(TOY.for_user(rows, p.yi, "manage")) == []
    assert list(TOY.holders("manage", p.shibei_hospital)) == [p.jia]
    assert OrganisationGroup.policy.may(p.jia, "manage") and not OrganisationGroup.policy.may(p.yi, "manage")
    with pytest.raises(ValueError, match="root_only"):
        Policy(path="path", actions={"view": roles.ALL}, root_only={"manage"})


def test_the_root_itself_is_changed_by_city_administrators_only(personas):
    p = personas
    assert p.city.change_action == "change_root" and p.shinan.change_action == "change"
    assert Organisation.policy.allows(p.jia, p.city.change_action, p.city)
    assert not Organisation.policy.allows(p.yi, p.city.change_action, p.city)
    assert Organisation.policy.allows(p.yi, p.shinan.change_action, p.shinan)


def test_holders_are_who_may_act_on_an_organisations_rows(personas):
    p = personas
    assert list(TOY.holders("change", p.shinan_hospital)) == [p.jia, p.yi]
    assert list(TOY.holders("change", p.shibei)) == [p.jia, p.bing]
    # Grants on a group cover its members; a revoked grant or a disabled account holds nothing.
    viewers = Policy(path="path", actions={"report": roles.CARE_REPORT})
    assert p.viewer in viewers.holders("report", p.shinan_hospital)
    assert p.viewer not in viewers.holders("report", p.shinan)
    org_services.set_user_active(actor=SYSTEM, user=p.yi, active=False)
    assert list(TOY.holders("change", p.shinan_hospital)) == [p.jia]


def test_the_system_may_do_anything_and_signs_the_trail_as_the_system(personas):
    p = personas
    rows = Organisation.objects.all()
    assert is_system(SYSTEM) and not is_system(p.jia) and not SYSTEM
    assert TOY.allows(SYSTEM, "manage", p.shinan) and TOY.may(SYSTEM, "anything")
    assert TOY.for_user(rows, SYSTEM, "change").count() == 6
    row = audit.record(SYSTEM, "toy.act", obj=p.shinan, organisation=p.shinan)
    assert row.actor_id is None and row.actor_name.startswith("system:")


def test_anonymous_and_disabled_users_reach_nothing(personas):
    from django.contrib.auth.models import AnonymousUser

    p = personas
    rows = Organisation.objects.all()
    assert not TOY.may(AnonymousUser(), "view")
    assert TOY.for_user(rows, AnonymousUser(), "view").count() == 0
    p.yi.is_active = False
    assert not TOY.allows(p.yi, "change", p.shinan)


def test_rows_of_no_organisation_belong_to_the_root_for_the_audit_trail(personas):
    p = personas
    orphan = audit.record(None, "auth.login_failed", actor_name="nobody")
    mine = audit.record(p.yi, "toy.act", organisation=p.shinan)
    assert set(AuditLog.objects.for_user(p.auditor).filter(pk__in=[orphan.pk, mine.pk])) == {orphan, mine}
    assert AuditLog.policy.allows(p.auditor, "view", orphan)
    assert not AuditLog.policy.allows(p.yi, "view", mine)


def test_record_many_writes_the_rows_record_writes_in_one_insert(personas, django_assert_num_queries):
    p = personas
    one = audit.record(p.jia, "toy.act", obj=p.shinan, organisation=p.shinan, detail={"n": 1})
    with django_assert_num_queries(1):
        rows = audit.record_many(p.jia, "toy.act", [(p.shinan, p.shinan, {"n": 1}), (p.shibei, p.shibei, None)])
    assert audit.record_many(p.jia, "toy.act", []) == []
    saved = AuditLog.objects.filter(action="toy.act").order_by("id")
    fields = ("actor_id", "actor_name", "object_type", "object_id", "object_repr", "organisation_id", "detail")
    assert [tuple(getattr(r, f) for f in fields) for r in saved] == [
        tuple(getattr(one, f) for f in fields),
        tuple(getattr(one, f) for f in fields),
        (p.jia.pk, "jia", "orgs.organisation", str(p.shibei.pk), p.shibei.name, p.shibei.pk, {}),
    ]
    assert len(rows) == 2


def test_a_scoped_view_gets_its_object_through_the_policy(personas):
    p = personas
    seen = []

    @access.scoped(Organisation, "change", lookup="pk")
    def view(request, org):
        seen.append(org)
        return HttpResponse("ok")

    assert (view.nuanxin_access, view.nuanxin_model, view.nuanxin_action) == ("scoped", Organisation, "change")
    request = RequestFactory().get("/")
    request.user = p.yi
    assert view(request, pk=p.shinan_hospital.pk).status_code == 200 and seen == [p.shinan_hospital]
    with pytest.raises(Http404):
        view(request, pk=p.shibei.pk)  # outside the scope: as missing
    request.user = p.viewer
    with pytest.raises(PermissionDenied):
        view(request, pk=p.shinan.pk)  # no role for the action at all
    request.user = User.objects.get(pk=p.care.pk)
    with pytest.raises(PermissionDenied):
        view(request, pk=p.shinan.pk)


def test_the_care_contacts_assigned_relation_is_added_by_care(personas):
    assert Worker.policy.related == {Role.CARE_CONTACT: "assigned"}
    assert "assigned" in Worker.policy.relations


def test_a_scoped_router_operation_declares_its_model_and_action(personas):
    from nuanxin.core.apiutils import ScopedRouter

    p = personas
    router = ScopedRouter()
    with pytest.raises(TypeError, match="declare model"):
        router.get("/undeclared")(lambda request: None)
    with pytest.raises(TypeError, match="needs an action"):
        router.get("/no-action", model=Organisation)(lambda request: None)

    @router.post("/groups", model=OrganisationGroup, action="manage")
    def make_group(request):
        return "made"

    view = router.path_operations["/groups"].operations[0].view_func
    assert (view.nuanxin_model, view.nuanxin_action) == (OrganisationGroup, "manage")
    request = RequestFactory().post("/")
    request.user = p.jia
    assert view(request) == "made"
    request.user = p.yi
    with pytest.raises(PermissionDenied):
        view(request)
