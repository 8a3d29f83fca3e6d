"""Authorization cases of the catalogue pages: a supplier and a point of 市南区 (SN), kept by 乙;
丙 (市北区) is the other organisation; an offer at 市南区站 (a draft to add items to and open, an
open one to copy)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.produce.models import Offer, PickupPoint, Supplier
from nuanxin.produce.services import catalogue, offers
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    sn = Organisation.objects.get(code="SN")
    supplier = catalogue.create_supplier(actor=SYSTEM, organisation=sn, name="授权蔬菜基地")
    point = catalogue.create_point(actor=SYSTEM, organisation=sn, name="授权提货点", address="授权路1号")
    monday = offers.this_week() + timedelta(days=14)
    cutoff = timezone.make_aware(datetime(monday.year, monday.month, monday.day, 18, 0))
    draft = offers.create_offer(
        actor=SYSTEM, point=point, week=monday, cutoff_at=cutoff, pickup_on=monday + timedelta(days=2)
    )
    to_open = offers.create_offer(
        actor=SYSTEM,
        point=point,
        week=monday + timedelta(days=35),
        cutoff_at=cutoff + timedelta(days=35),
        pickup_on=monday + timedelta(days=37),
    )
    offers.add_item(
        actor=SYSTEM, offer=to_open, supplier=supplier, name="授权蔬菜包", price="50", subsidised_price="20"
    )
    removable = offers.add_item(
        actor=SYSTEM, offer=draft, supplier=supplier, name="授权鸡蛋", price="10", subsidised_price="5"
    )
    item_data = {
        "supplier": str(supplier.pk),
        "name": "授权土豆",
        "unit": "斤",
        "price": "3.00",
        "subsidised_price": "1.50",
        "max_quantity": "2",
    }
    return [
        *standard_cases(p, "produce:home", model=Offer, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "produce:supplier_list",
            model=Supplier,
            action="view",
            allowed=p.yi,
            data={"organisation": str(sn.pk), "name": "授权新基地", "active": "on"},
            other_org=p.bing,
            other_org_status=200,
        ),
        *standard_cases(
            p,
            "produce:supplier_edit",
            model=Supplier,
            action="change",
            obj=supplier,
            allowed=p.yi,
            data={"name": "授权蔬菜基地二", "active": "on", "version": "1"},
        ),
        *standard_cases(
            p,
            "produce:point_list",
            model=PickupPoint,
            action="view",
            allowed=p.yi,
            data={"organisation": str(sn.pk), "name": "授权新提货点", "address": "授权路2号", "active": "on"},
            other_org=p.bing,
            other_org_status=200,
        ),
        *standard_cases(
            p,
            "produce:point_edit",
            model=PickupPoint,
            action="change",
            obj=point,
            allowed=p.yi,
            data={"name": "授权提货点二", "address": "授权路1号", "active": "on", "version": "1"},
        ),
        *standard_cases(
            p,
            "produce:offer_list",
            model=Offer,
            action="view",
            allowed=p.yi,
            data={
                "point": str(point.pk),
                "week": f"{monday + timedelta(days=21):%Y-%m-%d}",
                "title": "授权",
                "cap": "80.00",
                "cutoff_at": f"{monday + timedelta(days=21):%Y-%m-%d} 18:00",
                "pickup_on": f"{monday + timedelta(days=23):%Y-%m-%d}",
            },
            other_org=p.bing,
            other_org_status=200,
        ),
        *standard_cases(p, "produce:offer_detail", model=Offer, action="view", obj=draft, allowed=p.yi, data=item_data),
        *standard_cases(
            p,
            "produce:offer_edit",
            model=Offer,
            action="change",
            obj=draft,
            allowed=p.yi,
            data={
                "title": "授权改",
                "cap": "70.00",
                "cutoff_at": f"{monday:%Y-%m-%d} 18:00",
                "pickup_on": f"{monday + timedelta(days=2):%Y-%m-%d}",
                "version": "1",
            },
        ),
        *standard_cases(
            p,
            "produce:offer_open",
            model=Offer,
            action="change",
            obj=to_open,
            allowed=p.yi,
            method="post",
            data={"version": str(to_open.version)},
        ),
        *standard_cases(
            p, "produce:offer_copy", model=Offer, action="change", obj=draft, allowed=p.yi, method="post", data={}
        ),
        Case(
            "produce:item_remove",
            kwargs={"pk": draft.pk, "item": removable.pk},
            method="post",
            data={},
            allowed=p.yi,
            denied=p.counsellor,
            other_org=p.bing,
        ),
    ]
