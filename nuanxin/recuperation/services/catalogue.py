"""Bases, programmes and batches of recuperation (疗休养): the catalogue.

They belong to the whole tree (``path=None``): every union administrator sees them, only a city
administrator (a grant at the root: "manage") writes them. Each write is audited
(``recuperation.base.*``, ``recuperation.programme.*``, ``recuperation.batch.*``) with ids and
codes, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.textlimits import TOO_LONG
from nuanxin.recuperation.choices import (
    HOLDING,
    BatchStatus,
    CandidateStatus,
    ProgrammeStatus,
    RankCriterion,
)
from nuanxin.recuperation.models import Base, Batch, Candidate, Programme
from nuanxin.registry.choices import TeamType

NAME_MAX = 100
BATCH_NAME_MAX = 50
ADDRESS_MAX = 200
CONTACT_MAX = 50
PHONE_MAX = 30
NOTES_MAX = 2000
MAX_CAPACITY = 100000
MAX_COST = Decimal("1000000")


def _require_manage(actor: Any, model: type[Any]) -> None:
    if not model.policy.allows_in(actor, "manage", None):
        raise NotAllowed(_("Only a city administrator manages the recuperation bases, programmes and batches."))


def _limit(text: str, limit: int, field: str) -> str:
    if len(text) > limit:
        raise ServiceError(str(TOO_LONG % {"limit_value": limit, "show_value": len(text)}), field=field)
    return text


def _line(value: Any, *, field: str, label: str, limit: int, required: str | None = None) -> str:
    text = plaintext.line(value, field=field, label=label)
    if required and not text:
        raise ServiceError(required, field=field)
    return _limit(text, limit, field)


def _notes(value: Any, *, field: str, label: str, limit: int) -> str:
    return _limit(plaintext.notes(value, field=field, label=label), limit, field)


def _root() -> Any:
    from nuanxin.orgs.models import Organisation

    root = Organisation.objects.get_first_root_node()
    if root is None:  # pragma: no cover - a database without its tree
        raise ServiceError(_("The organisation tree has no root."))
    return root


def _whole(value: Any, *, field: str, low: int, high: int, message: str) -> int:
    if isinstance(value, bool):
        raise ServiceError(message, field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ServiceError(message, field=field) from None
    if number != value and str(number) != str(value).strip():
        raise ServiceError(message, field=field)
    if not low <= number <= high:
        raise ServiceError(message, field=field)
    return number


def _save(obj: Any, actor: Any) -> None:
    obj._history_user = user_of(actor)
    obj.save()


# --- bases --------------------------------------------------------------------------------------


def _base_fields(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or values.get(key) is not None

    if given("name"):
        fields["name"] = _line(values.get("name"), field="name", label=_("Name"), limit=NAME_MAX,
                               required=_("Give the base's name."))
    if given("address"):
        fields["address"] = _line(values.get("address"), field="address", label=_("Address"), limit=ADDRESS_MAX,
                                  required=_("Give the base's address."))
    if given("capacity"):
        fields["capacity"] = _whole(
            values.get("capacity"), field="capacity", low=1, high=MAX_CAPACITY,
            message=_("The capacity is a whole number of people from 1 to 100000."),
        )
    if given("contact_name"):
        fields["contact_name"] = _line(values.get("contact_name"), field="contact_name", label=_("Contact"),
                                       limit=CONTACT_MAX)
    if given("contact_phone"):
        fields["contact_phone"] = _line(values.get("contact_phone"), field="contact_phone",
                                        label=_("Contact phone"), limit=PHONE_MAX)
    if given("notes"):
        fields["notes"] = _notes(values.get("notes"), field="notes", label=_("Notes"), limit=NOTES_MAX)
    return fields


def _base_name_free(name: str, exclude: int | None = None) -> None:
    clash = Base.objects.filter(name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(_("A base of this name exists already."), field="name")


@transaction.atomic
def create_base(
    *, actor: Any, name: str, address: str, capacity: int, contact_name: str = "", contact_phone: str = "",
    notes: str = "",
) -> Base:
    """A new recuperation base (e.g. 青岛湛山疗养院) with its address and capacity (people at a
    time: a batch's places never exceed it). City administrators only."""
    _require_manage(actor, Base)
    fields = _base_fields(
        {"name": name, "address": address, "capacity": capacity, "contact_name": contact_name,
         "contact_phone": contact_phone, "notes": notes},
        partial=False,
    )
    _base_name_free(fields["name"])
    base = Base(created_by=user_of(actor), **fields)
    try:
        with transaction.atomic():
            _save(base, actor)
    except IntegrityError as exc:
        raise ServiceError(_("A base of this name exists already."), field="name") from exc
    audit.record(actor, "recuperation.base.create", obj=base, object_repr=f"base #{base.pk}",
                 detail={"name": base.name, "capacity": base.capacity})
    return base


@transaction.atomic
def update_base(
    base: Base, *, actor: Any, name: str | None = None, address: str | None = None, capacity: int | None = None,
    contact_name: str | None = None, contact_phone: str | None = None, notes: str | None = None,
    active: bool | None = None, version: int | None = None,
) -> Base:
    """Change a base (``None``: unchanged). The capacity cannot fall below the places of a
    batch at the base that is not over yet."""
    _require_manage(actor, Base)
    base = Base.objects.select_for_update().get(pk=base.pk)
    versioning.check_version(base, version)
    fields = _base_fields(
        {"name": name, "address": address, "capacity": capacity, "contact_name": contact_name,
         "contact_phone": contact_phone, "notes": notes},
        partial=True,
    )
    if active is not None:
        fields["active"] = bool(active)
    changed = {k: v for k, v in fields.items() if getattr(base, k) != v}
    if not changed:
        return base
    if "name" in changed:
        _base_name_free(changed["name"], base.pk)
    if "capacity" in changed:
        largest = (
            Batch.objects.filter(base=base, status__in=[BatchStatus.OPEN, BatchStatus.CLOSED])
            .order_by("-places").values_list("places", flat=True).first()
        )
        if largest is not None and largest > changed["capacity"]:
            raise ServiceError(
                _("A batch at this base has %(places)d places: the capacity cannot be less.") % {"places": largest},
                field="capacity",
            )
    for key, value in changed.items():
        setattr(base, key, value)
    versioning.bump(base)
    _save(base, actor)
    audit.record(actor, "recuperation.base.update", obj=base, object_repr=f"base #{base.pk}",
                 detail={"changed": sorted(changed), "name": base.name})
    return base


# --- programmes ---------------------------------------------------------------------------------


def check_ranking(value: Any) -> list[str]:
    """The ranking rule as stored: ``RankCriterion`` values in order, each once, at least one."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ServiceError(_("Choose the ranking rule's criteria in order."), field="ranking")
    criteria = [str(getattr(c, "value", c)) for c in value]
    if not criteria:
        raise ServiceError(_("Choose at least one criterion of the ranking rule."), field="ranking")
    if any(c not in RankCriterion.values for c in criteria):
        raise ServiceError(_("Choose the ranking rule's criteria in order."), field="ranking")
    if len(set(criteria)) != len(criteria):
        raise ServiceError(_("Each criterion comes once in the ranking rule."), field="ranking")
    return criteria


def check_cost(value: Any) -> Decimal:
    """A place's cost in yuan: zero or more, at most two decimal places."""
    message = _("Enter the cost of a place in yuan, e.g. 1800 or 1800.50 (0 when free of charge).")
    if isinstance(value, bool) or value is None:
        raise ServiceError(message, field="cost_per_place")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ServiceError(message, field="cost_per_place") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_COST or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(message, field="cost_per_place")
    return amount.quantize(Decimal("0.01"))


def _programme_fields(values: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or values.get(key) is not None

    if given("name"):
        fields["name"] = _line(values.get("name"), field="name", label=_("Name"), limit=NAME_MAX,
                               required=_("Give the programme's name."))
    if given("description"):
        fields["description"] = _notes(values.get("description"), field="description", label=_("Description"),
                                       limit=NOTES_MAX)
    if given("ranking"):
        fields["ranking"] = check_ranking(values.get("ranking"))
    if given("offer_hours"):
        fields["offer_hours"] = _whole(
            values.get("offer_hours"), field="offer_hours", low=1, high=720,
            message=_("An offer is held for 1 to 720 hours."),
        )
    if given("cost_per_place"):
        fields["cost_per_place"] = check_cost(values.get("cost_per_place"))
    return fields


def _programme_name_free(name: str, exclude: int | None = None) -> None:
    clash = Programme.objects.filter(name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(_("A programme of this name exists already."), field="name")


def _programme_detail(programme: Programme) -> dict[str, Any]:
    return {"ranking": list(programme.ranking), "offer_hours": programme.offer_hours,
            "cost_per_place": str(programme.cost_per_place)}


@transaction.atomic
def create_programme(
    *, actor: Any, name: str, description: str = "", ranking: Iterable[str] | None = None, offer_hours: int = 48,
    cost_per_place: Any = Decimal("0"),
) -> Programme:
    """A new programme (e.g. 抗疫一线医务人员免费疗休养) run by the city, in status draft, with its
    ranking rule (``RankCriterion`` values in order; the default rule when ``None``), how long
    an offer is held and the cost of a place. City administrators only."""
    from nuanxin.recuperation.choices import DEFAULT_RANKING

    _require_manage(actor, Programme)
    fields = _programme_fields(
        {"name": name, "description": description, "ranking": DEFAULT_RANKING if ranking is None else ranking,
         "offer_hours": offer_hours, "cost_per_place": cost_per_place},
        partial=False,
    )
    _programme_name_free(fields["name"])
    programme = Programme(organisation=_root(), status=ProgrammeStatus.DRAFT, created_by=user_of(actor), **fields)
    try:
        with transaction.atomic():
            _save(programme, actor)
    except IntegrityError as exc:
        raise ServiceError(_("A programme of this name exists already."), field="name") from exc
    audit.record(actor, "recuperation.programme.create", obj=programme, object_repr=f"programme #{programme.pk}",
                 organisation=programme.organisation, detail={"name": programme.name, **_programme_detail(programme)})
    return programme


@transaction.atomic
def update_programme(
    programme: Programme, *, actor: Any, name: str | None = None, description: str | None = None,
    ranking: Iterable[str] | None = None, offer_hours: int | None = None, cost_per_place: Any = None,
    version: int | None = None,
) -> Programme:
    """Change a programme (``None``: unchanged). The ranking rule applies from then on to every
    waiting candidate (places already offered stay offered)."""
    _require_manage(actor, Programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    versioning.check_version(programme, version)
    fields = _programme_fields(
        {"name": name, "description": description, "ranking": ranking, "offer_hours": offer_hours,
         "cost_per_place": cost_per_place},
        partial=True,
    )
    changed = {k: v for k, v in fields.items() if getattr(programme, k) != v}
    if not changed:
        return programme
    if "name" in changed:
        _programme_name_free(changed["name"], programme.pk)
    for key, value in changed.items():
        setattr(programme, key, value)
    versioning.bump(programme)
    _save(programme, actor)
    audit.record(actor, "recuperation.programme.update", obj=programme, object_repr=f"programme #{programme.pk}",
                 organisation=programme.organisation,
                 detail={"changed": sorted(changed), **_programme_detail(programme)})
    return programme


def _programme_status(programme: Programme, *, actor: Any, to: str, version: int | None, action: str) -> Programme:
    _require_manage(actor, Programme)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    versioning.check_version(programme, version)
    before = programme.status
    if to == ProgrammeStatus.OPEN and before == ProgrammeStatus.OPEN:
        raise ServiceError(_("This programme is open already."))
    if to == ProgrammeStatus.CLOSED and before != ProgrammeStatus.OPEN:
        raise ServiceError(_("Only an open programme can be closed."))
    programme.status = to
    versioning.bump(programme)
    _save(programme, actor)
    audit.record(actor, action, obj=programme, object_repr=f"programme #{programme.pk}",
                 organisation=programme.organisation, detail={"from": before, "to": to})
    return programme


@transaction.atomic
def open_programme(programme: Programme, *, actor: Any, version: int | None = None) -> Programme:
    """Open a draft (or closed) programme: its batches are shown to the unit unions."""
    return _programme_status(programme, actor=actor, to=ProgrammeStatus.OPEN, version=version,
                             action="recuperation.programme.open")


@transaction.atomic
def close_programme(programme: Programme, *, actor: Any, version: int | None = None) -> Programme:
    """Close an open programme: no new batch; the batches already planned go on."""
    return _programme_status(programme, actor=actor, to=ProgrammeStatus.CLOSED, version=version,
                             action="recuperation.programme.close")


# --- batches ------------------------------------------------------------------------------------


def check_teams(value: Any) -> list[str]:
    """Who may go: ``TeamType`` values (empty: every frontline team), in the choices' order."""
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ServiceError(_("Choose the frontline teams that may go."), field="teams")
    chosen = {str(getattr(t, "value", t)) for t in value}
    if any(t not in TeamType.values for t in chosen):
        raise ServiceError(_("Choose the frontline teams that may go."), field="teams")
    return [t for t in TeamType.values if t in chosen]


def _date(value: Any, field: str, message: str) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ServiceError(message, field=field)
    return value


def holding(batch: Batch) -> int:
    """How many candidates of ``batch`` hold a place (offered, accepted, attended)."""
    return Candidate.objects.filter(batch=batch, status__in=[s.value for s in HOLDING]).count()


def _batch_checks(fields: dict[str, Any], batch: Batch | None, today: date | None = None) -> None:
    """The rules between a batch's fields (``fields`` holds the batch's values after the change).
    A new batch, or one whose start is moved, starts after ``today`` (the local date unless
    given: the demo builds a batch held a month ago on the day it was planned)."""
    base: Base = fields["base"]
    if batch is None or fields["starts_on"] != batch.starts_on:
        if fields["starts_on"] <= (today or timezone.localdate()):
            raise ServiceError(_("A batch starts after today: give a later start date."), field="starts_on")
    if fields["ends_on"] < fields["starts_on"]:
        raise ServiceError(_("The batch ends on or after the day it starts."), field="ends_on")
    if fields["places"] > base.capacity:
        raise ServiceError(
            _("The base “%(base)s” takes %(capacity)d people at a time: give at most that many places.")
            % {"base": base.name, "capacity": base.capacity},
            field="places",
        )
    close_at = fields.get("nominations_close_at")
    if close_at is not None:
        if not isinstance(close_at, datetime) or timezone.is_naive(close_at):
            raise ServiceError(_("Give the date and time nominations close."), field="nominations_close_at")
        if timezone.localdate(close_at) >= fields["starts_on"]:
            raise ServiceError(
                _("Nominations must close before the day the batch starts."),
                field="nominations_close_at",
            )
    clash = Batch.objects.filter(programme=fields["programme"], name=fields["name"])
    if batch is not None:
        clash = clash.exclude(pk=batch.pk)
    if clash.exists():
        raise ServiceError(_("The programme has a batch of this name already."), field="name")
    if batch is not None:
        taken = holding(batch)
        if fields["places"] < taken:
            raise ServiceError(
                _("%(count)d places are offered or taken already: the batch cannot have fewer places.")
                % {"count": taken},
                field="places",
            )


def _batch_detail(batch: Batch) -> dict[str, Any]:
    return {"name": batch.name, "recuperation_base": batch.base_id, "starts_on": batch.starts_on.isoformat(),
            "places": batch.places, "teams": list(batch.teams)}


@transaction.atomic
def create_batch(
    *, actor: Any, programme: Programme, base: Base, name: str, starts_on: date, ends_on: date, places: int,
    teams: Iterable[str] | None = None, nominations_close_at: datetime | None = None, today: date | None = None,
) -> Batch:
    """A new batch of ``programme`` at ``base`` (in use): its dates, places (at most the base's
    capacity), who may go (``TeamType`` values; empty: every frontline team) and when
    nominations close (before the day it starts). It starts after ``today`` (the local date).
    Opens for nominations at once. City administrators only; not in a closed programme."""
    _require_manage(actor, Batch)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.status == ProgrammeStatus.CLOSED:
        raise ServiceError(_("The programme is closed: it takes no new batch."))
    if base is None or not Base.objects.filter(pk=base.pk, active=True).exists():
        raise ServiceError(_("Choose a base in use."), field="base")
    fields = {
        "programme": programme,
        "base": Base.objects.get(pk=base.pk),
        "name": _line(name, field="name", label=_("Name"), limit=BATCH_NAME_MAX,
                      required=_("Give the batch's name, e.g. 第一期.")),
        "starts_on": _date(starts_on, "starts_on", _("Give the day the batch starts.")),
        "ends_on": _date(ends_on, "ends_on", _("Give the day the batch ends.")),
        "places": _whole(places, field="places", low=1, high=MAX_CAPACITY,
                         message=_("The places are a whole number from 1 to 100000.")),
        "teams": check_teams(teams),
        "nominations_close_at": nominations_close_at,
    }
    _batch_checks(fields, None, today)
    batch = Batch(status=BatchStatus.OPEN, created_by=user_of(actor), **fields)
    try:
        with transaction.atomic():
            _save(batch, actor)
    except IntegrityError as exc:
        raise ServiceError(_("The programme has a batch of this name already."), field="name") from exc
    audit.record(actor, "recuperation.batch.create", obj=batch, object_repr=f"batch #{batch.pk}",
                 organisation=programme.organisation,
                 detail={"recuperation_programme": programme.pk, **_batch_detail(batch)})
    return batch


_UNSET: Any = object()


@transaction.atomic
def update_batch(
    batch: Batch, *, actor: Any, base: Base | None = None, name: str | None = None, starts_on: date | None = None,
    ends_on: date | None = None, places: int | None = None, teams: Iterable[str] | None = None,
    nominations_close_at: Any = _UNSET, version: int | None = None, today: date | None = None,
) -> Batch:
    """Change a batch (``None``: unchanged; ``nominations_close_at=None`` removes the closing
    time). The places cannot fall below those offered or taken. A held or cancelled batch is
    not changed any more."""
    _require_manage(actor, Batch)
    batch = Batch.objects.select_for_update().select_related("programme", "base").get(pk=batch.pk)
    versioning.check_version(batch, version)
    if batch.status in (BatchStatus.FINISHED, BatchStatus.CANCELLED):
        raise ServiceError(_("This batch is over: it is not changed any more."))
    after: dict[str, Any] = {
        "programme": batch.programme, "base": batch.base, "name": batch.name, "starts_on": batch.starts_on,
        "ends_on": batch.ends_on, "places": batch.places, "teams": list(batch.teams),
        "nominations_close_at": batch.nominations_close_at,
    }
    if base is not None and base.pk != batch.base_id:
        if not Base.objects.filter(pk=base.pk, active=True).exists():
            raise ServiceError(_("Choose a base in use."), field="base")
        after["base"] = Base.objects.get(pk=base.pk)
    if name is not None:
        after["name"] = _line(name, field="name", label=_("Name"), limit=BATCH_NAME_MAX,
                              required=_("Give the batch's name, e.g. 第一期."))
    if starts_on is not None:
        after["starts_on"] = _date(starts_on, "starts_on", _("Give the day the batch starts."))
    if ends_on is not None:
        after["ends_on"] = _date(ends_on, "ends_on", _("Give the day the batch ends."))
    if places is not None:
        after["places"] = _whole(places, field="places", low=1, high=MAX_CAPACITY,
                                 message=_("The places are a whole number from 1 to 100000."))
    if teams is not None:
        after["teams"] = check_teams(teams)
    if nominations_close_at is not _UNSET:
        after["nominations_close_at"] = nominations_close_at
    changed = sorted(k for k, v in after.items() if getattr(batch, k) != v)
    if not changed:
        return batch
    _batch_checks(after, batch, today)
    for key in changed:
        setattr(batch, key, after[key])
    versioning.bump(batch)
    _save(batch, actor)
    audit.record(actor, "recuperation.batch.update", obj=batch, object_repr=f"batch #{batch.pk}",
                 organisation=batch.programme.organisation, detail={"changed": changed, **_batch_detail(batch)})
    return batch


def _batch_status(batch: Batch, *, actor: Any, to: str, version: int | None, action: str) -> Batch:
    _require_manage(actor, Batch)
    batch = Batch.objects.select_for_update().select_related("programme").get(pk=batch.pk)
    versioning.check_version(batch, version)
    before = batch.status
    if to == BatchStatus.OPEN:
        if before != BatchStatus.CLOSED:
            raise ServiceError(_("Only a batch whose nominations are closed can be opened again."))
        if batch.programme.status == ProgrammeStatus.CLOSED:
            raise ServiceError(_("The programme is closed: its batches take no new nominations."))
        if batch.nominations_close_at is not None and batch.nominations_close_at <= timezone.now():
            raise ServiceError(
                _("The closing time of nominations has passed: set a later one before opening the batch again."),
                field="nominations_close_at",
            )
    elif to == BatchStatus.CLOSED:
        if before != BatchStatus.OPEN:
            raise ServiceError(_("Only a batch taking nominations can be closed."))
    elif to == BatchStatus.FINISHED:
        if before not in (BatchStatus.OPEN, BatchStatus.CLOSED):
            raise ServiceError(_("This batch is over already."))
        if batch.starts_on > timezone.localdate():
            raise ServiceError(_("A batch is marked as held once it has started."))
        if Candidate.objects.filter(batch=batch, status=CandidateStatus.OFFERED).exists():
            raise ServiceError(_("An offer of this batch still awaits its answer."))
    batch.status = to
    versioning.bump(batch)
    _save(batch, actor)
    audit.record(actor, action, obj=batch, object_repr=f"batch #{batch.pk}",
                 organisation=batch.programme.organisation, detail={"from": before, "to": to})
    return batch


@transaction.atomic
def close_batch(batch: Batch, *, actor: Any, version: int | None = None) -> Batch:
    """Stop taking nominations for ``batch`` (its places are still offered by rank)."""
    return _batch_status(batch, actor=actor, to=BatchStatus.CLOSED, version=version,
                         action="recuperation.batch.close")


@transaction.atomic
def open_batch(batch: Batch, *, actor: Any, version: int | None = None) -> Batch:
    """Take nominations for ``batch`` again (before its closing time)."""
    return _batch_status(batch, actor=actor, to=BatchStatus.OPEN, version=version, action="recuperation.batch.open")


@transaction.atomic
def finish_batch(batch: Batch, *, actor: Any, version: int | None = None) -> Batch:
    """Mark ``batch`` as held (once started, with no offer awaiting an answer): its cost is then
    charged for those who attended."""
    return _batch_status(batch, actor=actor, to=BatchStatus.FINISHED, version=version,
                         action="recuperation.batch.finish")
