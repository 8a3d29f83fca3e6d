"""Two at once, for real (PostgreSQL): two people agreeing the same referred arrangement from the
same version (one saves, the other is told it changed); two reminder runs at once remind once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.labour.models import Arrangement
from nuanxin.labour.services import arrangements as services
from nuanxin.labour.tasks.arrangements import remind_reviews
from nuanxin.notify.models import Notification
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import Gender, TeamType
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


def _referred(p):
    worker = registry_services.create_worker(
        actor=SYSTEM,
        organisation=p.shinan_hospital,
        name="并发孕期",
        team=TeamType.HUBEI_AID,
        mobile="13800081001",
        gender=Gender.FEMALE,
    )
    today = timezone.localdate()
    return services.refer_arrangement(
        actor=SYSTEM, worker=worker, stage="pregnant", expected_on=today + timedelta(days=90)
    ), today


def _agree(actor, a, today, review_days, version=1):
    return lambda: services.agree_arrangement(
        actor=actor,
        arrangement=a,
        stage="pregnant",
        expected_on=a.expected_on,
        lactating_until=None,
        measures=["no_night_shifts"],
        starts_on=today,
        ends_on=today + timedelta(days=90),
        confirmed_by="王主任",
        confirmed_on=today,
        review_on=today + timedelta(days=review_days),
        version=version,
    )


def test_two_agree_at_once(personas):
    a, today = _referred(personas)
    results = run_together(_agree(personas.yi, a, today, 20), _agree(personas.jia, a, today, 30))
    assert sorted(type(r).__name__ for r in results) == ["Arrangement", "Conflict"]
    a.refresh_from_db()
    assert a.status == "agreed" and a.version == 2


def test_two_reminder_runs_at_once_remind_once(personas):
    a, today = _referred(personas)
    _agree(SYSTEM, a, today, 0)()
    results = run_together(lambda: remind_reviews(today=today), lambda: remind_reviews(today=today))
    assert sorted(results) == [0, 2]  # 乙 and 甲 (the administrators of 市南区 and the city)
    assert Notification.objects.filter(kind="labour.arrangement.review_due").count() == 2
    assert Arrangement.objects.get().reminded_for == today


def test_two_referrals_at_once_make_one_arrangement(personas):
    worker = registry_services.create_worker(
        actor=SYSTEM,
        organisation=personas.shinan_hospital,
        name="并发转介",
        team=TeamType.HUBEI_AID,
        mobile="13800081002",
        gender=Gender.FEMALE,
    )
    today = timezone.localdate()

    def refer(stage, **kw):
        return lambda: services.refer_arrangement(actor=SYSTEM, worker=worker, stage=stage, **kw)

    results = run_together(
        refer("pregnant", expected_on=today + timedelta(days=90)),
        refer("lactating", lactating_until=today + timedelta(days=90)),
    )
    assert sorted(type(r).__name__ for r in results) == ["Arrangement", "ServiceError"]
    assert Arrangement.objects.filter(worker=worker).count() == 1
