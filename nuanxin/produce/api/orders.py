"""The family produce supply: the offers and orders API operations.

``GET /offers?point=&week=``: the offers (with their items) of the points in the token user's
scope and above; ``POST /orders``: a family's order of the week (the same service and refusals
as the page: 400 with ``code`` over_cap, cutoff_passed, offer_not_open, over_item_limit, empty,
bad_item, point_not_allowed; 409 ``duplicate`` when the family already has an order that week)."""
# No ``from __future__ import annotations``: ninja reads the operations' annotations.

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Query, Schema, Status

from nuanxin.core import apiutils, idempotency
from nuanxin.produce.models import Offer, Order
from nuanxin.produce.selectors.catalogue import point_allowed_for
from nuanxin.produce.selectors.orders import visible_offers
from nuanxin.produce.services import offers as offer_services
from nuanxin.produce.services import orders as services
from nuanxin.registry.models import Worker

router = apiutils.ScopedRouter(tags=["produce"])


class ProduceItemOut(Schema):
    id: int
    name: str
    unit: str
    supplier: str = Field(description="The supplier's name.")
    price: Decimal = Field(description="Market price per unit (what the cap counts).")
    subsidised_price: Decimal = Field(description="What the family pays per unit.")
    max_quantity: int = Field(description="At most per family.")

    @staticmethod
    def resolve_supplier(obj: Any) -> str:
        return obj.supplier.name


class ProduceOfferOut(Schema):
    id: int
    point: int = Field(..., alias="point_id")
    point_name: str
    week: date = Field(description="The Monday of the offer's week.")
    title: str
    status: str = Field(description="draft, open, closed or settled.")
    cap: Decimal = Field(description="Most a family's order may come to at market prices in the week.")
    cutoff_at: datetime
    pickup_on: date
    items: list[ProduceItemOut]

    @staticmethod
    def resolve_point_name(obj: Any) -> str:
        return obj.point.name

    @staticmethod
    def resolve_items(obj: Any) -> list:
        return list(obj.items.all())


class ProduceOfferFilter(Schema):
    # No bounds: a number no point has is the same 404 as an unknown point.
    point: int | None = Field(None, description="A pickup point's id.")
    week: date | None = Field(None, description="Any day of the week (default: this week).")


@router.get(
    "/produce/offers",
    model=Offer,
    action="view",
    response=list[ProduceOfferOut],
    operation_id="list_produce_offers",
    summary="Weekly produce offers with their items",
)
def list_offers(request: Any, filters: Query[ProduceOfferFilter]) -> Any:
    week = offer_services.monday(filters.week) if filters.week else offer_services.this_week()
    rows = visible_offers(request.user).filter(week=week).select_related("point").prefetch_related("items__supplier")
    if filters.point is not None:
        # A point of which no offer is in reach (or a number no point has) is a 404; an empty
        # week of a point in reach is an empty list.
        if (
            not 1 <= filters.point <= 2**63 - 1
            or not visible_offers(request.user).filter(point_id=filters.point).exists()
        ):
            raise Http404
        rows = rows.filter(point_id=filters.point)
    return list(rows.order_by("point__name", "id"))


class ProduceLineIn(Schema):
    item: int = Field(..., ge=1, le=2_147_483_647)
    quantity: int = Field(..., ge=0, le=99)


class ProduceOrderIn(Schema):
    offer: int = Field(..., ge=1, le=2_147_483_647)
    worker: int = Field(..., ge=1, le=2_147_483_647, description="The family's worker.")
    lines: list[ProduceLineIn] = Field(..., max_length=50)


class ProduceLineOut(Schema):
    item: int = Field(..., alias="item_id")
    quantity: int
    price: Decimal
    subsidised_price: Decimal


class ProduceOrderOut(Schema):
    id: int
    offer: int = Field(..., alias="offer_id")
    worker: int = Field(..., alias="worker_id")
    week: date
    status: str
    code: str = Field(description="The six-digit pickup code (texted to the family).")
    value: Decimal
    payable: Decimal
    subsidy: Decimal
    code_sent_at: datetime | None
    version: int
    lines: list[ProduceLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list:
        return list(obj.lines.all())


@router.post(
    "/produce/orders",
    model=Order,
    action="change",
    response={201: ProduceOrderOut, 409: apiutils.ErrorOut},
    operation_id="create_produce_order",
    summary="Place a family's weekly produce order",
)
@idempotency.api
def create_order(request: Any, payload: ProduceOrderIn) -> Any:
    """Place the family's order of the offer's week: the family's care contact or an
    administrator of its unit; a family out of reach or an offer not at one of its points is a
    404. Refusals (400, nothing saved): over the cap (both amounts in the message), after the
    cut-off, offer not open, over an item's limit, nothing chosen; 409 when the family already
    has an order that week."""
    worker = apiutils.get_scoped_or_404(
        Worker.objects.select_related("organisation"), request, "view", pk=payload.worker
    )
    if not services.may_order(request.user, worker):
        raise Http404
    offer = Offer.objects.select_related("point__organisation").filter(pk=payload.offer).first()
    if offer is None or not point_allowed_for(worker, offer.point):
        raise Http404
    lines: dict[int, int] = {}
    for line in payload.lines:
        lines[line.item] = lines.get(line.item, 0) + line.quantity
    order = services.place_order(actor=request.user, offer=offer, worker=worker, lines=lines)
    return Status(201, Order.objects.prefetch_related("lines").get(pk=order.pk))
