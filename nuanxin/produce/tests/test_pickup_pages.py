"""The keeper's pickup page and the pickup API: the point chosen and remembered, a code checked
(the family masked), the parcel handed over; refusals said on the page, nothing changed."""

import pytest
import time_machine
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.produce.choices import OrderStatus
from nuanxin.produce.models import Order
from nuanxin.produce.tests.test_weeks_data import NOW, PASSWORD, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def wk(personas):
    with time_machine.travel(NOW, tick=False):
        yield build(personas)


def client(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    assert c.login(username=user.username, password=PASSWORD)
    return c


def api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_keeper_checks_and_hands_over(wk):
    c = client(wk.keeper)
    page = c.get("/produce/pickup/").content.decode()
    assert "市南区站" in page and 'id="nx-pickup-form"' in page  # the one point, chosen by itself
    page = c.post("/produce/pickup/", {"point": wk.sn_point.pk, "code": "100001"}).content.decode()
    assert 'id="nx-pickup-parcel"' in page and "张*明" in page and "张三明" not in page
    assert f"mobile …{wk.families[0].mobile[-4:]}" in page
    assert "蔬菜包" in page and "鸡蛋" in page
    assert "<strong data-number>1</strong>" in page  # the parcel number of the pick list
    assert Order.objects.get(pk=wk.orders[0].pk).status == OrderStatus.PLACED
    response = c.post("/produce/pickup/", {"point": wk.sn_point.pk, "code": "100001", "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/produce/pickup/?point={wk.sn_point.pk}"
    assert "Handed over: the parcel of 张*明" in response.content.decode()
    assert Order.objects.get(pk=wk.orders[0].pk).status == OrderStatus.COLLECTED
    page = c.post("/produce/pickup/", {"point": wk.sn_point.pk, "code": "100001"}).content.decode()
    assert "Already collected at 10:00." in page and 'id="nx-pickup-parcel"' not in page

    assert (
        'id="nx-pickup-late"'
        not in c.post("/produce/pickup/", {"point": wk.sn_point.pk, "code": "100002"}).content.decode()
    )


def test_the_keeper_is_told_a_parcel_is_collected_late(wk):
    c = client(wk.keeper)
    page = c.post("/produce/pickup/", {"point": wk.sn_point.pk, "code": "300001"}).content.decode()
    assert 'id="nx-pickup-parcel"' in page
    assert "Collected 7 days late (pickup day 2020-01-31)." in page
    c.post("/produce/pickup/", {"point": wk.sn_point.pk, "code": "300001", "confirm": "1"})
    assert Order.objects.get(pk=wk.last_order.pk).status == OrderStatus.COLLECTED


def test_a_wrong_code_is_said_on_the_page(wk):
    c = client(wk.keeper)
    page = c.post("/produce/pickup/", {"point": wk.sn_point.pk, "code": "200001", "confirm": "1"}).content.decode()
    assert "This code is of a parcel at another pickup point (市北区站): send the family there." in page
    assert Order.objects.get(pk=wk.sb_order.pk).status == OrderStatus.PLACED


def test_an_administrator_chooses_among_points_and_it_is_remembered(wk):
    c = client(wk.p.jia)
    page = c.get("/produce/pickup/").content.decode()
    assert "Choose your pickup point" in page and 'id="nx-pickup-form"' not in page
    c.get(f"/produce/pickup/?point={wk.sb_point.pk}")
    page = c.get("/produce/pickup/").content.decode()
    assert 'id="nx-pickup-form"' in page and f'value="{wk.sb_point.pk}" selected' in page


def test_the_api_hands_over(wk):
    c = api(wk.keeper)
    order = wk.orders[2]
    r = c.post(f"/api/v1/produce/orders/{order.pk}/pickup", {"code": "100002"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == "This code is not this order's."
    r = c.post(f"/api/v1/produce/orders/{order.pk}/pickup", {"code": "100003"}, content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "collected" and body["family"] == "王*五" and body["point"] == "市南区站"
    assert body["lines"] == [{"item": "蔬菜包", "quantity": 1}, {"item": "鸡蛋", "quantity": 2}]
    r = c.post(f"/api/v1/produce/orders/{order.pk}/pickup", {"code": "100003"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == "Already collected at 10:00."
    # 市北区's parcel is not the 市南区 keeper's: the same 404 as a missing order
    r = c.post(f"/api/v1/produce/orders/{wk.sb_order.pk}/pickup", {"code": "200001"}, content_type="application/json")
    assert r.status_code == 404
    assert Order.objects.get(pk=wk.sb_order.pk).status == OrderStatus.PLACED


def test_the_keepers_home_card(wk):
    page = client(wk.keeper).get("/").content.decode()
    assert 'id="nx-home-pickup"' in page and 'data-figure="waiting">To hand over 5' in page
    assert 'id="nx-home-pickup"' not in client(wk.p.yi).get("/").content.decode()
