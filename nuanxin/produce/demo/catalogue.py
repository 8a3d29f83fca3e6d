"""The produce supply's demo catalogue (after the organisations', register's, care's and funds'
demos): two suppliers of the city federation (QD), three pickup points at the union stations of
市南区 (QD-SN), 市北区 (QD-SB) and 李沧区 (QD-LC), and each point's offers of last week, this
week and next week (the subsidy charged to the nearest fund allowing comfort supplies):

- last week's and this week's offers open (orders are placed by ``demo/orders.py`` as they
  were before the cut-off; the weeks' demo closes those past their cut-off); this week's pickup
  day is the day the demo is built (``current_dates``), so a parcel can be handed over with its
  code on any weekday;
- next week's offer at 市南区 copied from this week's and opened (the demo care contact can
  order on it now); next week's at the other two points copied and left as drafts.

Through the services (``actor=SYSTEM``); idempotent: nothing is added once the first supplier
exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.produce.models import Offer, PickupPoint, Supplier
from nuanxin.produce.selectors.catalogue import fund_choices
from nuanxin.produce.services import catalogue, offers

# the demo's suppliers and points have numbers of their own (1360000xxxx): the register's demo
# families have 1390000xxxx, and a family's pickup-code SMS must not seem to go to a keeper
SUPPLIERS = [
    ("崂山区北宅蔬菜生产基地(演示)", "QD", "刘经理", "13600000101", "崂山区北宅街道", "时令蔬菜、菌菇"),
    ("莱西市绿色农产品合作社(演示)", "QD", "孙社长", "13600000102", "莱西市店埠镇", "鸡蛋、肉类、水产"),
]
POINTS = [
    (
        "市南区职工服务站提货点(演示)",
        "QD-SN",
        "市南区香港中路 10 号职工服务站",
        "周一至周六 9:00-19:00",
        "周站长",
        "13600000201",
    ),
    (
        "市北区台东职工之家提货点(演示)",
        "QD-SB",
        "市北区台东一路 20 号职工之家",
        "周一至周日 8:30-20:00",
        "吴站长",
        "13600000202",
    ),
    (
        "李沧区职工服务中心提货点(演示)",
        "QD-LC",
        "李沧区京口路 30 号职工服务中心",
        "周一至周五 9:00-18:00",
        "郑站长",
        "13600000203",
    ),
]
# (name, unit, price, subsidised price, at most per family, supplier index)
ITEMS = [
    ("时令蔬菜包（约 5 公斤）", "份", "48.00", "24.00", 1, 0),
    ("菌菇组合", "盒", "12.00", "6.00", 1, 0),
    ("土鸡蛋（30 枚）", "盒", "28.00", "18.00", 1, 1),
    ("冷鲜猪肉（1 公斤）", "份", "32.00", "22.00", 1, 1),
]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def current_dates(week: date, today: date) -> tuple[datetime, date]:
    """This week's cut-off and pickup day in the demo: the pickup day is the day the demo is
    built (a tester can hand a parcel over with a code whatever the weekday), the cut-off
    Wednesday 18:00 or, when today comes earlier, the evening before (Monday: 10:30, after the
    demo's orders of 10:00)."""
    if today == week:
        return _local(today, 10, 30), today
    return min(_local(week + timedelta(days=2), 18), _local(today - timedelta(days=1), 18)), today


def week_offer(point: PickupPoint, week: date, *, title: str, today: date | None = None) -> Offer:
    """The point's offer of ``week``: cut-off Wednesday 18:00, pickup Friday (this week's:
    ``current_dates``), the four items."""
    funds = fund_choices(point)
    cutoff_at, pickup_on = _local(week + timedelta(days=2), 18), week + timedelta(days=4)
    if today is not None:
        cutoff_at, pickup_on = current_dates(week, today)
    offer = offers.create_offer(
        actor=SYSTEM,
        point=point,
        week=week,
        cutoff_at=cutoff_at,
        pickup_on=pickup_on,
        title=title,
        fund=funds[0] if funds else None,
    )
    suppliers = [Supplier.objects.get(name=s[0]) for s in SUPPLIERS]
    for name, unit, price, subsidised, most, supplier in ITEMS:
        offers.add_item(
            actor=SYSTEM,
            offer=offer,
            supplier=suppliers[supplier],
            name=name,
            unit=unit,
            price=price,
            subsidised_price=subsidised,
            max_quantity=most,
        )
    return offer


def build(*, out: Callable[[str], None] = print) -> None:
    if Supplier.objects.filter(name=SUPPLIERS[0][0]).exists():
        out(_("produce: the demo catalogue exists (0 new)"))
        return
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=["QD", "QD-SN", "QD-SB", "QD-LC"])}
    if len(orgs) < 4:
        out(_("produce: the demo organisations are missing; run the organisation demo first"))
        return
    for name, code, contact, mobile, address, products in SUPPLIERS:
        catalogue.create_supplier(
            actor=SYSTEM,
            organisation=orgs[code],
            name=name,
            contact_name=contact,
            contact_mobile=mobile,
            address=address,
            products=products,
        )
    points = [
        catalogue.create_point(
            actor=SYSTEM,
            organisation=orgs[code],
            name=name,
            address=address,
            hours=hours,
            contact_name=contact,
            contact_mobile=mobile,
        )
        for name, code, address, hours, contact, mobile in POINTS
    ]
    this_week = offers.this_week()
    made = 0
    for point in points:
        for week, label in ((this_week - timedelta(days=7), "上周"), (this_week, "本周")):
            today = timezone.localdate() if week == this_week else None
            offer = week_offer(point, week, title=f"{label}暖心蔬菜包", today=today)
            offers.open_offer(actor=SYSTEM, offer=offer, now=_local(week, 9))
            made += 1
        current = Offer.objects.get(point=point, week=this_week)
        following = offers.copy_offer(actor=SYSTEM, offer=current)
        following = offers.update_offer(actor=SYSTEM, offer=following, title="下周暖心蔬菜包")
        if point == points[0]:
            offers.open_offer(actor=SYSTEM, offer=following)
        made += 1
    out(
        _("produce: %(suppliers)s suppliers, %(points)s pickup points, %(offers)s weekly offers")
        % {"suppliers": len(SUPPLIERS), "points": len(points), "offers": made}
    )
