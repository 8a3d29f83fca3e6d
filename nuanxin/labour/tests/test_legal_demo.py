"""The legal demo: the city's lawyer team and cases at every step, one a few weeks from its
arbitration time limit (warned of), a closed one with the amount recovered; idempotent."""

from decimal import Decimal

import pytest

from nuanxin.labour.demo import legal as demo
from nuanxin.labour.models import Lawyer, LegalCase
from nuanxin.labour.services.legal import limit_of
from nuanxin.orgs import demo as orgs_demo
from nuanxin.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def _state() -> dict:
    return {
        "lawyers": sorted(Lawyer.objects.values_list("organisation__code", "name")),
        "statuses": sorted(LegalCase.objects.values_list("status", flat=True)),
    }


def test_the_demo_has_every_step_and_runs_twice(english):
    orgs_demo.build(out=lambda line: None)
    registry_demo.build(out=lambda line: None)
    lines: list[str] = []
    demo.build(out=lines.append)
    state = _state()
    assert [code for code, _name in state["lawyers"]] == ["QD", "QD", "QD", "QD-SN"]
    assert state["statuses"] == [
        "arbitration",
        "closed",
        "consultation",
        "consultation",
        "litigation",
        "mediation",
    ]
    near = [c for c in LegalCase.objects.all() if limit_of(c).state == "near"]
    assert [(limit_of(c).days_left, c.limit_warned_for) for c in near] == [(21, 30)]
    closed = LegalCase.objects.get(status="closed")
    assert (closed.outcome, closed.amount_recovered) == ("settled", Decimal("36800.00"))
    assert LegalCase.objects.filter(lawyer__isnull=True).count() == 1  # the referral waits for its lawyer
    assert lines[-1] == "  legal-aid cases: 6 (1 near the arbitration time limit warned of)"
    demo.build(out=lines.append)
    assert _state() == state
