"""Authorization cases of the pickup page and API: 市南区 points (乙 hands parcels over; 丙 of
市北区 reaches none of them, the counsellor has no role)."""

from typing import Any

from nuanxin.produce.models import PickupPoint
from nuanxin.produce.tests.test_weeks_data import live_world
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    w = live_world(p, "授权取")
    point = w.today_offer.point
    page_order, api_order = w.today_orders[0], w.today_orders[1]
    return [
        *standard_cases(p, "produce:pickup", model=PickupPoint, action="pickup", allowed=p.yi),
        # 丙's own points hold no such code: the page says so (200), nothing changes.
        Case(
            "produce:pickup",
            method="post",
            allowed=p.yi,
            denied=p.counsellor,
            other_org=p.bing,
            other_org_status=200,
            data={"point": str(point.pk), "code": page_order.code, "confirm": "1"},
        ),
        Case(
            "POST /api/v1/produce/orders/{order_id}/pickup",
            allowed=p.yi,
            denied=p.counsellor,
            other_org=(p.bing,),
            kwargs={"order_id": api_order.pk},
            data={"code": api_order.code},
        ),
    ]
