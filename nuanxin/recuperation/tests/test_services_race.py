"""Races for real, with parallel connections on PostgreSQL (skipped on SQLite, whose one
writer runs the transactions one after the other): two fills, two answers, two expiry runs or
two nominations at the same moment never give a batch more places than it has, nor one person
two places (in a batch or in a programme)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.recuperation.choices import HOLDING, CandidateStatus, OfferStatus
from nuanxin.recuperation.models import Candidate, Offer
from nuanxin.recuperation.services import candidates as services
from nuanxin.recuperation.tests.fixtures import make_batch, nominate, nominate_all
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]

HOLDING_VALUES = [s.value for s in HOLDING]


@pytest.fixture(autouse=True)
def english(english):
    return english


def holding(batch):
    return list(Candidate.objects.filter(batch=batch, status__in=HOLDING_VALUES).values_list("worker_id", flat=True))


def test_two_fills_of_one_batch_at_once_offer_its_places_once(rw):
    nominate_all(rw)
    results = run_together(
        lambda: services.fill(actor=rw.p.jia, batch=rw.batch),
        lambda: services.fill(actor=SYSTEM, batch=rw.batch),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(len(r) for r in results) == [0, 2]
    assert sorted(holding(rw.batch)) == sorted([rw.aid_long.pk, rw.aid_b.pk])
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == 2


def test_two_batches_filled_at_once_never_give_one_person_two_places(rw):
    """The same three people wait in two batches of the programme (one place each) and both
    batches are filled at the same moment: each person holds at most one place."""
    second = make_batch(rw.programme, rw.base, "第二期", places=1)
    rw.batch.places = 1
    rw.batch.save()
    for worker in (rw.aid_long, rw.aid_short, rw.nurse):
        nominate(rw, worker)
        nominate(rw, worker, batch=second)
    for _attempt in range(3):
        results = run_together(
            lambda: services.fill(actor=SYSTEM, batch=rw.batch),
            lambda: services.fill(actor=SYSTEM, batch=second),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
    first_holder, second_holder = holding(rw.batch), holding(second)
    assert len(first_holder) == 1 and len(second_holder) == 1
    assert first_holder != second_holder
    for worker in (rw.aid_long, rw.aid_short, rw.nurse):
        assert Candidate.objects.filter(worker=worker, status__in=HOLDING_VALUES).count() <= 1


def test_two_answers_at_once_one_wins(rw):
    nominate_all(rw)
    offer = services.fill(actor=SYSTEM, batch=rw.batch)[0]
    results = run_together(
        lambda: services.accept(actor=rw.unit_admin, offer=offer),
        lambda: services.decline(actor=rw.p.yi, offer=offer, reason="同时"),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ServiceError), results
    offer.refresh_from_db()
    assert offer.status in (OfferStatus.ACCEPTED, OfferStatus.DECLINED)
    assert len(holding(rw.batch)) == 2  # a decline passed the place on; an accept kept it


def test_the_expiry_job_run_twice_at_once_passes_each_place_once(rw):
    nominate_all(rw)
    services.fill(actor=SYSTEM, batch=rw.batch)
    later = timezone.now() + timedelta(hours=49)
    results = run_together(
        lambda: services.expire_due(now=later),
        lambda: services.expire_due(now=later),
    )
    assert sorted(results) == [0, 2], results
    assert Offer.objects.filter(status=OfferStatus.EXPIRED).count() == 2
    assert Offer.objects.filter(status=OfferStatus.OPEN).count() == 2
    assert sorted(holding(rw.batch)) == sorted([rw.aid_short.pk, rw.cdc_b.pk])


def test_two_nominations_of_one_person_at_once_make_one_candidate(rw):
    results = run_together(
        lambda: services.nominate(actor=rw.unit_admin, batch=rw.batch, worker=rw.aid_long),
        lambda: services.nominate(actor=rw.p.yi, batch=rw.batch, worker=rw.aid_long),
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and "already a candidate" in str(refused[0]), results
    assert Candidate.objects.filter(batch=rw.batch, worker=rw.aid_long, status=CandidateStatus.WAITING).count() == 1


def test_two_batches_offering_the_same_two_people_in_opposite_orders(rw):
    """第一期 ranks 张援鄂 before 赵援鄂 (applied first), 第二期 the other way round; both are
    filled at once, two places each: whichever way the locks fall (a deadlock on PostgreSQL is
    one of them), neither fill fails and each person holds one place."""
    at = rw.batch.nominations_close_at - timedelta(days=1)
    second = make_batch(rw.programme, rw.base, "第二期", places=2)
    nominate(rw, rw.aid_long, at=at)
    nominate(rw, rw.aid_b, at=at + timedelta(minutes=1))
    nominate(rw, rw.aid_b, batch=second, at=at)
    nominate(rw, rw.aid_long, batch=second, at=at + timedelta(minutes=1))
    results = run_together(
        lambda: services.fill(actor=SYSTEM, batch=rw.batch),
        lambda: services.fill(actor=SYSTEM, batch=second),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    for worker in (rw.aid_long, rw.aid_b):
        assert Candidate.objects.filter(worker=worker, status__in=HOLDING_VALUES).count() == 1
    assert len(holding(rw.batch)) + len(holding(second)) == 2


@pytest.mark.django_db(transaction=False)
def test_a_deadlock_is_recognised_by_its_sqlstate():
    from django.db import OperationalError

    class Cause(Exception):
        sqlstate = "40P01"

    deadlock = OperationalError("deadlock detected")
    deadlock.__cause__ = Cause()
    other = OperationalError("server closed the connection")
    other.__cause__ = Exception()
    assert services._deadlock(deadlock) is True
    assert services._deadlock(other) is False
