"""On a phone (375 px): the care contact opens the produce supply from the menu, their families,
one family; chooses its pickup point, orders over the cap (refused, both amounts said, nothing
saved), then a parcel within it: the pickup code is shown. Nothing is wider than the screen, no
console error, no CSP violation."""

import pytest

from tests.browser import csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def _world():
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    from conftest import build_personas
    from nuanxin.produce.services.offers import this_week
    from nuanxin.produce.tests.conftest import build_produce_world

    p = build_personas()
    week = this_week()
    sunday = week + timedelta(days=6)
    cutoff = timezone.make_aware(datetime.combine(sunday, time(23, 59)))
    return build_produce_world(p, week=week, cutoff=cutoff, pickup=sunday)


def test_a_care_contact_orders_a_parcel_on_a_phone(live_server, browser):
    from nuanxin.produce.models import FamilyPoint, Order

    pw = _world()
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, "care", pw.p.password)
    page.context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/")
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    page.click("#nx-nav-produce")
    page.wait_for_selector("#nx-produce-tabs")
    page.click("[data-tab='produce:my_families']")
    page.wait_for_selector("#nx-produce-families")
    assert page_width(page) <= PHONE["width"]
    page.click(f"[data-worker='{pw.a1.pk}'] [data-family-link]")
    page.wait_for_selector("#nx-point-choose")
    page.select_option("#nx-point-choose select[name=point]", str(pw.sn_point.pk))
    page.click("#nx-point-choose button")
    page.wait_for_selector("#nx-order-form")
    assert page_width(page) <= PHONE["width"]
    page.fill(f"input[name=qty_{pw.parcel.pk}]", "1")
    page.fill(f"input[name=qty_{pw.fish.pk}]", "1")
    page.click("#nx-order-submit")
    page.wait_for_selector("#nx-order-error")
    assert page.inner_text("#nx-order-error") == (
        "This week's order comes to ¥95.00, over the cap of ¥80.00 per family per week."
    )
    assert not Order.objects.exists()
    assert page_width(page) <= PHONE["width"]
    page.fill(f"input[name=qty_{pw.fish.pk}]", "0")
    page.fill(f"input[name=qty_{pw.eggs.pk}]", "1")
    page.click("#nx-order-submit")
    page.wait_for_selector("#nx-order-code")
    order = Order.objects.get(worker=pw.a1)
    assert page.inner_text("#nx-order-code") == order.code
    assert str(order.value) == "75.00" and FamilyPoint.objects.get(worker=pw.a1).point == pw.sn_point
    assert page_width(page) <= PHONE["width"]
    assert errors == []
    assert csp_violations(page) == []
