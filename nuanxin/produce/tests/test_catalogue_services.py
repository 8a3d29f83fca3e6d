"""Suppliers, points, a family's point and offers (services and selectors)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.funds.choices import Category
from nuanxin.funds.services import funds as fund_services
from nuanxin.produce.models import FamilyPoint, OfferItem
from nuanxin.produce.selectors.catalogue import fund_choices, points_for
from nuanxin.produce.services import catalogue, offers
from nuanxin.produce.tests.conftest import SHANGHAI


@pytest.fixture(autouse=True)
def english(english):
    return english


def test_points_of_the_familys_district_and_above_nearest_first(pw):
    city_point = catalogue.create_point(actor=SYSTEM, organisation=pw.org("CITY"), name="市总站", address="市府路")
    catalogue.update_point(actor=pw.p.yi, point=pw.unit_point, version=1, active=True, hours="8:00-17:00")
    assert [p.name for p in points_for(pw.a1)] == ["市南医院站", "市南区站", "市总站"]
    assert [p.name for p in points_for(pw.b1)] == ["市北区站", "市总站"]
    catalogue.update_point(actor=pw.p.jia, point=city_point, active=False)
    assert [p.name for p in points_for(pw.b1)] == ["市北区站"]


def test_choosing_a_point(pw):
    fp = catalogue.choose_point(actor=pw.p.care, worker=pw.a1, point=pw.sn_point)
    assert (fp.point, fp.chosen_by) == (pw.sn_point, pw.p.care)
    assert catalogue.choose_point(actor=pw.p.care, worker=pw.a1, point=pw.sn_point).version == 1  # kept
    with pytest.raises(ServiceError) as exc:
        catalogue.choose_point(actor=pw.p.care, worker=pw.a1, point=pw.sb_point)
    assert exc.value.message == "市北区站 is not a pickup point for this family: choose an open point of its district."
    with pytest.raises(NotAllowed):
        catalogue.choose_point(actor=pw.care_sb, worker=pw.a1, point=pw.sn_point)
    assert FamilyPoint.objects.get(worker=pw.a1).point == pw.sn_point
    assert AuditLog.objects.filter(action="produce.family_point.choose").count() == 1


def test_suppliers_and_points_are_kept_by_the_admins_of_their_organisation(pw):
    with pytest.raises(NotAllowed):
        catalogue.create_supplier(actor=pw.p.bing, organisation=pw.org("SN"), name="x")
    with pytest.raises(NotAllowed):
        catalogue.create_point(actor=pw.p.care, organisation=pw.org("SN-H1"), name="x", address="y")
    with pytest.raises(ServiceError) as exc:
        catalogue.create_point(actor=pw.p.yi, organisation=pw.org("SN"), name="站", address=" ")
    assert (exc.value.field, exc.value.message) == ("address", "This field is required.")
    s = catalogue.create_supplier(
        actor=pw.p.yi, organisation=pw.org("SN"), name=" 基地 ", contact_mobile="139 0000 0009"
    )
    assert (s.name, s.contact_mobile) == ("基地", "+8613900000009")


def test_fund_choices_are_open_comfort_funds_of_the_point_or_above(pw):
    fund_services.open_fund(
        actor=SYSTEM,
        organisation=pw.org("CITY"),
        name="市总慰问",
        starts_on=date(2020, 1, 1),
        categories=[Category.COMFORT, Category.CONDOLENCE],
    )
    fund_services.open_fund(
        actor=SYSTEM,
        organisation=pw.org("CITY"),
        name="市总防护",
        starts_on=date(2020, 1, 1),
        categories=[Category.PROTECTIVE],
    )
    fund_services.open_fund(
        actor=SYSTEM,
        organisation=pw.org("SB"),
        name="市北慰问",
        starts_on=date(2020, 1, 1),
        categories=[Category.COMFORT],
    )
    assert [f.name for f in fund_choices(pw.sn_point)] == ["暖心蔬菜补贴", "市总慰问"]
    assert [f.name for f in fund_choices(pw.sb_point)] == ["市北慰问", "市总慰问"]


def _new(pw, **kw):
    values = {
        "actor": pw.p.yi,
        "point": pw.sn_point,
        "week": date(2020, 2, 12),
        "cutoff_at": datetime(2020, 2, 12, 18, tzinfo=SHANGHAI),
        "pickup_on": date(2020, 2, 14),
    }
    return offers.create_offer(**{**values, **kw})


def test_an_offer_is_checked_when_created(pw):
    cases = [
        (
            {"pickup_on": date(2020, 2, 17)},
            "The pickup day must be in the week of the offer (2020-02-10 to 2020-02-16).",
        ),
        ({"pickup_on": date(2020, 2, 11)}, "The order cut-off must come before the pickup day."),
        ({"cap": "0"}, "The amount must be more than ¥0.00."),
        ({"cap": "80.001"}, "Enter an amount in yuan, e.g. 12.50."),
        (
            {
                "fund": fund_services.open_fund(
                    actor=SYSTEM,
                    organisation=pw.org("SB"),
                    name="市北慰问",
                    starts_on=date(2020, 1, 1),
                    categories=[Category.COMFORT],
                )
            },
            "The subsidy can only be charged to an open fund of the point's organisation or above that allows "
            "comfort supplies.",
        ),
        (
            {
                "week": date(2020, 2, 5),
                "cutoff_at": datetime(2020, 2, 4, 18, tzinfo=SHANGHAI),
                "pickup_on": date(2020, 2, 7),
            },
            "市南区站 already has an offer for the week of 2020-02-03.",
        ),
    ]
    for kw, message in cases:
        with pytest.raises(ServiceError) as exc:
            _new(pw, **kw)
        assert exc.value.message == message
    with pytest.raises(NotAllowed):
        _new(pw, actor=pw.p.bing)
    offer = _new(pw, cap="70")
    assert (offer.week, offer.cap, offer.status) == (date(2020, 2, 10), Decimal("70.00"), "draft")


def test_items_open_and_copy(pw, clock):
    offer = _new(pw)
    with pytest.raises(ServiceError) as exc:
        offers.open_offer(actor=pw.p.yi, offer=offer)
    assert exc.value.message == "Add at least one item before opening the offer."
    with pytest.raises(ServiceError) as exc:
        offers.add_item(actor=pw.p.yi, offer=offer, supplier=pw.supplier, name="菜", price="5", subsidised_price="6")
    assert exc.value.message == "The subsidised price (¥6.00) cannot be more than the price (¥5.00)."
    other = catalogue.create_supplier(actor=SYSTEM, organisation=pw.org("SB"), name="市北基地")
    with pytest.raises(ServiceError) as exc:
        offers.add_item(actor=pw.p.jia, offer=offer, supplier=other, name="菜", price="5", subsidised_price="3")
    assert exc.value.message == (
        "市北基地 cannot supply this point: choose an active supplier of the point's organisation or above."
    )
    item = offers.add_item(
        actor=pw.p.yi, offer=offer, supplier=pw.supplier, name="菜", price="5", subsidised_price="3", max_quantity=3
    )
    offer = offers.open_offer(actor=pw.p.yi, offer=offer)
    with pytest.raises(ServiceError) as exc:
        offers.remove_item(actor=pw.p.yi, item=item)
    assert exc.value.message == "Items can only be changed while the offer is a draft."
    with pytest.raises(ServiceError) as exc:
        offers.update_offer(actor=pw.p.yi, offer=offer, cap="90")
    assert exc.value.message == "The cap cannot change once the offer takes orders."
    offer = offers.update_offer(actor=pw.p.yi, offer=offer, title="第二周", cap="80.00")
    assert offer.title == "第二周"
    copy = offers.copy_offer(actor=pw.p.yi, offer=offer)
    assert (copy.week, copy.status, copy.cutoff_at, copy.pickup_on) == (
        date(2020, 2, 17),
        "draft",
        offer.cutoff_at + timedelta(days=7),
        date(2020, 2, 21),
    )
    assert list(OfferItem.objects.filter(offer=copy).values_list("name", "max_quantity")) == [("菜", 3)]
    with pytest.raises(Conflict):
        offers.copy_offer(actor=pw.p.yi, offer=offer)
    clock.move_to(datetime(2020, 2, 20, 9, tzinfo=SHANGHAI))
    with pytest.raises(ServiceError) as exc:
        offers.open_offer(actor=pw.p.yi, offer=copy)
    assert exc.value.message == "The order cut-off has passed: move it later before opening the offer."
