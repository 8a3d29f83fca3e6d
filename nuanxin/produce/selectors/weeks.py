"""Reads of the week's work: a point's pick list, the suppliers' totals of a week, the parcels
nobody came for and the check calls. Families are shown as the register's lists mask them
(张*明, the mobile's last four digits) except where a person must call them (the uncollected
list and the check calls: the full numbers, their display audited)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from nuanxin.core import audit
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, Order, OrderLine, PickupCallback
from nuanxin.produce.services.pickup import mask_name
from nuanxin.registry.models import FamilyMember

ZERO = Decimal("0.00")
LIVE = (OrderStatus.PLACED, OrderStatus.COLLECTED, OrderStatus.UNCOLLECTED)


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week(value: Any) -> date | None:
    """A ``?week=`` value (any day of the week, Y-m-d) as its Monday; None when not a date."""
    try:
        return monday(date.fromisoformat(str(value or "").strip()[:10]))
    except ValueError:
        return None


@dataclass
class ItemTotal:
    item_id: int
    name: str
    unit: str
    supplier: str
    quantity: int
    value: Decimal


@dataclass
class PackedOrder:
    """A parcel of the pick list: its number (1, 2, … in the order the orders were placed), the
    last two digits of its pickup code at most (the full code stays between the family and the
    keeper's hand-over screen: a printed sheet must not let anyone collect a parcel)."""

    id: int
    number: int
    code_tail: str
    family: str
    tail: str
    status: str
    status_label: str
    value: Decimal
    payable: Decimal
    lines: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class PickList:
    offer: Offer
    items: list[ItemTotal]
    orders: list[PackedOrder]
    parcels: int
    value: Decimal
    payable: Decimal
    subsidy: Decimal
    collected: int


def parcel_number(order: Order) -> int:
    """The order's parcel number on its week's pick list (live orders numbered by id)."""
    return Order.objects.filter(offer_id=order.offer_id, status__in=LIVE, id__lte=order.pk).count()


def pick_list(offer: Offer) -> PickList:
    """Items × quantities and every live order (parcel number, the code's last two digits,
    masked family, its lines) of ``offer``:
    two reads of the lines and one of the orders."""
    items = [
        ItemTotal(
            item_id=r["item_id"],
            name=r["item__name"],
            unit=r["item__unit"],
            supplier=r["item__supplier__name"],
            quantity=r["qty"] or 0,
            value=(r["value"] or ZERO),
        )
        for r in OrderLine.objects.filter(order__offer=offer, order__status__in=LIVE)
        .values("item_id", "item__name", "item__unit", "item__supplier__name", "item__position")
        .annotate(qty=Sum("quantity"), value=Sum(F("quantity") * F("price")))
        .order_by("item__position", "item_id")
    ]
    labels = dict(OrderStatus.choices)
    orders: OrderedDict[int, PackedOrder] = OrderedDict()
    for o in (
        Order.objects.filter(offer=offer, status__in=LIVE)
        .values("id", "code", "status", "value", "payable", "worker__name", "worker__mobile_tail")
        .order_by("id")
    ):
        orders[o["id"]] = PackedOrder(
            id=o["id"],
            number=len(orders) + 1,
            code_tail=o["code"][-2:],
            family=mask_name(o["worker__name"]),
            tail=o["worker__mobile_tail"] or "",
            status=o["status"],
            status_label=str(labels.get(o["status"], o["status"])),
            value=o["value"],
            payable=o["payable"],
        )
    for line in (
        OrderLine.objects.filter(order__offer=offer, order__status__in=LIVE)
        .values_list("order_id", "item__name", "quantity")
        .order_by("order_id", "item__position", "id")
    ):
        packed = orders.get(line[0])
        if packed is not None:
            packed.lines.append((line[1], line[2]))
    sums = Order.objects.filter(offer=offer, status__in=LIVE).aggregate(
        n=Count("id"),
        value=Sum("value"),
        payable=Sum("payable"),
        subsidy=Sum("subsidy"),
        collected=Count("id", filter=Q(status=OrderStatus.COLLECTED)),
    )
    return PickList(
        offer=offer,
        items=items,
        orders=list(orders.values()),
        parcels=sums["n"] or 0,
        value=sums["value"] or ZERO,
        payable=sums["payable"] or ZERO,
        subsidy=sums["subsidy"] or ZERO,
        collected=sums["collected"] or 0,
    )


@dataclass
class SupplierTotal:
    supplier: str
    items: list[ItemTotal]
    quantity: int
    value: Decimal
    points: int


def supplier_totals(user: Any, week: date) -> tuple[list[SupplierTotal], int]:
    """Per supplier, its items' quantities and value over the offers of ``week`` at the points
    in ``user``'s scope (live orders); and how many offers that covers."""
    offers = Offer.objects.for_user(user, "view").filter(week=week).exclude(status=OfferStatus.DRAFT)
    offer_ids = list(offers.values_list("pk", flat=True))
    rows = (
        OrderLine.objects.filter(order__offer_id__in=offer_ids, order__status__in=LIVE)
        .values("item__supplier_id", "item__supplier__name", "item__name", "item__unit")
        .annotate(
            qty=Sum("quantity"), value=Sum(F("quantity") * F("price")), points=Count("order__offer_id", distinct=True)
        )
        .order_by("item__supplier__name", "item__supplier_id", "item__name", "item__unit")
    )
    by_supplier: OrderedDict[int, SupplierTotal] = OrderedDict()
    point_sets: dict[int, set] = {}
    for r in rows:
        total = by_supplier.setdefault(
            r["item__supplier_id"],
            SupplierTotal(supplier=r["item__supplier__name"], items=[], quantity=0, value=ZERO, points=0),
        )
        total.items.append(
            ItemTotal(
                item_id=0,
                name=r["item__name"],
                unit=r["item__unit"],
                supplier=r["item__supplier__name"],
                quantity=r["qty"] or 0,
                value=r["value"] or ZERO,
            )
        )
        total.quantity += r["qty"] or 0
        total.value += r["value"] or ZERO
    for supplier_id, n in (
        OrderLine.objects.filter(order__offer_id__in=offer_ids, order__status__in=LIVE)
        .values_list("item__supplier_id")
        .annotate(n=Count("order__offer_id", distinct=True))
        .order_by()
    ):
        point_sets[supplier_id] = n
        if supplier_id in by_supplier:
            by_supplier[supplier_id].points = n
    return list(by_supplier.values()), len(offer_ids)


@dataclass
class FamilyToCall:
    order_id: int
    worker_id: int
    organisation: Any
    family: str
    mobile: str
    member: str
    member_mobile: str
    point: str
    week: date
    code: str


def _contacts(orders: list[Order]) -> dict[int, tuple[str, str]]:
    primary: dict[int, tuple[str, str]] = {}
    for m in FamilyMember.objects.filter(worker_id__in=[o.worker_id for o in orders], is_primary=True):
        primary[m.worker_id] = (m.name, m.mobile)
    return primary


def to_call(orders: list[Order]) -> list[FamilyToCall]:
    primary = _contacts(orders)
    return [
        FamilyToCall(
            order_id=o.pk,
            worker_id=o.worker_id,
            organisation=o.worker.organisation,
            family=o.worker.name,
            mobile=o.worker.mobile,
            member=primary.get(o.worker_id, ("", ""))[0],
            member_mobile=primary.get(o.worker_id, ("", ""))[1],
            point=o.offer.point.name,
            week=o.week,
            code=o.code,
        )
        for o in orders
    ]


def uncollected(user: Any, week: date | None = None) -> Any:
    """The orders not collected (the families' care contacts follow them up), newest week first."""
    rows = (
        Order.objects.for_user(user, "view")
        .filter(status=OrderStatus.UNCOLLECTED)
        .select_related("worker__organisation", "offer__point")
        .order_by("-week", "offer__point__name", "id")
    )
    if week is not None:
        rows = rows.filter(week=week)
    return rows


def record_contact_reads(user: Any, rows: list[FamilyToCall], *, page: str) -> None:
    """The full numbers shown (to call the families): audited like care's call links."""
    audit.record_reads(
        user,
        "produce.contacts.read",
        [(r.organisation, r.worker_id) for r in rows],
        object_type="registry.worker",
        key="workers",
        page=page,
    )


def callbacks(user: Any, status: str = "") -> Any:
    rows = (
        PickupCallback.objects.for_user(user, "view")
        .select_related("order__worker__organisation", "order__offer__point", "called_by")
        .order_by("status", "-order__week", "id")
    )
    if status:
        rows = rows.filter(status=status)
    return rows


def today() -> date:
    return timezone.localdate()
