"""Reads of the catalogue: the points a family may choose, the funds an offer may charge."""

from __future__ import annotations

from typing import Any

from nuanxin.funds.choices import Category
from nuanxin.funds.models import Fund
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import ancestor_paths
from nuanxin.produce.models import FamilyPoint, PickupPoint


def district_path(organisation: Any) -> str:
    """The path of the family's district: the nearest district federation above (or at) its
    unit; the unit's parent when there is none (an industry union's unit), the root at most."""
    paths = ancestor_paths(organisation.path)
    district = (
        Organisation.objects.filter(path__in=paths, kind=OrgKind.DISTRICT_FEDERATION)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    if district:
        return district
    return paths[-2] if len(paths) > 1 else paths[-1]


def _closeness(unit_path: str, point_path: str) -> int:
    same = 0
    for a, b in zip(unit_path, point_path, strict=False):
        if a != b:
            break
        same += 1
    return same


def points_for(worker: Any) -> list[PickupPoint]:
    """The active points a family may choose: those of its district (and the organisations in
    it) and those of the organisations above, the nearest organisation to the family's unit
    first, then by name."""
    unit_path = worker.organisation.path
    district = district_path(worker.organisation)
    above = ancestor_paths(district)
    rows = list(
        PickupPoint.objects.filter(active=True)
        .filter(organisation__path__startswith=district)
        .select_related("organisation")
        | PickupPoint.objects.filter(active=True, organisation__path__in=above).select_related("organisation")
    )
    rows.sort(key=lambda p: (-_closeness(unit_path, p.organisation.path), len(p.organisation.path), p.name, p.pk))
    return rows


def point_allowed_for(worker: Any, point: PickupPoint) -> bool:
    """Whether ``point`` is one the family may choose (``points_for``)."""
    if not point.active:
        return False
    district = district_path(worker.organisation)
    path = point.organisation.path
    return path.startswith(district) or path in ancestor_paths(district)


def family_point(worker: Any) -> FamilyPoint | None:
    return FamilyPoint.objects.select_related("point").filter(worker=worker).first()


def fund_choices(point: PickupPoint) -> list[Fund]:
    """The funds an offer at ``point`` may charge its subsidy to: open funds of the point's
    organisation or an organisation above it that allow comfort supplies (food etc.)."""
    paths = ancestor_paths(point.organisation.path)
    funds = Fund.objects.filter(organisation__path__in=paths, active=True).select_related("organisation")
    chosen = [f for f in funds if Category.COMFORT in (f.categories or [])]
    chosen.sort(key=lambda f: (-len(f.organisation.path), f.name, f.pk))
    return chosen
