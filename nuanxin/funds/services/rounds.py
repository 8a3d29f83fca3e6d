"""Condolence rounds (慰问金发放): a fixed sum to each person on a list, from one fund, in one
approval (``ledger.record_round``); more people later (``ledger.add_to_round``), each a new
entry approved on its own. Nobody is paid twice in a round: people listed twice and people
already paid (by an entry not rejected) are left out, and said so; the database refuses a
second payment too (``funds_beneficiary_once_per_round``), so two clerks adding the same
person at the same moment cannot both succeed. After a rejection its people may be paid again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.funds.models import Beneficiary, CondolenceRound, Entry, Fund
from nuanxin.funds.services import ledger


@dataclass
class RoundPlan:
    """Who is paid (each once, in the order given) and who is left out: listed more than
    once, or already paid in the round."""

    workers: list = field(default_factory=list)
    repeated: list = field(default_factory=list)
    already_paid: list = field(default_factory=list)

    @property
    def left_out(self) -> int:
        return len(self.repeated) + len(self.already_paid)


def plan(round_: CondolenceRound | None, workers: Sequence) -> RoundPlan:
    result = RoundPlan()
    seen: set[int] = set()
    paid: set[int] = set()
    if round_ is not None:
        paid = set(
            Beneficiary.objects.filter(round=round_, active=True, worker__in=[w.pk for w in workers]).values_list(
                "worker_id", flat=True
            )
        )
    for worker in workers:
        if worker.pk in seen:
            result.repeated.append(worker)
            continue
        seen.add(worker.pk)
        if worker.pk in paid:
            result.already_paid.append(worker)
        else:
            result.workers.append(worker)
    return result


def _refuse_race(exc: IntegrityError | ServiceError) -> Conflict:
    return Conflict(
        _("Someone has just paid one of these people in this round. Open the round again to see who is paid."),
        field="workers",
    )


@transaction.atomic
def create_round(
    *, actor, fund: Fund, name: str, amount_per_person, on: date, workers: Sequence, description: str = ""
) -> tuple[CondolenceRound, RoundPlan]:
    """A new round paying ``amount_per_person`` to each of ``workers`` (one entry, approved
    once). People listed twice are paid once (``RoundPlan.repeated``)."""
    Fund.policy.require(actor, "record", fund, _("You may not record entries of this fund."))
    if on is None:
        raise ServiceError(_("Enter the date."), field="on")
    result = plan(None, workers)
    if not result.workers:
        raise ServiceError(_("Choose the people to pay."), field="workers")
    try:
        with transaction.atomic():
            round_ = ledger.record_round(
                actor=actor, fund=fund, name=name, amount_per_person=amount_per_person, on=on,
                workers=result.workers, description=(description or "").strip(),
            )
    except IntegrityError as exc:  # pragma: no cover - a new round has no one paid yet
        raise _refuse_race(exc) from None
    if result.left_out:
        audit.record(
            actor, "funds.round.left_out", obj=round_, object_repr=f"round #{round_.pk}",
            organisation=round_.organisation, detail={"round_listed_twice": len(result.repeated)},
        )
    return round_, result


@transaction.atomic
def add_people(
    *, actor, round_: CondolenceRound, workers: Sequence, on: date, description: str = ""
) -> tuple[Entry, RoundPlan]:
    """Pay the round's sum to more people (a new entry of the round). People already paid in
    the round (by an entry not rejected) and people listed twice are left out and returned in
    the plan; if nobody is left, nothing is recorded."""
    CondolenceRound.policy.require(actor, "record", round_, _("You may not record entries of this fund."))
    if on is None:
        raise ServiceError(_("Enter the date."), field="on")
    result = plan(round_, workers)
    if not result.workers:
        if result.already_paid:
            raise ServiceError(
                _("Everyone chosen is already paid in this round: nothing to record."), code="duplicate",
                field="workers",
            )
        raise ServiceError(_("Choose the people to pay."), field="workers")
    try:
        with transaction.atomic():
            entry = ledger.add_to_round(
                actor=actor, round_=round_, workers=result.workers, on=on, description=(description or "").strip()
            )
    except IntegrityError as exc:
        raise _refuse_race(exc) from None
    except ServiceError as exc:
        # The plan above left out everyone paid when it looked; the ledger, under the fund's
        # lock, finding someone paid means another clerk paid them in between.
        if exc.code == "duplicate":
            raise _refuse_race(exc) from None
        raise
    audit.record(
        actor, "funds.round.add", obj=round_, object_repr=f"round #{round_.pk}", organisation=round_.organisation,
        detail={
            "round_entry": entry.pk,
            "round_people_added": len(result.workers),
            "round_already_paid": len(result.already_paid),
            "round_listed_twice": len(result.repeated),
        },
    )
    return entry, result


def people(round_: CondolenceRound) -> list[Beneficiary]:
    """Everyone listed in the round, with their entry (status), in the order recorded."""
    return list(
        Beneficiary.objects.filter(round=round_)
        .select_related("worker__organisation", "entry")
        .order_by("entry_id", "id")
    )
