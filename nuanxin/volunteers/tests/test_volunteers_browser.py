"""On a 375 px phone, without an account: a volunteer opens a task's sign-up link, chooses a
shift, signs up with their name and mobile, lands on their own page, checks in and checks out;
the hours shown are those counted. Nothing is wider than the screen, no console error, no CSP
violation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser import csp_violations, page_width, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL_PHONE = {"width": 375, "height": 740}


def test_a_volunteer_signs_up_by_link_and_checks_in_and_out_on_a_phone(live_server, browser):
    from django.core.cache import cache

    from conftest import build_personas
    from nuanxin.core.policy import SYSTEM
    from nuanxin.orgs.models import Organisation
    from nuanxin.volunteers.choices import CheckinStatus
    from nuanxin.volunteers.models import Checkin
    from nuanxin.volunteers.services import shifts, teams

    cache.clear()
    build_personas()
    team = teams.create_team(actor=SYSTEM, organisation=Organisation.objects.get(code="SN-H1"), name="浏览志愿队")
    task = shifts.create_task(actor=SYSTEM, team=team, title="协助核酸采样点", place="浏览路1号门诊楼")
    start = timezone.now() + timedelta(hours=2)
    shift = shifts.add_shift(actor=SYSTEM, task=task, starts_at=start, ends_at=start + timedelta(hours=3), needed=2)
    context = browser.new_context(viewport=SMALL_PHONE, locale="en-GB")
    context.add_cookies([{"name": "nuanxin_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{live_server.url}/volunteers/join/{task.token}/")
    assert page.inner_text("#nx-signup-task") == "协助核酸采样点"
    assert page.inner_text(f"[data-shift='{shift.pk}'] [data-slots]") == "0/2"
    assert page_width(page) <= SMALL_PHONE["width"]
    page.check(f"input[name=shift][value='{shift.pk}']")
    page.fill("#id_name", "浏览志愿者")
    page.fill("#id_mobile", "139 0000 8888")
    page.click("#nx-signup-submit")
    page.wait_for_selector("text=Tick the box to agree")  # the consent is missing: said, nothing saved
    assert Checkin.objects.count() == 0
    page.check(f"input[name=shift][value='{shift.pk}']")
    page.check("#id_consent")
    page.click("#nx-signup-submit")
    page.wait_for_selector("#nx-place-status")
    assert "You are signed up." in page.inner_text(".alert-success")
    place = Checkin.objects.get()
    assert page.url == f"{live_server.url}/volunteers/c/{place.token}/"
    assert page.inner_text("#nx-place-status") == "Signed up"
    assert page.query_selector("#nx-place-checkin") is None  # check-in opens an hour before
    # the shift is moved to have started half an hour ago: the volunteer checks in, then out
    shifts.change_shift(actor=SYSTEM, shift=shift, starts_at=timezone.now() - timedelta(minutes=30))
    page.reload()
    page.click("#nx-place-checkin")
    page.wait_for_selector("#nx-place-checkout")
    assert page.inner_text("#nx-place-status") == "Checked in"
    page.click("#nx-place-checkout")
    page.wait_for_selector("#nx-place-hours")
    place.refresh_from_db()
    assert place.status == CheckinStatus.DONE
    assert place.hours == shifts.compute_hours(place.shift, place.checked_in_at, place.checked_out_at)
    assert page.inner_text("#nx-place-hours") == str(place.hours)
    assert page_width(page) <= SMALL_PHONE["width"]
    assert errors == [] and csp_violations(page) == []
    context.close()
