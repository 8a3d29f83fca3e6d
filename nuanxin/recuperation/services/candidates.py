"""Candidates, offers, the waiting list and attendance (疗休养 issue 14 items 3 and 4).

A unit union nominates a worker for a batch (``nominate``); the candidates are ordered by the
programme's declared rule (``selectors.ranking``). ``fill`` offers each free place of a batch
(its places less the candidates holding one: offered, accepted, attended) to the best-ranked
waiting candidate who may take it; an offer is held ``programme.offer_hours`` hours but never
past the day before the batch starts (``hold_deadline``). The person's unit union accepts or
declines for them (``accept``, ``decline``); a declined offer, an expired one (``expire_due``,
run by the periodic job ``recuperation.expire_offers``), a withdrawal of a place
(``withdraw``) and a no-show recorded up to the day before the start (``record_attendance``)
pass the place on to the next candidate waiting, at once.

Every write is one transaction holding the batch's row lock (``select_for_update``): two
fills of one batch (two administrators, the job run twice at once) wait for each other and
never offer more places than the batch has. Nobody holds two places in one programme: the
ranking leaves out whoever holds one elsewhere, and the database's constraint
(``recuperation_one_place``) settles a race between two batches (the second offer is skipped,
the place goes to the next candidate).

An offer is told to the administrators of the person's unit union (in-app and by text
message, since leave must be arranged) and to the person by text message to the register's
mobile (``notify.services.text_message``), each once (idempotency keys by offer).

Refusals: ``NotAllowed`` (someone not allowed) and ``ServiceError`` (a rule broken), with
messages in the user's language; nothing is written then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import SYSTEM, user_of
from nuanxin.core.textlimits import TOO_LONG
from nuanxin.recuperation.choices import (
    HOLDING,
    BatchStatus,
    CandidateStatus,
    OfferStatus,
    ProgrammeStatus,
)
from nuanxin.recuperation.models import Batch, Candidate, Offer
from nuanxin.recuperation.services import notices
from nuanxin.registry.choices import TeamType, WorkerStatus
from nuanxin.registry.models import Worker

NOTE_MAX = 200
# Batches whose places are given out (offers made, answered, passed on).
FILLING = (BatchStatus.OPEN, BatchStatus.CLOSED)
# A candidate may withdraw (or be withdrawn by their union) while in one of these.
WITHDRAWABLE = (CandidateStatus.WAITING, CandidateStatus.OFFERED, CandidateStatus.ACCEPTED)
# Workers who cannot go (no longer in the register's active list).
GONE = (WorkerStatus.ARCHIVED, WorkerStatus.DECEASED)

HOLDING_VALUES = [s.value for s in HOLDING]


# --- small helpers -------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def admitted_teams(batch: Batch) -> list[str]:
    """The frontline teams (``TeamType`` values) a batch admits: its ``teams``, or all."""
    return list(batch.teams) if batch.teams else [t.value for t in TeamType]


def hold_deadline(batch: Batch) -> datetime:
    """The latest an offer of ``batch`` may be held: the end of the day before it starts (the
    start of its first day, local time)."""
    return timezone.make_aware(datetime.combine(batch.starts_on, time.min))


def offer_expiry(batch: Batch, now: datetime) -> datetime:
    """When an offer made at ``now`` expires: ``offer_hours`` later, or the end of the day
    before the batch if sooner."""
    return min(now + timedelta(hours=batch.programme.offer_hours), hold_deadline(batch))


def _text(value: Any, field: str, label: Any, max_length: int = NOTE_MAX) -> str:
    """A single line (``core.plaintext.line``: control and direction characters refused) of at
    most ``max_length`` characters."""
    text = plaintext.line(value, field=field, label=label)
    if len(text) > max_length:
        raise ServiceError(TOO_LONG % {"limit_value": max_length, "show_value": len(text)}, field=field)
    return text


def _lock_batch(batch: Batch) -> Batch:
    return Batch.objects.select_for_update().select_related("programme", "base").get(pk=batch.pk)


def _set_status(candidate: Candidate, status: str, actor: Any, now: datetime) -> str:
    before = candidate.status
    candidate.status = status
    candidate.status_changed_at = now
    versioning.bump(candidate)
    candidate._history_user = user_of(actor)  # type: ignore[attr-defined]
    candidate.save()
    return before


def _save_offer(offer: Offer, actor: Any) -> None:
    versioning.bump(offer)
    offer._history_user = user_of(actor)  # type: ignore[attr-defined]
    offer.save()


def _place_elsewhere(worker: Worker, batch: Batch) -> Candidate | None:
    """The candidacy through which ``worker`` holds a place of ``batch``'s programme in another
    batch, if any."""
    return (
        Candidate.objects.filter(programme_id=batch.programme_id, worker=worker, status__in=HOLDING_VALUES)
        .exclude(batch=batch)
        .select_related("batch")
        .first()
    )


# --- nominating ----------------------------------------------------------------------------


@transaction.atomic
def nominate(*, actor, batch: Batch, worker: Worker, note: str = "", now: datetime | None = None) -> Candidate:
    """Put ``worker`` forward for ``batch`` (a waiting candidate, ranked by the programme's
    rule). The worker must be in the actor's "nominate" scope, of a team the batch admits, in
    the register (not removed), not yet a candidate of this batch and not holding a place of
    the programme in another batch; the batch must be taking nominations."""
    now = _now(now)
    batch = _lock_batch(batch)
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    if not Candidate.policy.allows_in(actor, "nominate", worker.organisation):
        raise NotAllowed(_("You may only nominate workers of the units in your scope."))
    if batch.programme.status != ProgrammeStatus.OPEN:
        raise ServiceError(_("The programme “%(name)s” is not open.") % {"name": batch.programme.name})
    if batch.status != BatchStatus.OPEN or (batch.nominations_close_at and now >= batch.nominations_close_at):
        raise ServiceError(_("Nominations for %(batch)s are closed.") % {"batch": batch})
    if worker.status in GONE:
        raise ServiceError(_("%(name)s is no longer in the register.") % {"name": worker.name}, field="worker")
    if worker.team not in admitted_teams(batch):
        raise ServiceError(
            _("%(batch)s does not admit the %(team)s.") % {"batch": batch, "team": worker.get_team_display()},
            field="worker",
        )
    if Candidate.objects.filter(batch=batch, worker=worker).exists():
        raise ServiceError(
            _("%(name)s is already a candidate of %(batch)s.") % {"name": worker.name, "batch": batch}, field="worker"
        )
    elsewhere = _place_elsewhere(worker, batch)
    if elsewhere is not None:
        raise ServiceError(
            _("%(name)s already has a place in %(batch)s of this programme: nobody gets two.")
            % {"name": worker.name, "batch": elsewhere.batch},
            field="worker",
        )
    candidate = Candidate(
        batch=batch,
        programme=batch.programme,
        worker=worker,
        organisation=worker.organisation,
        applied_at=now,
        nominated_by=user_of(actor),
        status=CandidateStatus.WAITING,
        status_changed_at=now,
        note=_text(note, "note", _("Note")),
    )
    candidate._history_user = user_of(actor)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        # Another administrator nominated the same person for this batch at the same moment.
        raise ServiceError(
            _("%(name)s is already a candidate of %(batch)s.") % {"name": worker.name, "batch": batch}, field="worker"
        ) from None
    audit.record(
        actor,
        "recuperation.candidate.nominate",
        obj=candidate,
        organisation=worker.organisation,
        detail={"batch": batch.pk, "worker": worker.pk, "note": candidate.note},
    )
    return candidate


@transaction.atomic
def withdraw(*, actor, candidate: Candidate, reason: str = "", now: datetime | None = None) -> Candidate:
    """Take a candidate out of a batch (waiting, offered or accepted): an offered or accepted
    candidate frees the place, offered at once to the next waiting (``Offer.replaces``). Not
    once the batch has started (attendance is recorded then)."""
    now = _now(now)
    batch = _lock_batch(candidate.batch)
    candidate = Candidate.objects.select_for_update().select_related("worker__organisation").get(pk=candidate.pk)
    Candidate.policy.require(actor, "nominate", candidate)
    reason = _text(reason, "reason", _("Reason"))
    if candidate.status not in WITHDRAWABLE:
        raise ServiceError(
            _("A candidate who is “%(status)s” cannot withdraw.") % {"status": candidate.get_status_display()}
        )
    held = candidate.status in (CandidateStatus.OFFERED, CandidateStatus.ACCEPTED)
    if held and timezone.localdate(now) >= batch.starts_on:
        raise ServiceError(_("The batch has started: record the attendance instead."))
    offer = Offer.objects.select_for_update().filter(candidate=candidate, status=OfferStatus.OPEN).first()
    if offer is not None:
        offer.status = OfferStatus.WITHDRAWN
        offer.responded_at = now
        offer.responded_by = user_of(actor)
        offer.reason = reason
        _save_offer(offer, actor)
    before = _set_status(candidate, CandidateStatus.WITHDRAWN, actor, now)
    audit.record(
        actor,
        "recuperation.candidate.withdraw",
        obj=candidate,
        organisation=candidate.worker.organisation,
        detail={"batch": batch.pk, "worker": candidate.worker_id, "from": before, "to": candidate.status,
                "reason": reason},
    )
    if held:
        _fill(actor, batch, now, replaces=candidate if before == CandidateStatus.ACCEPTED else None)
    return candidate


# --- filling -------------------------------------------------------------------------------


@transaction.atomic
def fill(*, actor, batch: Batch, now: datetime | None = None) -> list[Offer]:
    """Offer each free place of ``batch`` to the best-ranked waiting candidate who may take
    it; returns the offers made (none when the batch is full, nobody waits, the batch is not
    filling, or it is too late to hold an offer). Idempotent. A city administrator (or the
    system)."""
    now = _now(now)
    batch = _lock_batch(batch)
    if not Batch.policy.allows(actor, "manage", batch):
        raise NotAllowed(_("Only a city administrator fills a batch's places."))
    return _fill(actor, batch, now)


def free_places(batch: Batch) -> int:
    return max(0, batch.places - Candidate.objects.filter(batch=batch, status__in=HOLDING_VALUES).count())


def _fill(actor: Any, batch: Batch, now: datetime, *, replaces: Candidate | None = None) -> list[Offer]:
    """``fill`` for a batch whose row the caller holds locked."""
    from nuanxin.recuperation.selectors import ranking

    if batch.status not in FILLING:
        return []
    expires_at = offer_expiry(batch, now)
    if expires_at <= now:
        return []
    free = free_places(batch)
    if free <= 0:
        return []
    offers: list[Offer] = []
    for row in ranking.ranked(batch, today=timezone.localdate(now)):
        if len(offers) >= free:
            break
        if row.position is None:
            continue
        try:
            with transaction.atomic():
                candidate = (
                    Candidate.objects.select_for_update().select_related("worker__organisation")
                    .get(pk=row.candidate.pk)
                )
                if candidate.status != CandidateStatus.WAITING:
                    continue
                _set_status(candidate, CandidateStatus.OFFERED, actor, now)
                offer = Offer(
                    candidate=candidate, batch=batch, offered_at=now, expires_at=expires_at,
                    replaces=replaces if not offers else None,
                )
                offer._history_user = user_of(actor)  # type: ignore[attr-defined]
                offer.save()
        except DatabaseError as exc:
            # The person was given a place in another batch of the programme meanwhile (the
            # database's one-place rule), or two batches filled at once offered the same two
            # people in opposite orders (a deadlock, PostgreSQL): the place goes to the next.
            if not isinstance(exc, IntegrityError) and not _deadlock(exc):
                raise
            continue
        audit.record(
            actor,
            "recuperation.offer.make",
            obj=offer,
            organisation=candidate.worker.organisation,
            detail={
                "batch": batch.pk, "worker": candidate.worker_id, "candidate": candidate.pk,
                "position": row.position, "held_until": expires_at.isoformat(),
                **({"replaces": offer.replaces_id} if offer.replaces_id else {}),
            },
        )
        notices.tell_offer(offer, candidate, batch)
        offers.append(offer)
    return offers


def _deadlock(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL's "deadlock detected" (SQLSTATE 40P01)."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "40P01" or getattr(cause, "pgcode", None) == "40P01"


# --- answering -----------------------------------------------------------------------------


def _open_offer(actor: Any, offer: Offer, now: datetime, version: int | None) -> tuple[Batch, Offer]:
    batch = _lock_batch(offer.batch)
    offer = (
        Offer.objects.select_for_update()
        .select_related("candidate__worker__organisation")
        .get(pk=offer.pk)
    )
    Offer.policy.require(actor, "respond", offer)
    versioning.check_version(offer, version)
    if offer.status != OfferStatus.OPEN:
        raise ServiceError(
            _("This offer is no longer awaiting an answer (%(status)s).") % {"status": offer.get_status_display()}
        )
    if now >= offer.expires_at:
        raise ServiceError(
            _("This offer expired at %(when)s; the place passes to the next on the waiting list.")
            % {"when": notices.when(offer.expires_at)}
        )
    return batch, offer


@transaction.atomic
def accept(*, actor, offer: Offer, version: int | None = None, now: datetime | None = None) -> Offer:
    """The person (through their unit union) takes the place offered: an open offer not past
    its time. "respond" on the candidate."""
    now = _now(now)
    batch, offer = _open_offer(actor, offer, now, version)
    candidate = Candidate.objects.select_for_update().get(pk=offer.candidate_id)
    offer.status = OfferStatus.ACCEPTED
    offer.responded_at = now
    offer.responded_by = user_of(actor)
    _save_offer(offer, actor)
    _set_status(candidate, CandidateStatus.ACCEPTED, actor, now)
    audit.record(
        actor,
        "recuperation.offer.accept",
        obj=offer,
        organisation=offer.candidate.worker.organisation,
        detail={"batch": batch.pk, "worker": candidate.worker_id, "candidate": candidate.pk},
    )
    return offer


@transaction.atomic
def decline(
    *, actor, offer: Offer, reason: str = "", version: int | None = None, now: datetime | None = None
) -> Offer:
    """The person (through their unit union) does not take the place: it passes at once to the
    next candidate waiting. "respond" on the candidate."""
    now = _now(now)
    reason = _text(reason, "reason", _("Reason"))
    batch, offer = _open_offer(actor, offer, now, version)
    candidate = Candidate.objects.select_for_update().get(pk=offer.candidate_id)
    offer.status = OfferStatus.DECLINED
    offer.responded_at = now
    offer.responded_by = user_of(actor)
    offer.reason = reason
    _save_offer(offer, actor)
    _set_status(candidate, CandidateStatus.DECLINED, actor, now)
    audit.record(
        actor,
        "recuperation.offer.decline",
        obj=offer,
        organisation=offer.candidate.worker.organisation,
        detail={"batch": batch.pk, "worker": candidate.worker_id, "candidate": candidate.pk, "reason": reason},
    )
    _fill(actor, batch, now)
    return offer


# --- the periodic job ----------------------------------------------------------------------


def expire_due(*, actor=SYSTEM, now: datetime | None = None) -> int:
    """Every open offer past its time expires (its candidate too) and its place passes to the
    next candidate waiting; returns how many expired. One transaction per batch, holding its
    lock: safe when run twice at once (the second finds nothing left), idempotent."""
    now = _now(now)
    batch_ids = sorted(
        set(Offer.objects.filter(status=OfferStatus.OPEN, expires_at__lte=now).values_list("batch_id", flat=True))
    )
    return sum(_expire_batch(actor, batch_id, now) for batch_id in batch_ids)


@transaction.atomic
def _expire_batch(actor: Any, batch_id: int, now: datetime) -> int:
    batch = Batch.objects.select_for_update().select_related("programme", "base").get(pk=batch_id)
    due = list(
        Offer.objects.select_for_update()
        .filter(batch=batch, status=OfferStatus.OPEN, expires_at__lte=now)
        .select_related("candidate__worker__organisation")
        .order_by("expires_at", "id")
    )
    for offer in due:
        offer.status = OfferStatus.EXPIRED
        _save_offer(offer, actor)
        candidate = Candidate.objects.select_for_update().get(pk=offer.candidate_id)
        if candidate.status == CandidateStatus.OFFERED:
            _set_status(candidate, CandidateStatus.EXPIRED, actor, now)
        audit.record(
            actor,
            "recuperation.offer.expire",
            obj=offer,
            organisation=offer.candidate.worker.organisation,
            detail={"batch": batch.pk, "worker": candidate.worker_id, "candidate": candidate.pk,
                    "held_until": offer.expires_at.isoformat()},
        )
    made = _fill(actor, batch, now) if due else []
    for index, offer in enumerate(due):
        # The places passed on go to the offers expired first; the rest are left free.
        notices.tell_expired(offer, batch, passed=index < len(made))
    return len(due)


def due_batches(now: datetime) -> Iterable[int]:
    """Batches whose nominations have closed (closed by hand or past their closing time), not
    started, with a free place and someone waiting: the periodic job fills them."""
    today = timezone.localdate(now)
    open_or_closed = Batch.objects.filter(status__in=[s.value for s in FILLING], starts_on__gt=today)
    closed = open_or_closed.filter(status=BatchStatus.CLOSED) | open_or_closed.filter(
        status=BatchStatus.OPEN, nominations_close_at__lte=now
    )
    waiting = Candidate.objects.filter(status=CandidateStatus.WAITING).values("batch_id")
    return list(closed.filter(pk__in=waiting).order_by("id").values_list("pk", flat=True))


def fill_due(*, actor=SYSTEM, now: datetime | None = None) -> int:
    """Fill every batch whose nominations have closed (``due_batches``); returns the offers
    made. Idempotent (a full batch gets none)."""
    now = _now(now)
    made = 0
    for batch_id in due_batches(now):
        with transaction.atomic():
            batch = Batch.objects.select_for_update().select_related("programme", "base").get(pk=batch_id)
            made += len(_fill(actor, batch, now))
    return made


# --- attendance ----------------------------------------------------------------------------


@transaction.atomic
def record_attendance(
    *, actor, candidate: Candidate, attended: bool, now: datetime | None = None
) -> Candidate:
    """Record whether a candidate who accepted came ("manage" on the batch: a city
    administrator). "Attended" from the batch's first day. A no-show recorded up to the day
    before the start frees the place, offered at once to the next waiting (``Offer.replaces``);
    on or after the first day it is not replaced. A mistake can be put right: attended ↔ did
    not come (back to attended only while a place is free)."""
    now = _now(now)
    batch = _lock_batch(candidate.batch)
    if not Batch.policy.allows(actor, "manage", batch):
        raise NotAllowed(_("Only a city administrator records attendance."))
    candidate = Candidate.objects.select_for_update().select_related("worker__organisation").get(pk=candidate.pk)
    today = timezone.localdate(now)
    target = CandidateStatus.ATTENDED if attended else CandidateStatus.NO_SHOW
    allowed_from = {
        CandidateStatus.ATTENDED: (CandidateStatus.ACCEPTED, CandidateStatus.NO_SHOW),
        CandidateStatus.NO_SHOW: (CandidateStatus.ACCEPTED, CandidateStatus.ATTENDED),
    }[target]
    if candidate.status == target:
        return candidate
    if candidate.status not in allowed_from:
        raise ServiceError(
            _("Attendance is recorded for those who accepted a place (this candidate is “%(status)s”).")
            % {"status": candidate.get_status_display()}
        )
    if attended and today < batch.starts_on:
        raise ServiceError(
            _("The batch starts on %(day)s: attendance can be recorded from then.")
            % {"day": notices.day(batch.starts_on)}
        )
    if attended and candidate.status == CandidateStatus.NO_SHOW and free_places(batch) <= 0:
        raise ServiceError(_("The place was given to someone else: the batch has no place free."))
    before = candidate.status
    try:
        with transaction.atomic():
            _set_status(candidate, target, actor, now)
    except IntegrityError:
        raise ServiceError(
            _("%(name)s already has a place in another batch of this programme.") % {"name": candidate.worker.name}
        ) from None
    replaced = not attended and today < batch.starts_on
    audit.record(
        actor,
        "recuperation.candidate.attendance",
        obj=candidate,
        organisation=candidate.worker.organisation,
        detail={"batch": batch.pk, "worker": candidate.worker_id, "from": before, "to": target},
    )
    if replaced:
        _fill(actor, batch, now, replaces=candidate)
    return candidate
