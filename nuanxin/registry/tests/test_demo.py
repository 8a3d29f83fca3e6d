"""The demo register: about 300 fictional workers, deterministic and idempotent."""

import datetime

import pytest
from django.db.models import Count, Q

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import demo as orgs_demo
from nuanxin.orgs.models import Organisation
from nuanxin.registry import demo
from nuanxin.registry.models import Deployment, FamilyMember, Worker, WorkerSensitive
from nuanxin.tables import exports

pytestmark = pytest.mark.django_db


def _build():
    lines = []
    demo.build(out=lines.append)
    return lines


def test_demo_register(english):
    orgs_demo.build_tree(lambda line: None)
    orgs_demo.build_users(lambda line: None)
    lines = _build()
    assert Worker.objects.count() == 300
    assert lines == [
        f"register: 300 demo workers (300 new), {FamilyMember.objects.count()} family members, "
        f"{Deployment.objects.count()} deployments"
    ]
    medical = {code for code, _n, _p, is_medical in orgs_demo.UNITS if is_medical}
    assert set(Worker.objects.values_list("organisation__code", flat=True)) == medical
    # Every worker has one to three family members, exactly one of them primary.
    counts = Worker.objects.annotate(n=Count("family"), primaries=Count("family", filter=Q(family__is_primary=True)))
    assert {(w.n in (1, 2, 3), w.primaries) for w in counts} == {(True, 1)}
    # Aid-team members (about 30%) each have one deployment to Wuhan in Feb–Apr 2020 with a carrier.
    aid = Worker.objects.filter(team="hubei_aid")
    assert 75 <= aid.count() <= 120
    assert Deployment.objects.count() == aid.count()
    assert set(Deployment.objects.values_list("worker__team", flat=True)) == {"hubei_aid"}
    # So table 3 of the whole city lists every demo deployment, one row each.
    root = Organisation.objects.get(depth=1)
    assert exports.export_table(actor=SYSTEM, organisation=root, table=3).rows == Deployment.objects.count()
    assert set(Deployment.objects.values_list("batch", flat=True)) == {"第一批", "第二批", "第三批", "第四批", "第五批"}
    assert set(Deployment.objects.values_list("destination", flat=True)) == {"湖北省武汉市"}
    assert set(Deployment.objects.values_list("carrier", flat=True)) == {"mobile", "unicom", "telecom"}
    for dep in Deployment.objects.all():
        assert datetime.date(2020, 2, 1) <= dep.departed_on <= datetime.date(2020, 4, 30)
        assert dep.returned_on is None or dep.returned_on <= datetime.date(2020, 4, 30)
        assert dep.deployed_mobile.startswith(("+86139", "+86186", "+86189"))
    mobiles = list(Worker.objects.values_list("mobile", flat=True))
    assert len(set(mobiles)) == 300 and all(m.startswith("+861380000") for m in mobiles)
    assert WorkerSensitive.objects.count() > 10
    assert Worker.objects.filter(organisation__code="QD-SN-01").count() >= 10
    assert AuditLog.objects.filter(action="registry.demo_load").count() == 1
    assert Worker.history.count() == 300

    # Idempotent: a second run adds nothing.
    assert _build() == ["register: 300 demo workers (0 new)"]
    assert Worker.objects.count() == 300
    assert AuditLog.objects.filter(action="registry.demo_load").count() == 1

    # Deterministic: the same people again after a rebuild.
    names = list(Worker.objects.order_by("mobile").values_list("name", "mobile", "team"))
    Worker.objects.all().delete()
    _build()
    assert list(Worker.objects.order_by("mobile").values_list("name", "mobile", "team")) == names
