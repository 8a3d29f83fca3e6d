"""The completion chart marks the current, unfinished week as in progress (issue 11, item 10):
its figure is a share of a week still going on, not a collapse."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from nuanxin.care import selectors, services
from nuanxin.care.tests.helpers import W1, at, build_world, fresh
from nuanxin.care.tests.pages_fixtures import W2, client_for

pytestmark = pytest.mark.django_db


def test_the_series_says_which_week_is_still_going_on(personas):
    w = build_world(personas)
    with at(W2 + timedelta(days=2)):  # Wednesday: day 3 of 7
        services.open_duties()
        series = selectors.completion_series(personas.jia, fresh(personas.city), w.campaign)
    assert series["weeks"] == ["2020-W04", "2020-W05", "2020-W06"]
    assert (series["current"], series["days_so_far"]) == (2, 3)


def test_a_campaign_that_ended_has_no_week_in_progress(personas):
    w = build_world(personas)
    with at(W1):
        campaign = services.declare_end(actor=personas.jia, campaign=w.campaign, on=W1 + timedelta(days=6))
    with at(W2 + timedelta(days=2)):
        series = selectors.completion_series(personas.jia, fresh(personas.city), campaign)
    assert series["weeks"][-1] == "2020-W05"
    assert series["current"] is None


@pytest.mark.parametrize(
    "language,label", [("en", "this week so far: day 3 of 7"), ("zh-hans", "本周进行中：第 3 天（共 7 天）")]
)
def test_the_chart_page_hands_the_week_in_progress_to_the_chart(personas, language, label):
    build_world(personas)
    with at(W2 + timedelta(days=2)):
        services.open_duties()
        html = client_for(personas.viewer, language).get(reverse("care:chart")).content.decode()
    data = json.loads(re.search(r'<script id="nx-chart-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert data["current"] == len(data["weeks"]) - 1
    assert data["labels"]["inProgress"] == label
