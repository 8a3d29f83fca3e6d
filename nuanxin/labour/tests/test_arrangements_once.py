"""Review of issue 15: one open arrangement per woman worker (the service, the page, the API),
the dates checked against today when referring and agreeing, the referral form starting from
the visit's words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from nuanxin.care import services as care_services
from nuanxin.core.errors import ServiceError
from nuanxin.labour.models import Arrangement
from nuanxin.labour.services import arrangements as services
from nuanxin.labour.tests.test_arrangements import _agree, _api, _refer, world  # noqa: F401 (the fixture)

ALREADY = (
    "This worker already has an arrangement in hand, passed to the labour officers; if anything new has "
    "come up, please tell them."
)


@pytest.fixture(autouse=True)
def english(english):
    return english


def test_a_second_open_arrangement_is_refused_until_the_first_ends(world):  # noqa: F811
    p = world
    first = _refer(p)
    with pytest.raises(ServiceError) as refused:
        _refer(p, stage="lactating", expected_on=None, lactating_until=p.today + timedelta(days=100))
    assert str(refused.value.message) == ALREADY
    agreed = _agree(p, first)
    with pytest.raises(ServiceError):
        _refer(p, actor=p.officer)  # the officer too, once agreed
    assert Arrangement.objects.count() == 1
    services.end_arrangement(actor=p.officer, arrangement=agreed, version=agreed.version)
    second = _refer(p)  # ended: a new one may be referred
    assert Arrangement.objects.filter(status="referred").get() == second


def test_the_page_says_it_is_in_hand_and_links_it_for_the_officer_only(world, english_client):  # noqa: F811
    p = world
    a = _refer(p)
    url = reverse("labour:arrangement_create") + f"?worker={p.worker.pk}"
    c = english_client
    c.force_login(p.care)
    page = c.get(url)
    body = page.content.decode()
    assert page.context["existing"] is True and page.context["existing_url"] == ""
    assert ALREADY in body and "nx-arrangement-existing-link" not in body
    refused = c.post(url, {"worker": p.worker.pk, "stage": "pregnant", "expected_on": str(p.today)})
    assert refused.status_code == 200 and ALREADY in refused.content.decode()
    assert Arrangement.objects.count() == 1
    c.force_login(p.officer)
    page = c.get(url)
    assert page.context["existing_url"] == reverse("labour:arrangement_detail", args=[a.pk])
    assert 'id="nx-arrangement-existing-link"' in page.content.decode()


def test_the_api_refuses_a_second_one(world):  # noqa: F811
    p = world
    _refer(p)
    response = _api(p.care).post(
        "/api/v1/labour/arrangements",
        {"worker": p.worker.pk, "stage": "pregnant", "expected_on": str(p.today + timedelta(days=30))},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["message"] == ALREADY
    assert Arrangement.objects.count() == 1


def test_dates_against_today_when_referring(world):  # noqa: F811
    p = world
    today = p.today
    latest_birth, latest_milk = today + timedelta(days=300), today + timedelta(days=730)
    cases = [
        ({"expected_on": today - timedelta(days=1)}, "expected_on"),
        ({"expected_on": today + timedelta(days=301)}, "expected_on"),
        ({"stage": "lactating", "expected_on": None, "lactating_until": today}, "lactating_until"),
        ({"stage": "lactating", "lactating_until": today + timedelta(days=731)}, "lactating_until"),
    ]
    for kw, field in cases:
        with pytest.raises(ServiceError) as refused:
            _refer(p, **kw)
        assert refused.value.field == field
    with pytest.raises(ServiceError) as refused:
        _refer(p, expected_on=today - timedelta(days=1))
    assert str(refused.value.message) == (
        f"The expected delivery date must lie between today ({today.isoformat()}) and about 10 months ahead "
        f"({latest_birth.isoformat()})."
    )
    with pytest.raises(ServiceError) as refused:
        _refer(p, stage="lactating", lactating_until=today - timedelta(days=400))
    assert str(refused.value.message) == (
        f"The date until which she is breastfeeding must lie after today ({today.isoformat()}) and within about "
        f"2 years ({latest_milk.isoformat()})."
    )
    assert Arrangement.objects.count() == 0
    # The other stage's date is ignored (even an impossible one), not stored.
    a = _refer(p, stage="lactating", expected_on=today - timedelta(days=9999), lactating_until=latest_milk)
    assert (a.expected_on, a.lactating_until) == (None, latest_milk)


def test_dates_against_today_when_agreeing(world):  # noqa: F811
    p = world
    a = _refer(p)
    with pytest.raises(ServiceError) as refused:
        _agree(p, a, expected_on=p.today - timedelta(days=1))
    assert refused.value.field == "expected_on"
    a = _agree(p, a, stage="lactating", expected_on=p.today, lactating_until=p.today + timedelta(days=200))
    assert (a.stage, a.expected_on, a.lactating_until) == ("lactating", None, p.today + timedelta(days=200))
    # A stored date is not checked against today again (she is still breastfeeding: only the
    # review date changes).
    Arrangement.objects.filter(pk=a.pk).update(lactating_until=p.today - timedelta(days=1))
    a.refresh_from_db()
    a = _agree(
        p,
        a,
        stage="lactating",
        expected_on=None,
        lactating_until=a.lactating_until,
        version=a.version,
        review_on=p.today + timedelta(days=40),
    )
    assert a.review_on == p.today + timedelta(days=40)


def test_the_form_starts_from_the_visits_words(world, english_client):  # noqa: F811
    p = world
    visit = care_services.record_visit(
        actor=p.care, worker=p.worker, on=p.today, mode="phone", notes="她怀孕了，还在上夜班", opinions="希望调白班"
    )
    c = english_client
    c.force_login(p.care)
    page = c.get(reverse("labour:arrangement_create") + f"?worker={p.worker.pk}&visit={visit.pk}")
    form = page.context["form"]
    assert form.initial == {"notes": "她怀孕了，还在上夜班\n希望调白班", "measures": ["no_night_shifts"]}
    assert page.context["heard"] == [("Notes", "她怀孕了，还在上夜班"), ("Opinions heard", "希望调白班")]
    body = page.content.decode()
    assert 'id="nx-arrangement-heard"' in body and "她怀孕了，还在上夜班\n希望调白班</textarea>" in body
    # Without a visit: nothing to start from.
    plain = c.get(reverse("labour:arrangement_create") + f"?worker={p.worker.pk}")
    assert plain.context["form"].initial == {"notes": "", "measures": []} and plain.context["heard"] == []


def test_an_arrangement_cannot_be_ended_in_the_future(world):  # noqa: F811
    p = world
    a = _agree(p, _refer(p))
    with pytest.raises(ServiceError) as refused:
        services.end_arrangement(actor=p.officer, arrangement=a, on=p.today + timedelta(days=1), version=a.version)
    assert refused.value.field == "on"
    assert str(refused.value.message) == (
        "An arrangement is ended today or on a past day; a later end goes in “Until” when changing it."
    )
    a.refresh_from_db()
    assert (a.status, a.ends_on) == ("agreed", p.today + timedelta(days=90))
    ended = services.end_arrangement(actor=p.officer, arrangement=a, version=a.version)
    assert (ended.status, ended.ends_on) == ("ended", p.today)
