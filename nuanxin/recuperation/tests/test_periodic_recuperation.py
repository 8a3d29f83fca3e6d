"""The periodic job ``recuperation.expire_offers`` (every 5 minutes): an expired offer passes to
the next on the waiting list without anyone touching it, a batch whose nominations closed is
filled by rank, and a second run (or a second scheduler) changes nothing."""

from datetime import timedelta

import time_machine
from django.utils import timezone

from nuanxin.core.periodic import Every, discover_jobs
from nuanxin.core.scheduler import Scheduler
from nuanxin.recuperation import periodic, tasks
from nuanxin.recuperation.choices import CandidateStatus, OfferStatus
from nuanxin.recuperation.models import Candidate, Offer
from nuanxin.recuperation.tests.fixtures import nominate_all


def open_names(batch):
    return sorted(o.candidate.worker.name for o in Offer.objects.filter(batch=batch, status=OfferStatus.OPEN)
                  .select_related("candidate__worker"))


def test_the_job_is_discovered_every_five_minutes(db):
    [job] = [j for j in discover_jobs() if j.name == "recuperation.expire_offers"]
    assert job.schedule == Every(minutes=5)
    assert job.task is tasks.expire_offers
    assert periodic.JOBS == [job]


def test_nobody_touches_it_the_scheduler_fills_then_passes_expired_offers_on(rw):
    nominate_all(rw)
    scheduler = Scheduler(periodic.JOBS)
    closed = rw.batch.nominations_close_at + timedelta(minutes=6)
    with time_machine.travel(closed, tick=False):
        assert [r.job for r in scheduler.tick()] == ["recuperation.expire_offers"]
        assert scheduler.tick() == []  # the same slot: not again
    assert open_names(rw.batch) == ["张援鄂", "赵援鄂"]
    with time_machine.travel(closed + timedelta(hours=48, minutes=5), tick=False):
        scheduler.tick()
    assert open_names(rw.batch) == ["李短期", "钱疾控"]
    assert set(Candidate.objects.filter(status=CandidateStatus.EXPIRED).values_list("worker__name", flat=True)) == {
        "张援鄂", "赵援鄂",
    }
    with time_machine.travel(closed + timedelta(hours=48, minutes=10), tick=False):
        scheduler.tick()
    assert open_names(rw.batch) == ["李短期", "钱疾控"]


def test_the_task_twice_changes_nothing_more(rw):
    nominate_all(rw)
    with time_machine.travel(rw.batch.nominations_close_at + timedelta(minutes=1), tick=False):
        assert tasks.expire_offers.call() == {"expired": 0, "offered": 2}
        assert tasks.expire_offers.call() == {"expired": 0, "offered": 0}
    assert Offer.objects.count() == 2
    assert timezone.now() < rw.batch.nominations_close_at
