"""Writes of the register. Every function takes a keyword-only ``actor`` (a user, or
``SYSTEM`` for the system: CLI, import task, demo), checks inside, through the models' policy
(``Worker.policy``, ``FamilyMember.policy``, ``Deployment.policy``), that the actor may change
the worker's unit, validates and normalises what it is given, and writes its audit row in the
same transaction. Bad input raises ``ServiceError`` with ``field`` set, so forms and the API can
show the message beside the right field; the database is then left as it was.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.policy import is_system
from nuanxin.registry import hooks, normalise, selectors
from nuanxin.registry.choices import (
    CARRIER_ALIASES,
    CATEGORY_ALIASES,
    GENDER_ALIASES,
    TEAM_ALIASES,
    Carrier,
    Gender,
    MaternityStatus,
    PersonnelCategory,
    TeamType,
    WorkerStatus,
)
from nuanxin.registry.duplicates import screen_identity, sees
from nuanxin.registry.models import Deployment, FamilyMember, Worker, WorkerSensitive

WORKER_FIELDS = (
    "organisation",
    "name",
    "gender",
    "category",
    "post_title",
    "mobile",
    "team",
    "status",
    "contact_name_hint",
    "notes",
)
FAMILY_FIELDS = ("name", "relation", "mobile", "address", "notes")
DEPLOYMENT_FIELDS = ("batch", "destination", "departed_on", "returned_on", "deployed_mobile", "carrier", "notes")
SENSITIVE_FIELDS = ("id_number", "maternity", "health_notes", "children_under_14")
_MOBILE_FIELDS = {"mobile", "deployed_mobile"}
_FREE_TEXT_FIELDS = {"notes", "address"}  # the audit trail keeps their length only


# --- checks and cleaning -------------------------------------------------------------------


def _refusal() -> str:
    return _("You may not change the register of this unit.")


def _require_change(actor, row: Worker | FamilyMember | Deployment) -> None:
    """``NotAllowed`` unless the row's policy lets ``actor`` change it."""
    type(row).policy.require(actor, "change", row, _refusal())


def _require_change_in(actor, organisation) -> None:
    """``NotAllowed`` unless ``actor`` may add workers to (or move one into) ``organisation``."""
    Worker.policy.require_in(actor, "change", organisation, _refusal())


def _user(actor):
    """The user to record as the author of a history row (``None`` for the system)."""
    if is_system(actor) or not getattr(actor, "is_authenticated", False):
        return None
    return actor


# The labels the refusal of an invisible control character names (core/plaintext.py), as the
# forms label the fields.
_LABELS = {
    "name": pgettext_lazy("a person's", "Name"),
    "gender": gettext_lazy("Gender"),
    "category": gettext_lazy("Personnel category"),
    "team": gettext_lazy("Frontline team"),
    "status": gettext_lazy("Status"),
    "post_title": gettext_lazy("Post and title"),
    "contact_name_hint": gettext_lazy("Union contact (as written)"),
    "notes": gettext_lazy("Notes"),
    "relation": gettext_lazy("Relation"),
    "address": gettext_lazy("Address"),
    "batch": gettext_lazy("Batch"),
    "destination": gettext_lazy("Destination"),
    "carrier": gettext_lazy("Carrier"),
    "maternity": gettext_lazy("Pregnancy or lactation"),
    "health_notes": gettext_lazy("Health"),
}


def _check_chars(value, field: str, *, multiline: bool = False) -> None:
    """Refuse control and direction characters (the shared rule of core/plaintext.py)."""
    plaintext.check(value, field=field, label=_LABELS.get(field, field), multiline=multiline)


def _choice(value, choices, aliases, field: str, *, required: bool = False) -> str:
    """A choice value from its value, its Chinese alias (男, 护士, 援鄂医疗队) or its label."""
    _check_chars(value, field)
    raw = normalise.text(value)
    if not raw:
        if required:
            raise ServiceError(_("This field is required."), field=field)
        return ""
    if raw in choices.values:
        return raw
    alias = aliases.get(raw) or aliases.get(raw.lower())
    if alias:
        return str(alias)
    for choice_value, label in choices.choices:
        if raw == str(label):
            return choice_value
    raise ServiceError(_("“%(value)s” is not one of the choices.") % {"value": raw}, field=field)


def _text(value, field: str, max_length: int, *, required: bool = False) -> str:
    _check_chars(value, field)
    cleaned = normalise.text(value)
    if required and not cleaned:
        raise ServiceError(_("This field is required."), field=field)
    if len(cleaned) > max_length:
        raise ServiceError(
            _("Use at most %(max)d characters (it has %(length)d).") % {"max": max_length, "length": len(cleaned)},
            field=field,
        )
    return cleaned


def _notes(value, field: str = "notes") -> str:
    return plaintext.notes(value or "", field=field, label=_LABELS.get(field, field))


def _name(value, field: str = "name") -> str:
    _check_chars(value, field)
    cleaned = normalise.name(value)
    if not cleaned:
        raise ServiceError(_("Enter the name."), field=field)
    if len(cleaned) > 50:
        raise ServiceError(_("A name has at most 50 characters."), field=field)
    return cleaned


def _phone(value, field: str) -> str:
    try:
        return normalise.phone(value)
    except normalise.InvalidValue as exc:
        raise ServiceError(exc.message, field=field) from None


def _date(value, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(normalise.text(value))
    except ValueError:
        raise ServiceError(_("Enter a date as YYYY-MM-DD."), field=field) from None


def _clean_worker_field(field: str, value):
    if field == "name":
        return _name(value)
    if field == "gender":
        return _choice(value, Gender, GENDER_ALIASES, field)
    if field == "category":
        return _choice(value, PersonnelCategory, CATEGORY_ALIASES, field)
    if field == "team":
        return _choice(value, TeamType, TEAM_ALIASES, field, required=True)
    if field == "status":
        return _choice(value, WorkerStatus, {}, field, required=True)
    if field == "mobile":
        return _phone(value, field)
    if field == "post_title":
        return _text(value, field, 100)
    if field == "contact_name_hint":
        return _text(value, field, 50)
    if field == "notes":
        return _notes(value)
    if field == "organisation":
        if value is None:
            raise ServiceError(_("Choose the unit."), field=field)
        return _fresh(value)
    raise ServiceError(_("Unknown field “%(field)s”.") % {"field": field})


def _fresh(organisation):
    """The organisation as stored now: an instance held since before a sibling was added may
    carry a stale materialised path, and the scope check compares paths."""
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.get(pk=organisation.pk)


def _shown(field: str, value) -> object:
    """A value as the audit trail keeps it: mobiles masked, free text by its length, units by
    code, dates as text."""
    if field in _MOBILE_FIELDS:
        return normalise.mask(value)
    if field in _FREE_TEXT_FIELDS:
        return audit.text_marker(value)
    if field == "organisation":
        return value.code if value is not None else ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value


def _apply(obj, cleaned: dict) -> dict:
    """Set the changed attributes; return {field: [old, new]} as the audit trail shows it."""
    changes = {}
    for field, new in cleaned.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_shown(field, old), _shown(field, new)]
            setattr(obj, field, new)
    return changes


def _check_identity(organisation, name: str, mobile: str, *, actor, exclude=None, allow_duplicate: bool) -> None:
    match = selectors.identity_match(organisation, name, mobile, exclude=exclude)
    if match.same is not None:
        where = match.same.organisation.name if sees(actor, match.same) else _("another unit")
        raise Conflict(
            _("%(name)s with this mobile is already in the register (%(unit)s).") % {"name": name, "unit": where},
            code="same_person",
            field="mobile",
        )
    if match.likely_duplicates and not allow_duplicate:
        raise Conflict(
            _(
                "This unit already has a worker named %(name)s with another mobile. If this is a different "
                "person, confirm that the name is shared."
            )
            % {"name": name},
            code="likely_duplicate",
            field="name",
        )


# --- people registered outside the asker's scope: registry/duplicates.py ------------------------


def _raise_refusal(result):
    """Raise what a write returned as its refusal (after its transaction kept the audit row)."""
    if isinstance(result, ServiceError):
        raise result
    return result


# --- workers -------------------------------------------------------------------------------


def create_worker(
    *,
    actor,
    organisation,
    name: str,
    team: str,
    gender: str = "",
    category: str = "",
    post_title: str = "",
    mobile: str = "",
    status: str = WorkerStatus.ON_DUTY,
    contact_name_hint: str = "",
    notes: str = "",
    allow_duplicate: bool = False,
) -> Worker:
    """Add a worker to the register of ``organisation`` (their unit).

    Refuses the same person twice (same name and mobile anywhere in the register; a person
    registered outside the actor's scope is a counted, limited hit: ``duplicates.screen_identity``) and,
    unless ``allow_duplicate``, a second worker of the same name in the same unit."""
    given = {
        "organisation": organisation,
        "name": name,
        "gender": gender,
        "category": category,
        "post_title": post_title,
        "mobile": mobile,
        "team": team,
        "status": status,
        "contact_name_hint": contact_name_hint,
        "notes": notes,
    }
    return _raise_refusal(_create_worker(actor, given, allow_duplicate=allow_duplicate))


@transaction.atomic
def _create_worker(actor, given: dict, *, allow_duplicate: bool) -> Worker | ServiceError:
    cleaned = {field: _clean_worker_field(field, value) for field, value in given.items()}
    _require_change_in(actor, cleaned["organisation"])
    refusal = screen_identity(actor, cleaned["organisation"], cleaned["name"], cleaned["mobile"])
    if refusal is not None:
        return refusal
    _check_identity(
        cleaned["organisation"], cleaned["name"], cleaned["mobile"], actor=actor, allow_duplicate=allow_duplicate
    )
    worker = Worker(**cleaned, created_by=_user(actor))
    worker.refresh_derived()
    worker._history_user = _user(actor)
    worker.save()
    audit.record(
        actor,
        "worker.create",
        obj=worker,
        organisation=worker.organisation,
        detail={"team": worker.team, "mobile": worker.mobile_masked, "unit": worker.organisation.code},
    )
    hooks.worker_saved.fire(actor=actor, worker=worker, created=True, changed=frozenset(cleaned))
    return worker


def update_worker(
    *, actor, worker: Worker, allow_duplicate: bool = False, version: int | None = None, **changes
) -> Worker:
    """Change some fields of a worker (any of ``WORKER_FIELDS``). Moving the worker to another
    unit needs change rights on both units. The audit row lists each changed field old → new,
    mobiles masked. ``version``: the version the edit started from (``Conflict`` if the worker
    was changed since; see core/versioning.py). A new name, mobile or unit is checked against
    the whole register like a new worker (``create_worker``)."""
    return _raise_refusal(
        _update_worker(actor=actor, worker=worker, allow_duplicate=allow_duplicate, version=version, **changes)
    )


@transaction.atomic
def _update_worker(
    *, actor, worker: Worker, allow_duplicate: bool, version: int | None, **changes
) -> Worker | ServiceError:
    unknown = set(changes) - set(WORKER_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown field “%(field)s”.") % {"field": sorted(unknown)[0]})
    worker = Worker.objects.select_for_update().select_related("organisation").get(pk=worker.pk)
    _require_change(actor, worker)
    versioning.check_version(worker, version)
    previous_unit = worker.organisation
    cleaned = {field: _clean_worker_field(field, value) for field, value in changes.items()}
    if "organisation" in cleaned and cleaned["organisation"].pk != worker.organisation_id:
        _require_change_in(actor, cleaned["organisation"])
    diff = _apply(worker, cleaned)
    if not diff:
        return worker
    if {"name", "mobile", "organisation"} & set(diff):
        worker.refresh_derived()
        refusal = screen_identity(actor, worker.organisation, worker.name, worker.mobile, exclude=worker)
        if refusal is not None:
            return refusal  # nothing saved; the transaction keeps the refusal's audit row
        _check_identity(
            worker.organisation,
            worker.name,
            worker.mobile,
            actor=actor,
            exclude=worker,
            allow_duplicate=allow_duplicate or not ({"name", "organisation"} & set(diff)),
        )
    versioning.bump(worker)
    worker._history_user = _user(actor)
    worker.save()
    audit.record(actor, "worker.update", obj=worker, organisation=worker.organisation, detail={"changes": diff})
    # The apps above react in this transaction (care: the move's duties and contacts, the
    # unassigned families): registry/hooks.py.
    if "organisation" in diff:
        hooks.worker_moved.fire(actor=actor, worker=worker, previous_unit=previous_unit)
    hooks.worker_saved.fire(actor=actor, worker=worker, created=False, changed=frozenset(diff))
    if "status" in diff and worker.status == WorkerStatus.ARCHIVED:
        hooks.worker_archived.fire(actor=actor, worker=worker)
    return worker


def set_worker_status(*, actor, worker: Worker, status: str) -> Worker:
    """Mark a worker on duty, deployed, returned, sick, deceased, or removed from the register."""
    status = _choice(status, WorkerStatus, {}, "status", required=True)
    return update_worker(actor=actor, worker=worker, status=status)


# --- family members ------------------------------------------------------------------------


def _clean_family(values: dict) -> dict:
    cleaned = {}
    for field, value in values.items():
        if field == "name":
            cleaned[field] = _name(value)
        elif field == "relation":
            cleaned[field] = _text(value, field, 20)
        elif field == "mobile":
            cleaned[field] = _phone(value, field)
        elif field == "address":
            cleaned[field] = _text(value, field, 200)
        elif field == "notes":
            cleaned[field] = _notes(value)
        else:
            raise ServiceError(_("Unknown field “%(field)s”.") % {"field": field})
    return cleaned


def _make_primary(member: FamilyMember, actor, *, new: bool = False) -> None:
    # Clear the old primary first: the partial unique index allows one per worker at a time.
    for other in FamilyMember.objects.filter(worker_id=member.worker_id, is_primary=True).exclude(pk=member.pk):
        other.is_primary = False
        other._history_user = _user(actor)
        other.save(update_fields=["is_primary", "updated_at", versioning.bump(other)])
    if not member.is_primary:
        member.is_primary = True
        member._history_user = _user(actor)
        # a member added just now stays at version 1: nobody can have opened it before
        fields = ["is_primary", "updated_at"] if new else ["is_primary", "updated_at", versioning.bump(member)]
        member.save(update_fields=fields)


def _check_new_member(member: FamilyMember) -> None:
    """Refuse a family member the worker's family already has: the same name (``name_key``:
    case, spaces and dots aside) with the same mobile, or the same name when neither has a
    mobile. A same-named relative with another mobile is someone else. The caller holds the
    worker's row lock, so two parallel adds cannot both pass."""
    same = FamilyMember.objects.filter(worker_id=member.worker_id, name_key=member.name_key, mobile=member.mobile)
    if member.pk is not None:
        same = same.exclude(pk=member.pk)
    if same.exists():
        raise Conflict(
            _("This family member is already registered (%(name)s).") % {"name": member.name},
            code="same_family_member",
            field="name",
        )


@transaction.atomic
def add_family_member(
    *,
    actor,
    worker: Worker,
    name: str,
    relation: str = "",
    mobile: str = "",
    address: str = "",
    notes: str = "",
    is_primary: bool = False,
) -> FamilyMember:
    """Add a family member; the first one (or one added with ``is_primary``) is the primary
    contact. Refuses one the worker's family already has (``_check_new_member``)."""
    # The worker's row stays locked to the end: parallel adds to one family (forms opened
    # separately and sent at once, a retry) check and insert one after the other.
    worker = Worker.objects.select_for_update().select_related("organisation").get(pk=worker.pk)
    _require_change(actor, worker)
    cleaned = _clean_family({"name": name, "relation": relation, "mobile": mobile, "address": address, "notes": notes})
    first = not FamilyMember.objects.filter(worker=worker).exists()
    member = FamilyMember(worker=worker, **cleaned)
    member.refresh_derived()
    _check_new_member(member)
    member._history_user = _user(actor)
    member.save()
    if first or is_primary:
        _make_primary(member, actor, new=True)
    audit.record(
        actor,
        "family.add",
        obj=member,
        organisation=worker.organisation,
        detail={
            "worker": worker.pk,
            "relation": member.relation,
            "mobile": member.mobile_masked,
            "primary": member.is_primary,
        },
    )
    return member


@transaction.atomic
def update_family_member(*, actor, member: FamilyMember, version: int | None = None, **changes) -> FamilyMember:
    """Change a family member's name, relation, mobile, address or notes (and make them the
    primary contact with ``is_primary=True``). ``version``: the version the edit started from
    (``Conflict`` if the member was changed since)."""
    make_primary = bool(changes.pop("is_primary", False))
    member = FamilyMember.objects.select_for_update().select_related("worker__organisation").get(pk=member.pk)
    organisation = member.worker.organisation
    _require_change(actor, member)
    versioning.check_version(member, version)
    diff = _apply(member, _clean_family(changes))
    if diff:
        member.refresh_derived()
        if {"name", "mobile"} & set(diff):
            _check_new_member(member)  # the worker's row is locked with the member's (select_related)
        versioning.bump(member)
        member._history_user = _user(actor)
        member.save()
    if make_primary and not member.is_primary:
        _make_primary(member, actor)
        diff["is_primary"] = [False, True]
    if diff:
        audit.record(
            actor,
            "family.update",
            obj=member,
            organisation=organisation,
            detail={"worker": member.worker_id, "changes": diff},
        )
    return member


@transaction.atomic
def set_primary_family_member(*, actor, member: FamilyMember) -> FamilyMember:
    """Make ``member`` the primary contact of the worker's family (exactly one is)."""
    return update_family_member(actor=actor, member=member, is_primary=True)


@transaction.atomic
def remove_family_member(*, actor, member: FamilyMember) -> None:
    """Remove a family member; when it was the primary contact, the next one becomes primary."""
    member = FamilyMember.objects.select_for_update().select_related("worker__organisation").get(pk=member.pk)
    worker = member.worker
    _require_change(actor, member)
    was_primary = member.is_primary
    audit.record(
        actor,
        "family.remove",
        obj=member,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "primary": was_primary},
    )
    member._history_user = _user(actor)
    member.delete()
    if was_primary:
        successor = FamilyMember.objects.filter(worker=worker).order_by("id").first()
        if successor is not None:
            _make_primary(successor, actor)


# --- deployments ---------------------------------------------------------------------------


def _clean_deployment(values: dict) -> dict:
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field in ("batch",):
            cleaned[field] = _text(value, field, 50)
        elif field == "destination":
            cleaned[field] = _text(value, field, 100)
        elif field in ("departed_on", "returned_on"):
            cleaned[field] = _date(value, field)
        elif field == "deployed_mobile":
            cleaned[field] = _phone(value, field)
        elif field == "carrier":
            cleaned[field] = _choice(value, Carrier, CARRIER_ALIASES, field) if value is not None else None
        elif field == "notes":
            cleaned[field] = _notes(value)
        else:
            raise ServiceError(_("Unknown field “%(field)s”.") % {"field": field})
    return cleaned


@transaction.atomic
def save_deployment(
    *, actor, worker: Worker, deployment: Deployment | None = None, version: int | None = None, **values
) -> Deployment:
    """Create a deployment of ``worker`` (or change ``deployment``, from ``version``:
    ``Conflict`` if it was changed since). Without a carrier, the carrier is suggested from the
    deployed mobile's number segment; a given one wins."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    _require_change(actor, worker)
    if deployment is not None:
        deployment = Deployment.objects.select_for_update().get(pk=deployment.pk)
        if deployment.worker_id != worker.pk:
            raise ServiceError(_("This deployment belongs to another worker."))
        versioning.check_version(deployment, version)
    cleaned = _clean_deployment(values)
    target = deployment or Deployment(worker=worker)
    before = {f: getattr(target, f) for f in DEPLOYMENT_FIELDS}
    for field, value in cleaned.items():
        if field != "carrier":
            setattr(target, field, value)
    carrier = cleaned.get("carrier")
    if carrier is None and "carrier" not in cleaned and target.deployed_mobile == before["deployed_mobile"]:
        carrier = target.carrier  # not given, number unchanged: keep what was chosen
    if not carrier:
        carrier = normalise.suggest_carrier(target.deployed_mobile)
    target.carrier = carrier
    if target.departed_on and target.returned_on and target.returned_on < target.departed_on:
        raise ServiceError(_("The return date cannot be before the departure."), field="returned_on")
    created = deployment is None
    diff = {
        f: [None if created else _shown(f, before[f]), _shown(f, getattr(target, f))]
        for f in DEPLOYMENT_FIELDS
        if (created and getattr(target, f)) or (not created and before[f] != getattr(target, f))
    }
    if not created and not diff:
        return target
    if not created:
        versioning.bump(target)
    target._history_user = _user(actor)
    target.save()
    audit.record(
        actor,
        "deployment.create" if created else "deployment.update",
        obj=target,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "changes": diff},
    )
    return target


@transaction.atomic
def remove_deployment(*, actor, deployment: Deployment) -> None:
    """Remove a deployment recorded by mistake."""
    deployment = Deployment.objects.select_related("worker__organisation").get(pk=deployment.pk)
    organisation = deployment.worker.organisation
    _require_change(actor, deployment)
    audit.record(
        actor,
        "deployment.remove",
        obj=deployment,
        organisation=organisation,
        detail={"worker": deployment.worker_id, "batch": deployment.batch},
    )
    deployment._history_user = _user(actor)
    deployment.delete()


# --- sensitive data and mobiles ------------------------------------------------------------


@transaction.atomic
def update_sensitive(*, actor, worker: Worker, version: int | None = None, **values) -> WorkerSensitive:
    """Record or change a worker's sensitive data (ID-card number checked with its checksum,
    pregnancy/lactation, health, children under 14). Only holders of ``Worker.policy``'s
    "sensitive" action over the worker's unit may; the audit row
    names the changed fields, never their values. ``version``: the version the edit started
    from (1 when there was no row yet; ``Conflict`` if it was changed since)."""
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    Worker.policy.require(actor, "sensitive", worker, _("You may not change this worker's sensitive data."))
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field == "id_number":
            try:
                cleaned[field] = normalise.id_number(value)
            except normalise.InvalidValue as exc:
                raise ServiceError(exc.message, field=field) from None
        elif field == "maternity":
            cleaned[field] = _choice(value, MaternityStatus, {"孕期": "pregnant", "哺乳期": "lactating"}, field)
        elif field == "health_notes":
            cleaned[field] = _notes(value, field)
        elif field == "children_under_14":
            if value in (None, ""):
                cleaned[field] = None
            else:
                try:
                    number = int(value)
                except (TypeError, ValueError):
                    number = -1
                if not 0 <= number <= 20:
                    raise ServiceError(_("Enter a whole number from 0 to 20."), field=field)
                cleaned[field] = number
        else:
            raise ServiceError(_("Unknown field “%(field)s”.") % {"field": field})
    row, created = WorkerSensitive.objects.select_for_update().get_or_create(worker=worker)
    versioning.check_version(row, version)
    changed = sorted(f for f, v in cleaned.items() if getattr(row, f) != v)
    for field in changed:
        setattr(row, field, cleaned[field])
    if changed or created:
        if changed:
            versioning.bump(row)
        row._history_user = _user(actor)
        row.save()
        audit.record(
            actor, "worker.sensitive_update", obj=worker, organisation=worker.organisation, detail={"fields": changed}
        )
    return row


@transaction.atomic
def reveal_mobile(*, actor, target: Worker | FamilyMember | Deployment, purpose: str = "show") -> str:
    """The full mobile of a worker, a family member or a deployment, for a user who may see the
    worker; every reveal writes ``worker.mobile_reveal`` (``purpose``: ``show`` for the button
    and the API, ``edit`` for an edit form showing the number). Returns the national form."""
    if isinstance(target, Worker):
        worker, number, whose = target, target.mobile, "worker"
    elif isinstance(target, FamilyMember):
        worker, number, whose = target.worker, target.mobile, "family"
    elif isinstance(target, Deployment):
        worker, number, whose = target.worker, target.deployed_mobile, "deployment"
    else:  # pragma: no cover - a programming error
        raise TypeError(target)
    Worker.policy.require(actor, "view", worker, _("You may not see this worker."))
    audit.record(
        actor,
        "worker.mobile_reveal",
        obj=worker,
        organisation=worker.organisation,
        detail={"whose": whose, "id": target.pk, "mobile": normalise.mask(number), "purpose": purpose},
    )
    return normalise.national(number)
