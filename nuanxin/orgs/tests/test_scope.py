import pytest
from django.db import connection

from nuanxin.accounts.models import User
from nuanxin.core.errors import NotAllowed
from nuanxin.core.models import AppendOnlyError, AuditLog
from nuanxin.core.roles import Role
from nuanxin.orgs import scope, services
from nuanxin.orgs.models import Organisation


def codes(qs):
    return sorted(o.code for o in qs)


def test_each_persona_sees_exactly_its_subtree(personas):
    p = personas
    assert codes(Organisation.objects.for_user(p.jia)) == ["CITY", "SB", "SB-H1", "SN", "SN-H1", "YW"]
    assert codes(Organisation.objects.for_user(p.yi)) == ["SN", "SN-H1"]
    assert codes(Organisation.objects.for_user(p.bing)) == ["SB", "SB-H1"]
    assert codes(Organisation.objects.for_user(p.care)) == ["SN-H1"]
    assert codes(Organisation.objects.for_user(p.viewer)) == ["SB-H1", "SN-H1"]
    assert codes(Organisation.objects.for_user(p.yi, "change")) == ["SN", "SN-H1"]
    assert codes(Organisation.objects.for_user(p.care, "change")) == []


def test_users_are_scoped_by_home_organisation(personas):
    p = personas
    assert sorted(User.objects.for_user(p.yi).values_list("username", flat=True)) == ["care", "yi"]
    assert sorted(User.objects.for_user(p.bing).values_list("username", flat=True)) == ["bing"]
    assert User.objects.for_user(p.care).count() == 0


def test_minimal_prefixes_drops_nested_paths():
    assert scope.minimal_prefixes(["0001", "00010002", "00020001", "0002"]) == ["0001", "0002"]


def test_org_admin_cannot_grant_city_admin_or_outside_subtree(personas):
    p = personas
    with pytest.raises(NotAllowed):
        services.create_user(actor=p.yi, username="x1", organisation=p.shinan, role=Role.CITY_ADMIN)
    with pytest.raises(NotAllowed):
        services.create_user(actor=p.yi, username="x2", organisation=p.shibei, role=Role.CARE_CONTACT)
    with pytest.raises(NotAllowed):
        services.create_user(actor=p.yi, username="x3", organisation=p.shinan, role=Role.AUDITOR)
    user, password = services.create_user(actor=p.yi, username="x4", organisation=p.shinan_hospital,
                                          role=Role.CARE_CONTACT)
    assert len(password) == 16
    assert user.check_password(password)
    assert not User.objects.filter(username__in=["x1", "x2", "x3"]).exists()


def test_move_subtree_moves_scope_and_is_audited(personas):
    p = personas
    services.move_organisation(actor=p.jia, org=p.shinan_hospital, new_parent=p.shibei)
    assert codes(Organisation.objects.for_user(p.bing)) == ["SB", "SB-H1", "SN-H1"]
    assert codes(Organisation.objects.for_user(p.yi)) == ["SN"]
    row = AuditLog.objects.get(action="org.move")
    assert (row.actor, row.detail) == (p.jia, {"from": "SN", "to": "SB"})


def test_audit_rows_cannot_change(personas):
    row = AuditLog.objects.first()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.update(action="x")
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET action = 'x'")
