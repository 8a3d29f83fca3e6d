"""The fee waiver's demo: lists per carrier with sent, confirmed, flagged, ended and changed
numbers, built on the register demo's aid-team deployments; idempotent."""

import pytest

from nuanxin.orgs import demo as orgs_demo
from nuanxin.registry import demo as registry_demo
from nuanxin.telecom import demo
from nuanxin.telecom.models import CarrierReply, Dispatch, Waiver
from nuanxin.telecom.services.reminders import overdue

pytestmark = pytest.mark.django_db


def _state() -> dict:
    return {
        "statuses": sorted(set(Waiver.objects.values_list("status", flat=True))),
        "flagged": Waiver.objects.filter(carrier_flagged=True).count(),
        "lines": Waiver.objects.count(),
        "dispatches": sorted(Dispatch.objects.values_list("carrier", "organisation__code")),
        "replies": CarrierReply.objects.count(),
    }


def test_the_demo_has_every_state_and_runs_twice(english):
    orgs_demo.build(out=lambda line: None)
    registry_demo.build(out=lambda line: None)
    lines: list[str] = []
    demo.build(out=lines.append)
    state = _state()
    assert state["statuses"] == ["confirmed", "ended", "listed", "replaced", "sent"]
    assert state["flagged"] == 2
    assert state["dispatches"] == [("mobile", "QD"), ("unicom", "QD-SN")]
    assert state["replies"] == 1
    reply = CarrierReply.objects.get()
    assert reply.confirmed > 0 and [r["problem"] for r in reply.unmatched] == ["not_listed", "not_listed"]
    assert overdue(Waiver.objects.all()).exists()
    assert Waiver.objects.filter(status="listed", carrier="telecom").exists()
    assert lines[-1].startswith("fee waiver: "), lines
    demo.build(out=lines.append)
    assert _state() == state
    assert lines[-1] == "fee waiver: lists up to date with table 3 (0 new numbers)"
