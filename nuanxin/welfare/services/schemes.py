"""Mutual-aid schemes (职工互助保障): created and changed by a city administrator.

A scheme belongs to the whole tree (``Scheme.policy``: path None): every union administrator
sees it, only a grant at the root manages it. Each write is audited (``welfare.scheme.create``,
``welfare.scheme.update``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.textlimits import TOO_LONG
from nuanxin.registry.choices import TeamType
from nuanxin.welfare.models import Scheme

NAME_MAX = 100
DESCRIPTION_MAX = 2000
CONTRIBUTION_MAX = Decimal("100000")


def _require_manage(actor: Any) -> None:
    if not Scheme.policy.allows_in(actor, "manage", None):
        raise NotAllowed(_("Only a city administrator manages the mutual-aid schemes."))


def _root() -> Any:
    from nuanxin.orgs.models import Organisation

    root = Organisation.objects.get_first_root_node()
    if root is None:  # pragma: no cover - a database without its tree
        raise ServiceError(_("The organisation tree has no root."))
    return root


def _name(value: Any) -> str:
    text = plaintext.line(value, field="name", label=_("Name"))
    if not text:
        raise ServiceError(_("Give the scheme's name."), field="name")
    if len(text) > NAME_MAX:
        raise ServiceError(str(TOO_LONG % {"limit_value": NAME_MAX, "show_value": len(text)}), field="name")
    return text


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
        raise ServiceError(_("Give the year, e.g. 2020."), field="year")
    return value


def _contribution(value: Any) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("Enter the contribution in yuan, e.g. 30 or 30.50."), field="contribution") from None
    if not amount.is_finite() or amount < 0 or amount >= CONTRIBUTION_MAX or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(_("Enter the contribution in yuan, e.g. 30 or 30.50."), field="contribution")
    return amount.quantize(Decimal("0.01"))


def _teams(value: Any) -> list[str]:
    chosen = [str(v) for v in (value or [])]
    if not chosen or any(v not in TeamType.values for v in chosen):
        raise ServiceError(_("Choose at least one frontline team whose members are eligible."), field="teams")
    return [v for v in TeamType.values if v in chosen]  # the choices' order, no repeats


def _cover(cover_from: Any, cover_to: Any) -> tuple[date, date]:
    if not isinstance(cover_from, date):
        raise ServiceError(_("Give the first day of cover."), field="cover_from")
    if not isinstance(cover_to, date):
        raise ServiceError(_("Give the last day of cover."), field="cover_to")
    if cover_to < cover_from:
        raise ServiceError(_("The cover cannot end before it starts."), field="cover_to")
    return cover_from, cover_to


def _description(value: Any) -> str:
    text = plaintext.notes(value, field="description", label=_("Description"))
    if len(text) > DESCRIPTION_MAX:
        raise ServiceError(
            str(TOO_LONG % {"limit_value": DESCRIPTION_MAX, "show_value": len(text)}), field="description"
        )
    return text


def _same_name(name: str, year: int, exclude: int | None = None) -> None:
    clash = Scheme.objects.filter(name=name, year=year)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ServiceError(_("A scheme of this name and year exists already."), field="name")


@transaction.atomic
def create_scheme(
    *,
    actor: Any,
    name: str,
    year: int,
    cover_from: date,
    cover_to: date,
    contribution: Any,
    teams: list[str] | None = None,
    description: str = "",
) -> Scheme:
    """A new scheme (e.g. 青岛市职工互助保障, 2020), run by the city (the root), open for
    enrolment. ``teams``: the ``TeamType`` values whose members are eligible (the Hubei aid
    team by default; a city administrator extends it to the other frontline teams)."""
    _require_manage(actor)
    name = _name(name)
    year = _year(year)
    cover_from, cover_to = _cover(cover_from, cover_to)
    scheme = Scheme(
        organisation=_root(),
        name=name,
        year=year,
        cover_from=cover_from,
        cover_to=cover_to,
        contribution=_contribution(contribution),
        teams=_teams(teams if teams is not None else [TeamType.HUBEI_AID.value]),
        description=_description(description),
        created_by=user_of(actor),
    )
    _same_name(name, year)
    scheme._history_user = user_of(actor)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError as exc:
        raise ServiceError(_("A scheme of this name and year exists already."), field="name") from exc
    audit.record(
        actor,
        "welfare.scheme.create",
        obj=scheme,
        object_repr=f"scheme #{scheme.pk}",
        organisation=scheme.organisation,
        detail={"name": scheme.name, "welfare_year": scheme.year, "welfare_teams": scheme.teams},
    )
    return scheme


@transaction.atomic
def update_scheme(
    scheme: Scheme,
    *,
    actor: Any,
    name: str | None = None,
    year: int | None = None,
    cover_from: date | None = None,
    cover_to: date | None = None,
    contribution: Any = None,
    teams: list[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
    version: int | None = None,
) -> Scheme:
    """Change a scheme (``None``: unchanged). The contribution of the enrolments made so far
    stays what it was when they were made; a new contribution applies to new enrolments."""
    _require_manage(actor)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    versioning.check_version(scheme, version)
    fields: dict[str, Any] = {}
    if name is not None:
        fields["name"] = _name(name)
    if year is not None:
        fields["year"] = _year(year)
    if cover_from is not None or cover_to is not None:
        fields["cover_from"], fields["cover_to"] = _cover(
            cover_from if cover_from is not None else scheme.cover_from,
            cover_to if cover_to is not None else scheme.cover_to,
        )
    if contribution is not None:
        fields["contribution"] = _contribution(contribution)
    if teams is not None:
        fields["teams"] = _teams(teams)
    if description is not None:
        fields["description"] = _description(description)
    if active is not None:
        fields["active"] = bool(active)
    changed = {k: v for k, v in fields.items() if getattr(scheme, k) != v}
    if not changed:
        return scheme
    if "name" in changed or "year" in changed:
        _same_name(changed.get("name", scheme.name), changed.get("year", scheme.year), scheme.pk)
    for key, value in changed.items():
        setattr(scheme, key, value)
    versioning.bump(scheme)
    scheme._history_user = user_of(actor)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError as exc:
        raise ServiceError(_("A scheme of this name and year exists already."), field="name") from exc
    detail: dict[str, Any] = {"changed": sorted(changed)}
    if "teams" in changed:
        detail["welfare_teams"] = scheme.teams
    audit.record(
        actor, "welfare.scheme.update", obj=scheme, object_repr=f"scheme #{scheme.pk}",
        organisation=scheme.organisation, detail=detail,
    )
    return scheme
