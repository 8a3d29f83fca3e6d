"""Nominating's rules, "never two places in a programme", attendance and no-show replacement."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.recuperation.choices import BatchStatus, CandidateStatus, OfferStatus, ProgrammeStatus
from nuanxin.recuperation.models import Candidate, Offer
from nuanxin.recuperation.services import candidates as services
from nuanxin.recuperation.tests.fixtures import make_batch, make_programme, nominate, nominate_all
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType, WorkerStatus

pytestmark = pytest.mark.usefixtures("english")  # messages compared in English


# --- nominating ----------------------------------------------------------------------------


def test_a_unit_admin_nominates_a_worker_of_their_unit(rw):
    cand = services.nominate(actor=rw.unit_admin, batch=rw.batch, worker=rw.aid_long, note="本人自愿")
    assert cand.status == CandidateStatus.WAITING
    assert cand.programme == rw.programme and cand.organisation == rw.p.shinan_hospital
    assert cand.nominated_by == rw.unit_admin and cand.note == "本人自愿"
    row = AuditLog.objects.get(action="recuperation.candidate.nominate")
    assert row.detail == {"batch": rw.batch.pk, "worker": rw.aid_long.pk, "note": "本人自愿"}


def test_a_worker_outside_the_scope_is_refused(rw):
    with pytest.raises(NotAllowed):
        services.nominate(actor=rw.unit_admin_b, batch=rw.batch, worker=rw.aid_long)
    with pytest.raises(NotAllowed):
        services.nominate(actor=rw.p.viewer, batch=rw.batch, worker=rw.aid_long)
    assert not Candidate.objects.exists()


def test_twice_in_one_batch_is_refused(rw):
    nominate(rw, rw.aid_long)
    with pytest.raises(ServiceError, match="already a candidate of"):
        nominate(rw, rw.aid_long)
    assert Candidate.objects.count() == 1


def test_a_team_the_batch_does_not_admit_is_refused(rw):
    batch = make_batch(rw.programme, rw.base, "援鄂专场", teams=[TeamType.HUBEI_AID])
    nominate(rw, rw.aid_long, batch=batch)
    with pytest.raises(ServiceError, match="does not admit the Designated-hospital"):
        nominate(rw, rw.nurse, batch=batch)


def test_a_worker_removed_from_the_register_is_refused(rw):
    registry.set_worker_status(actor=SYSTEM, worker=rw.nurse, status=WorkerStatus.ARCHIVED)
    with pytest.raises(ServiceError, match="no longer in the register"):
        nominate(rw, rw.nurse)


def test_closed_nominations_are_refused(rw):
    with pytest.raises(ServiceError, match="closed"):
        nominate(rw, rw.aid_long, at=rw.batch.nominations_close_at)
    rw.batch.status = BatchStatus.CLOSED
    rw.batch.save()
    with pytest.raises(ServiceError, match="closed"):
        nominate(rw, rw.aid_long)
    draft = make_programme(rw.p, "草稿计划")
    draft.status = ProgrammeStatus.DRAFT
    draft.save()
    with pytest.raises(ServiceError, match="not open"):
        nominate(rw, rw.aid_long, batch=make_batch(draft, rw.base))
    assert not Candidate.objects.exists()


def test_an_overlong_note_is_refused(rw):
    with pytest.raises(ServiceError, match="At most 200 characters; this has 201"):
        nominate(rw, rw.aid_long, note="字" * 201)
    with pytest.raises(ServiceError, match="invisible control characters"):
        nominate(rw, rw.aid_long, note="abc\u202edef")
    assert not Candidate.objects.exists()


# --- never two places in a programme -------------------------------------------------------


def test_never_two_places_nominating_a_holder_is_refused_naming_the_batch(rw):
    nominate(rw, rw.aid_long)
    services.fill(actor=SYSTEM, batch=rw.batch)
    second = make_batch(rw.programme, rw.base, "第二期")
    with pytest.raises(ServiceError, match=r"already has a place in .*第一期"):
        nominate(rw, rw.aid_long, batch=second)


def test_never_two_places_fill_skips_who_holds_one_elsewhere(rw):
    """Waiting in two batches of the programme: the place of the first makes the second pass
    them over to the next, and an accepted place keeps it so."""
    second = make_batch(rw.programme, rw.base, "第二期", places=1)
    nominate_all(rw)
    nominate(rw, rw.aid_long, batch=second)
    nominate(rw, rw.nurse, batch=second)
    services.fill(actor=SYSTEM, batch=rw.batch)
    [offer] = services.fill(actor=SYSTEM, batch=second)
    assert offer.candidate.worker == rw.nurse
    assert Candidate.objects.filter(worker=rw.aid_long, status__in=["offered", "accepted", "attended"]).count() == 1


def test_never_two_places_after_declining_one_may_take_another(rw):
    second = make_batch(rw.programme, rw.base, "第二期", places=1)
    nominate(rw, rw.aid_long)
    nominate(rw, rw.aid_long, batch=second)
    [first_offer] = services.fill(actor=SYSTEM, batch=rw.batch)
    assert services.fill(actor=SYSTEM, batch=second) == []
    services.decline(actor=rw.unit_admin, offer=first_offer)
    [offer] = services.fill(actor=SYSTEM, batch=second)
    assert offer.candidate.worker == rw.aid_long


def test_never_two_places_the_database_refuses_it_too(rw):
    second = make_batch(rw.programme, rw.base, "第二期")
    a = nominate(rw, rw.aid_long)
    b = nominate(rw, rw.aid_long, batch=second)
    Candidate.objects.filter(pk=a.pk).update(status=CandidateStatus.ACCEPTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.filter(pk=b.pk).update(status=CandidateStatus.OFFERED)


def test_places_of_another_programme_do_not_count(rw):
    other = make_batch(make_programme(rw.p, "另一计划"), rw.base, "第一期")
    nominate(rw, rw.aid_long, batch=other)
    services.fill(actor=SYSTEM, batch=other)
    nominate(rw, rw.aid_long)
    [offer, *_rest] = services.fill(actor=SYSTEM, batch=rw.batch)
    assert offer.candidate.worker == rw.aid_long


# --- attendance ----------------------------------------------------------------------------


@pytest.fixture
def accepted(rw):
    """第一期 (starting in 30 days) filled and both offers accepted."""
    nominate_all(rw)
    for offer in services.fill(actor=SYSTEM, batch=rw.batch):
        services.accept(actor=SYSTEM, offer=offer)
    return rw


def start_of(batch, days=0):
    return timezone.make_aware(timezone.datetime.combine(batch.starts_on + timedelta(days=days),
                                                         timezone.datetime.min.time())) + timedelta(hours=9)


def test_a_no_show_before_the_start_is_replaced(accepted):
    w = accepted
    cand = Candidate.objects.get(batch=w.batch, worker=w.aid_long)
    day_before = start_of(w.batch, -1)
    services.record_attendance(actor=w.p.jia, candidate=cand, attended=False, now=day_before)
    cand.refresh_from_db()
    assert cand.status == CandidateStatus.NO_SHOW
    new = Offer.objects.get(status=OfferStatus.OPEN)
    assert new.candidate.worker == w.aid_short and new.replaces == cand
    # Held to the end of the day before, not 48 hours.
    assert new.expires_at == services.hold_deadline(w.batch)
    row = AuditLog.objects.get(action="recuperation.candidate.attendance")
    assert row.detail["from"] == "accepted" and row.detail["to"] == "no_show"


def test_a_no_show_on_the_first_day_is_not_replaced(accepted):
    w = accepted
    cand = Candidate.objects.get(batch=w.batch, worker=w.aid_long)
    services.record_attendance(actor=w.p.jia, candidate=cand, attended=False, now=start_of(w.batch))
    assert not Offer.objects.filter(status=OfferStatus.OPEN).exists()


def test_attended_from_the_first_day_only_and_by_a_city_admin(accepted):
    w = accepted
    cand = Candidate.objects.get(batch=w.batch, worker=w.aid_b)
    with pytest.raises(NotAllowed):
        services.record_attendance(actor=w.unit_admin_b, candidate=cand, attended=True, now=start_of(w.batch))
    with pytest.raises(ServiceError, match="attendance can be recorded from then"):
        services.record_attendance(actor=w.p.jia, candidate=cand, attended=True, now=start_of(w.batch, -1))
    services.record_attendance(actor=w.p.jia, candidate=cand, attended=True, now=start_of(w.batch))
    cand.refresh_from_db()
    assert cand.status == CandidateStatus.ATTENDED


def test_attendance_only_for_those_who_accepted(accepted):
    w = accepted
    waiting = Candidate.objects.get(batch=w.batch, worker=w.nurse)
    with pytest.raises(ServiceError, match="those who accepted"):
        services.record_attendance(actor=w.p.jia, candidate=waiting, attended=True, now=start_of(w.batch))


def test_a_no_show_corrected_to_attended_needs_a_free_place(accepted):
    w = accepted
    cand = Candidate.objects.get(batch=w.batch, worker=w.aid_long)
    services.record_attendance(actor=w.p.jia, candidate=cand, attended=False, now=start_of(w.batch, -1))
    with pytest.raises(ServiceError, match="no place free"):
        services.record_attendance(actor=w.p.jia, candidate=cand, attended=True, now=start_of(w.batch))
    other = Candidate.objects.get(batch=w.batch, worker=w.aid_b)
    services.record_attendance(actor=w.p.jia, candidate=other, attended=True, now=start_of(w.batch))
    services.record_attendance(actor=w.p.jia, candidate=other, attended=False, now=start_of(w.batch))
    # On the first day the freed place is not offered again: the correction may take it back.
    services.record_attendance(actor=w.p.jia, candidate=cand, attended=True, now=start_of(w.batch))
    assert Candidate.objects.get(pk=cand.pk).status == CandidateStatus.ATTENDED


def test_withdrawing_a_place_after_the_start_is_refused(accepted):
    w = accepted
    cand = Candidate.objects.get(batch=w.batch, worker=w.aid_long)
    with pytest.raises(ServiceError, match="has started"):
        services.withdraw(actor=w.unit_admin, candidate=cand, now=start_of(w.batch))
