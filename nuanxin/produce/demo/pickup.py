"""The demo of the pickup area: the point keeper ``demo-keeper`` (提货点值守 of 市南区, password
``core.demo.DEMO_PASSWORD``) who checks codes at 市南区's point on a phone; on a demo run on a
pickup day (Friday) after the cut-off, this week's offers are closed and a few parcels handed
over, the rest waiting. Last week's parcels (collected and not) are the weeks area's demo.
Idempotent."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.demo.catalogue import POINTS
from nuanxin.produce.models import Offer, Order
from nuanxin.produce.services import pickup, weeks

KEEPER = ("demo-keeper", "周站长", "QD-SN")


def keeper() -> object | None:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services as org_services
    from nuanxin.orgs.models import Organisation

    username, full_name, code = KEEPER
    user = User.objects.filter(username=username).first()
    org = Organisation.objects.filter(code=code).first()
    if user is None and org is not None:
        user, _password = org_services.create_user(
            actor=SYSTEM,
            username=username,
            organisation=org,
            role=Role.POINT_KEEPER,
            password=DEMO_PASSWORD,
            full_name=full_name,
        )
    return user


def build(*, out: Callable[[str], None] = print) -> None:
    user = keeper()
    if user is None:
        out("produce: the demo organisations are missing; no point keeper")
        return
    today = timezone.localdate()
    offers = Offer.objects.filter(point__name__in=[p[0] for p in POINTS], pickup_on=today).select_related("point")
    handed = 0
    for offer in offers:
        if offer.status == OfferStatus.OPEN and offer.cutoff_at <= timezone.now():
            weeks.close_offer(actor=SYSTEM, offer=offer)
        if Order.objects.filter(offer=offer, status=OrderStatus.COLLECTED).exists():
            continue
        codes = list(
            Order.objects.filter(offer=offer, status=OrderStatus.PLACED).order_by("pk").values_list("code", flat=True)
        )
        for code in codes[: len(codes) * 2 // 3]:
            pickup.collect(actor=SYSTEM, point=offer.point, code=code)
            handed += 1
    out(f"produce: point keeper demo-keeper; {handed} parcels handed over today")
