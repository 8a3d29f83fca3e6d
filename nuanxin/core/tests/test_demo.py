"""`nuanxin demo` builds the Qingdao-like tree and one user per role, idempotently."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nuanxin.accounts.models import User
from nuanxin.core import demo
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation, OrganisationGroup


def _tree_only(monkeypatch):
    """Build just the tree and users (the organisations' demo), not the other apps' people
    (they test their own demo)."""
    from nuanxin.orgs import demo as orgs_demo

    monkeypatch.setattr(demo, "_demo_modules", lambda: [orgs_demo])


@pytest.mark.django_db
def test_demo_tree_users_and_idempotence(monkeypatch, capsys):
    _tree_only(monkeypatch)
    call_command("demo")
    assert Organisation.objects.count() == 1 + 10 + 2 + 22
    assert Organisation.objects.filter(kind=OrgKind.DISTRICT_FEDERATION).count() == 10
    assert Organisation.objects.filter(kind=OrgKind.UNIT_UNION).count() == 22
    root = Organisation.objects.get(code="QD")
    assert root.is_root() and root.name == "青岛市总工会"
    assert Organisation.objects.get_parent(Organisation.objects.get(code="QD-SN-01")).code == "QD-SN"
    assert OrganisationGroup.objects.get(code="MED").members.count() == 19
    roles = {u.username: sorted(g.role for g in u.grants.active()) for u in User.objects.all()}
    assert roles == {
        "demo-city": [Role.CITY_ADMIN], "demo-district": [Role.ORG_ADMIN], "demo-medical": [Role.ORG_ADMIN],
        "demo-care": [Role.CARE_CONTACT], "demo-counsellor": [Role.COUNSELLOR], "demo-viewer": [Role.VIEWER],
        "demo-auditor": [Role.AUDITOR],
    }
    assert User.objects.get(username="demo-viewer").grants.active().get().group.code == "MED"
    printed = capsys.readouterr().out
    assert f"demo-care        {demo.DEMO_PASSWORD}" in printed
    audit_rows = AuditLog.objects.count()
    call_command("demo")
    assert Organisation.objects.count() == 35
    assert User.objects.count() == 7
    assert AuditLog.objects.count() == audit_rows
    assert len(demo.demo_logins()) == 7


@pytest.mark.django_db
def test_demo_refuses_in_production(monkeypatch, settings, english):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="cannot be loaded in production"):
        call_command("demo")
    assert Organisation.objects.count() == 0


@pytest.mark.django_db
def test_demo_refuses_a_foreign_tree(monkeypatch, english):
    _tree_only(monkeypatch)
    from nuanxin.orgs import services

    services.create_organisation(actor=SYSTEM, code="X", name="别的总工会", kind=OrgKind.CITY_FEDERATION, parent=None)
    with pytest.raises(CommandError, match="another organisation tree"):
        call_command("demo")
    assert Organisation.objects.count() == 1
