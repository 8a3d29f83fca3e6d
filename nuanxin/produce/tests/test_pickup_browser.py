"""On a 375 px phone: the point keeper starts from the home card, chooses today's point, types a
family's code, sees the parcel and the masked family, hands it over; a code typed twice says when
it was collected. Nothing is wider than the screen, no console error, no CSP violation."""

import pytest

from tests.browser import csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 375, "height": 740}


def test_a_keeper_hands_a_parcel_over_on_a_phone(live_server, browser):
    from conftest import build_personas
    from nuanxin.core.roles import Role
    from nuanxin.produce.choices import OrderStatus
    from nuanxin.produce.models import Order
    from nuanxin.produce.services.pickup import mask_name
    from nuanxin.produce.tests.test_weeks_data import PASSWORD, live_world, user

    p = build_personas()
    w = live_world(p, "浏览")
    keeper = user("keeper", p.shinan, Role.POINT_KEEPER, "市南值守")
    order = w.today_orders[0]
    context = browser.new_context(viewport=SMALL_PHONE, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, keeper.username, PASSWORD)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    page.click("#nx-home-pickup-start")
    page.wait_for_selector("#nx-pickup-point")
    page.select_option("#nx-pickup-point", str(w.today_offer.point_id))
    page.click("#nx-pickup-point-form button[type=submit]")
    page.wait_for_selector("#nx-pickup-form")
    assert page_width(page) <= SMALL_PHONE["width"]
    page.fill("#id_code", order.code)
    page.click("#nx-pickup-check")
    page.wait_for_selector("#nx-pickup-parcel")
    assert page.inner_text("[data-family]") == mask_name(order.worker.name)
    assert page.inner_text("[data-code]") == order.code
    assert page_width(page) <= SMALL_PHONE["width"]
    page.click("#nx-pickup-confirm")
    page.wait_for_selector(".alert-success")
    assert "Handed over" in page.inner_text(".alert-success")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.COLLECTED
    # the point is remembered: the code form is there at once; the same code again
    page.goto(f"{live_server.url}/produce/pickup/")
    page.fill("#id_code", order.code)
    page.click("#nx-pickup-check")
    page.wait_for_selector("#nx-pickup-error")
    assert page.inner_text("#nx-pickup-error").startswith("Already collected at ")
    assert page_width(page) <= SMALL_PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()
