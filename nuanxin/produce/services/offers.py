"""Weekly offers at a pickup point: put together as a draft (items with their supplier, unit,
market price, subsidised price and the most a family may take), then opened for orders until
the cut-off. An offer may be copied to the next week (a draft with the same items).

Kept by the administrators of the point's organisation (``Offer``'s ``change`` =
``roles.PRODUCE_MANAGE``). Items change only while the offer is a draft (orders are priced from
them); the title, cut-off, pickup day and fund may still change while it takes orders, the cap
not."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.versioning import bump, check_version
from nuanxin.funds.templatetags.funds_money import yuan_text
from nuanxin.orgs.scope import ancestor_paths
from nuanxin.produce.choices import DEFAULT_CAP, OfferStatus
from nuanxin.produce.models import Offer, OfferItem, PickupPoint, Supplier
from nuanxin.produce.selectors.catalogue import fund_choices
from nuanxin.registry import normalise

CENT = Decimal("0.01")
MAX_MONEY = Decimal("99999999.99")
OFFER_FIELDS = ("title", "cap", "cutoff_at", "pickup_on", "fund")
OPEN_FIELDS = ("title", "cutoff_at", "pickup_on", "fund")  # what may change while orders are taken
ITEM_FIELDS = ("supplier", "name", "unit", "price", "subsidised_price", "max_quantity")


def monday(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def this_week() -> date:
    return monday(timezone.localdate())


def money(value: Any, *, field: str, positive: bool = False) -> Decimal:
    """An amount in yuan with at most two decimals, 0 or more (more than 0 when ``positive``)."""
    try:
        amount = Decimal(str(value).strip().replace(",", "").lstrip("¥"))
    except (InvalidOperation, ValueError):
        raise ServiceError(_("Enter an amount in yuan, e.g. 12.50."), field=field) from None
    if not amount.is_finite() or amount != amount.quantize(CENT) or amount < 0 or amount > MAX_MONEY:
        raise ServiceError(_("Enter an amount in yuan, e.g. 12.50."), field=field)
    if positive and amount == 0:
        raise ServiceError(_("The amount must be more than ¥0.00."), field=field)
    return amount.quantize(CENT)


def _check_fund(point: PickupPoint, fund: Any) -> None:
    if fund is None:
        return
    if fund.pk not in {f.pk for f in fund_choices(point)}:
        raise ServiceError(
            _(
                "The subsidy can only be charged to an open fund of the point's organisation or above that allows "
                "comfort supplies."
            ),
            field="fund",
        )


def _check_dates(week: date, cutoff_at: datetime, pickup_on: date) -> None:
    if timezone.is_naive(cutoff_at):
        cutoff_at = timezone.make_aware(cutoff_at)
    if not week <= pickup_on <= week + timedelta(days=6):
        raise ServiceError(
            _("The pickup day must be in the week of the offer (%(from)s to %(to)s).")
            % {"from": f"{week:%Y-%m-%d}", "to": f"{week + timedelta(days=6):%Y-%m-%d}"},
            field="pickup_on",
        )
    if timezone.localtime(cutoff_at).date() > pickup_on:
        raise ServiceError(_("The order cut-off must come before the pickup day."), field="cutoff_at")


def _clean_offer(point: PickupPoint, week: date, values: dict[str, Any]) -> dict[str, Any]:
    if "title" in values:
        values["title"] = normalise.text(values["title"] or "")
    if "cap" in values:
        values["cap"] = money(values["cap"], field="cap", positive=True)
    if "fund" in values:
        _check_fund(point, values["fund"])
    return values


def _label(offer: Offer) -> str:
    return f"{offer.point.name} {offer.week:%Y-%m-%d}"


@transaction.atomic
def create_offer(
    *,
    actor,
    point: PickupPoint,
    week: date,
    cutoff_at: datetime,
    pickup_on: date,
    title: str = "",
    cap: Any = DEFAULT_CAP,
    fund: Any = None,
) -> Offer:
    """A draft offer at ``point`` for the week of ``week`` (its Monday is kept)."""
    Offer.policy.require_in(actor, "change", point.organisation)
    week = monday(week)
    values = _clean_offer(point, week, {"title": title, "cap": cap, "fund": fund})
    _check_dates(week, cutoff_at, pickup_on)
    if Offer.objects.filter(point=point, week=week).exists():
        raise Conflict(
            _("%(point)s already has an offer for the week of %(week)s.")
            % {"point": point.name, "week": f"{week:%Y-%m-%d}"},
            field="week",
        )
    offer = Offer(point=point, week=week, cutoff_at=cutoff_at, pickup_on=pickup_on, created_by=user_of(actor), **values)
    offer._history_user = user_of(actor)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        raise Conflict(
            _("%(point)s already has an offer for the week of %(week)s.")
            % {"point": point.name, "week": f"{week:%Y-%m-%d}"},
            field="week",
        ) from None
    audit.record(
        actor,
        "produce.offer.create",
        obj=offer,
        organisation=point.organisation,
        detail={"point": point.pk, "week": f"{week:%Y-%m-%d}", "cap": str(offer.cap)},
    )
    return offer


def _locked(offer: Offer) -> Offer:
    return Offer.objects.select_for_update().select_related("point__organisation").get(pk=offer.pk)


@transaction.atomic
def update_offer(*, actor, offer: Offer, version=None, **values: Any) -> Offer:
    """Change the title, cap, cut-off, pickup day or fund (the cap only while a draft)."""
    offer = _locked(offer)
    Offer.policy.require(actor, "change", offer)
    check_version(offer, version)
    unknown = set(values) - set(OFFER_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if offer.status not in (OfferStatus.DRAFT, OfferStatus.OPEN):
        raise ServiceError(_("This offer is closed: it can no longer be changed."))
    if offer.status == OfferStatus.OPEN:
        if "cap" in values and money(values.pop("cap"), field="cap") != offer.cap:
            raise ServiceError(_("The cap cannot change once the offer takes orders."), field="cap")
    values = _clean_offer(offer.point, offer.week, values)
    cutoff_at = values.get("cutoff_at", offer.cutoff_at)
    pickup_on = values.get("pickup_on", offer.pickup_on)
    _check_dates(offer.week, cutoff_at, pickup_on)
    changed = sorted(k for k, v in values.items() if getattr(offer, k) != v)
    for key, value in values.items():
        setattr(offer, key, value)
    offer._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(offer)
    offer.save()
    audit.record(
        actor, "produce.offer.update", obj=offer, organisation=offer.point.organisation, detail={"changed": changed}
    )
    return offer


def _require_draft(offer: Offer) -> None:
    if offer.status != OfferStatus.DRAFT:
        raise ServiceError(_("Items can only be changed while the offer is a draft."))


def _check_supplier(offer: Offer, supplier: Supplier) -> None:
    point_path = offer.point.organisation.path
    path = supplier.organisation.path
    if not supplier.active or not (path.startswith(point_path) or path in ancestor_paths(point_path)):
        raise ServiceError(
            _("%(supplier)s cannot supply this point: choose an active supplier of the point's organisation or above.")
            % {"supplier": supplier.name},
            field="supplier",
        )


def _clean_item(offer: Offer, values: dict[str, Any], current: OfferItem | None = None) -> dict[str, Any]:
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise ServiceError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    if "name" in values:
        values["name"] = normalise.text(values["name"] or "")
        if not values["name"]:
            raise ServiceError(_("This field is required."), field="name")
    if "unit" in values:
        values["unit"] = normalise.text(values["unit"] or "")
    if "supplier" in values:
        _check_supplier(offer, values["supplier"])
    if "price" in values:
        values["price"] = money(values["price"], field="price", positive=True)
    if "subsidised_price" in values:
        values["subsidised_price"] = money(values["subsidised_price"], field="subsidised_price")
    price = values.get("price", current.price if current else None)
    subsidised = values.get("subsidised_price", current.subsidised_price if current else None)
    if price is not None and subsidised is not None and subsidised > price:
        raise ServiceError(
            _("The subsidised price (%(subsidised)s) cannot be more than the price (%(price)s).")
            % {"subsidised": yuan_text(subsidised), "price": yuan_text(price)},
            field="subsidised_price",
        )
    if "max_quantity" in values:
        try:
            quantity = int(values["max_quantity"])
        except (TypeError, ValueError):
            quantity = 0
        if not 1 <= quantity <= 99:
            raise ServiceError(_("At most per family: a whole number from 1 to 99."), field="max_quantity")
        values["max_quantity"] = quantity
    return values


@transaction.atomic
def add_item(
    *,
    actor,
    offer: Offer,
    supplier: Supplier,
    name: str,
    price: Any,
    subsidised_price: Any,
    unit: str = "",
    max_quantity: int = 1,
) -> OfferItem:
    offer = _locked(offer)
    Offer.policy.require(actor, "change", offer)
    _require_draft(offer)
    values = _clean_item(
        offer,
        {
            "supplier": supplier,
            "name": name,
            "unit": unit,
            "price": price,
            "subsidised_price": subsidised_price,
            "max_quantity": max_quantity,
        },
    )
    position = (offer.items.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    item = OfferItem.objects.create(offer=offer, position=position, **values)
    audit.record(
        actor,
        "produce.item.add",
        obj=item,
        organisation=offer.point.organisation,
        detail={
            "offer": offer.pk,
            "name": item.name,
            "price": str(item.price),
            "subsidised_price": str(item.subsidised_price),
        },
    )
    return item


@transaction.atomic
def update_item(*, actor, item: OfferItem, **values: Any) -> OfferItem:
    offer = _locked(item.offer)
    Offer.policy.require(actor, "change", offer)
    _require_draft(offer)
    item = OfferItem.objects.select_related("supplier__organisation").get(pk=item.pk)
    values = _clean_item(offer, values, current=item)
    changed = sorted(k for k, v in values.items() if getattr(item, k) != v)
    for key, value in values.items():
        setattr(item, key, value)
    item.save()
    audit.record(
        actor,
        "produce.item.update",
        obj=item,
        organisation=offer.point.organisation,
        detail={"offer": offer.pk, "changed": changed},
    )
    return item


@transaction.atomic
def remove_item(*, actor, item: OfferItem) -> None:
    offer = _locked(item.offer)
    Offer.policy.require(actor, "change", offer)
    _require_draft(offer)
    audit.record(
        actor,
        "produce.item.remove",
        obj=item,
        organisation=offer.point.organisation,
        detail={"offer": offer.pk, "name": item.name},
    )
    item.delete()


@transaction.atomic
def open_offer(*, actor, offer: Offer, version=None, now: datetime | None = None) -> Offer:
    """DRAFT → OPEN: families' orders are taken until the cut-off. It needs an item and a cut-off
    still ahead (of ``now``: the demo opens a past week's offer as it was then)."""
    offer = _locked(offer)
    Offer.policy.require(actor, "change", offer)
    check_version(offer, version)
    if offer.status != OfferStatus.DRAFT:
        raise ServiceError(_("Only a draft offer can be opened."))
    if not offer.items.exists():
        raise ServiceError(_("Add at least one item before opening the offer."))
    if offer.cutoff_at <= (now or timezone.now()):
        raise ServiceError(
            _("The order cut-off has passed: move it later before opening the offer."), field="cutoff_at"
        )
    offer.status = OfferStatus.OPEN
    offer._history_user = user_of(actor)  # type: ignore[attr-defined]
    bump(offer)
    offer.save()
    audit.record(
        actor,
        "produce.offer.open",
        obj=offer,
        organisation=offer.point.organisation,
        detail={"from": OfferStatus.DRAFT, "to": OfferStatus.OPEN},
    )
    return offer


@transaction.atomic
def copy_offer(*, actor, offer: Offer, week: date | None = None) -> Offer:
    """A draft for ``week`` (the next week by default) at the same point with the same title,
    cap, fund and items (those of suppliers still active), the cut-off and pickup day moved by
    as many weeks."""
    source = Offer.objects.select_related("point__organisation").get(pk=offer.pk)
    week = monday(week) if week else source.week + timedelta(days=7)
    shift = week - source.week
    copy = create_offer(
        actor=actor,
        point=source.point,
        week=week,
        cutoff_at=source.cutoff_at + shift,
        pickup_on=source.pickup_on + shift,
        title=source.title,
        cap=source.cap,
        fund=source.fund if source.fund_id and source.fund and source.fund.active else None,
    )
    items = [
        OfferItem(
            offer=copy,
            supplier_id=i.supplier_id,
            name=i.name,
            unit=i.unit,
            price=i.price,
            subsidised_price=i.subsidised_price,
            max_quantity=i.max_quantity,
            position=i.position,
        )
        for i in source.items.select_related("supplier").filter(supplier__active=True)
    ]
    OfferItem.objects.bulk_create(items)
    audit.record(
        actor,
        "produce.offer.copy",
        obj=copy,
        organisation=source.point.organisation,
        detail={"copied_from": source.pk, "item_count": len(items)},
    )
    return copy
