"""Pregnancy and lactation arrangements (sensitive: PIPL art. 28).

- ``refer_arrangement``: a care contact (or a labour officer, an administrator) raises one for a
  woman worker of a family they may refer ("refer": the family's care contact, the labour
  officers and administrators of the worker's unit and above), from a visit or a difficulty.
- ``agree_arrangement``: a labour officer or administrator ("change") records what was agreed
  with the employer (measures, from/until, who confirmed it at the unit and when, the review
  date); the same call changes an agreed one.
- ``end_arrangement``: the stage is over or the arrangement is no longer needed.

Every write checks the policy first and writes its audit row in the same transaction. The
audit rows name the arrangement (``Arrangement #n``) and which fields changed, never the
stage, the dates or the notes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.labour.choices import MEASURES, ArrangementStatus, Stage
from nuanxin.labour.models import Arrangement
from nuanxin.notify.services import notify
from nuanxin.registry.choices import Gender
from nuanxin.registry.models import Worker

MEASURE_FIELDS = tuple(name for name, _label in MEASURES)
OPEN_STATUSES = (ArrangementStatus.REFERRED, ArrangementStatus.AGREED)
EXPECTED_WITHIN_DAYS = 300  # about 10 months: a pregnancy's length
LACTATING_WITHIN_DAYS = 730  # about 2 years
NOTES_MAX = 2000
CONFIRMED_BY_MAX = 100


def measures_of(arrangement: Arrangement) -> list[str]:
    return [name for name in MEASURE_FIELDS if getattr(arrangement, name)]


def _check_worker(worker: Any) -> None:
    if worker.gender == Gender.MALE:
        raise ServiceError(
            _(
                "The register records %(name)s as male: a pregnancy or lactation arrangement is for a woman "
                "worker. If the register is wrong, have it corrected first."
            )
            % {"name": worker.name},
            field="stage",
        )


def _check_measures(measures: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(measures))
    unknown = [m for m in chosen if m not in MEASURE_FIELDS]
    if unknown:
        raise ServiceError(_("Unknown measure: %(measure)s.") % {"measure": unknown[0]}, field="measures")
    return chosen


def _check_stage(
    stage: str, expected_on: date | None, lactating_until: date | None, *, unchanged: tuple[Any, Any] = (None, None)
) -> None:
    """The stage and the date it needs (the other stage's date is ignored by the callers). A
    date that is ``unchanged`` (the one already stored) is not checked against today again."""
    if stage not in Stage.values:
        raise ServiceError(_("Choose pregnant or lactating."), field="stage")
    today = timezone.localdate()
    if stage == Stage.PREGNANT:
        if expected_on is None:
            raise ServiceError(_("Give the expected delivery date of a pregnant worker."), field="expected_on")
        latest = today + timedelta(days=EXPECTED_WITHIN_DAYS)
        if expected_on != unchanged[0] and not today <= expected_on <= latest:
            raise ServiceError(
                _(
                    "The expected delivery date must lie between today (%(today)s) and about 10 months ahead "
                    "(%(latest)s)."
                )
                % {"today": today.isoformat(), "latest": latest.isoformat()},
                field="expected_on",
            )
    if stage == Stage.LACTATING:
        if lactating_until is None:
            raise ServiceError(
                _("Give the date until which a lactating worker is breastfeeding."), field="lactating_until"
            )
        latest = today + timedelta(days=LACTATING_WITHIN_DAYS)
        if lactating_until != unchanged[1] and not today < lactating_until <= latest:
            raise ServiceError(
                _(
                    "The date until which she is breastfeeding must lie after today (%(today)s) and within about "
                    "2 years (%(latest)s)."
                )
                % {"today": today.isoformat(), "latest": latest.isoformat()},
                field="lactating_until",
            )


def open_arrangement_of(worker: Any) -> Arrangement | None:
    """The worker's open (referred or agreed) arrangement, if any."""
    return Arrangement.objects.filter(worker=worker, status__in=OPEN_STATUSES).order_by("pk").first()


def already_open_message() -> str:
    """What anyone referring a second arrangement is told: it says one is in hand, never what."""
    return _(
        "This worker already has an arrangement in hand, passed to the labour officers; if anything new has "
        "come up, please tell them."
    )


def _check_text(notes: str, field: str = "notes", limit: int = NOTES_MAX) -> str:
    notes = (notes or "").strip()
    if len(notes) > limit:
        raise ServiceError(
            _("At most %(limit)d characters, now %(count)d.") % {"limit": limit, "count": len(notes)}, field=field
        )
    return notes


def _check_source(worker: Any, visit: Any, difficulty: Any) -> None:
    if visit is not None and visit.worker_id != worker.pk:
        raise ServiceError(_("The visit is not of this family."), field="visit")
    if difficulty is not None and difficulty.worker_id != worker.pk:
        raise ServiceError(_("The difficulty is not of this family."), field="difficulty")


def _detail_url(arrangement: Arrangement) -> str:
    return reverse("labour:arrangement_detail", kwargs={"pk": arrangement.pk})


@transaction.atomic
def refer_arrangement(
    *,
    actor: Any,
    worker: Any,
    stage: str,
    expected_on: date | None = None,
    lactating_until: date | None = None,
    measures: Iterable[str] = (),
    notes: str = "",
    visit: Any = None,
    difficulty: Any = None,
) -> Arrangement:
    """A referred arrangement (nothing agreed yet) for ``worker``; the labour officers and
    administrators of her unit are told (in-app, without her name)."""
    arrangement = Arrangement(worker=worker, status=ArrangementStatus.REFERRED)
    Arrangement.policy.require(actor, "refer", arrangement)
    _check_worker(worker)
    # One open arrangement per worker: the worker row is locked so that two referrals at once
    # (the care contact pressing twice, or two people) wait for each other.
    Worker.objects.select_for_update().only("pk").get(pk=worker.pk)
    if open_arrangement_of(worker) is not None:
        raise ServiceError(already_open_message())
    _check_stage(stage, expected_on, lactating_until)
    chosen = _check_measures(measures)
    _check_source(worker, visit, difficulty)
    arrangement.stage = stage
    arrangement.expected_on = expected_on if stage == Stage.PREGNANT else None
    arrangement.lactating_until = lactating_until if stage == Stage.LACTATING else None
    for name in MEASURE_FIELDS:
        setattr(arrangement, name, name in chosen)
    arrangement.notes = _check_text(notes)
    arrangement.visit = visit
    arrangement.difficulty = difficulty
    arrangement.created_by = actor if getattr(actor, "pk", None) else None
    arrangement._history_user = arrangement.created_by
    arrangement.save()
    source = "visit" if visit is not None else "difficulty" if difficulty is not None else ""
    audit.record(
        actor,
        "labour.arrangement.refer",
        obj=arrangement,
        organisation=worker.organisation,
        detail={"opened_from": source} if source else {},
    )
    _tell_holders(arrangement)
    return arrangement


def _tell_holders(arrangement: Arrangement) -> None:
    unit = arrangement.worker.organisation
    url = _detail_url(arrangement)

    def texts() -> tuple[str, str]:
        return (
            _("A pregnancy or lactation arrangement was referred in %(unit)s") % {"unit": unit.name},
            _("Agree it with the employer: open %(name)s to see it.") % {"name": str(arrangement)},
        )

    for user in Arrangement.policy.holders("change", unit):
        notify(
            recipient=user,
            kind="labour.arrangement.referred",
            occasion=str(arrangement.pk),
            texts=texts,
            url=url,
            email=False,
        )


def _locked(arrangement: Arrangement) -> Arrangement:
    return Arrangement.objects.select_for_update().select_related("worker__organisation").get(pk=arrangement.pk)


@transaction.atomic
def agree_arrangement(
    *,
    actor: Any,
    arrangement: Arrangement,
    stage: str,
    expected_on: date | None,
    lactating_until: date | None,
    measures: Iterable[str],
    starts_on: date | None,
    ends_on: date | None,
    confirmed_by: str,
    confirmed_on: date | None,
    review_on: date | None,
    notes: str = "",
    version: Any = None,
) -> Arrangement:
    """Record (or change) what was agreed with the employer: at least one measure, from and
    until in order, who confirmed it at the unit and when, the review date."""
    Arrangement.policy.require(actor, "change", arrangement)
    current = _locked(arrangement)
    versioning.check_version(current, version)
    if current.status == ArrangementStatus.ENDED:
        raise ServiceError(_("This arrangement has ended: it can no longer be changed."))
    _check_worker(current.worker)
    _check_stage(stage, expected_on, lactating_until, unchanged=(current.expected_on, current.lactating_until))
    chosen = _check_measures(measures)
    if not chosen:
        raise ServiceError(_("Choose at least one measure agreed with the employer."), field="measures")
    if starts_on is None:
        raise ServiceError(_("Give the date the arrangement starts."), field="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ServiceError(_("The arrangement cannot end before it starts."), field="ends_on")
    if review_on is None:
        raise ServiceError(_("Give a review date."), field="review_on")
    if review_on < starts_on:
        raise ServiceError(_("The review date cannot be before the arrangement starts."), field="review_on")
    if ends_on is not None and review_on > ends_on:
        raise ServiceError(_("The review date cannot be after the arrangement ends."), field="review_on")
    confirmed_by = _check_text(confirmed_by, "confirmed_by", CONFIRMED_BY_MAX)
    if not confirmed_by:
        raise ServiceError(_("Say who confirmed the arrangement at the unit."), field="confirmed_by")
    if confirmed_on is None:
        raise ServiceError(_("Give the date it was confirmed at the unit."), field="confirmed_on")
    if confirmed_on > timezone.localdate():
        raise ServiceError(_("The date it was confirmed cannot be in the future."), field="confirmed_on")
    values: dict[str, Any] = {
        "stage": stage,
        "expected_on": expected_on if stage == Stage.PREGNANT else None,
        "lactating_until": lactating_until if stage == Stage.LACTATING else None,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "confirmed_by": confirmed_by,
        "confirmed_on": confirmed_on,
        "review_on": review_on,
        "notes": _check_text(notes),
        **{name: name in chosen for name in MEASURE_FIELDS},
    }
    changed = sorted(k for k, v in values.items() if getattr(current, k) != v)
    agreeing = current.status == ArrangementStatus.REFERRED
    if not changed and not agreeing:
        return current
    for key, value in values.items():
        setattr(current, key, value)
    current.status = ArrangementStatus.AGREED
    versioning.bump(current)
    current._history_user = actor if getattr(actor, "pk", None) else None
    current.save()
    audit.record(
        actor,
        "labour.arrangement.agree" if agreeing else "labour.arrangement.change",
        obj=current,
        organisation=current.worker.organisation,
        detail={"changed": changed},
    )
    return current


@transaction.atomic
def end_arrangement(
    *, actor: Any, arrangement: Arrangement, on: date | None = None, reason: str = "", version: Any = None
) -> Arrangement:
    """End an arrangement (the stage is over, or it is no longer needed) on ``on`` (today by
    default); the reason is added to its notes."""
    Arrangement.policy.require(actor, "change", arrangement)
    current = _locked(arrangement)
    versioning.check_version(current, version)
    if current.status == ArrangementStatus.ENDED:
        raise ServiceError(_("This arrangement has already ended."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ServiceError(
            _("An arrangement is ended today or on a past day; a later end goes in “Until” when changing it."),
            field="on",
        )
    if current.starts_on is not None and on < current.starts_on:
        raise ServiceError(_("The arrangement cannot end before it starts."), field="on")
    reason = _check_text(reason, "reason", 500)
    current.status = ArrangementStatus.ENDED
    current.ends_on = on
    if reason:
        line = _("Ended on %(date)s: %(reason)s") % {"date": on.isoformat(), "reason": reason}
        current.notes = _check_text(f"{current.notes}\n{line}".strip())
    versioning.bump(current)
    current._history_user = actor if getattr(actor, "pk", None) else None
    current.save()
    audit.record(
        actor,
        "labour.arrangement.end",
        obj=current,
        organisation=current.worker.organisation,
        detail={"reason_given": bool(reason)},
    )
    return current
