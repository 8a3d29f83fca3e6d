"""Placing, changing and cancelling a family's weekly order (services)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.models import Delivery
from nuanxin.produce.choices import OrderStatus
from nuanxin.produce.models import FamilyPoint, Order, OrderLine
from nuanxin.produce.services import orders
from nuanxin.produce.tests.conftest import CUTOFF


@pytest.fixture(autouse=True)
def english(english):
    """Messages compared in English (the Chinese ones come with the catalogue: /tmp/i18n)."""
    return english


def test_place_order_writes_lines_amounts_code_point_and_texts_the_code(pw):
    order = orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1, pw.eggs.pk: 1})
    order.refresh_from_db()
    assert (order.value, order.payable, order.subsidy) == (Decimal("75.00"), Decimal("40.00"), Decimal("35.00"))
    assert order.status == OrderStatus.PLACED and order.week == pw.offer.week and order.placed_by == pw.p.care
    assert len(order.code) == 6 and order.code.isdigit()
    assert sorted(order.lines.values_list("item__name", "quantity")) == [("蔬菜包", 1), ("鸡蛋", 1)]
    assert FamilyPoint.objects.get(worker=pw.a1).point == pw.sn_point
    primary = pw.a1.family.get(is_primary=True) if pw.a1.family.filter(is_primary=True).exists() else None
    delivery = Delivery.objects.get(key=f"produce.code:{order.pk}:{order.code}")
    assert delivery.to == (primary.mobile if primary else pw.a1.family.first().mobile or pw.a1.mobile)
    assert order.code in delivery.body and "安一" not in delivery.body
    assert order.code_sent_at is not None
    row = AuditLog.objects.get(action="produce.order.place")
    assert row.detail["value"] == "75.00" and row.detail["lines"] == {str(pw.parcel.pk): 1, str(pw.eggs.pk): 1}


def test_over_the_cap_is_refused_with_both_amounts_and_nothing_saved(pw):
    with pytest.raises(ServiceError) as exc:
        orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1, pw.fish.pk: 1})
    assert exc.value.message == "This week's order comes to ¥95.00, over the cap of ¥80.00 per family per week."
    assert exc.value.code == "over_cap"
    assert not Order.objects.exists() and not OrderLine.objects.exists() and not FamilyPoint.objects.exists()
    assert not Delivery.objects.exists()


def test_over_the_cap_other_amounts(pw):
    with pytest.raises(ServiceError) as exc:
        orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1, pw.eggs.pk: 2})
    assert exc.value.message == "This week's order comes to ¥90.00, over the cap of ¥80.00 per family per week."


def test_one_live_order_per_family_and_week(pw):
    orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    with pytest.raises(Conflict) as exc:
        orders.place_order(actor=pw.p.yi, offer=pw.offer, worker=pw.a1, lines={pw.eggs.pk: 1})
    assert exc.value.message == (
        f"This family already has an order for the week of {pw.offer.week.isoformat()} (at 市南区站): "
        "change that order instead."
    )
    assert Order.objects.count() == 1


def test_item_limits_and_empty_orders(pw):
    for lines, message in (
        ({pw.eggs.pk: 3}, "At most 2 of “鸡蛋” per family."),
        ({pw.eggs.pk: 0}, "Choose at least one item."),
        ({pw.eggs.pk: -1}, "A quantity cannot be negative."),
        ({999999: 1}, "Item 999999 is not part of this offer."),
    ):
        with pytest.raises(ServiceError) as exc:
            orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines=lines)
        assert exc.value.message == message
    assert not Order.objects.exists()


def test_after_the_cutoff_nothing_is_placed_changed_or_cancelled(pw, clock):
    order = orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    clock.move_to(CUTOFF)
    message = "Orders for this offer closed at 2020-02-05 18:00."
    with pytest.raises(ServiceError) as exc:
        orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a2, lines={pw.parcel.pk: 1})
    assert exc.value.message == message
    with pytest.raises(ServiceError) as exc:
        orders.change_order(actor=pw.p.care, order=order, lines={pw.eggs.pk: 1}, version=order.version)
    assert exc.value.message == message
    with pytest.raises(ServiceError) as exc:
        orders.cancel_order(actor=pw.p.care, order=order, version=order.version)
    assert exc.value.message == message
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED and order.value == Decimal("60.00")


def test_change_and_cancel_then_order_again(pw, clock):
    order = orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    code = order.code
    clock.shift(timedelta(hours=1))
    order = orders.change_order(
        actor=pw.p.care, order=order, lines={pw.eggs.pk: 2, pw.fish.pk: 1}, version=order.version
    )
    assert (order.value, order.payable, order.subsidy, order.code) == (
        Decimal("65.00"),
        Decimal("40.00"),
        Decimal("25.00"),
        code,
    )
    assert sorted(order.lines.values_list("item__name", "quantity")) == [("鲅鱼", 1), ("鸡蛋", 2)]
    with pytest.raises(ServiceError) as exc:
        orders.change_order(actor=pw.p.care, order=order, lines={pw.parcel.pk: 1, pw.fish.pk: 1}, version=order.version)
    assert exc.value.message == "This week's order comes to ¥95.00, over the cap of ¥80.00 per family per week."
    order = orders.cancel_order(actor=pw.p.care, order=order, version=order.version)
    assert order.status == OrderStatus.CANCELLED
    again = orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    assert again.pk != order.pk and Order.objects.exclude(status="cancelled").count() == 1


def test_only_the_care_contact_or_an_admin_of_the_unit(pw):
    with pytest.raises(NotAllowed):
        orders.place_order(actor=pw.care_sb, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    with pytest.raises(NotAllowed):
        orders.place_order(actor=pw.p.bing, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    with pytest.raises(NotAllowed):
        orders.place_order(actor=pw.keeper, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    assert orders.place_order(actor=pw.p.yi, offer=pw.offer, worker=pw.a2, lines={pw.parcel.pk: 1}).placed_by == pw.p.yi


def test_a_point_outside_the_familys_district_is_refused(pw):
    from nuanxin.produce.services import offers

    sb_offer = offers.create_offer(
        actor=pw.p.bing,
        point=pw.sb_point,
        week=pw.offer.week,
        cutoff_at=pw.offer.cutoff_at,
        pickup_on=pw.offer.pickup_on,
    )
    item = offers.add_item(
        actor=pw.p.bing, offer=sb_offer, supplier=pw.supplier, name="蔬菜包", price="50", subsidised_price="25"
    )
    sb_offer = offers.open_offer(actor=pw.p.bing, offer=sb_offer)
    with pytest.raises(ServiceError) as exc:
        orders.place_order(actor=pw.p.jia, offer=sb_offer, worker=pw.a1, lines={item.pk: 1})
    assert exc.value.message == "市北区站 is not a pickup point for this family: choose an open point of its district."
    assert not Order.objects.exists()


def test_place_orders_many(pw):
    rows = orders.place_orders_many(
        actor=pw.p.yi,
        offer=pw.offer,
        orders=[orders.NewOrder(pw.a1, {pw.parcel.pk: 1}), orders.NewOrder(pw.a2, {pw.eggs.pk: 2})],
    )
    assert [o.value for o in rows] == [Decimal("60.00"), Decimal("30.00")]
    assert len({o.code for o in rows}) == 2
    assert Order.objects.filter(code_sent_at__isnull=False).count() == 2
    assert FamilyPoint.objects.filter(point=pw.sn_point).count() == 2
    assert AuditLog.objects.filter(action="produce.order.place").count() == 2
    with pytest.raises(Conflict):
        orders.place_orders_many(actor=pw.p.yi, offer=pw.offer, orders=[orders.NewOrder(pw.a1, {pw.eggs.pk: 1})])


def test_the_code_goes_to_the_worker_when_the_family_has_no_mobile(pw):
    from nuanxin.produce.tests.conftest import family

    lone = family(pw.a1.organisation, "安三", member_mobile=False)
    order = orders.place_order(actor=pw.p.yi, offer=pw.offer, worker=lone, lines={pw.parcel.pk: 1})
    assert Delivery.objects.get(key=f"produce.code:{order.pk}:{order.code}").to == lone.mobile


def test_placing_an_order_stays_lean(pw, django_assert_max_num_queries):
    orders.place_order(actor=SYSTEM, offer=pw.offer, worker=pw.a2, lines={pw.parcel.pk: 1})
    with django_assert_max_num_queries(20):
        orders.place_order(actor=SYSTEM, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1, pw.eggs.pk: 1})
