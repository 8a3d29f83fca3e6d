"""Authorization cases of the care contact's order pages and the offers/orders API: families of
市南区人民医院工会 (SN-H1) assigned to the care contact, an open offer of this week at a point of
市南区 (SN); 丙 (市北区) is the other organisation."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from nuanxin.care import services as care_services
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.produce.models import Offer, Order
from nuanxin.produce.services import catalogue, offers
from nuanxin.registry import services as registry
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    sn, unit = (Organisation.objects.get(code=c) for c in ("SN", "SN-H1"))
    families = [
        registry.create_worker(
            actor=SYSTEM, organisation=unit, name=name, team="hubei_aid", mobile=f"1380099000{i}", allow_duplicate=True
        )
        for i, name in enumerate(("授权订菜甲", "授权订菜乙"))
    ]
    campaign = care_services.create_campaign(actor=SYSTEM, name="授权订菜行动", starts_on=timezone.localdate())
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=families, contact=p.care)
    supplier = catalogue.create_supplier(actor=SYSTEM, organisation=sn, name="授权订单基地")
    point = catalogue.create_point(actor=SYSTEM, organisation=sn, name="授权订单提货点", address="授权路9号")
    week = offers.this_week()
    sunday = week + timedelta(days=6)
    cutoff = timezone.make_aware(datetime(sunday.year, sunday.month, sunday.day, 23, 59))
    offer = offers.create_offer(actor=SYSTEM, point=point, week=week, cutoff_at=cutoff, pickup_on=sunday)
    item = offers.add_item(
        actor=SYSTEM, offer=offer, supplier=supplier, name="授权蔬菜包", price="60", subsidised_price="30"
    )
    offers.open_offer(actor=SYSTEM, offer=offer)
    first, second = families
    return [
        *standard_cases(p, "produce:my_families", model=Order, action="change", allowed=p.care),
        Case("produce:family", kwargs={"pk": first.pk}, allowed=p.care, denied=p.counsellor, other_org=p.bing),
        Case(
            "produce:family",
            kwargs={"pk": first.pk},
            allowed=p.care,
            denied=p.counsellor,
            other_org=p.bing,
            method="post",
            data={"action": "place", "offer": str(offer.pk), f"qty_{item.pk}": "1"},
        ),
        *standard_cases(p, "GET /api/v1/produce/offers", model=Offer, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "POST /api/v1/produce/orders",
            model=Order,
            action="change",
            allowed=p.care,
            other_org=p.bing,
            data={"offer": offer.pk, "worker": second.pk, "lines": [{"item": item.pk, "quantity": 1}]},
        ),
    ]
