"""Enrolling workers in a scheme: a unit's team in one action (measure 3: the aid-team staff
not yet in the scheme are enrolled under the team's name), and the writes the member-list
import shares.

A worker is in a scheme at most once: the database says so (``welfare_enrolment_once``), the
services skip or refuse with a message, and two administrators enrolling the same unit at the
same moment never see a server error: the scheme row is locked while enrolling, and a clash
that still reaches the database is caught."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.textlimits import TOO_LONG
from nuanxin.registry.models import Worker
from nuanxin.welfare.choices import EnrolmentSource
from nuanxin.welfare.models import Enrolment, EnrolmentImport, Scheme
from nuanxin.welfare.selectors.eligibility import eligible_workers, own_team_names

TEAM_NAME_MAX = 100


@dataclass
class EnrolResult:
    enrolments: list[Enrolment] = field(default_factory=list)
    # Enrolled already: chosen although enrolled, or enrolled by someone else meanwhile.
    skipped: list[Worker] = field(default_factory=list)


def _team_name(value: Any) -> str:
    text = plaintext.line(value, field="team_name", label=_("Team name"))
    if len(text) > TEAM_NAME_MAX:
        raise ServiceError(
            str(TOO_LONG % {"limit_value": TEAM_NAME_MAX, "show_value": len(text)}), field="team_name"
        )
    return text


def _locked_scheme(scheme: Scheme) -> Scheme:
    """The scheme row locked for the rest of the transaction: enrolments of one scheme are
    written one transaction at a time."""
    return Scheme.objects.select_for_update().get(pk=scheme.pk)


def create_enrolments(
    *,
    actor: Any,
    scheme: Scheme,
    workers: Iterable[Worker],
    source: str,
    team_name: str = "",
    team_names: dict[int, str] | None = None,
    on: date | None = None,
    contribution: Decimal = Decimal("0"),
    imported_from: EnrolmentImport | None = None,
    dates: dict[int, date] | None = None,
) -> EnrolResult:
    """Write one enrolment per worker (inside the caller's transaction, scheme locked), one
    audit row each; a worker enrolled already is skipped, never a second row. The team's name:
    ``team_names[worker id]`` when given, else ``team_name``."""
    result = EnrolResult()
    workers = list(workers)
    taken = set(
        Enrolment.objects.filter(scheme=scheme, worker__in=[w.pk for w in workers]).values_list("worker_id", flat=True)
    )
    today = on or timezone.localdate()
    rows = []
    for worker in workers:
        if worker.pk in taken:
            result.skipped.append(worker)
            continue
        taken.add(worker.pk)
        name = (team_names or {}).get(worker.pk, team_name)
        enrolment = Enrolment(
            scheme=scheme,
            worker=worker,
            organisation_id=worker.organisation_id,
            source=source,
            team_name=name,
            enrolled_on=(dates or {}).get(worker.pk) or today,
            contribution=contribution,
            imported_from=imported_from,
            created_by=user_of(actor),
        )
        enrolment._history_user = user_of(actor)  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                enrolment.save()
        except IntegrityError:  # enrolled by someone else in the meantime
            result.skipped.append(worker)
            continue
        result.enrolments.append(enrolment)
        detail: dict[str, Any] = {"worker": worker.pk, "welfare_scheme": scheme.pk, "source": source}
        if name:
            detail["team_name"] = name
        rows.append((enrolment, worker.organisation, detail))
    if rows:
        audit.record_many(actor, "welfare.enrolment.create", rows)
    return result


@transaction.atomic
def enrol_unit(
    *,
    actor: Any,
    scheme: Scheme,
    organisation: Any,
    team_name: str = "",
    workers: Iterable[Worker] | None = None,
    on: date | None = None,
) -> EnrolResult:
    """Enrol the eligible workers of the unit ``organisation`` (those of its own register, not
    of the units below it) in ``scheme`` under the team's name, in one action: every eligible
    worker, or the ``workers`` chosen among them. ``team_name`` typed: everyone under it;
    empty: each person under their own batch's team name (``own_team_names``), so the people
    of a unit deployed with different batches are never put under one batch. Workers chosen
    who are enrolled already are left as they were and returned in ``skipped``. Each
    enrolment carries the scheme's contribution, to be charged to a fund later
    (``charges.charge_contributions``)."""
    if not Enrolment.policy.allows_in(actor, "enrol", organisation):
        raise NotAllowed(_("You may not enrol the workers of this unit."))
    scheme = _locked_scheme(scheme)
    if not scheme.active:
        raise ServiceError(_("This scheme is closed for enrolment."))
    eligible = list(eligible_workers(scheme, organisation))
    already: list[Worker] = []
    if workers is not None:
        wanted: set[int] = {int(w.pk if isinstance(w, Worker) else w) for w in workers}
        if not wanted:
            raise ServiceError(_("Choose at least one worker."), field="workers")
        by_pk = {w.pk: w for w in eligible}
        enrolled = set(
            Enrolment.objects.filter(scheme=scheme, worker_id__in=wanted).values_list("worker_id", flat=True)
        )
        strangers = sorted(wanted - set(by_pk) - enrolled)
        if strangers:
            names = list(Worker.objects.filter(pk__in=strangers).order_by("id").values_list("name", flat=True))
            raise ServiceError(
                _("Not an eligible worker of this unit: %(names)s.") % {"names": "、".join(names) or strangers[0]},
                field="workers",
            )
        chosen = [by_pk[pk] for pk in sorted(wanted) if pk in by_pk]
        already = list(Worker.objects.filter(pk__in=sorted(enrolled)).order_by("id"))
        if not chosen:
            raise ServiceError(_("Everyone chosen is enrolled in this scheme already."), field="workers")
    else:
        chosen = eligible
        if not chosen:
            raise ServiceError(_("No eligible worker of this unit is left to enrol in this scheme."))
    typed = _team_name(team_name)
    own_names = {w.pk: typed for w in chosen} if typed else own_team_names(scheme, chosen)
    result = create_enrolments(
        actor=actor, scheme=scheme, workers=chosen, source=EnrolmentSource.ENROLLED, team_names=own_names, on=on,
        contribution=scheme.contribution,
    )
    result.skipped = already + result.skipped
    return result
