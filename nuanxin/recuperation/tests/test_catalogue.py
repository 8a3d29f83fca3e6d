"""The catalogue's services: bases, programmes, batches (city administrators only, audited,
refusals in Chinese with nothing written)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.recuperation.choices import DEFAULT_RANKING, BatchStatus, ProgrammeStatus, RankCriterion
from nuanxin.recuperation.models import Base, Batch, Programme
from nuanxin.recuperation.services import catalogue
from nuanxin.registry.choices import TeamType

pytestmark = pytest.mark.django_db


def _base(p, **kw):
    values = {"name": "青岛湛山疗养院", "address": "湛山路 1 号", "capacity": 40}
    values.update(kw)
    return catalogue.create_base(actor=p.jia, **values)


def _programme(p, **kw):
    values = {"name": "抗疫一线医务人员免费疗休养", "cost_per_place": "1800"}
    values.update(kw)
    return catalogue.create_programme(actor=p.jia, **values)


def _batch(p, programme, base, **kw):
    start = timezone.localdate() + timedelta(days=30)
    values = {"name": "第一期", "starts_on": start, "ends_on": start + timedelta(days=6), "places": 20}
    values.update(kw)
    return catalogue.create_batch(actor=p.jia, programme=programme, base=base, **values)


def test_create_base_programme_batch_audited(personas):
    p = personas
    base = _base(p)
    programme = _programme(p, ranking=[RankCriterion.DAYS_DEPLOYED, RankCriterion.AID_TEAM])
    assert programme.status == ProgrammeStatus.DRAFT
    assert programme.ranking == ["days_deployed", "aid_team"]
    assert programme.cost_per_place == Decimal("1800.00")
    assert programme.organisation == p.city
    batch = _batch(p, programme, base, teams=[TeamType.CDC, TeamType.HUBEI_AID])
    assert batch.status == BatchStatus.OPEN
    assert batch.teams == ["hubei_aid", "cdc"]  # the choices' order
    actions = list(AuditLog.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == ["recuperation.base.create", "recuperation.programme.create",
                            "recuperation.batch.create"]
    row = AuditLog.objects.get(action="recuperation.batch.create")
    assert row.detail["places"] == 20 and row.detail["recuperation_programme"] == programme.pk


def test_default_ranking(personas):
    assert _programme(personas).ranking == DEFAULT_RANKING


def test_only_city_admin_manages(personas):
    p = personas
    for actor in (p.yi, p.viewer, p.auditor):
        with pytest.raises(NotAllowed):
            catalogue.create_base(actor=actor, name="基地", address="地址", capacity=10)
    assert not Base.objects.exists()


def test_places_at_most_capacity(personas):
    p = personas
    base = _base(p, capacity=10)
    programme = _programme(p)
    with pytest.raises(ServiceError) as exc:
        _batch(p, programme, base, places=11)
    assert exc.value.field == "places"
    assert "10" in exc.value.message and "青岛湛山疗养院" in exc.value.message
    assert not Batch.objects.exists()
    batch = _batch(p, programme, base, places=10)
    with pytest.raises(ServiceError) as exc:
        catalogue.update_base(base, actor=p.jia, capacity=9)
    assert exc.value.field == "capacity"
    assert catalogue.update_batch(batch, actor=p.jia, places=5).places == 5
    assert catalogue.update_base(base, actor=p.jia, capacity=9).capacity == 9


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "第" * 51}, "name"),
        ({"places": 0}, "places"),
        ({"places": "x"}, "places"),
        ({"starts_on": date(2020, 5, 10), "ends_on": date(2020, 5, 9)}, "starts_on"),  # in the past
        ({"starts_on": date(2099, 5, 10), "ends_on": date(2099, 5, 9)}, "ends_on"),
        ({"teams": ["pilots"]}, "teams"),
    ],
)
def test_batch_bad_input(personas, kw, field):
    p = personas
    base, programme = _base(p), _programme(p)
    with pytest.raises(ServiceError) as exc:
        _batch(p, programme, base, **kw)
    assert exc.value.field == field
    assert not Batch.objects.exists()


def test_nominations_close_before_start(personas, english):
    p = personas
    base, programme = _base(p), _programme(p)
    start = timezone.localdate() + timedelta(days=10)
    with pytest.raises(ServiceError) as exc:
        _batch(p, programme, base, starts_on=start, ends_on=start,
               nominations_close_at=timezone.now() + timedelta(days=10))
    assert exc.value.field == "nominations_close_at"
    assert exc.value.message == "Nominations must close before the day the batch starts."


@pytest.mark.parametrize("days", [0, -1])
def test_a_batch_starts_after_today(personas, days, english):
    """Creating a batch starting today or earlier, or moving one there, is refused (开班日须在今天之后…)."""
    p = personas
    base, programme = _base(p), _programme(p)
    day = timezone.localdate() + timedelta(days=days)
    with pytest.raises(ServiceError) as exc:
        _batch(p, programme, base, starts_on=day, ends_on=day + timedelta(days=6))
    assert exc.value.field == "starts_on"
    assert exc.value.message == "A batch starts after today: give a later start date."
    assert not Batch.objects.exists()
    batch = _batch(p, programme, base)
    with pytest.raises(ServiceError) as exc:
        catalogue.update_batch(batch, actor=p.jia, starts_on=day)
    assert exc.value.field == "starts_on"
    # A batch already started may still be changed otherwise (its start is not moved).
    Batch.objects.filter(pk=batch.pk).update(starts_on=day)
    assert catalogue.update_batch(Batch.objects.get(pk=batch.pk), actor=p.jia, places=5).places == 5


def test_batch_name_unique_in_programme(personas):
    p = personas
    base, programme = _base(p), _programme(p)
    _batch(p, programme, base)
    with pytest.raises(ServiceError) as exc:
        _batch(p, programme, base)
    assert exc.value.field == "name"
    other = _programme(p, name="另一个项目")
    assert _batch(p, other, base).name == "第一期"


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        ([], "Choose at least one criterion of the ranking rule."),
        (["aid_team", "aid_team"], "Each criterion comes once in the ranking rule."),
        (["height"], "Choose the ranking rule's criteria in order."),
    ],
)
def test_bad_ranking(personas, english, ranking, message):
    with pytest.raises(ServiceError) as exc:
        _programme(personas, ranking=ranking)
    assert exc.value.field == "ranking"
    assert exc.value.message == message
    assert not Programme.objects.exists()


@pytest.mark.parametrize("cost", ["-1", "1.234", "abc", None])
def test_bad_cost(personas, cost):
    with pytest.raises(ServiceError) as exc:
        _programme(personas, cost_per_place=cost)
    assert exc.value.field == "cost_per_place"


def test_programme_open_close(personas, english):
    p = personas
    programme = _programme(p)
    programme = catalogue.open_programme(programme, actor=p.jia, version=programme.version)
    assert programme.status == ProgrammeStatus.OPEN
    with pytest.raises(ServiceError):
        catalogue.open_programme(programme, actor=p.jia)
    programme = catalogue.close_programme(programme, actor=p.jia)
    assert programme.status == ProgrammeStatus.CLOSED
    with pytest.raises(ServiceError) as exc:
        _batch(p, programme, _base(p))
    assert exc.value.message == "The programme is closed: it takes no new batch."
    row = AuditLog.objects.filter(action="recuperation.programme.close").get()
    assert row.detail == {"from": "open", "to": "closed"}


def test_batch_close_open_finish(personas, english):
    p = personas
    base, programme = _base(p), _programme(p)
    batch = _batch(p, programme, base)
    batch = catalogue.close_batch(batch, actor=p.jia)
    assert batch.status == BatchStatus.CLOSED
    batch = catalogue.open_batch(batch, actor=p.jia)
    assert batch.status == BatchStatus.OPEN
    with pytest.raises(ServiceError) as exc:
        catalogue.finish_batch(batch, actor=p.jia)
    assert exc.value.message == "A batch is marked as held once it has started."
    Batch.objects.filter(pk=batch.pk).update(starts_on=timezone.localdate(), ends_on=timezone.localdate())
    batch = catalogue.finish_batch(Batch.objects.get(pk=batch.pk), actor=p.jia)
    assert batch.status == BatchStatus.FINISHED
    with pytest.raises(ServiceError):
        catalogue.update_batch(batch, actor=p.jia, places=3)


def test_edit_conflict(personas):
    p = personas
    base = _base(p)
    catalogue.update_base(base, actor=p.jia, address="新地址", version=base.version)
    with pytest.raises(ServiceError):
        catalogue.update_base(base, actor=p.jia, address="另一个地址", version=base.version)
    assert Base.objects.get(pk=base.pk).address == "新地址"


def test_places_not_below_holding(rw, english):
    from nuanxin.recuperation.choices import CandidateStatus
    from nuanxin.recuperation.models import Candidate

    p = rw.p
    for worker in (rw.aid_long, rw.aid_b):
        Candidate.objects.create(batch=rw.batch, programme=rw.programme, worker=worker,
                                 organisation=worker.organisation, applied_at=timezone.now(),
                                 status=CandidateStatus.ACCEPTED)
    with pytest.raises(ServiceError) as exc:
        catalogue.update_batch(rw.batch, actor=p.jia, places=1)
    assert exc.value.field == "places"
    assert exc.value.message == "2 places are offered or taken already: the batch cannot have fewer places."
