"""The union's lawyer team (律师服务团): lawyers with their specialties (``DisputeKind`` values)
and how many open legal-aid cases each takes at once (``capacity``).

A lawyer belongs to an organisation; the labour-rights officers and administrators of it (or
above) add and edit them. A case of a unit may be given to an active lawyer of the unit or of
any organisation above it (the city's lawyer team serves the districts): ``candidates``. A
lawyer with as many open cases as their capacity takes no more (``check_free``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.labour.choices import LEGAL_LIFECYCLE, DisputeKind
from nuanxin.labour.models import Lawyer, LegalCase
from nuanxin.registry import normalise

CAPACITY_MAX = 99
NAME_MAX = 50
FIRM_MAX = 100
NOTES_MAX = 2000

OPEN_STATUSES = tuple(sorted(LEGAL_LIFECYCLE.active))


def open_cases_q(prefix: str = "cases__") -> Q:
    """The cases that count against a lawyer's capacity: those not closed."""
    return Q(**{f"{prefix}status__in": OPEN_STATUSES})


def with_load(qs: QuerySet[Lawyer]) -> QuerySet[Lawyer]:
    """``qs`` with ``load``: the lawyer's open cases."""
    return qs.annotate(load=Count("cases", filter=open_cases_q(), distinct=True))


def load_of(lawyer: Lawyer, *, exclude_case: Any = None) -> int:
    qs = LegalCase.objects.filter(lawyer=lawyer, status__in=OPEN_STATUSES)
    if exclude_case is not None and getattr(exclude_case, "pk", None):
        qs = qs.exclude(pk=exclude_case.pk)
    return qs.count()


def chain_of(unit: Any) -> list[Any]:
    """``unit`` and every organisation above it, nearest first."""
    return [unit, *reversed(list(type(unit).objects.get_ancestors(unit)))]


def candidates(unit: Any, kind: str = "") -> list[Lawyer]:
    """The active lawyers a case of ``unit`` may be given to: of the unit and every level above
    it, those whose specialties include ``kind`` first, then the least loaded, then by name.
    Each carries ``load`` (open cases) and ``matches`` (the specialty fits)."""
    chain = chain_of(unit)
    depth = {org.pk: i for i, org in enumerate(chain)}
    rows = list(with_load(Lawyer.objects.filter(active=True, organisation__in=chain).select_related("organisation")))
    for lawyer in rows:
        lawyer.matches = bool(kind) and kind in (lawyer.specialties or [])  # type: ignore[attr-defined]
    rows.sort(
        key=lambda lw: (
            not lw.matches,  # type: ignore[attr-defined]
            lw.load >= lw.capacity,  # type: ignore[attr-defined]
            depth[lw.organisation_id],
            lw.load,  # type: ignore[attr-defined]
            lw.name,
            lw.pk,
        )
    )
    return rows


def check_free(lawyer: Lawyer, unit: Any, *, case: Any = None) -> Lawyer:
    """``lawyer`` read again under a row lock (two officers giving the last place at once wait for
    each other), refused unless active, of ``unit`` or above, and below capacity (not counting
    ``case`` itself)."""
    locked = Lawyer.objects.select_for_update().select_related("organisation").get(pk=lawyer.pk)
    if not locked.active:
        raise ServiceError(_("%(name)s is no longer on the lawyer team.") % {"name": locked.name}, field="lawyer")
    if locked.organisation_id not in {org.pk for org in chain_of(unit)}:
        raise ServiceError(
            _("%(name)s serves %(org)s, not this case's unit.") % {"name": locked.name, "org": locked.organisation},
            field="lawyer",
        )
    load = load_of(locked, exclude_case=case)
    if load >= locked.capacity:
        raise ServiceError(
            _(
                "%(name)s already has %(load)d open cases and takes at most %(capacity)d: "
                "choose another lawyer, or raise the capacity on the lawyer team's page."
            )
            % {"name": locked.name, "load": load, "capacity": locked.capacity},
            field="lawyer",
        )
    return locked


# --- checks ------------------------------------------------------------------------------------


def _name(value: Any) -> str:
    name = plaintext.line(value, field="name", label=_("Name"))
    if not name:
        raise ServiceError(_("Enter the lawyer's name."), field="name")
    if len(name) > NAME_MAX:
        raise ServiceError(_("The name must be at most %(n)d characters.") % {"n": NAME_MAX}, field="name")
    return name


def _firm(value: Any) -> str:
    firm = plaintext.line(value, field="firm", label=_("Law firm"))
    if len(firm) > FIRM_MAX:
        raise ServiceError(_("The law firm must be at most %(n)d characters.") % {"n": FIRM_MAX}, field="firm")
    return firm


def _mobile(value: Any) -> str:
    try:
        return normalise.phone(value)
    except normalise.InvalidValue as exc:
        raise ServiceError(str(exc), field="mobile") from None


def _specialties(values: Iterable[str] | None) -> list[str]:
    chosen = set(values or [])
    unknown = chosen - set(DisputeKind.values)
    if unknown:
        raise ServiceError(_("Unknown kind of dispute."), field="specialties")
    return [v for v in DisputeKind.values if v in chosen]


def _capacity(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= CAPACITY_MAX:
        raise ServiceError(
            _("The capacity is a number of open cases from 1 to %(n)d.") % {"n": CAPACITY_MAX}, field="capacity"
        )
    return value


def _notes(value: Any) -> str:
    notes = plaintext.notes(value, field="notes", label=_("Notes"))
    if len(notes) > NOTES_MAX:
        raise ServiceError(_("The notes must be at most %(n)d characters.") % {"n": NOTES_MAX}, field="notes")
    return notes


_CLEAN: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "firm": _firm,
    "mobile": _mobile,
    "specialties": _specialties,
    "capacity": _capacity,
    "notes": _notes,
    "active": bool,
}


def _shown(name: str, value: Any) -> Any:
    if name == "mobile":
        return normalise.mask(value)
    if name == "notes":
        return audit.text_marker(value)
    return value


# --- writes ------------------------------------------------------------------------------------


@transaction.atomic
def create_lawyer(
    *,
    actor: Any,
    organisation: Any,
    name: str,
    firm: str = "",
    mobile: str = "",
    specialties: Iterable[str] = (),
    capacity: int = 5,
    active: bool = True,
    notes: str = "",
) -> Lawyer:
    """Add a lawyer to ``organisation``'s team (its labour-rights officers and administrators).
    Audited ``labour.lawyer.create`` (the mobile masked)."""
    Lawyer.policy.require_in(actor, "change", organisation, _("You may not add lawyers to this organisation."))
    values = {
        "name": _name(name),
        "firm": _firm(firm),
        "mobile": _mobile(mobile),
        "specialties": _specialties(specialties),
        "capacity": _capacity(capacity),
        "active": bool(active),
        "notes": _notes(notes),
    }
    lawyer = Lawyer(organisation=organisation, **values)
    lawyer._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    lawyer.save()
    audit.record(
        actor,
        "labour.lawyer.create",
        obj=lawyer,
        organisation=organisation,
        detail={k: _shown(k, v) for k, v in values.items()},
    )
    return lawyer


@transaction.atomic
def update_lawyer(*, actor: Any, lawyer: Lawyer, version: int | None, **changes: Any) -> Lawyer:
    """Change a lawyer's name, firm, mobile, specialties, capacity, active flag or notes.
    ``version``: the version the edit started from (``Conflict`` if changed since). A capacity
    below the open cases is kept (their cases stay) but the lawyer takes no new one. Audited
    ``labour.lawyer.update`` with the changed fields and their values before."""
    Lawyer.policy.require(actor, "change", lawyer, _("You may not change this lawyer."))
    unknown = set(changes) - set(_CLEAN)
    if unknown:
        raise TypeError(f"update_lawyer: unknown fields {sorted(unknown)}")
    locked = Lawyer.objects.select_for_update().select_related("organisation").get(pk=lawyer.pk)
    versioning.check_version(locked, version)
    cleaned = {name: _CLEAN[name](value) for name, value in changes.items()}
    before = {}
    changed = []
    for name, value in cleaned.items():
        if getattr(locked, name) != value:
            before[name] = _shown(name, getattr(locked, name))
            setattr(locked, name, value)
            changed.append(name)
    if not changed:
        return locked
    locked._history_user = actor if getattr(actor, "pk", None) else None  # type: ignore[attr-defined]
    locked.save(update_fields=[*changed, versioning.bump(locked)])
    audit.record(
        actor,
        "labour.lawyer.update",
        obj=locked,
        organisation=locked.organisation,
        detail={"changed": changed, "before": before},
    )
    return locked
