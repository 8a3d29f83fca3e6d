"""Bad input to the care pages and API is refused, never a server error: weeks and days far
outside the calendar the pages can step through (the week before 0001-W01 does not exist)."""

import json

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.care import weeks
from nuanxin.core.policy import SYSTEM

EXTREME_WEEKS = ["0001-W01", "9999-W52", "0001-01-01", "9999-12-31"]


@pytest.mark.parametrize("value", EXTREME_WEEKS)
def test_a_week_out_of_the_calendar_is_not_a_week(value):
    with pytest.raises(ValueError):
        weeks.parse(value)


@pytest.mark.parametrize("value", EXTREME_WEEKS)
def test_the_pages_show_this_week_for_an_impossible_week(personas, value):
    care, admin = Client(), Client()
    care.force_login(personas.care)
    admin.force_login(personas.yi)
    this_week = weeks.label(weeks.current_week())
    for client, url in ((care, "/care/week/"), (admin, "/care/overview/")):
        response = client.get(url, {"week": value})
        assert response.status_code == 200
        assert response.context["week_label"] == this_week


@pytest.mark.parametrize(("name", "value"), [("week", "9999-W52"), ("week", "0001-W01"), ("as_of", "9999-12-31")])
def test_the_api_refuses_an_impossible_week_or_day(personas, name, value):
    client = Client()
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    response = client.get("/api/v1/care/duties", {name: value}, HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    body = json.loads(response.content)
    assert (response.status_code, body["code"], body["field"]) == (400, "invalid", name)
