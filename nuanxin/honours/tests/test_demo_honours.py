"""The commendations' demo: the call 2020 年度表彰 with its quotas and a nomination at every
step (draft, under review at the district, returned, rejected, on notice with an open
objection, awarded with a certificate number, a team at the city), made by the demo
administrators; the unit administrator's login; idempotent."""

import pytest

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.models import AuditLog
from nuanxin.honours import demo
from nuanxin.honours.models import Call, Nomination, Quota
from nuanxin.honours.tests.fixtures import ensure_award_types
from nuanxin.orgs import demo as orgs_demo
from nuanxin.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def test_the_demo_call_has_a_nomination_at_every_step(english):
    ensure_award_types()  # a transactional test before may have flushed the seeded ones
    orgs_demo.build(out=lambda line: None)
    registry_demo.build(out=lambda line: None)
    lines: list[str] = []
    demo.build(out=lines.append)
    call = Call.objects.get(name=demo.CALL)
    assert call.status == "open"
    assert sorted(call.award_types.values_list("code", flat=True)) == sorted(
        [demo.TEAM, demo.UNIT_AWARD, demo.PERSON, demo.MODEL])
    quotas = Quota.objects.filter(call=call).values_list("organisation__code", "award_type__code", "places")
    assert sorted(quotas, key=lambda q: (q[0], q[1] or "")) == [
        ("QD", None, 10), ("QD-SB", None, 3), ("QD-SN", None, 5), ("QD-SN", demo.PERSON, 3)]
    rows = list(Nomination.objects.filter(call=call).order_by("id").values_list(
        "status", "at_organisation__code", "organisation__code"))
    assert rows == [
        ("draft", "QD-SN-01", "QD-SN-01"),
        ("review", "QD-SN", "QD-SN-01"),
        ("returned", "QD-SN-01", "QD-SN-01"),
        ("rejected", "QD-SN", "QD-SN-01"),
        ("notice", "QD", "QD-SN-01"),
        ("awarded", "QD", "QD-SN-01"),
        ("review", "QD", "QD-SN-01"),
    ]
    on_notice = Nomination.objects.get(call=call, status="notice")
    assert list(on_notice.objections.values_list("status", flat=True)) == ["open"]
    assert Nomination.objects.get(call=call, status="awarded").certificate_no != ""
    assert Nomination.objects.get(call=call, team_name__gt="").award_type.code == demo.TEAM
    # The steps were taken by the demo administrators, not by the system.
    actors = set(AuditLog.objects.filter(action__startswith="honours.nomination.").values_list(
        "actor__username", flat=True))
    assert actors == {"demo-unit", "demo-district", "demo-city"}
    assert lines == ["commendations: the call “2020 年度表彰” with 7 nominations"]
    assert demo.logins() == [("demo-unit", DEMO_PASSWORD, "Organisation administrator", "青岛大学附属医院工会")]

    # Again: nothing added.
    before = (Nomination.objects.count(), AuditLog.objects.count())
    again: list[str] = []
    demo.build(out=again.append)
    assert (Nomination.objects.count(), AuditLog.objects.count()) == before
    assert again == ["commendations: the call “2020 年度表彰” exists (7 nominations)"]


def test_the_demo_call_ends_with_its_year_unless_the_year_is_nearly_over():
    from datetime import UTC, datetime

    import time_machine

    from nuanxin.honours import demo

    with time_machine.travel(datetime(2026, 12, 4, 12, 0, tzinfo=UTC), tick=False):
        assert demo._deadline().isoformat() == "2026-12-31T23:59:00+08:00"
    with time_machine.travel(datetime(2026, 12, 20, 12, 0, tzinfo=UTC), tick=False):
        assert demo._deadline().isoformat() == "2027-01-19T20:00:00+08:00"
