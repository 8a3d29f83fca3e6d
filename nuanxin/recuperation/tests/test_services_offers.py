"""Offers and the waiting list (issue 14 item 4): fill by rank, accept, decline, expiry passed
on by the periodic job, two declines in a row, withdrawal, notifications."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.models import Delivery, Notification
from nuanxin.recuperation import tasks
from nuanxin.recuperation.choices import CandidateStatus, OfferStatus
from nuanxin.recuperation.models import Candidate, Offer
from nuanxin.recuperation.services import candidates as services
from nuanxin.recuperation.tests.fixtures import make_batch, nominate_all
from nuanxin.registry.choices import TeamType


def statuses(w):
    return {c.worker.name: c.status for c in Candidate.objects.filter(batch=w.batch).select_related("worker")}


def open_offers(batch):
    return list(Offer.objects.filter(batch=batch, status=OfferStatus.OPEN).select_related("candidate__worker"))


def offered_names(batch):
    return sorted(o.candidate.worker.name for o in open_offers(batch))


@pytest.fixture
def filled(rw):
    """Every worker nominated, the batch's two places offered by rank (now)."""
    nominate_all(rw)
    offers = services.fill(actor=rw.p.jia, batch=rw.batch)
    return rw, offers


def test_fill_offers_the_places_by_rank_and_is_idempotent(filled):
    w, offers = filled
    # aid_long and aid_b tie on team and days: aid_long applied first. aid_short is third.
    assert [o.candidate.worker.name for o in offers] == ["张援鄂", "赵援鄂"]
    assert services.fill(actor=w.p.jia, batch=w.batch) == []
    assert statuses(w) == {
        "张援鄂": CandidateStatus.OFFERED, "赵援鄂": CandidateStatus.OFFERED, "李短期": CandidateStatus.WAITING,
        "王护士": CandidateStatus.WAITING, "钱疾控": CandidateStatus.WAITING,
    }
    offer = offers[0]
    assert offer.expires_at == offer.offered_at + timedelta(hours=48)
    assert AuditLog.objects.filter(action="recuperation.offer.make").count() == 2


def test_only_a_city_admin_fills(rw):
    nominate_all(rw)
    with pytest.raises(NotAllowed):
        services.fill(actor=rw.unit_admin, batch=rw.batch)
    assert not Offer.objects.exists()


def test_an_offer_is_told_to_the_unit_union_and_to_the_person(filled):
    w, offers = filled
    offer = next(o for o in offers if o.candidate.worker_id == w.aid_long.pk)
    # SN-H1's own administrator (not 乙 of the district, nor the city admin).
    notes = Notification.objects.filter(kind="recuperation.offer", key__contains=f"offer-{offer.pk}")
    assert [n.recipient for n in notes] == [w.unit_admin]
    assert "张援鄂" in notes[0].title
    person = Delivery.objects.get(key=f"recuperation.offer:{offer.pk}:person")
    assert person.to == "+8613800000001"
    assert person.recipient is None and person.notification is None
    assert person.template == "recuperation_offer_person"
    assert "第一期" in person.body and "青岛湛山疗养院" in person.body


def test_accept_by_the_unit_admin(filled):
    w, offers = filled
    offer = next(o for o in offers if o.candidate.worker_id == w.aid_long.pk)
    services.accept(actor=w.unit_admin, offer=offer)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.responded_by == w.unit_admin
    assert statuses(w)["张援鄂"] == CandidateStatus.ACCEPTED
    with pytest.raises(ServiceError):
        services.accept(actor=w.unit_admin, offer=offer)


def test_another_unit_may_not_answer(filled):
    w, offers = filled
    offer = next(o for o in offers if o.candidate.worker_id == w.aid_long.pk)
    with pytest.raises(NotAllowed):
        services.accept(actor=w.unit_admin_b, offer=offer)
    with pytest.raises(NotAllowed):
        services.decline(actor=w.p.bing, offer=offer)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN


def test_decline_passes_the_place_to_the_next_at_once(filled):
    w, offers = filled
    offer = next(o for o in offers if o.candidate.worker_id == w.aid_long.pk)
    services.decline(actor=w.unit_admin, offer=offer, reason="家中有事")
    assert statuses(w)["张援鄂"] == CandidateStatus.DECLINED
    assert offered_names(w.batch) == ["李短期", "赵援鄂"]
    assert Offer.objects.get(pk=offer.pk).reason == "家中有事"


def test_two_declines_in_a_row(filled):
    w, offers = filled
    first = next(o for o in offers if o.candidate.worker_id == w.aid_long.pk)
    services.decline(actor=w.unit_admin, offer=first)
    second = Offer.objects.get(candidate__worker=w.aid_short, status=OfferStatus.OPEN)
    services.decline(actor=w.unit_admin, offer=second)
    # Next by rank: two frontline teams tie; the CDC worker (10 days in Wuhan) before the
    # designated-hospital nurse (never deployed).
    assert offered_names(w.batch) == ["赵援鄂", "钱疾控"]
    third = Offer.objects.get(candidate__worker=w.cdc_b, status=OfferStatus.OPEN)
    assert third.replaces is None
    assert statuses(w) == {
        "张援鄂": CandidateStatus.DECLINED, "李短期": CandidateStatus.DECLINED, "王护士": CandidateStatus.WAITING,
        "赵援鄂": CandidateStatus.OFFERED, "钱疾控": CandidateStatus.OFFERED,
    }
    # Never more places offered than the batch has.
    assert Candidate.objects.filter(batch=w.batch, status__in=["offered", "accepted"]).count() == 2


def test_an_expired_offer_passes_to_the_next_without_anyone_touching_it(filled):
    w, offers = filled
    aid_b_offer = next(o for o in offers if o.candidate.worker_id == w.aid_b.pk)
    services.accept(actor=w.unit_admin_b, offer=aid_b_offer)
    later = timezone.now() + timedelta(hours=48, minutes=1)
    assert services.expire_due(now=later) == 1
    assert statuses(w)["张援鄂"] == CandidateStatus.EXPIRED
    assert offered_names(w.batch) == ["李短期"]
    new = open_offers(w.batch)[0]
    assert new.offered_at == later and new.expires_at == later + timedelta(hours=48)
    # Run again (the job twice): nothing more.
    assert services.expire_due(now=later) == 0
    assert offered_names(w.batch) == ["李短期"]
    assert AuditLog.objects.filter(action="recuperation.offer.expire").count() == 1
    [told] = Notification.objects.filter(kind="recuperation.offer_expired")
    assert told.recipient == w.unit_admin and "张援鄂" in told.title
    assert told.url.endswith(f"/candidates/{offers[0].candidate_id}/")


def test_an_expired_offer_cannot_be_accepted(filled, english):
    w, offers = filled
    offer = offers[0]
    with pytest.raises(ServiceError, match="expired at"):
        services.accept(actor=w.unit_admin, offer=offer, now=offer.expires_at + timedelta(seconds=1))


def test_the_periodic_task_expires_and_passes_on(filled, monkeypatch):
    w, _offers = filled
    later = timezone.now() + timedelta(hours=49)
    monkeypatch.setattr(timezone, "now", lambda: later)
    result = tasks.expire_offers.call()
    # Both offers expired; their places passed on in the same run.
    assert result == {"expired": 2, "offered": 0}
    assert offered_names(w.batch) == ["李短期", "钱疾控"]
    assert tasks.expire_offers.call() == {"expired": 0, "offered": 0}


def test_the_job_fills_a_batch_once_its_nominations_close(rw, monkeypatch):
    nominate_all(rw)
    assert services.fill_due() == 0  # nominations still open
    after_close = rw.batch.nominations_close_at + timedelta(minutes=1)
    assert services.fill_due(now=after_close) == 2
    assert services.fill_due(now=after_close) == 0
    assert offered_names(rw.batch) == ["张援鄂", "赵援鄂"]


def test_an_offer_is_never_held_past_the_day_before_the_batch(rw):
    batch = make_batch(rw.programme, rw.base, "第二期", places=1, starts_in=1, close_in=None)
    from nuanxin.recuperation.tests.fixtures import nominate

    nominate(rw, rw.aid_long, batch=batch)
    [offer] = services.fill(actor=SYSTEM, batch=batch)
    assert offer.expires_at == services.hold_deadline(batch)
    assert timezone.localtime(offer.expires_at).date() == batch.starts_on
    assert timezone.localtime(offer.expires_at).hour == 0


def test_no_offer_once_the_batch_starts(rw):
    batch = make_batch(rw.programme, rw.base, "第二期", places=1, starts_in=0, close_in=None)
    from nuanxin.recuperation.tests.fixtures import nominate

    nominate(rw, rw.aid_long, batch=batch)
    assert services.fill(actor=SYSTEM, batch=batch) == []


def test_withdrawing_an_accepted_place_offers_it_to_the_next(filled):
    w, offers = filled
    offer = next(o for o in offers if o.candidate.worker_id == w.aid_long.pk)
    services.accept(actor=w.unit_admin, offer=offer)
    services.withdraw(actor=w.unit_admin, candidate=offer.candidate, reason="临时任务")
    assert statuses(w)["张援鄂"] == CandidateStatus.WITHDRAWN
    new = Offer.objects.get(candidate__worker=w.aid_short, status=OfferStatus.OPEN)
    assert new.replaces_id == offer.candidate_id


def test_withdrawing_a_waiting_candidate_offers_nothing(filled):
    w, _offers = filled
    cand = Candidate.objects.get(batch=w.batch, worker=w.nurse)
    services.withdraw(actor=w.unit_admin, candidate=cand)
    assert offered_names(w.batch) == ["张援鄂", "赵援鄂"]
    with pytest.raises(ServiceError):
        services.withdraw(actor=w.unit_admin, candidate=cand)


def test_a_unit_without_its_own_administrator_is_told_through_those_above(rw):
    """The medical union (YW) has no administrator of its own: the city administrator, whose
    grant covers it, is told; a worker without a mobile gets no text message."""
    from nuanxin.recuperation.tests.fixtures import make_worker

    worker = make_worker(rw.p.medical_union, "周无手机", TeamType.HUBEI_AID, "",
                         deployed=(date(2020, 1, 26), date(2020, 3, 31)))
    services.nominate(actor=rw.p.jia, batch=rw.batch, worker=worker)
    [offer] = services.fill(actor=SYSTEM, batch=rw.batch)
    assert offer.candidate.worker == worker
    notes = Notification.objects.filter(kind="recuperation.offer")
    assert [n.recipient for n in notes] == [rw.p.jia]
    assert not Delivery.objects.filter(key__endswith=":person").exists()


def test_the_unit_admins_text_message_carries_no_name(filled, english):
    """F20: the SMS to the unit union's administrators has no worker's name (nor a ``name``
    parameter); the in-app notification keeps the name."""
    from nuanxin.recuperation.tests.fixtures import nominate

    w = filled[0]
    w.unit_admin.mobile = "+8613700000001"
    w.unit_admin.save()
    batch = make_batch(w.programme, w.base, "第二期", places=1)
    nominate(w, w.nurse, batch=batch)
    [offer] = services.fill(actor=SYSTEM, batch=batch)
    [sms] = Delivery.objects.filter(channel="sms", template="recuperation_offer_union",
                                    notification__key__contains=f"offer-{offer.pk}")
    assert "name" not in sms.params
    assert set(sms.params) == {"programme", "batch", "base", "from", "to", "until"}
    assert sms.to == "+8613700000001" and "王护士" not in sms.body
    assert sms.body.startswith(
        "A worker of your unit is offered a recuperation place: 抗疫一线医务人员免费疗休养 第二期")
    assert "Please sign in to Nuanxin and answer before" in sms.body
    note = Notification.objects.get(kind="recuperation.offer", key__contains=f"offer-{offer.pk}")
    assert "王护士" in note.title and "王护士" in note.body


def test_an_expiry_with_nobody_waiting_says_the_place_is_left_free(rw, english):
    """F5: the expiry notice says the place passed on only when someone took it over; with
    nobody waiting it says the place is left free."""
    from nuanxin.recuperation.tests.fixtures import nominate

    nominate(rw, rw.aid_long)
    assert len(services.fill(actor=SYSTEM, batch=rw.batch)) == 1
    later = timezone.now() + timedelta(hours=48, minutes=1)
    assert services.expire_due(now=later) == 1
    [told] = Notification.objects.filter(kind="recuperation.offer_expired")
    # (the recipient reads Chinese: the new text, untranslated until the catalogue is merged)
    assert told.body.endswith("nobody is waiting, so the place is left free.") or told.body.endswith("名额空出。")
    assert "顺延" not in told.body and "passed to the next" not in told.body


def test_an_expiry_passed_on_says_so(filled, english):
    services.expire_due(now=timezone.now() + timedelta(hours=48, minutes=1))
    told = list(Notification.objects.filter(kind="recuperation.offer_expired"))
    assert len(told) == 2  # both offers lapsed, three were waiting: both places passed on
    assert all(t.body.endswith("已顺延给候补名单中的下一位。") for t in told)
