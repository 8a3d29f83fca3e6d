"""A family's weekly parcel: placed, changed or cancelled by its care contact (or an
administrator of the family's unit) until the offer's cut-off.

- One live order per family and week (the database holds it: ``produce_order_one_per_week``).
- Its value at market prices is at most the offer's cap per family per week; a refusal says both
  amounts ("本周订单金额 ¥96.00 超过每户每周上限 ¥80.00") and saves nothing.
- The family's pickup point becomes the offer's point (``FamilyPoint``).
- A six-digit pickup code, unique among the offer's live orders (``codes``), is texted to the
  family's primary family member's mobile, or the worker's when there is none
  (``notify.services.text_message``; the text carries no name), and shown on the order page.

``place_orders_many`` places many orders of one offer at once (the same checks, bulk writes): the
benchmark's and an importer's door."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.policy import is_system, user_of
from nuanxin.core.versioning import bump, check_version
from nuanxin.funds.templatetags.funds_money import yuan_text
from nuanxin.notify.services import Sms, text_message
from nuanxin.orgs.scope import ancestor_paths
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import FamilyPoint, Offer, OfferItem, Order, OrderLine
from nuanxin.produce.selectors.catalogue import district_path, point_allowed_for
from nuanxin.produce.services import codes
from nuanxin.registry.models import FamilyMember, Worker

LIVE = (OrderStatus.PLACED, OrderStatus.COLLECTED, OrderStatus.UNCOLLECTED)
SMS_TEMPLATE = "produce_pickup_code"


@dataclass(frozen=True)
class Priced:
    lines: list[tuple[OfferItem, int]]
    value: Decimal
    payable: Decimal

    @property
    def subsidy(self) -> Decimal:
        return self.value - self.payable


def when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def require_may_order(actor, worker) -> None:
    """The family's care contact or an administrator of its unit (``Order``'s ``change``)."""
    Order.policy.require(
        actor,
        "change",
        Order(worker=worker),
        _("Only the family's care contact or an administrator of its unit may order for this family."),
    )


def may_order(user, worker) -> bool:
    return Order.policy.allows(user, "change", Order(worker=worker))


def check_open(offer: Offer, now=None) -> None:
    """The offer takes orders: open, and its cut-off not passed."""
    if offer.status != OfferStatus.OPEN:
        raise ServiceError(
            _("This offer is not taking orders (%(status)s).") % {"status": OfferStatus(offer.status).label},
            code="offer_not_open",
        )
    if (now or timezone.now()) >= offer.cutoff_at:
        raise ServiceError(
            _("Orders for this offer closed at %(time)s.") % {"time": when(offer.cutoff_at)}, code="cutoff_passed"
        )


def items_of(offer: Offer) -> dict[int, OfferItem]:
    return {i.pk: i for i in OfferItem.objects.filter(offer=offer).order_by("position", "id")}


def price(offer: Offer, lines: Mapping[Any, Any], items: dict[int, OfferItem] | None = None) -> Priced:
    """The order's lines priced; refused when an item is not the offer's, a quantity is not a
    whole number from 0 to the item's most per family, nothing is chosen, or the value at market
    prices is over the cap."""
    items = items if items is not None else items_of(offer)
    chosen: list[tuple[OfferItem, int]] = []
    for key, raw in lines.items():
        try:
            item_id, quantity = int(key), int(raw)
        except (TypeError, ValueError):
            raise ServiceError(_("A quantity must be a whole number."), field="lines", code="bad_quantity") from None
        item = items.get(item_id)
        if item is None:
            raise ServiceError(
                _("Item %(item)s is not part of this offer.") % {"item": item_id}, field="lines", code="bad_item"
            )
        if quantity < 0:
            raise ServiceError(_("A quantity cannot be negative."), field="lines", code="bad_quantity")
        if quantity > item.max_quantity:
            raise ServiceError(
                _("At most %(max)s of “%(item)s” per family.") % {"max": item.max_quantity, "item": item.name},
                field="lines",
                code="over_item_limit",
            )
        if quantity:
            chosen.append((item, quantity))
    if not chosen:
        raise ServiceError(_("Choose at least one item."), field="lines", code="empty")
    chosen.sort(key=lambda pair: (pair[0].position, pair[0].pk))
    value = sum((item.price * q for item, q in chosen), Decimal("0"))
    payable = sum((item.subsidised_price * q for item, q in chosen), Decimal("0"))
    if value > offer.cap:
        raise ServiceError(
            _("This week's order comes to %(value)s, over the cap of %(cap)s per family per week.")
            % {"value": yuan_text(value), "cap": yuan_text(offer.cap)},
            field="lines",
            code="over_cap",
        )
    return Priced(chosen, value, payable)


def lock_family(worker) -> None:
    """Take the family's row lock: two orders (or point choices) for one family at the same
    moment go one after the other, and the second sees the first's order."""
    Worker.objects.select_for_update().filter(pk=worker.pk).values_list("pk", flat=True).first()


def _duplicate(existing: Order | None = None, point_name: str = "", week: Any = None) -> Conflict:
    """The refusal of a second live order of a week; it names the week (Monday, Y-m-d): an
    order of next week's offer must not read as "this week"."""
    if existing is not None:
        point_name = existing.offer.point.name
        week = existing.week
    return Conflict(
        _("This family already has an order for the week of %(week)s (at %(point)s): change that order instead.")
        % {"point": point_name or "—", "week": week.isoformat() if week is not None else "—"},
        code="duplicate",
    )


def _live_order(worker, week) -> Order | None:
    return (
        Order.objects.select_related("offer__point")
        .filter(worker=worker, week=week)
        .exclude(status=OrderStatus.CANCELLED)
        .first()
    )


def _keep_point(actor, worker, offer: Offer) -> None:
    """The family's point becomes the offer's (chosen or kept)."""
    current = FamilyPoint.objects.filter(worker=worker).first()
    if current is not None and current.point_id == offer.point_id:
        return
    point = offer.point
    if not point_allowed_for(worker, point):
        raise ServiceError(
            _("%(point)s is not a pickup point for this family: choose an open point of its district.")
            % {"point": point.name},
            field="point",
            code="point_not_allowed",
        )
    before = current.point_id if current is not None else None
    if current is None:
        current = FamilyPoint(worker=worker, point=point, chosen_by=user_of(actor))
    else:
        current.point = point
        current.chosen_by = user_of(actor)
        bump(current)
    current.save()
    audit.record(
        actor,
        "produce.family_point.choose",
        obj=current,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "point": point.pk, "before": before},
    )


def _write_lines(order: Order, priced: Priced) -> None:
    OrderLine.objects.bulk_create(
        OrderLine(order=order, item=item, quantity=q, price=item.price, subsidised_price=item.subsidised_price)
        for item, q in priced.lines
    )


def recipient_mobile(worker, primary_mobiles: dict[int, str] | None = None) -> str:
    """Where the code goes: the primary family member's mobile, else the worker's."""
    if primary_mobiles is not None:
        mobile = primary_mobiles.get(worker.pk, "")
    else:
        mobile = (
            FamilyMember.objects.filter(worker=worker, is_primary=True).values_list("mobile", flat=True).first() or ""
        )
    return mobile or worker.mobile or ""


def code_sms(order: Order, offer: Offer) -> Sms:
    point = offer.point
    params = {
        "code": order.code,
        "point": point.name,
        "address": point.address,
        "day": f"{offer.pickup_on:%Y-%m-%d}",
        "hours": point.hours or "",
    }
    text = (
        _(
            "Your family's produce parcel: pickup code %(code)s. Collect it at %(point)s (%(address)s) on %(day)s "
            "%(hours)s; say the code at the point."
        )
        % params
    )
    return Sms(SMS_TEMPLATE, params, text)


def send_code(order: Order, offer: Offer, worker, *, mobile: str | None = None) -> bool:
    """Text the order's pickup code (once per order and code); stamps ``code_sent_at``."""
    to = mobile if mobile is not None else recipient_mobile(worker)
    delivery = text_message(to=to, sms=code_sms(order, offer), key=f"produce.code:{order.pk}:{order.code}")
    if delivery is None:
        return False
    order.code_sent_at = timezone.now()
    Order.objects.filter(pk=order.pk).update(code_sent_at=order.code_sent_at)
    return True


def _save_new(order: Order, taken: set[str] | None = None) -> None:
    """Insert ``order`` with a new code; a code taken meanwhile is drawn again, the family's
    second live order of the week is the duplicate refusal."""
    taken = taken if taken is not None else set()
    for _attempt in range(8):
        order.code = codes.unused_code(taken)
        try:
            with transaction.atomic():
                order.save(force_insert=True)
            return
        except IntegrityError:
            order.pk = None
            existing = _live_order(order.worker, order.week)
            if existing is not None:
                raise _duplicate(existing) from None
            taken.add(order.code)
    raise Conflict(_("No free pickup code could be drawn: please try again."))  # pragma: no cover


def _detail(priced: Priced) -> dict[str, Any]:
    return {
        "value": str(priced.value),
        "payable": str(priced.payable),
        "lines": {str(item.pk): q for item, q in priced.lines},
    }


def place_order(*, actor, offer: Offer, worker, lines: Mapping[int, int]) -> Order:
    """Place the family's order of ``offer``'s week (see the module's rules); its lines are item
    id → quantity (0 = none)."""
    require_may_order(actor, worker)
    check_open(offer)
    priced = price(offer, lines)
    with transaction.atomic():
        lock_family(worker)
        existing = _live_order(worker, offer.week)
        if existing is not None:
            raise _duplicate(existing)
        _keep_point(actor, worker, offer)
        order = Order(
            offer=offer,
            worker=worker,
            week=offer.week,
            value=priced.value,
            payable=priced.payable,
            subsidy=priced.subsidy,
            placed_by=user_of(actor),
        )
        _save_new(order)
        _write_lines(order, priced)
        audit.record(
            actor,
            "produce.order.place",
            obj=order,
            organisation=worker.organisation,
            detail={"offer": offer.pk, **_detail(priced)},
        )
        send_code(order, offer, worker)
    return order


def _locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("offer__point", "worker__organisation").get(pk=order.pk)


@transaction.atomic
def change_order(*, actor, order: Order, lines: Mapping[int, int], version=None) -> Order:
    """New quantities for a placed order, until the cut-off (the code stays the same)."""
    order = _locked(order)
    require_may_order(actor, order.worker)
    check_version(order, version)
    if order.status != OrderStatus.PLACED:
        raise ServiceError(
            _("This order can no longer be changed (%(status)s).") % {"status": OrderStatus(order.status).label},
            code="not_placed",
        )
    offer = order.offer
    check_open(offer)
    priced = price(offer, lines)
    old_lines = order.lines.values_list("item_id", "quantity")
    before = {"value": str(order.value), "lines": {str(i): q for i, q in old_lines}}
    order.lines.all().delete()
    _write_lines(order, priced)
    order.value, order.payable, order.subsidy = priced.value, priced.payable, priced.subsidy
    bump(order)
    order.save(update_fields=["value", "payable", "subsidy", "version", "updated_at"])
    audit.record(
        actor,
        "produce.order.change",
        obj=order,
        organisation=order.worker.organisation,
        detail={"offer": offer.pk, "before": before, **_detail(priced)},
    )
    return order


@transaction.atomic
def cancel_order(*, actor, order: Order, version=None) -> Order:
    """Cancel a placed order, until the cut-off: the family may order again that week."""
    order = _locked(order)
    require_may_order(actor, order.worker)
    check_version(order, version)
    if order.status != OrderStatus.PLACED:
        raise ServiceError(
            _("This order can no longer be cancelled (%(status)s).") % {"status": OrderStatus(order.status).label},
            code="not_placed",
        )
    check_open(order.offer)
    order.status = OrderStatus.CANCELLED
    bump(order)
    order.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor,
        "produce.order.cancel",
        obj=order,
        organisation=order.worker.organisation,
        detail={"offer": order.offer_id, "value": str(order.value)},
    )
    return order


@dataclass(frozen=True)
class NewOrder:
    worker: Any  # a registry Worker with its organisation loaded
    lines: Mapping[int, int]


def place_orders_many(
    *,
    actor,
    offer: Offer,
    orders: Sequence[NewOrder] | Iterable[NewOrder],
    send: bool = True,
    at: datetime | None = None,
) -> list[Order]:
    """Place many families' orders of one offer at once: the same checks as ``place_order`` (all
    of them before anything is written: one refusal refuses the batch, naming the family), then
    bulk writes (family points, orders, lines, audit rows) and, with ``send``, the codes texted.
    A family already holding a live order that week refuses the batch. ``at``: when the orders
    were taken (an importer's paper orders, the demo's past weeks), checked against the cut-off."""
    batch = list(orders)
    check_open(offer, now=at)
    items = items_of(offer)
    point_path = offer.point.organisation.path
    priced: list[Priced] = []
    for new in batch:
        if not is_system(actor):
            require_may_order(actor, new.worker)
        try:
            priced.append(price(offer, new.lines, items))
        except ServiceError as exc:
            raise ServiceError(f"{new.worker.name}: {exc.message}", field=exc.field, code=exc.code) from None
    districts: dict[int, str] = {}
    for new in batch:
        org = new.worker.organisation
        if org.pk not in districts:
            districts[org.pk] = district_path(org)
        district = districts[org.pk]
        if not (point_path.startswith(district) or point_path in ancestor_paths(district)):
            raise ServiceError(
                _("%(point)s is not a pickup point for this family: choose an open point of its district.")
                % {"point": offer.point.name}
                + f" ({new.worker.name})",
                field="point",
                code="point_not_allowed",
            )
    worker_ids = [new.worker.pk for new in batch]
    if len(set(worker_ids)) != len(worker_ids):
        raise ServiceError(_("A family is listed twice."), code="duplicate")
    now = timezone.now()
    with transaction.atomic():
        taken_workers = set(
            Order.objects.filter(worker_id__in=worker_ids, week=offer.week)
            .exclude(status=OrderStatus.CANCELLED)
            .values_list("worker_id", flat=True)
        )
        if taken_workers:
            name = next(n.worker.name for n in batch if n.worker.pk in taken_workers)
            raise Conflict(
                _duplicate(point_name="—", week=offer.week).message + f" ({name})",
                code="duplicate",
            )
        points = {fp.worker_id: fp for fp in FamilyPoint.objects.filter(worker_id__in=worker_ids)}
        new_points = [
            FamilyPoint(worker_id=w, point_id=offer.point_id, chosen_by=user_of(actor))
            for w in worker_ids
            if w not in points
        ]
        moved = [fp for fp in points.values() if fp.point_id != offer.point_id]
        for fp in moved:
            fp.point_id, fp.chosen_by, fp.chosen_at = offer.point_id, user_of(actor), now
            fp.version = (fp.version or 0) + 1
        FamilyPoint.objects.bulk_create(new_points, batch_size=1000)
        FamilyPoint.objects.bulk_update(moved, ["point", "chosen_by", "chosen_at", "version"], batch_size=1000)
        taken = Order.objects.filter(offer=offer).exclude(status=OrderStatus.CANCELLED).values_list("code", flat=True)
        drawn = codes.codes_for(len(batch), taken)
        rows = [
            Order(
                offer=offer,
                worker=new.worker,
                week=offer.week,
                value=p.value,
                payable=p.payable,
                subsidy=p.subsidy,
                placed_by=user_of(actor),
                code=code,
            )
            for new, p, code in zip(batch, priced, drawn, strict=True)
        ]
        Order.objects.bulk_create(rows, batch_size=1000)
        OrderLine.objects.bulk_create(
            (
                OrderLine(order=o, item=item, quantity=q, price=item.price, subsidised_price=item.subsidised_price)
                for o, p in zip(rows, priced, strict=True)
                for item, q in p.lines
            ),
            batch_size=2000,
        )
        audit.record_many(
            actor,
            "produce.order.place",
            [
                (o, new.worker.organisation, {"offer": offer.pk, **_detail(p)})
                for o, new, p in zip(rows, batch, priced, strict=True)
            ],
        )
        if send:
            send_codes(offer=offer, orders=rows)
    return rows


def send_codes(*, offer: Offer, orders: Sequence[Order] | None = None) -> int:
    """Text the code of every live order of ``offer`` not texted yet (or of ``orders``); the
    number texted."""
    rows = (
        list(orders)
        if orders is not None
        else list(
            Order.objects.filter(offer=offer, status=OrderStatus.PLACED, code_sent_at__isnull=True).select_related(
                "worker"
            )
        )
    )
    primary = dict(
        FamilyMember.objects.filter(worker_id__in=[o.worker_id for o in rows], is_primary=True)
        .exclude(mobile="")
        .values_list("worker_id", "mobile")
    )
    sent = 0
    for order in rows:
        if send_code(order, offer, order.worker, mobile=recipient_mobile(order.worker, primary)):
            sent += 1
    return sent
