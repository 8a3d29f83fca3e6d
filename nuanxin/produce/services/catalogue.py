"""Suppliers (production parks), pickup points and each family's pickup point.

Suppliers and points are kept by the administrators of their organisation (``change`` =
``roles.PRODUCE_MANAGE``); a family's point is chosen by its care contact or an administrator of
the family's unit (``FamilyPoint``'s ``change``) among the active points of the family's district
and above (``selectors.catalogue.points_for``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.versioning import bump, check_version
from nuanxin.produce.models import FamilyPoint, PickupPoint, Supplier
from nuanxin.produce.selectors.catalogue import point_allowed_for
from nuanxin.registry import normalise
from nuanxin.registry.models import Worker

SUPPLIER_FIELDS = ("name", "contact_name", "contact_mobile", "address", "products", "active")
POINT_FIELDS = ("name", "address", "hours", "contact_name", "contact_mobile", "active")


def _text(values: dict[str, Any], key: str, *, required: bool = False) -> None:
    if key not in values:
        return
    value = normalise.text(values[key] or "")
    if required and not value:
        raise ServiceError(_("This field is required."), field=key)
    values[key] = value


def _mobile(values: dict[str, Any]) -> None:
    if "contact_mobile" not in values:
        return
    try:
        values["contact_mobile"] = normalise.phone(values["contact_mobile"] or "")
    except normalise.InvalidValue as exc:
        raise ServiceError(str(exc), field="contact_mobile") from None


def _clean(values: dict[str, Any], allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    values = dict(values)
    for key in allowed:
        if key in ("active",):
            continue
        if key == "contact_mobile":
            _mobile(values)
        elif key == "products":
            if key in values:
                values[key] = (values[key] or "").strip()
        else:
            _text(values, key, required=key in required)
    return values


@transaction.atomic
def create_supplier(*, actor, organisation, **values: Any) -> Supplier:
    Supplier.policy.require_in(actor, "change", organisation)
    values = _clean(values, SUPPLIER_FIELDS, ("name",))
    if not values.get("name"):
        raise ServiceError(_("This field is required."), field="name")
    supplier = Supplier(organisation=organisation, **values)
    supplier._history_user = user_of(actor)  # type: ignore[attr-defined]
    supplier.save()
    audit.record(
        actor, "produce.supplier.create", obj=supplier, organisation=organisation, detail={"name": supplier.name}
    )
    return supplier


@transaction.atomic
def update_supplier(*, actor, supplier: Supplier, version=None, **values: Any) -> Supplier:
    supplier = Supplier.objects.select_for_update().select_related("organisation").get(pk=supplier.pk)
    Supplier.policy.require(actor, "change", supplier)
    check_version(supplier, version)
    values = _clean(values, SUPPLIER_FIELDS, ("name",))
    changed = sorted(k for k, v in values.items() if getattr(supplier, k) != v)
    for key, value in values.items():
        setattr(supplier, key, value)
    supplier._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(supplier)
    supplier.save()
    audit.record(
        actor, "produce.supplier.update", obj=supplier, organisation=supplier.organisation, detail={"changed": changed}
    )
    return supplier


@transaction.atomic
def create_point(*, actor, organisation, **values: Any) -> PickupPoint:
    PickupPoint.policy.require_in(actor, "change", organisation)
    values = _clean(values, POINT_FIELDS, ("name", "address"))
    for key in ("name", "address"):
        if not values.get(key):
            raise ServiceError(_("This field is required."), field=key)
    point = PickupPoint(organisation=organisation, **values)
    point._history_user = user_of(actor)  # type: ignore[attr-defined]
    point.save()
    audit.record(actor, "produce.point.create", obj=point, organisation=organisation, detail={"name": point.name})
    return point


@transaction.atomic
def update_point(*, actor, point: PickupPoint, version=None, **values: Any) -> PickupPoint:
    point = PickupPoint.objects.select_for_update().select_related("organisation").get(pk=point.pk)
    PickupPoint.policy.require(actor, "change", point)
    check_version(point, version)
    values = _clean(values, POINT_FIELDS, ("name", "address"))
    changed = sorted(k for k, v in values.items() if getattr(point, k) != v)
    for key, value in values.items():
        setattr(point, key, value)
    point._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(point)
    point.save()
    audit.record(actor, "produce.point.update", obj=point, organisation=point.organisation, detail={"changed": changed})
    return point


def choose_point(*, actor, worker, point: PickupPoint) -> FamilyPoint:
    """The family's pickup point is ``point`` (kept when it already is): one of the active points
    of the family's district and above. Refused for a point out of reach."""
    FamilyPoint.policy.require(actor, "change", FamilyPoint(worker=worker))
    if not point_allowed_for(worker, point):
        raise ServiceError(
            _("%(point)s is not a pickup point for this family: choose an open point of its district.")
            % {"point": point.name},
            field="point",
        )
    with transaction.atomic():
        Worker.objects.select_for_update().filter(pk=worker.pk).values_list("pk", flat=True).first()
        current = FamilyPoint.objects.select_for_update().filter(worker=worker).first()
        if current is not None and current.point_id == point.pk:
            return current
        before = current.point_id if current is not None else None
        if current is None:
            current = FamilyPoint(worker=worker, point=point, chosen_by=user_of(actor))
        else:
            current.point = point
            current.chosen_by = user_of(actor)
            bump(current)
        current.save()
        audit.record(
            actor,
            "produce.family_point.choose",
            obj=current,
            organisation=worker.organisation,
            detail={"worker": worker.pk, "point": point.pk, "before": before},
        )
    return current
