"""The mutual-aid demo: the scheme with members from its list, one unit's team enrolled under
the batch's name, the contributions charged to 市南区's fund; made by the demo users through
the services; idempotent."""

import pytest

from nuanxin.core.models import AuditLog
from nuanxin.funds import demo as funds_demo
from nuanxin.funds.models import Entry
from nuanxin.orgs import demo as orgs_demo
from nuanxin.registry import demo as registry_demo
from nuanxin.welfare import demo
from nuanxin.welfare.models import Enrolment, EnrolmentImport, Scheme

pytestmark = pytest.mark.django_db


def test_the_demo_scheme():
    orgs_demo.build(out=lambda line: None)
    registry_demo.build(out=lambda line: None)
    funds_demo.build(out=lambda line: None)
    lines: list[str] = []
    demo.build(out=lines.append)
    scheme = Scheme.objects.get(name=demo.SCHEME, year=demo.YEAR)
    imp = EnrolmentImport.objects.get(scheme=scheme)
    assert (imp.status, imp.unmatched) == ("applied", 1)
    imported = Enrolment.objects.filter(scheme=scheme, source="imported")
    assert imported.count() == imp.matched > 0
    assert set(imported.values_list("organisation__code", flat=True)) == {demo.LISTED_UNIT}
    enrolled = Enrolment.objects.filter(scheme=scheme, source="enrolled")
    assert enrolled.count() > 0
    assert set(enrolled.values_list("organisation__code", flat=True)) == {demo.ENROLLED_UNIT}
    assert all(name.startswith("青岛市第") and name.endswith("援鄂医疗队")
               for name in enrolled.values_list("team_name", flat=True))
    # Each under their own batch's team name, never the most common batch for all.
    from nuanxin.welfare.selectors.eligibility import own_team_names

    people = [e.worker for e in enrolled.select_related("worker")]
    assert dict(enrolled.values_list("worker_id", "team_name")) == own_team_names(scheme, people)
    entry = Entry.objects.get(pk=enrolled.first().expenditure_id, category="mutual_aid")
    assert entry.amount == 30 * enrolled.count()
    assert set(enrolled.values_list("expenditure", flat=True)) == {entry.pk}
    actors = set(AuditLog.objects.filter(action__startswith="welfare.").values_list("actor_name", flat=True))
    assert actors == {"demo-city", "demo-district", "demo-clerk"}
    again: list[str] = []
    demo.build(out=again.append)
    assert Enrolment.objects.filter(scheme=scheme).count() == imported.count() + enrolled.count()
    assert again == [f"互助保障：“{scheme}”已存在（已参保 {imported.count() + enrolled.count()} 人）"]
    assert lines[0].startswith(f"互助保障：“{scheme}”，从保障名单导入原有会员 {imp.matched} 人")
