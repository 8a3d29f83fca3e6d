"""Two at once, for real (PostgreSQL): two orders for the same family and week placed at the
same moment (the care contact and an administrator) leave one order, the other refused as a
duplicate; orders of many families at once get distinct codes."""

import pytest

from nuanxin.produce.models import FamilyPoint, Order
from nuanxin.produce.services import orders
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


def test_two_orders_for_one_family_at_once_leave_one(pw):
    results = run_together(
        lambda: orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1}),
        lambda: orders.place_order(actor=pw.p.yi, offer=pw.offer, worker=pw.a1, lines={pw.eggs.pk: 2}),
        lambda: orders.place_order(actor=pw.p.jia, offer=pw.offer, worker=pw.a1, lines={pw.fish.pk: 1}),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Conflict", "Order"]
    assert all(r.code == "duplicate" for r in results if not isinstance(r, Order))
    assert Order.objects.filter(worker=pw.a1).count() == 1
    assert FamilyPoint.objects.filter(worker=pw.a1).count() == 1


def test_orders_of_different_families_at_once_all_pass_with_distinct_codes(pw):
    results = run_together(
        lambda: orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1}),
        lambda: orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a2, lines={pw.parcel.pk: 1}),
    )
    assert [type(r).__name__ for r in results] == ["Order", "Order"]
    assert len(set(Order.objects.values_list("code", flat=True))) == 2
