"""The family produce supply: the care contact's phone pages. ``my_families`` lists the families
assigned to them with their live order; ``family`` chooses the family's pickup point and places,
changes or cancels its live order until the cut-off: the order of this week's offer before its
cut-off, of the point's next open offer after it (this week's order, if any, shown above).
The pickup code is shown on the family's page to those who may order for it (the care contact
reads it out to the family when the text message did not arrive)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nuanxin.care.models import CareAssignment
from nuanxin.core import access, idempotency
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import FamilyPoint, Offer, Order
from nuanxin.produce.selectors import catalogue as catalogue_selectors
from nuanxin.produce.services import catalogue as catalogue_services
from nuanxin.produce.services import offers as offer_services
from nuanxin.produce.services import orders as services
from nuanxin.produce.views.catalogue import tabs
from nuanxin.registry.models import Worker


@access.scoped(Order, "change")
def my_families(request):
    """The families assigned to the care contact, each with its live order (or none): the order
    of the week the family may order for now (its point's first offer still taking orders: this
    week's before the cut-off, next week's after it), else of this week."""
    user = request.user
    week = offer_services.this_week()
    workers = list(
        Worker.objects.filter(pk__in=CareAssignment.objects.current().filter(contact=user).values("worker_id"))
        .select_related("organisation")
        .order_by("name", "pk")
    )
    point_of = dict(FamilyPoint.objects.filter(worker__in=workers).values_list("worker_id", "point_id"))
    next_week: dict[int, Any] = {}
    for point_id, offer_week in (
        Offer.objects.filter(
            point_id__in=set(point_of.values()),
            week__gte=week,
            status=OfferStatus.OPEN,
            cutoff_at__gt=timezone.now(),
        )
        .order_by("-week")
        .values_list("point_id", "week")
    ):
        next_week[point_id] = offer_week  # the earliest week wins (ordered latest first)
    live_week = {w.pk: next_week.get(point_of.get(w.pk, 0), week) for w in workers}
    orders: dict[tuple[int, Any], Order] = {
        (o.worker_id, o.week): o
        for o in Order.objects.filter(worker__in=workers, week__in={week, *live_week.values()})
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("offer__point")
    }
    rows = [
        {
            "worker": w,
            "week": live_week[w.pk],
            "order": orders.get((w.pk, live_week[w.pk])),
            "this_week": orders.get((w.pk, week)) if live_week[w.pk] != week else None,
        }
        for w in workers
    ]
    return render(
        request,
        "produce/order_families.html",
        {
            "tabs": tabs(user, "produce:my_families"),
            "week": week,
            "rows": rows,
            "ordered": sum(1 for r in rows if r["order"]),
        },
    )


def _lines(post: Any, offer: Offer) -> dict[int, int]:
    lines: dict[int, int] = {}
    for item in offer.items.all():
        raw = (post.get(f"qty_{item.pk}") or "0").strip() or "0"
        try:
            lines[item.pk] = int(raw)
        except ValueError:
            raise ServiceError(_("A quantity must be a whole number."), field="lines") from None
    return lines


def _next_offer(chosen: Any) -> Offer | None:
    """The family's point's first offer still taking orders (this week's, or next week's once
    this week's cut-off has passed)."""
    if chosen is None:
        return None
    return (
        Offer.objects.filter(
            point_id=chosen.point_id,
            week__gte=offer_services.this_week(),
            status=OfferStatus.OPEN,
            cutoff_at__gt=timezone.now(),
        )
        .select_related("point")
        .order_by("week")
        .first()
    )


def _live_order(worker: Worker, week: Any, offer: Offer | None) -> Order | None:
    """The family's live order of ``offer``'s week (the offer it may order on), else of this
    week when there is no such offer."""
    return (
        Order.objects.filter(worker=worker, week=offer.week if offer is not None else week)
        .exclude(status=OrderStatus.CANCELLED)
        .select_related("offer__point")
        .first()
    )


def _workers(request):
    return Worker.objects.select_related("organisation")


@access.scoped(Worker, "view", lookup="pk", queryset=_workers)
@require_http_methods(["GET", "POST"])
@idempotency.form
def family(request, worker: Worker):
    user = request.user
    if not services.may_order(user, worker):
        raise Http404
    week = offer_services.this_week()
    chosen = catalogue_selectors.family_point(worker)
    next_offer = _next_offer(chosen)
    # the live order: of the week the family may order for now (this week's before the cut-off,
    # next week's after it); this week's order stays shown above it (its code, its status)
    order = _live_order(worker, week, next_offer)
    earlier = None
    if next_offer is not None and next_offer.week > week:
        earlier = (
            Order.objects.filter(worker=worker, week=week)
            .exclude(status=OrderStatus.CANCELLED)
            .select_related("offer__point")
            .first()
        )
    points = catalogue_selectors.points_for(worker)
    error = ""
    entered: dict[int, int] = {}
    posted_offer: Offer | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "point":
                point = next((p for p in points if str(p.pk) == request.POST.get("point")), None)
                if point is None:
                    raise ServiceError(_("Choose a pickup point."), field="point")
                catalogue_services.choose_point(actor=user, worker=worker, point=point)
                messages.success(request, _("The family's pickup point is %(point)s.") % {"point": point.name})
                return redirect("produce:family", pk=worker.pk)
            if action in ("place", "change"):
                offer = Offer.objects.select_related("point__organisation").get(pk=request.POST.get("offer") or 0)
                if not catalogue_selectors.point_allowed_for(worker, offer.point):
                    raise Http404
                posted_offer = offer
                entered = _lines(request.POST, offer)
                if action == "place":
                    placed = services.place_order(actor=user, offer=offer, worker=worker, lines=entered)
                    messages.success(request, _("Order placed. Pickup code %(code)s.") % {"code": placed.code})
                else:
                    if order is None:
                        raise Http404
                    services.change_order(actor=user, order=order, lines=entered, version=request.POST.get("version"))
                    messages.success(request, _("Order changed."))
                return redirect("produce:family", pk=worker.pk)
            if action == "cancel" and order is not None:
                services.cancel_order(actor=user, order=order, version=request.POST.get("version"))
                messages.success(request, _("Order cancelled."))
                return redirect("produce:family", pk=worker.pk)
        except Offer.DoesNotExist:
            raise Http404 from None
        except NotAllowed:
            raise
        except ServiceError as exc:
            error = str(exc.message)
    offer = posted_offer if error and posted_offer is not None else (order.offer if order else next_offer)
    closed_note = ""
    if offer is not None and offer.week > week:
        closed = (
            earlier.offer
            if earlier is not None
            else Offer.objects.filter(point_id=offer.point_id, week=week).exclude(status=OfferStatus.DRAFT).first()
        )
        if closed is not None:
            closed_note = _("This week's orders closed at %(cutoff)s: you can order for the week of %(week)s.") % {
                "cutoff": timezone.localtime(closed.cutoff_at).strftime("%m-%d %H:%M"),
                "week": offer.week.isoformat(),
            }
    items = list(offer.items.select_related("supplier")) if offer else []
    quantities = dict(order.lines.values_list("item_id", "quantity")) if order else {}
    quantities.update(entered)
    for item in items:
        item.quantity = quantities.get(item.pk, 0)  # type: ignore[attr-defined]
    open_now = offer is not None and offer.status == OfferStatus.OPEN and offer.cutoff_at > _now()
    return render(
        request,
        "produce/order_family.html",
        {
            "tabs": tabs(user, "produce:my_families"),
            "worker": worker,
            "week": offer.week if offer is not None else week,
            "order": order,
            "earlier": earlier,
            "closed_note": closed_note,
            "offer": offer,
            "items": items,
            "open_now": open_now,
            "chosen": chosen,
            "points": points,
            "error": error,
        },
        status=200,
    )


def _now():
    return timezone.now()


urlpatterns = [
    path("families/", my_families, name="my_families"),
    path("families/<int:pk>/", family, name="family"),
]
MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []
