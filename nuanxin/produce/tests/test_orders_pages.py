"""The care contact's phone pages and the offers/orders API (pages in English)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.accounts.services import create_api_token
from nuanxin.care import hooks as care_hooks
from nuanxin.core.policy import SYSTEM
from nuanxin.produce.choices import OrderStatus
from nuanxin.produce.models import FamilyPoint, Order
from nuanxin.produce.services import offers, orders
from nuanxin.produce.tests.conftest import CUTOFF


@pytest.fixture(autouse=True)
def english(english):
    return english


def client_for(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


def api_for(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def test_my_families_lists_the_assigned_families_with_this_weeks_order(pw):
    orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    page = client_for(pw.p.care).get(reverse("produce:my_families")).content.decode()
    assert "安一" in page and "安二" in page and "北一" not in page
    assert "1 of 2 families have ordered for the week they may order now." in page
    assert page.count("data-ordered") == 1 and "¥60.00" in page


def test_a_care_contact_chooses_the_point_and_orders_on_a_phone_page(pw, sms_file):
    c = client_for(pw.p.care)
    url = reverse("produce:family", args=[pw.a1.pk])
    page = c.get(url).content.decode()
    assert 'id="nx-no-offer"' in page and "pickup point first." in page
    # the points of the family's district and above, the nearest organisation first; not 市北区's
    assert page.index("市南医院站") < page.index("市南区站") and "市北区站" not in page
    assert c.post(url, {"action": "point", "point": pw.sn_point.pk}).status_code == 302
    assert FamilyPoint.objects.get(worker=pw.a1).point == pw.sn_point
    page = c.get(url).content.decode()
    assert "蔬菜包" in page and "Place the order" in page
    response = c.post(
        url,
        {
            "action": "place",
            "offer": pw.offer.pk,
            f"qty_{pw.parcel.pk}": "1",
            f"qty_{pw.eggs.pk}": "1",
            f"qty_{pw.fish.pk}": "0",
        },
    )
    assert response.status_code == 302
    order = Order.objects.get(worker=pw.a1)
    assert order.value == Decimal("75.00") and order.payable == Decimal("40.00")
    page = c.get(url).content.decode()
    assert f'id="nx-order-code">{order.code}<' in page and "Change the order" in page


def test_an_order_over_the_cap_is_refused_on_the_page_with_both_amounts(pw):
    c = client_for(pw.p.care)
    url = reverse("produce:family", args=[pw.a1.pk])
    response = c.post(
        url, {"action": "place", "offer": pw.offer.pk, f"qty_{pw.parcel.pk}": "1", f"qty_{pw.fish.pk}": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This week&#x27;s order comes to ¥95.00, over the cap of ¥80.00 per family per week." in page
    assert not Order.objects.exists() and not FamilyPoint.objects.exists()
    # the quantities entered are kept on the form
    assert f'name="qty_{pw.fish.pk}" value="1"' in page


def test_change_and_cancel_on_the_page(pw):
    order = orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    c = client_for(pw.p.care)
    url = reverse("produce:family", args=[pw.a1.pk])
    c.post(url, {"action": "change", "offer": pw.offer.pk, "version": order.version, f"qty_{pw.eggs.pk}": "2"})
    order.refresh_from_db()
    assert order.value == Decimal("30.00") and order.version == 2
    c.post(url, {"action": "cancel", "version": order.version})
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED


def test_after_the_cutoff_the_page_offers_no_order(pw, clock):
    clock.move_to(CUTOFF)
    FamilyPoint.objects.create(worker=pw.a1, point=pw.sn_point)
    page = client_for(pw.p.care).get(reverse("produce:family", args=[pw.a1.pk])).content.decode()
    assert "No open offer at 市南区站 this week." in page and "Place the order" not in page


def test_the_followup_is_offered_to_those_who_may_order(pw):
    links = care_hooks.followup_links(pw.p.care, pw.a1)
    mine = [link for link in links if link.key == "produce"]
    assert [str(link.label) for link in mine] == ["Order a produce parcel"]
    assert mine[0].url == f"/produce/families/{pw.a1.pk}/?worker={pw.a1.pk}"
    assert not [link for link in care_hooks.followup_links(pw.care_sb, pw.a1) if link.key == "produce"]


def test_the_hub_shows_this_weeks_offers_in_scope_with_counts(pw):
    orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    page = client_for(pw.p.yi).get(reverse("produce:home")).content.decode()
    assert "市南区站" in page and "<span data-placed>1</span>" in page
    assert 'data-tab="produce:offer_list"' in page and 'data-tab="produce:supplier_list"' in page
    page = client_for(pw.p.bing).get(reverse("produce:home")).content.decode()
    assert "市南区站" not in page


def test_the_hub_lists_a_care_contacts_families_points_offers(pw):
    """F23: the care contact's scope (the unit) holds no pickup point; the offers of the points
    their families chose are listed, linking to "My families"."""
    c = client_for(pw.p.care)
    page = c.get(reverse("produce:home")).content.decode()
    assert 'id="nx-produce-family-offers"' not in page
    orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    page = c.get(reverse("produce:home")).content.decode()
    assert 'id="nx-produce-family-offers"' in page and f'data-offer="{pw.offer.pk}"' in page
    assert "市南区站 · week of 2020-02-03" in page and 'id="nx-produce-none"' not in page
    assert 'id="nx-produce-my-families"' in page
    assert 'id="nx-produce-family-offers"' not in client_for(pw.care_sb).get(reverse("produce:home")).content.decode()


def test_an_admin_creates_fills_opens_and_copies_an_offer(pw):
    c = client_for(pw.p.yi)
    response = c.post(
        reverse("produce:offer_list"),
        {
            "point": pw.sn_point.pk,
            "week": "2020-02-12",
            "title": "第二周",
            "cap": "80.00",
            "cutoff_at": "2020-02-12 18:00",
            "pickup_on": "2020-02-14",
            "fund": pw.fund.pk,
        },
    )
    assert response.status_code == 302
    offer = pw.sn_point.offers.get(week="2020-02-10")
    assert offer.status == "draft" and offer.fund == pw.fund
    url = reverse("produce:offer_detail", args=[offer.pk])
    response = c.post(
        url,
        {
            "supplier": pw.supplier.pk,
            "name": "白菜",
            "unit": "棵",
            "price": "5.00",
            "subsidised_price": "6.00",
            "max_quantity": "2",
        },
    )
    assert "The subsidised price (¥6.00) cannot be more than the price (¥5.00)." in response.content.decode()
    c.post(
        url,
        {
            "supplier": pw.supplier.pk,
            "name": "白菜",
            "unit": "棵",
            "price": "5.00",
            "subsidised_price": "3.00",
            "max_quantity": "2",
        },
    )
    assert list(offer.items.values_list("name", flat=True)) == ["白菜"]
    c.post(reverse("produce:offer_open", args=[offer.pk]), {"version": offer.version})
    offer.refresh_from_db()
    assert offer.status == "open"
    c.post(reverse("produce:offer_copy", args=[offer.pk]))
    copy = pw.sn_point.offers.get(week="2020-02-17")
    assert copy.status == "draft" and list(copy.items.values_list("name", flat=True)) == ["白菜"]
    assert copy.cutoff_at == offer.cutoff_at + (copy.week - offer.week)


def test_a_new_offer_for_a_week_that_is_over_is_refused(pw):
    """F21: the week of 2020-01-27 is over on Monday 2020-02-03: nothing saved."""
    response = client_for(pw.p.yi).post(
        reverse("produce:offer_list"),
        {
            "point": pw.sn_point.pk,
            "week": "2020-01-29",
            "cap": "80.00",
            "cutoff_at": "2020-01-29 18:00",
            "pickup_on": "2020-01-31",
        },
    )
    assert response.status_code == 200
    assert (
        "The week of 2020-01-27 is over: choose this week (from 2020-02-03) or a later one."
        in response.content.decode()
    )
    assert list(pw.sn_point.offers.values_list("week", flat=True)) == [pw.offer.week]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_offer_edit_form_carries_iso_dates_in_every_language(pw, language):
    """F18: the date inputs get values a browser takes (Y-m-d, Y-m-dTH:M), in Chinese too."""
    c = client_for(pw.p.yi)
    c.cookies["nuanxin_language"] = language
    page = c.get(reverse("produce:offer_edit", args=[pw.offer.pk])).content.decode()
    assert 'type="datetime-local" name="cutoff_at" value="2020-02-05T18:00"' in page
    assert 'type="date" name="pickup_on" value="2020-02-07"' in page
    response = c.post(
        reverse("produce:offer_edit", args=[pw.offer.pk]),
        {
            "title": "改名",
            "cap": "80.00",
            "cutoff_at": "2020-02-05T18:00",
            "pickup_on": "2020-02-07",
            "fund": pw.fund.pk,
            "version": pw.offer.version,
        },
    )
    assert response.status_code == 302
    pw.offer.refresh_from_db()
    assert pw.offer.title == "改名" and pw.offer.cutoff_at == CUTOFF


def test_api_lists_the_offers_with_items_of_the_points_above(pw):
    body = api_for(pw.p.care).get("/api/v1/produce/offers?week=2020-02-05").json()
    assert [o["point_name"] for o in body] == ["市南区站"]
    first = body[0]["items"][0]
    assert (first["name"], first["price"], first["subsidised_price"]) == ("蔬菜包", "60.00", "30.00")
    assert api_for(pw.p.bing).get("/api/v1/produce/offers?week=2020-02-05").json() == []


def test_api_places_an_order_and_refuses_clearly(pw, clock):
    api = api_for(pw.p.care)
    over = {
        "offer": pw.offer.pk,
        "worker": pw.a1.pk,
        "lines": [{"item": pw.parcel.pk, "quantity": 1}, {"item": pw.fish.pk, "quantity": 1}],
    }
    response = api.post("/api/v1/produce/orders", over, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "over_cap"
    assert response.json()["message"] == (
        "This week's order comes to ¥95.00, over the cap of ¥80.00 per family per week."
    )
    good = {**over, "lines": [{"item": pw.parcel.pk, "quantity": 1}]}
    response = api.post("/api/v1/produce/orders", good, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["value"] == "60.00" and len(response.json()["code"]) == 6
    response = api.post("/api/v1/produce/orders", good, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "duplicate"
    clock.move_to(CUTOFF)
    api = api_for(pw.p.care)  # the token of two days ago has expired
    late = {**good, "worker": pw.a2.pk}
    response = api.post("/api/v1/produce/orders", late, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "cutoff_passed"
    b1 = {**good, "worker": pw.b1.pk}
    assert api.post("/api/v1/produce/orders", b1, content_type="application/json").status_code == 404


def test_the_hub_opens_for_those_who_see_only_the_figures(pw):
    response = client_for(pw.p.viewer).get(reverse("produce:home"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="nx-produce-none"' in page and 'data-tab="produce:offer_list"' not in page
    assert client_for(pw.p.counsellor).get(reverse("produce:home")).status_code == 403


def test_after_the_cutoff_the_family_page_shows_this_weeks_order_and_orders_next_week(pw, clock):
    """F6/F8: once this week's cut-off has passed, the page shows this week's order (code,
    status) and the point's next open offer with the form; the next week's order placed there
    is the live one: its code, change and cancel until its cut-off; the list counts it."""
    this_week = orders.place_order(actor=pw.p.care, offer=pw.offer, worker=pw.a1, lines={pw.parcel.pk: 1})
    nxt = offers.open_offer(actor=SYSTEM, offer=offers.copy_offer(actor=SYSTEM, offer=pw.offer))
    assert str(nxt.week) == "2020-02-10"
    c = client_for(pw.p.care)
    url = reverse("produce:family", args=[pw.a1.pk])
    # before the cut-off: this week's order is the live one, no note about next week
    page = c.get(url).content.decode()
    assert f'id="nx-order-code">{this_week.code}<' in page and 'id="nx-order-earlier"' not in page
    assert 'id="nx-order-next-week"' not in page and f'name="offer" value="{pw.offer.pk}"' in page
    clock.move_to(CUTOFF)
    c = client_for(pw.p.care)  # a new session: the idle timeout ends the morning's
    page = c.get(url).content.decode()
    assert f'id="nx-order-earlier-code">{this_week.code}<' in page and "<span data-status>Placed</span>" in page
    assert "This week&#x27;s orders closed at 02-05 18:00: you can order for the week of 2020-02-10." in page
    assert f'name="offer" value="{nxt.pk}"' in page and "Place the order" in page
    assert 'id="nx-order-code"' not in page
    listing = c.get(reverse("produce:my_families")).content.decode()
    assert "0 of 2 families have ordered for the week they may order now." in listing
    assert "this week: Placed" in listing
    items = {i.name: i for i in nxt.items.all()}
    response = c.post(url, {"action": "place", "offer": nxt.pk, f"qty_{items['蔬菜包'].pk}": "1"})
    assert response.status_code == 302
    placed = Order.objects.get(worker=pw.a1, week=nxt.week)
    page = c.get(url).content.decode()
    assert f'id="nx-order-code">{placed.code}<' in page and f'id="nx-order-earlier-code">{this_week.code}<' in page
    assert "Change the order" in page and 'id="nx-order-cancel"' in page
    listing = c.get(reverse("produce:my_families")).content.decode()
    assert "1 of 2 families have ordered for the week they may order now." in listing
    assert listing.count("data-ordered") == 1 and "week of 2020-02-10" in listing
    # a second order of that week names the week
    response = c.post(url, {"action": "place", "offer": nxt.pk, f"qty_{items['鸡蛋'].pk}": "1"})
    assert (
        "This family already has an order for the week of 2020-02-10 (at 市南区站): change that order instead."
        in response.content.decode()
    )
    c.post(url, {"action": "change", "offer": nxt.pk, "version": placed.version, f"qty_{items['鸡蛋'].pk}": "2"})
    placed.refresh_from_db()
    assert placed.value == Decimal("30.00") and placed.version == 2
    c.post(url, {"action": "cancel", "version": placed.version})
    placed.refresh_from_db()
    this_week.refresh_from_db()
    assert placed.status == OrderStatus.CANCELLED and this_week.status == OrderStatus.PLACED
