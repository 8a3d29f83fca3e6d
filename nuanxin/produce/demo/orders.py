"""The produce supply's demo orders: last week's and this week's parcels of the demo care
contacts' families (demo-care at 市南区's point, demo-care3 at 市北区's and 李沧区's), placed by
their care contact through ``place_orders_many`` as on the Monday of each week at 10:00 (before
the cut-off), a family in eight leaving a week out; the codes are texted (the demo's SMS
backend). Idempotent: nothing is added once the demo points have orders."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils.translation import gettext as _

from nuanxin.care.models import CareAssignment
from nuanxin.produce.choices import OfferStatus
from nuanxin.produce.demo.catalogue import POINTS, _local
from nuanxin.produce.models import Offer, Order, PickupPoint
from nuanxin.produce.services import offers, orders
from nuanxin.registry.models import Worker

# point (by its POINTS index) → (care contact, the units of the families it serves)
SERVED = {0: ("demo-care", ["QD-SN-01"]), 1: ("demo-care3", ["QD-SB-01", "QD-SB-02"]), 2: ("demo-care3", ["QD-LC-01"])}
# the parcels families choose (item positions 1-4 → quantity), all within the ¥80 cap
BASKETS = [{1: 1, 3: 1}, {1: 1, 2: 1}, {1: 1, 4: 1}, {3: 1, 4: 1}, {2: 1, 3: 1, 4: 1}]


def build(*, out: Callable[[str], None] = print) -> None:
    points = list(PickupPoint.objects.filter(name__in=[p[0] for p in POINTS]))
    points.sort(key=lambda p: [n for n, *_rest in POINTS].index(p.name))
    if not points:
        out(_("produce: no demo pickup points; the orders are skipped"))
        return
    if Order.objects.filter(offer__point__in=points).exists():
        out(_("produce: the demo orders exist (0 new)"))
        return
    rng = random.Random(2020)  # noqa: S311 - demo data, not secrets
    this_week = offers.this_week()
    placed = 0
    for index, point in enumerate(points):
        username, units = SERVED[index]
        assigned = CareAssignment.objects.current().filter(
            contact__username=username, worker__organisation__code__in=units
        )
        contact = assigned.first().contact if assigned.exists() else None
        workers = list(
            Worker.objects.filter(pk__in=assigned.values("worker_id"))
            .select_related("organisation")
            .order_by("pk")[:24]
        )
        if contact is None or not workers:
            continue
        for week in (this_week - timedelta(days=7), this_week):
            offer = Offer.objects.filter(point=point, week=week, status=OfferStatus.OPEN).first()
            if offer is None:
                continue
            by_position = {i.position: i.pk for i in offer.items.all()}
            batch = [
                orders.NewOrder(w, {by_position[pos]: q for pos, q in rng.choice(BASKETS).items()})
                for w in workers
                if rng.random() > 0.125
            ]
            rows = orders.place_orders_many(actor=contact, offer=offer, orders=batch, at=_local(week, 10))
            placed += len(rows)
    out(_("produce: %(count)s demo orders placed") % {"count": placed})
