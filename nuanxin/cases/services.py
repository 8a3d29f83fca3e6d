"""The generic writes of every case model: open one or many, move along the life cycle, note,
update and hand over, escalate the overdue ones.

A case model derives from ``cases.models.Case`` (a worker's family's matter: its organisation
is the worker's unit) or from ``CaseBase`` (a matter of no registered worker, e.g. a hotline's
callback: the domain names its ``organisation``). The services serve both: ``open`` takes a
``worker`` or an ``organisation``; escalation up the tree starts from the worker's unit, or
from the case's organisation when it has no worker.

Each takes a keyword-only ``actor`` (a user, or ``core.policy.SYSTEM``), asks the model's
policy (``Model.policy``) for the action its life cycle names, and writes the case, its
timeline note and its audit row in one transaction. The domain app validates its own fields
(a description, a category) and passes them on; the refusals speak the life cycle's ``texts``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar, cast

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.cases.lifecycle import NoteKind
from nuanxin.cases.models import Case, CaseBase, CaseNote, note_model
from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import is_system

C = TypeVar("C", bound=CaseBase)

NOTE_LIMIT = 5000  # characters of one note


class CasePolicy(Protocol):
    """What the services ask of a case model's policy (``core.policy.Policy``)."""

    def allows(self, user: Any, action: str, obj: Any) -> bool: ...

    def holders(self, action: str, organisation: Any) -> models.QuerySet[Any]: ...


def policy_of(model: type[CaseBase]) -> CasePolicy:
    policy: CasePolicy = model.policy  # type: ignore[attr-defined]
    return policy


def user_of(actor: Any) -> Any:
    """The user to record as author (``None`` for the system)."""
    if actor is None or is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def _require(condition: bool, message: object) -> None:
    if not condition:
        raise NotAllowed(str(message))


def may(actor: Any, action: str, case: CaseBase) -> bool:
    """Whether ``actor`` may do ``action`` (a policy action) to ``case``."""
    return policy_of(type(case)).allows(actor, action, case)


def _note_model(model: type[CaseBase]) -> tuple[type[CaseNote], str]:
    """``models.note_model`` for any case model (it finds the notes through ``related_name``)."""
    return note_model(cast("type[Case]", model))


def has_worker(model: type[CaseBase]) -> bool:
    """Whether cases of ``model`` concern a registered worker's family (``Case``) or not
    (``CaseBase``, which may still name a worker for another reason: a nomination's nominee)."""
    return issubclass(model, Case)


def _related(model: type[CaseBase]) -> str:
    """What to read with a case: the worker's unit (escalation starts there), or the case's
    organisation when it has no worker."""
    return "worker__organisation" if has_worker(model) else "organisation"


def unit_of(case: CaseBase) -> Any:
    """The organisation a case's escalation starts from: the worker's unit, else the case's own."""
    if has_worker(type(case)):
        return cast("Case", case).worker.organisation
    return case.organisation


def _placed(
    model: type[CaseBase], worker: Any, organisation: Any, fields: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The keyword arguments that place a new case: its worker and the worker's unit, or (a
    model without a worker) the organisation named. A worker with no organisation, or an
    organisation given for a worker elsewhere, is the caller's mistake."""
    if has_worker(model):
        if worker is None:
            raise ValueError(f"A {model.__name__} is opened for a worker.")
        if organisation is not None and organisation.pk != worker.organisation_id:
            raise ValueError("A case's organisation is its worker's unit.")
        return {"worker": worker, "organisation": worker.organisation}
    if worker is not None:
        raise ValueError(f"A {model.__name__} concerns no worker: name its organisation.")
    if organisation is None:
        raise ValueError(f"A {model.__name__} needs its organisation.")
    if fields and "organisation" in fields:
        raise ValueError("Name the organisation with organisation=, not in fields.")
    return {"organisation": organisation}


def may_open(actor: Any, model: type[CaseBase], worker: Any = None, *, organisation: Any = None, **fields: Any) -> bool:
    """Whether ``actor`` may open a case of ``model`` for ``worker`` (or, a model without a
    worker, in ``organisation``, with ``fields`` the policy reads, e.g. its hotline): the life
    cycle's open action on the case it would be."""
    case = model(**_placed(model, worker, organisation), status=model.lifecycle.initial, **fields)
    return may(actor, model.lifecycle.open_action, case)


def may_own(user: Any, case: CaseBase) -> bool:
    """Whether ``user`` may own ``case``: an active holder of the life cycle's own action over
    its organisation (a role narrowed by a relation counts: a care contact may own a case of a
    family of their unit)."""
    model = type(case)
    if user is None or getattr(user, "pk", None) is None:
        return False
    holders = policy_of(model).holders(model.lifecycle.own_action, case.organisation)
    return bool(holders.filter(pk=user.pk).exists())


def owner_candidates(model: type[CaseBase], organisation: Any) -> models.QuerySet[Any]:
    """The users who may own a case of ``organisation`` (the owner pickers)."""
    return policy_of(model).holders(model.lifecycle.own_action, organisation)


def allowed_targets(actor: Any, case: CaseBase) -> list[str]:
    """The statuses ``actor`` may move ``case`` to, in the life cycle's order."""
    lifecycle = type(case).lifecycle
    if not may(actor, lifecycle.change_action, case):
        return []
    targets = []
    for target in lifecycle.statuses.values:
        t = lifecycle.transition(case.status, target)
        if t is not None and (not t.action or may(actor, t.action, case)):
            targets.append(target)
    return targets


def add_note(
    case: CaseBase, actor: Any, kind: str, text: str = "", from_status: str = "", to_status: str = ""
) -> CaseNote:
    """Append one entry to ``case``'s timeline."""
    note_cls, fk = _note_model(type(case))
    note = note_cls(
        **{fk: case}, kind=kind, author=user_of(actor), text=text, from_status=from_status, to_status=to_status
    )
    note.save()
    return note


def _save(case: CaseBase, actor: Any, fields: Iterable[str] | None = None) -> None:
    case._history_user = user_of(actor)  # type: ignore[attr-defined]  # django-simple-history
    if fields is None:
        case.save()
    else:
        case.save(update_fields=list(fields))


def _audit(actor: Any, case: CaseBase, verb: str, detail: dict[str, Any]) -> None:
    audit.record(
        actor,
        f"{type(case).lifecycle.audit_prefix}.{verb}",
        obj=case,
        organisation=case.organisation,
        detail=detail,
    )


# --- opening -----------------------------------------------------------------------------


def _check_owner(actor: Any, case: CaseBase, owner: Any) -> None:
    lifecycle = type(case).lifecycle
    if not may_own(owner, case):
        raise ServiceError(str(lifecycle.texts.cannot_own) % {"user": owner}, field="owner")
    # Naming someone else is handing the case over: the reassign action.
    if getattr(owner, "pk", None) != getattr(user_of(actor), "pk", None):
        _require(may(actor, lifecycle.reassign_action, case), lifecycle.texts.may_not_reassign)


@transaction.atomic
def open(
    model: type[C],
    *,
    actor: Any,
    worker: Any = None,
    organisation: Any = None,
    fields: Mapping[str, Any],
    urgency: str,
    owner: Any = None,
    default_owner: Any = None,
    due_on: date | None = None,
    detail: Mapping[str, Any] | None = None,
) -> C:
    """Open a case of ``model`` for ``worker`` (its organisation is the worker's unit) or, a
    model without a worker (``CaseBase``), in ``organisation``, with the domain's ``fields``
    (validated by the caller; they may place the case further, e.g. its hotline, which the
    policy reads). ``owner``: someone named (they must be
    allowed to own it; naming someone else needs the reassign action); else
    ``default_owner`` (the domain's choice, e.g. the family's care contact), else the actor.
    The due date follows from the urgency unless ``due_on`` sets it (checked by the caller).
    Writes the "opened" note and the ``<prefix>.open`` audit row (``detail``)."""
    lifecycle = model.lifecycle
    if urgency not in lifecycle.due_days:
        raise ServiceError(_("Unknown urgency."), field="urgency")
    case = model(
        **_placed(model, worker, organisation, fields),
        status=lifecycle.initial,
        urgency=urgency,
        created_by=user_of(actor),
        **fields,
    )
    _require(may(actor, lifecycle.open_action, case), lifecycle.texts.may_not_open)
    if owner is not None:
        _check_owner(actor, case, owner)
    else:
        owner = default_owner if default_owner is not None else user_of(actor)
    case.owner = owner
    case.due_on = lifecycle.due_on(urgency, timezone.localdate()) if due_on is None else due_on
    _save(case, actor)
    add_note(case, actor, NoteKind.OPENED, to_status=lifecycle.initial)
    _audit(actor, case, "open", dict(detail or {}))
    return case


@dataclass
class NewCase:
    """One case of ``open_many``: the worker's id (``None`` for a model without a worker) and the
    unit id, the domain's fields, the owner's id (``None``: the actor) and the audit detail;
    ``key`` is the caller's (a row index)."""

    key: Any
    worker_id: int | None
    organisation_id: int
    fields: Mapping[str, Any]
    urgency: str
    owner_id: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


Inserter = Callable[[type[models.Model], list[Any]], None]


def _bulk_create(model: type[models.Model], objs: list[Any]) -> None:
    model._default_manager.bulk_create(objs, batch_size=1000)


def open_many(
    model: type[C],
    *,
    actor: Any,
    items: Sequence[NewCase],
    insert: Inserter | None = None,
    insert_notes: Inserter | None = None,
) -> dict[Any, C]:
    """Open many cases at once (importers): what ``open`` does for each (initial status, due
    date from the urgency, owner, an "opened" note, a ``<prefix>.open`` audit row), with a
    handful of queries: one bulk insert of the cases, one of the notes, one of the audit rows
    (``audit.record_many``). The caller checked that ``actor`` may open them (an importer's
    batch is authorised as a whole) and validated the fields. ``insert`` / ``insert_notes``:
    how to insert the rows (default ``bulk_create``; an importer passes its COPY writer, which
    also writes the history rows). Returns ``key`` -> the new case. Run inside the caller's
    transaction."""
    if not items:
        return {}
    lifecycle = model.lifecycle
    user = user_of(actor)
    today = timezone.localdate()
    cases: dict[Any, C] = {}
    if len({item.key for item in items}) != len(items):
        raise ValueError("open_many: every item needs its own key.")
    for item in items:
        if item.urgency not in lifecycle.due_days:
            raise ServiceError(_("Unknown urgency."), field="urgency")
        if (item.worker_id is None) == has_worker(model):
            raise ValueError(f"open_many: a {model.__name__} {'needs' if has_worker(model) else 'has no'} worker.")
        placed = {"worker_id": item.worker_id} if item.worker_id is not None else {}
        cases[item.key] = model(
            **placed,
            organisation_id=item.organisation_id,
            status=lifecycle.initial,
            urgency=item.urgency,
            owner_id=item.owner_id if item.owner_id is not None else getattr(user, "pk", None),
            due_on=lifecycle.due_on(item.urgency, today),
            created_by=user,
            **item.fields,
        )
    with transaction.atomic():
        (insert or _bulk_create)(model, list(cases.values()))
        note_cls, fk = _note_model(model)
        notes = [
            note_cls(**{fk: case}, kind=NoteKind.OPENED, author=user, to_status=lifecycle.initial)
            for case in cases.values()
        ]
        (insert_notes or _bulk_create)(note_cls, notes)
        unit_model = model._meta.get_field("organisation").related_model
        units = unit_model._default_manager.in_bulk({item.organisation_id for item in items})  # type: ignore[union-attr]
        audit.record_many(
            actor,
            f"{lifecycle.audit_prefix}.open",
            rows=[
                (case, units[item.organisation_id], dict(item.detail))
                for item, case in zip(items, cases.values(), strict=True)
            ],
        )
    return cases


# --- the life cycle ----------------------------------------------------------------------


def _locked(case: C) -> C:
    model = type(case)
    locked: C = model._default_manager.select_for_update().select_related(_related(model)).get(pk=case.pk)
    return locked


@transaction.atomic
def transition(case: C, *, actor: Any, to: str, note: str = "", version: int | None = None) -> C:
    """Move ``case`` to the status ``to`` if its life cycle allows it and the actor may (the
    transition's own action, if any); a transition that needs a reason needs ``note``.
    Entering a status sets its stamp (``closed_at``, …); reopening clears them, gives a new due
    date from the urgency and restarts the escalation. ``version``: the version the page
    showed (``Conflict`` if changed since). A "status" note and a ``<prefix>.transition``
    audit row."""
    lifecycle = type(case).lifecycle
    case = _locked(case)
    _require(may(actor, lifecycle.change_action, case), lifecycle.texts.may_not_change)
    versioning.check_version(case, version)
    if to not in lifecycle.statuses.values:
        raise ServiceError(_("Unknown status."), field="to")
    current = case.status
    step = lifecycle.transition(current, to)
    if step is None:
        raise ServiceError(
            str(lifecycle.texts.cannot_become) % {"current": lifecycle.label(current), "to": lifecycle.label(to)},
            field="to",
        )
    if step.action:
        _require(may(actor, step.action, case), step.refusal or lifecycle.texts.may_not_change)
    note = plaintext.notes(note, field="note", label=_("Note"))
    if step.reason and not note:
        raise ServiceError(str(lifecycle.texts.reason_required), field="note")
    now = timezone.now()
    fields = ["status", "updated_at", versioning.bump(case)]
    case.status = to
    if to in lifecycle.stamps:
        setattr(case, lifecycle.stamps[to], now)
        fields.append(lifecycle.stamps[to])
    if lifecycle.reopens(current, to):
        for stamp in lifecycle.stamps.values():
            setattr(case, stamp, None)
        case.due_on = lifecycle.due_on(case.urgency, timezone.localdate())
        case.escalation_level = 0
        case.escalated_at = None
        fields += [*lifecycle.stamps.values(), "due_on", "escalation_level", "escalated_at"]
    _save(case, actor, dict.fromkeys(fields))
    add_note(case, actor, NoteKind.STATUS, note, from_status=current, to_status=to)
    _audit(actor, case, "transition", {"from": current, "to": to, "note": audit.text_marker(note)})
    return case


@transaction.atomic
def note(case: CaseBase, *, actor: Any, text: str) -> CaseNote:
    """Add a note to ``case``'s timeline (what was done, who was called)."""
    model = type(case)
    lifecycle = model.lifecycle
    case = model._default_manager.select_related(_related(model)).get(pk=case.pk)
    _require(may(actor, lifecycle.change_action, case), lifecycle.texts.may_not_change)
    text = plaintext.notes(text, field="text", label=_("Note"))
    if not text:
        raise ServiceError(str(lifecycle.texts.write_the_note), field="text")
    if len(text) > NOTE_LIMIT:
        raise ServiceError(
            _("This text must be at most %(limit)d characters.") % {"limit": NOTE_LIMIT}, field="text"
        )
    entry = add_note(case, actor, NoteKind.NOTE, text)
    model._default_manager.filter(pk=case.pk).update(updated_at=timezone.now())
    _audit(actor, case, "note", {"note": entry.pk})
    return entry


def _before(case: CaseBase) -> dict[str, Any]:
    lifecycle = type(case).lifecycle
    before: dict[str, Any] = {}
    for name in lifecycle.audited:
        if name in lifecycle.text_fields:
            before[name] = audit.text_marker(getattr(case, name))
        else:
            before[name] = _json_value(case, name)
    return before


def _json_value(case: CaseBase, name: str) -> Any:
    """A field's value as the audit row's JSON keeps it: a foreign key as its id, a date or a
    time as ISO text, a decimal as text; anything else as it is."""
    model_field = type(case)._meta.get_field(name)
    if isinstance(model_field, models.ForeignKey):
        return getattr(case, model_field.attname)
    value = getattr(case, name)
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def update(
    case: C,
    *,
    actor: Any,
    fields: Mapping[str, Any] | None = None,
    urgency: str | None = None,
    owner: Any = None,
    version: int | None = None,
) -> C:
    """Change the domain's ``fields`` of ``case`` (validated by the caller; unchanged values are
    ignored), its ``urgency`` (a new one gives a new due date from today and restarts the
    escalation) or its ``owner`` (handing it over: the reassign action, and the owner must be
    allowed to own it). ``version``: the version the edit started from (``Conflict`` if changed
    since). An "owner" and/or an "edit" note and one ``<prefix>.update`` audit row with the
    changed fields and the audited values before."""
    model = type(case)
    lifecycle = model.lifecycle
    case = _locked(case)
    _require(may(actor, lifecycle.change_action, case), lifecycle.texts.may_not_change)
    versioning.check_version(case, version)
    before = _before(case)
    changed: list[str] = []
    for name, value in (fields or {}).items():
        if value is not None and value != getattr(case, name):
            setattr(case, name, value)
            changed.append(name)
    if urgency is not None and urgency != case.urgency:
        if urgency not in lifecycle.due_days:
            raise ServiceError(_("Unknown urgency."), field="urgency")
        case.urgency = urgency
        case.due_on = lifecycle.due_on(urgency, timezone.localdate())
        case.escalation_level = 0
        changed += ["urgency", "due_on", "escalation_level"]
    if owner is not None and owner.pk != case.owner_id:
        _require(may(actor, lifecycle.reassign_action, case), lifecycle.texts.may_not_reassign)
        if not may_own(owner, case):
            raise ServiceError(str(lifecycle.texts.cannot_own) % {"user": owner}, field="owner")
        case.owner = owner
        changed.append("owner")
    if not changed:
        return case
    _save(case, actor, [*changed, "updated_at", versioning.bump(case)])
    if "owner" in changed:
        add_note(case, actor, NoteKind.OWNER, str(owner))
    if set(changed) - {"owner"}:
        add_note(case, actor, NoteKind.EDIT, ", ".join(f for f in changed if f != "owner"))
    _audit(actor, case, "update", {"changed": changed, "before": before})
    return case


def reassign(case: C, *, actor: Any, owner: Any, version: int | None = None) -> C:
    """Hand ``case`` over to ``owner`` (``update`` with the owner only)."""
    return update(case, actor=actor, owner=owner, version=version)


# --- escalation --------------------------------------------------------------------------


def escalation_level(case: CaseBase, today: date) -> int:
    """How many levels up an overdue case should have gone: one when it becomes overdue, one
    more for each further period of its urgency's length, capped at the root."""
    lifecycle = type(case).lifecycle
    if not lifecycle.is_active(case.status) or case.due_on is None or case.due_on >= today:
        return 0
    overdue_days = (today - case.due_on).days
    period = lifecycle.due_days[case.urgency]
    level = 1 + (overdue_days - 1) // period
    depth: int = unit_of(case).depth
    return min(level, max(1, depth - 1))


def escalation_recipients(case: CaseBase, level: int) -> tuple[Any, list[Any]]:
    """The organisation ``level`` steps above the worker's unit (the case's organisation when it
    has no worker) and the users who hold the
    life cycle's escalate action there (their grant is on it, not only on an organisation
    above it, which is told at its own level); when it has none, the nearest organisation
    further up that has some."""
    model = type(case)
    policy = policy_of(model)
    action = model.lifecycle.escalate_action
    unit = unit_of(case)
    chain = list(reversed(type(unit).objects.get_ancestors(unit))) or [unit]  # parent first, root last
    target = chain[min(level, len(chain)) - 1]
    start = chain.index(target)
    for i, org in enumerate(chain[start:], start):
        holders = policy.holders(action, org)
        if i + 1 < len(chain):  # those whose grant covers the parent too are told there
            holders = holders.exclude(pk__in=policy.holders(action, chain[i + 1]).values("pk"))
        users = list(holders.order_by("pk"))
        if users:
            return org, users
    return target, []


Notify = Callable[[Any, int, Any, list[Any]], object]


def escalate_overdue(model: type[CaseBase], *, actor: Any, notify: Notify, today: date | None = None) -> int:
    """Escalate every overdue case of ``model`` up the tree, one level per overdue period: an
    "escalation" note, ``notify(case, level, organisation, users)`` (the owner and the holders
    of the escalate action there), a ``<prefix>.escalate`` audit row. Each level happens once
    (the level is recorded under the row lock). Returns how many were escalated."""
    lifecycle = model.lifecycle
    today = today or timezone.localdate()
    escalated = 0
    candidates = (
        model._default_manager.filter(status__in=lifecycle.active, due_on__lt=today)
        .select_related(_related(model), "owner")
        .order_by("pk")
    )
    for case in candidates.iterator(chunk_size=500):
        level = escalation_level(case, today)
        if level <= case.escalation_level:
            continue
        with transaction.atomic():
            locked = model._default_manager.select_for_update().get(pk=case.pk)
            if locked.escalation_level >= level or not lifecycle.is_active(locked.status):
                continue
            org, users = escalation_recipients(case, level)
            locked.escalation_level = level
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalation_level", "escalated_at"])
            add_note(
                locked,
                actor,
                NoteKind.ESCALATION,
                _("Overdue since %(due)s: escalated to %(org)s.") % {"due": case.due_on, "org": org},
            )
            notify(case, level, org, users)
            audit.record(
                actor,
                f"{lifecycle.audit_prefix}.escalate",
                obj=case,
                organisation=case.organisation,
                detail={"level": level, "to": org.code, "admins": [u.pk for u in users]},
            )
            escalated += 1
    return escalated
