"""The family produce supply: the pickup API operation. A keeper's app (or a scanner) hands a
parcel over with the order's id and the code the family says: the same checks as the page
(``services.pickup.collect``); an order at a point outside the token user's pickup points is the
same 404 as a missing one. The family is masked (张*明, the mobile's last four digits)."""

# No ``from __future__ import annotations``: ninja reads the annotations through the router's wrapper.
from datetime import date, datetime
from typing import Any

from django.http import Http404
from ninja import Field, Schema

from nuanxin.core import apiutils
from nuanxin.produce.models import Offer, Order
from nuanxin.produce.services import pickup

router = apiutils.ScopedRouter(tags=["produce"])


class ProducePickupIn(Schema):
    code: str = Field(max_length=20, description="The 6-digit pickup code the family says.")


class ProducePickupLineOut(Schema):
    item: str
    quantity: int


class ProducePickupOut(Schema):
    id: int
    status: str = Field(description="collected once handed over.")
    week: date
    point: str
    family: str = Field(description="The worker's name, masked (张*明).")
    mobile_tail: str = Field(description="The last four digits of the worker's mobile.")
    collected_at: datetime | None
    lines: list[ProducePickupLineOut]


def pickup_out(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "status": order.status,
        "week": order.week,
        "point": order.offer.point.name,
        "family": pickup.mask_name(order.worker.name),
        "mobile_tail": pickup.mobile_tail(order.worker.mobile),
        "collected_at": order.collected_at,
        "lines": [
            {"item": line.item.name, "quantity": line.quantity}
            for line in order.lines.select_related("item").order_by("item__position", "id")
        ],
    }


@router.post(
    "/produce/orders/{order_id}/pickup",
    model=Offer,
    action="pickup",
    response={200: ProducePickupOut},
    operation_id="pickup_produce_order",
    summary="Hand a parcel over at its pickup point (with the family's code)",
)
def pickup_order(request: Any, order_id: int, payload: ProducePickupIn) -> Any:
    """The parcel of ``order_id`` handed over now: its code must be the one given, of a live order
    of today's pickup at a point where the token user may hand parcels over, after the cut-off.
    A wrong code, another order's code, a cancelled order, another day's or a settled week, or a
    parcel already collected (when) are 400s with the message, nothing changed."""
    offers = Offer.objects.for_user(request.user, "pickup")
    order = _order(order_id, offers)
    done = pickup.collect(actor=request.user, point=order.offer.point, code=payload.code, order=order)
    return pickup_out(Order.objects.select_related("offer__point", "worker").get(pk=done.pk))


def _order(order_id: int, offers: Any) -> Order:
    """The order at one of ``offers`` (the user's pickup points): else the 404 of a missing one."""
    order = Order.objects.filter(pk=order_id, offer__in=offers).select_related("offer__point", "worker").first()
    if order is None:
        raise Http404
    return order
