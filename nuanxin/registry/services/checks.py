"""What every write of the register checks and cleans: the actor's scope, text, choices, phones,
dates, and the identity of a new person."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from nuanxin.core import audit, plaintext
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.policy import is_system
from nuanxin.registry import normalise, selectors
from nuanxin.registry.choices import (
    CATEGORY_ALIASES,
    GENDER_ALIASES,
    TEAM_ALIASES,
    Gender,
    PersonnelCategory,
    TeamType,
    WorkerStatus,
)
from nuanxin.registry.duplicates import sees
from nuanxin.registry.models import Deployment, FamilyMember, Worker

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


