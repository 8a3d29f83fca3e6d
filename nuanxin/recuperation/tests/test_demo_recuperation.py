"""Recuperation's demo: two bases, three batches with offers accepted, declined (twice in a
row), expired and passed on, a no-show replaced, a held batch's cost charged; idempotent."""

import pytest

from nuanxin.core.models import AuditLog
from nuanxin.funds import demo as funds_demo
from nuanxin.orgs import demo as orgs_demo
from nuanxin.recuperation import demo
from nuanxin.recuperation.models import Base, Batch, Candidate, Offer, Programme
from nuanxin.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


def _statuses(batch):
    return sorted(Candidate.objects.filter(batch=batch).values_list("status", flat=True))


def test_demo(english):
    quiet = lambda line: None  # noqa: E731
    orgs_demo.build(out=quiet)
    registry_demo.build(out=quiet)
    funds_demo.build(out=quiet)
    lines: list[str] = []
    demo.build(out=lines.append)
    assert Base.objects.count() == 2
    programme = Programme.objects.get(name=demo.PROGRAMME)
    assert programme.status == "open"
    first, second, third = Batch.objects.filter(programme=programme).order_by("starts_on")
    assert (first.name, second.name, third.name) == ("第一期", "第二期", "第三期")
    assert first.status == "finished" and _statuses(first) == ["attended", "attended", "attended", "no_show",
                                                               "waiting"]
    assert first.cost_entry is not None and str(first.cost_entry.amount) == "5400.00"  # 3 attended × 1800
    assert _statuses(second) == ["accepted", "accepted", "declined", "declined", "expired", "no_show",
                                 "offered", "offered"]
    offers = Offer.objects.filter(batch=second)
    assert sorted(offers.values_list("status", flat=True)) == [
        "accepted", "accepted", "accepted", "declined", "declined", "expired", "open", "open"]
    assert offers.filter(replaces__isnull=False).count() == 1  # the no-show's place passed on
    assert third.teams == ["hubei_aid"] and _statuses(third) == ["waiting"] * 3
    assert "charged" in lines[-1]
    actors = set(AuditLog.objects.filter(action="recuperation.candidate.nominate").values_list(
        "actor__username", flat=True))
    assert actors == {"demo-district", "demo-city"}
    # Idempotent.
    count = Candidate.objects.count()
    demo.build(out=lines.append)
    assert Candidate.objects.count() == count and "exists" in lines[-1]
