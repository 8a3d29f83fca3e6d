"""Test data of the pickup and week-closing tests (no tests here): built with the ORM where the
ordering services are another area's, at a fixed time.

On top of the personas (``p``): point keepers of 市南区 (SN) and 市北区 (SB), a supplier of the
city, pickup points 市南区站 (SN) and 市北区站 (SB), a fund of 市南区 holding ¥10,000 (comfort
allowed), and the week of Monday 2020-02-03 (cut-off Wednesday 18:00, pickup Friday
2020-02-07): at 市南区站 five families' parcels (codes 100001–100005; a parcel ¥60 for ¥30 and
eggs ¥15 for ¥10), a cancelled order (100009); at 市北区站 one parcel (200001); and 市南区站's
week before (pickup 2020-01-31), one parcel (300001). The clock stands at Friday 2020-02-07
10:00 (Asia/Shanghai) unless a test moves it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.tests.fixtures import build_people, fund_with
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, OfferItem, Order, OrderLine, PickupPoint, Supplier
from nuanxin.registry import services as registry_services

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = date(2020, 2, 3)
CUTOFF = datetime(2020, 2, 5, 18, 0, tzinfo=SHANGHAI)
PICKUP = date(2020, 2, 7)
NOW = datetime(2020, 2, 7, 10, 0, tzinfo=SHANGHAI)
EVENING = datetime(2020, 2, 7, 21, 30, tzinfo=SHANGHAI)
PASSWORD = "Persona-pass-2020"
NAMES = ["张三明", "李四", "王小五", "赵六", "欧阳小明"]
_mobiles = iter(range(1, 100_000))


def mobile() -> str:
    return f"1370013{next(_mobiles):04d}"


def user(username: str, org: Any, role: str, full_name: str) -> Any:
    u, _ = org_services.create_user(
        actor=SYSTEM, username=username, organisation=org, role=role, password=PASSWORD, full_name=full_name
    )
    return u


def family(org: Any, name: str) -> Any:
    w = registry_services.create_worker(
        actor=SYSTEM, organisation=org, name=name, team="hubei_aid", mobile=mobile(), allow_duplicate=True
    )
    registry_services.add_family_member(actor=SYSTEM, worker=w, name=name + "家属", relation="配偶", mobile=mobile())
    return type(w).objects.select_related("organisation").get(pk=w.pk)


def offer_at(
    point: PickupPoint,
    week: date,
    *,
    pickup_on: date,
    cutoff_at: datetime,
    fund: Any = None,
    status: str = OfferStatus.CLOSED,
) -> Offer:
    return Offer.objects.create(
        point=point, week=week, title="本周菜包", status=status, cutoff_at=cutoff_at, pickup_on=pickup_on, fund=fund
    )


def items_of(offer: Offer, supplier: Supplier) -> tuple[OfferItem, OfferItem]:
    parcel = OfferItem.objects.create(
        offer=offer,
        supplier=supplier,
        name="蔬菜包",
        unit="份",
        price=Decimal("60"),
        subsidised_price=Decimal("30"),
        max_quantity=1,
        position=1,
    )
    eggs = OfferItem.objects.create(
        offer=offer,
        supplier=supplier,
        name="鸡蛋",
        unit="盒",
        price=Decimal("15"),
        subsidised_price=Decimal("10"),
        max_quantity=2,
        position=2,
    )
    return parcel, eggs


def order(
    offer: Offer, worker: Any, code: str, lines: list[tuple[OfferItem, int]], *, status: str = OrderStatus.PLACED
) -> Order:
    value = sum((item.price * q for item, q in lines), Decimal("0"))
    payable = sum((item.subsidised_price * q for item, q in lines), Decimal("0"))
    o = Order.objects.create(
        offer=offer,
        worker=worker,
        week=offer.week,
        status=status,
        code=code,
        value=value,
        payable=payable,
        subsidy=value - payable,
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=o, item=item, quantity=q, price=item.price, subsidised_price=item.subsidised_price)
        for item, q in lines
    )
    return o


@dataclass
class WeekWorld:
    p: Any
    keeper: Any
    keeper_sb: Any
    clerk: Any
    supplier: Any
    sn_point: Any
    sb_point: Any
    fund: Any
    offer: Offer
    sb_offer: Offer
    last_offer: Offer
    parcel: OfferItem
    eggs: OfferItem
    families: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    cancelled: Any = None
    sb_order: Any = None
    last_order: Any = None

    def refresh(self) -> None:
        self.offer = Offer.objects.get(pk=self.offer.pk)


def build(p: Any) -> WeekWorld:
    sn, sb, sn_h1, sb_h1, city = (Organisation.objects.get(code=c) for c in ("SN", "SB", "SN-H1", "SB-H1", "CITY"))
    keeper = user("keeper", sn, Role.POINT_KEEPER, "市南值守")
    keeper_sb = user("keeper_sb", sb, Role.POINT_KEEPER, "市北值守")
    people = build_people(p)
    fund = fund_with(people.clerk, people.approver, sn, "10000", name="市南区蔬菜补贴资金")
    supplier = Supplier.objects.create(organisation=city, name="崂山蔬菜园", contact_name="园长")
    sn_point = PickupPoint.objects.create(organisation=sn, name="市南区站", address="市南区香港中路1号", hours="9-18")
    sb_point = PickupPoint.objects.create(organisation=sb, name="市北区站", address="市北区辽宁路2号")
    offer = offer_at(sn_point, WEEK, pickup_on=PICKUP, cutoff_at=CUTOFF, fund=fund)
    parcel, eggs = items_of(offer, supplier)
    families = [family(sn_h1, name) for name in NAMES]
    orders = [
        order(offer, w, f"10000{i + 1}", [(parcel, 1)] + ([(eggs, 2)] if i % 2 == 0 else []))
        for i, w in enumerate(families)
    ]
    late = family(sn_h1, "钱七")
    cancelled = order(offer, late, "100009", [(parcel, 1)], status=OrderStatus.CANCELLED)
    sb_offer = offer_at(sb_point, WEEK, pickup_on=PICKUP, cutoff_at=CUTOFF)
    sb_parcel, _eggs = items_of(sb_offer, supplier)
    sb_order = order(sb_offer, family(sb_h1, "孙八"), "200001", [(sb_parcel, 1)])
    last_offer = offer_at(
        sn_point,
        date(2020, 1, 27),
        pickup_on=date(2020, 1, 31),
        cutoff_at=datetime(2020, 1, 29, 18, 0, tzinfo=SHANGHAI),
        fund=fund,
    )
    last_parcel, _eggs = items_of(last_offer, supplier)
    last_order = order(last_offer, families[0], "300001", [(last_parcel, 1)])
    return WeekWorld(
        p=p,
        keeper=keeper,
        keeper_sb=keeper_sb,
        clerk=people.clerk,
        supplier=supplier,
        sn_point=sn_point,
        sb_point=sb_point,
        fund=fund,
        offer=offer,
        sb_offer=sb_offer,
        last_offer=last_offer,
        parcel=parcel,
        eggs=eggs,
        families=families,
        orders=orders,
        cancelled=cancelled,
        sb_order=sb_order,
        last_order=last_order,
    )


# --- the authorization cases' data (the real clock: they run at today's date) --------------------


@dataclass
class LiveWorld:
    today_offer: Offer  # pickup today, closed
    today_orders: list
    open_offer: Offer  # taking orders, its cut-off past (to close)
    done_offer: Offer  # pickup yesterday, closed (to settle)
    settled: Offer  # settled last week, its subsidy not charged yet (a clerk charges it)
    callback: Any
    clerk: Any


def live_world(p: Any, tag: str) -> LiveWorld:
    """Offers at 市南区 points named after ``tag`` at today's dates (one point per offer: one offer
    per point and week)."""
    from datetime import timedelta

    from django.utils import timezone

    from nuanxin.funds.services import ledger
    from nuanxin.funds.tests.fixtures import approve_fully, open_fund
    from nuanxin.produce.models import PickupCallback

    sn, sn_h1, city = (Organisation.objects.get(code=c) for c in ("SN", "SN-H1", "CITY"))
    now = timezone.now()
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    clerk = user(f"{tag}_clerk", sn, Role.FUND_CLERK, "提货经办人")
    approver = user(f"{tag}_approver", sn, Role.FUND_APPROVER, "提货审批人")
    fund = open_fund(clerk, sn, f"{tag}蔬菜补贴", starts_on=today - timedelta(days=60))
    approve_fully(
        ledger.record_income(
            actor=clerk, fund=fund, amount=Decimal("5000"), on=today - timedelta(days=30), income_kind="appropriation"
        ),
        approver,
    )
    supplier = Supplier.objects.create(organisation=city, name=f"{tag}蔬菜园")

    def point(name: str) -> PickupPoint:
        return PickupPoint.objects.create(organisation=sn, name=f"{tag}{name}", address="市南区")

    codes = iter(range(500_001, 600_000))

    def filled(offer: Offer, n: int, status: str = OrderStatus.PLACED) -> list:
        parcel = OfferItem.objects.filter(offer=offer).first() or items_of(offer, supplier)[0]
        return [
            order(
                offer, family(sn_h1, f"{tag}家{offer.pk}-{i}-{status}"), str(next(codes)), [(parcel, 1)], status=status
            )
            for i in range(n)
        ]

    today_offer = offer_at(point("今日站"), monday, pickup_on=today, cutoff_at=now - timedelta(hours=1), fund=fund)
    today_orders = filled(today_offer, 3)
    open_offer = offer_at(
        point("截单站"),
        monday,
        pickup_on=today + timedelta(days=1),
        cutoff_at=now - timedelta(minutes=5),
        status=OfferStatus.OPEN,
    )
    filled(open_offer, 1)
    done_offer = offer_at(
        point("昨日站"), monday, pickup_on=today - timedelta(days=1), cutoff_at=now - timedelta(days=2), fund=fund
    )
    filled(done_offer, 2)
    settled = offer_at(
        point("上周站"),
        monday - timedelta(days=7),
        pickup_on=today - timedelta(days=3),
        cutoff_at=now - timedelta(days=5),
        fund=fund,
        status=OfferStatus.SETTLED,
    )
    got = filled(settled, 3, status=OrderStatus.COLLECTED)
    Order.objects.filter(pk__in=[o.pk for o in got]).update(collected_at=now - timedelta(days=3))
    filled(settled, 1, status=OrderStatus.UNCOLLECTED)
    callback = PickupCallback.objects.create(order=got[0])
    return LiveWorld(
        today_offer=today_offer,
        today_orders=today_orders,
        open_offer=open_offer,
        done_offer=done_offer,
        settled=settled,
        callback=callback,
        clerk=clerk,
    )
