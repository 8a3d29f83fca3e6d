"""Absurd inputs in care (issue 10): a visit dated before the campaign it counts in started (year
1, 1900, the day before), numbers larger than a necessity's fields hold, campaign dates in year 1
or 9999, and versions: a weak ``If-Match`` of the current version is that version, and a version
the record never had is not someone else's change. Each refusal is a clear message on the page
and a 400 on the API, and the database stays as it was."""

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services
from nuanxin.care.models import Campaign, Difficulty, Visit, VisitItem
from nuanxin.care.tests.helpers import at, worker
from nuanxin.care.tests.pages_fixtures import WED, client_for, page_world
from nuanxin.core import versioning
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import TeamType

pytestmark = pytest.mark.django_db

BEFORE_START = "The visit cannot be dated before 2020-01-24, when the campaign “暖心行动” it counts in started."
TOO_LARGE = "Enter a number no larger than 99,999,999.99."


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def world(personas):
    with page_world(personas) as w:  # today: Wednesday 2020-02-05; the campaign started 2020-01-24
        yield w


def api(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def send(client, method, url, data, **headers):
    return client.generic(method, url, data=json.dumps(data), content_type="application/json", **headers)


def snapshot() -> tuple:
    """What a refused request must leave as it was."""
    return (
        list(Visit.objects.order_by("pk").values_list("pk", "on", "notes", "version")),
        VisitItem.objects.count(),
        list(Difficulty.objects.order_by("pk").values_list("pk", "status", "version")),
        list(Campaign.objects.order_by("pk").values_list("pk", "starts_on", "declared_end_on", "version")),
        AuditLog.objects.count(),
    )


def visit_post(**overrides):
    data = {
        "on": "2020-02-05",
        "mode": "home",
        "visitors": "张联络",
        "state_of_mind": "",
        "opinions": "",
        "notes": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-item": "大米",
        "items-0-quantity": "2",
        "items-0-unit": "袋",
        "items-0-value": "120",
        "diffs-TOTAL_FORMS": "1",
        "diffs-INITIAL_FORMS": "0",
        "diffs-0-description": "",
        "diffs-0-category": "life",
        "diffs-0-urgency": "normal",
    }
    data.update(overrides)
    return data


def edit_post(visit, **overrides):
    data = {
        "on": visit.on.isoformat(),
        "mode": visit.mode,
        "visitors": visit.visitors,
        "state_of_mind": visit.state_of_mind,
        "opinions": visit.opinions,
        "notes": visit.notes,
        "version": str(visit.version),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-item": "",
    }
    data.update(overrides)
    return data


# --- a visit's date ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "2019-12-31", "2020-01-23"])
def test_the_api_refuses_a_visit_before_its_campaign_started(personas, world, day):
    client = api(personas.care)
    before = snapshot()
    answer = send(client, "POST", "/api/v1/visits", {"worker": world.a1.pk, "on": day, "mode": "phone"})
    assert (answer.status_code, answer.json()) == (400, {"code": "invalid", "message": BEFORE_START, "field": "on"})
    assert snapshot() == before


def test_the_api_takes_a_visit_on_the_campaigns_first_day(personas, world):
    answer = send(api(personas.care), "POST", "/api/v1/visits", {"worker": world.a1.pk, "on": "2020-01-24"})
    assert (answer.status_code, answer.json()["campaign"], answer.json()["week"]) == (
        201, world.campaign.pk, "2020-W04"
    )


@pytest.mark.parametrize("day", ["0001-01-01", "1900-01-01", "2019-12-31"])
def test_the_visit_form_refuses_a_day_before_the_campaign_started(personas, world, day):
    client = client_for(personas.care)
    before = snapshot()
    response = client.post(reverse("care:visit_create", args=[world.a1.pk]), visit_post(on=day))
    assert response.status_code == 200
    assert response.context["form"].errors == {"on": [BEFORE_START]}
    assert snapshot() == before


def test_editing_a_visit_to_a_day_before_the_campaign_is_refused(personas, world):
    visit = Visit.objects.get(worker=world.a2)
    client, page_client = api(personas.care), client_for(personas.care)
    before = snapshot()
    answer = send(client, "PATCH", f"/api/v1/visits/{visit.pk}", {"on": "0001-01-01", "version": 1})
    assert (answer.status_code, answer.json()["field"], answer.json()["message"]) == (400, "on", BEFORE_START)
    page = page_client.post(
        reverse("care:visit_update", args=[visit.pk]), edit_post(visit, on="1900-01-01")
    )
    assert page.status_code == 200
    assert page.context["form"].errors == {"on": [BEFORE_START]}
    assert snapshot() == before


def test_a_visit_counting_in_no_campaign_names_the_days_allowed(personas, world):
    alone = worker(personas.shinan_hospital, "无联系人")  # never assigned: no campaign to count in
    client = api(personas.yi)
    before = snapshot()
    answer = send(client, "POST", "/api/v1/visits", {"worker": alone.pk, "on": "2019-06-01"})
    assert (answer.status_code, answer.json()["field"], answer.json()["message"]) == (
        400,
        "on",
        "No care campaign ran on 2019-06-01: a visit can be dated from 2020-01-24 (the first campaign's start) "
        "to today.",
    )
    assert snapshot() == before
    ok = send(client, "POST", "/api/v1/visits", {"worker": alone.pk, "on": "2020-01-24"})
    assert (ok.status_code, ok.json()["campaign"]) == (201, None)


def test_without_any_campaign_no_visit_can_be_recorded(personas):
    alone = worker(personas.shinan_hospital, "无行动")
    with pytest.raises(ServiceError) as exc:
        services.record_visit(actor=SYSTEM, worker=alone, on=date(2020, 2, 3))
    assert (exc.value.message, exc.value.field) == ("Visits can be recorded once a care campaign has started.", "on")
    assert Visit.objects.count() == 0


def test_a_visit_counts_in_the_campaign_running_on_its_day(personas, world):
    """The family's latest assignment is in a campaign started later: a visit on a day of the
    first campaign still counts there, not refused for being before the second one."""
    later = services.create_campaign(actor=SYSTEM, name="第二次", starts_on=date(2020, 2, 3))
    services.assign_contact(actor=personas.yi, campaign=later, worker=world.a3, contact=personas.care)
    visit = services.record_visit(actor=personas.care, worker=world.a3, on=date(2020, 1, 25))
    assert visit.campaign == world.campaign
    with pytest.raises(ServiceError) as exc:
        services.record_visit(actor=personas.care, worker=world.a3, on=date(2020, 1, 23), campaign=later)
    assert exc.value.message == (
        "The visit cannot be dated before 2020-02-03, when the campaign “第二次” it counts in started."
    )


# --- numbers of the necessities ---------------------------------------------------------------


@pytest.mark.parametrize("key", ["quantity", "value"])
@pytest.mark.parametrize("number", [1e308, 99999999999999999999, 100000000, "99999999.995"])
def test_the_api_names_the_largest_number_a_necessity_takes(personas, world, key, number):
    client = api(personas.care)
    before = snapshot()
    item = {"item": "口罩", key: number}
    answer = send(client, "POST", "/api/v1/visits", {"worker": world.a1.pk, "on": "2020-02-05",
                                                                   "items": [item]})
    assert (answer.status_code, answer.json()["field"], answer.json()["message"]) == (400, f"items.0.{key}", TOO_LARGE)
    assert snapshot() == before


def test_the_largest_number_is_taken(personas, world):
    item = {"item": "口罩", "quantity": "99999999.99", "value": 99999999.99}
    answer = send(api(personas.care), "POST", "/api/v1/visits", {"worker": world.a1.pk, "on": "2020-02-05",
                                                                   "items": [item]})
    assert answer.status_code == 201
    assert (answer.json()["items"][0]["quantity"], answer.json()["items"][0]["value"]) == ("99999999.99", "99999999.99")


@pytest.mark.parametrize(
    "number, message",
    [
        ("1e308", TOO_LARGE),
        ("99999999999999999999", TOO_LARGE),
        ("100000000", TOO_LARGE),
        ("-1", "Enter a number that is not negative."),
        ("-1e308", "Enter a number that is not negative."),
        ("inf", "Enter a number."),
        ("几个", "Enter a number."),
    ],
)
@pytest.mark.parametrize("key", ["quantity", "value"])
def test_the_visit_form_names_the_largest_number_a_necessity_takes(personas, world, key, number, message):
    client = client_for(personas.care)
    before = snapshot()
    response = client.post(
        reverse("care:visit_create", args=[world.a1.pk]), visit_post(**{f"items-0-{key}": number})
    )
    assert response.status_code == 200
    assert response.context["items"].forms[0].errors == {key: [message]}
    assert response.context["form"].errors == {}
    assert snapshot() == before


def test_the_edit_page_and_patch_name_the_largest_number_too(personas, world):
    visit = Visit.objects.get(worker=world.a2)
    client, page_client = api(personas.care), client_for(personas.care)
    before = snapshot()
    patch = send(client, "PATCH", f"/api/v1/visits/{visit.pk}",
                 {"items": [{"item": "米", "quantity": 1e308}], "version": 1})
    assert (patch.status_code, patch.json()["field"], patch.json()["message"]) == (400, "items.0.quantity", TOO_LARGE)
    page = page_client.post(
        reverse("care:visit_update", args=[visit.pk]),
        edit_post(visit, **{"items-0-item": "米", "items-0-value": "99999999999999999999"}),
    )
    assert page.context["items"].forms[0].errors == {"value": [TOO_LARGE]}
    assert snapshot() == before


# --- a difficulty's due date ----------------------------------------------------------------------

DUE_RANGE = "The due date must be from today (2020-02-05) to two years ahead (2022-02-05)."


@pytest.mark.parametrize("day", ["9999-12-31", "2022-02-06", "2020-02-04", "0001-01-01"])
def test_a_due_date_set_through_the_api_is_bounded(personas, world, day):
    client = api(personas.care)
    before = snapshot()
    answer = send(client, "POST", "/api/v1/difficulties", {"worker": world.a1.pk, "description": "买药", "due_on": day})
    assert (answer.status_code, answer.json()) == (400, {"code": "invalid", "message": DUE_RANGE, "field": "due_on"})
    assert snapshot() == before


def test_a_due_date_within_the_bounds_is_taken_and_none_follows_the_urgency(personas, world):
    client = api(personas.care)
    far = send(client, "POST", "/api/v1/difficulties", {"worker": world.a1.pk, "description": "买药",
                                                          "due_on": "2022-02-05"})
    today = send(client, "POST", "/api/v1/difficulties", {"worker": world.a1.pk, "description": "买菜",
                                                            "due_on": "2020-02-05"})
    default = send(client, "POST", "/api/v1/difficulties", {"worker": world.a1.pk, "description": "看病",
                                                              "urgency": "urgent"})
    assert [(a.status_code, a.json()["due_on"]) for a in (far, today, default)] == [
        (201, "2022-02-05"), (201, "2020-02-05"), (201, "2020-02-08")
    ]


# --- campaign dates -----------------------------------------------------------------------------


CADENCE = {f"cadence_{t}": "none" for t in TeamType.values}


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31", "2021-02-06"])
def test_a_campaign_starts_between_2000_and_a_year_ahead(personas, world, day):
    client = client_for(personas.jia)
    before = snapshot()
    response = client.post(
        reverse("care:campaign_create"), {**CADENCE, "name": "荒唐年份", "starts_on": day}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"starts_on": ["Enter a date from 2000-01-01 to 2021-02-05."]}
    assert snapshot() == before


def test_a_campaign_start_a_year_ahead_is_taken(personas, world):
    campaign = services.create_campaign(actor=personas.jia, name="明年", starts_on=date(2021, 2, 5))
    assert campaign.starts_on == date(2021, 2, 5)


@pytest.mark.parametrize("day", ["9999-12-31", "2021-02-06"])
def test_a_declared_end_more_than_a_year_ahead_is_refused(personas, world, day):
    campaign = world.campaign
    client = client_for(personas.jia)
    before = snapshot()
    response = client.post(
        reverse("care:campaign_declare_end", args=[campaign.pk]), {"on": day, "confirm": "on", "version": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"on": ["Enter a date from 2020-01-24 to 2021-02-05."]}
    assert snapshot() == before
    with pytest.raises(ServiceError) as exc:
        services.declare_end(actor=SYSTEM, campaign=campaign, on=date(1, 1, 1))
    assert exc.value.message == "The end cannot be before the campaign's start."


def test_the_command_refuses_a_start_in_year_one(personas):
    with at(WED), pytest.raises(ServiceError) as exc:
        services.create_campaign(actor=SYSTEM, name="公元一年", starts_on=date(1, 1, 1))
    assert (exc.value.message, exc.value.field) == ("Enter a date from 2000-01-01 to 2021-02-05.", "starts_on")
    assert Campaign.objects.count() == 0


@pytest.mark.parametrize("week", ["0001-W01", "0001-01-01", "9999-W52", "1899-12-31", "3000-01-01"])
def test_the_overview_and_chart_show_this_week_for_an_absurd_week(personas, world, week):
    client = client_for(personas.yi)
    overview = client.get(reverse("care:overview"), {"week": week})
    assert (overview.status_code, overview.context["week"]) == (200, date(2020, 2, 3))
    assert client.get(reverse("care:chart"), {"week": week}).status_code == 200
    answer = api(personas.yi).get("/api/v1/care/duties", {"week": week})
    assert (answer.status_code, answer.json()["message"]) == (400, "Give the week as YYYY-Www, e.g. 2020-W05.")


# --- versions -------------------------------------------------------------------------------------


def test_a_weak_if_match_of_the_current_version_is_that_version(personas, world):
    difficulty = services.open_difficulty(actor=personas.care, worker=world.a1, description="老人需要买药")
    client = api(personas.care)
    url = f"/api/v1/difficulties/{difficulty.pk}/transitions"
    moved = send(client, "POST", url, {"to": "in_progress"}, HTTP_IF_MATCH='W/"1"')
    assert (moved.status_code, moved.json()["version"]) == (200, 2)
    again = send(client, "POST", url, {"to": "resolved"}, HTTP_IF_MATCH='w/ "2"')
    assert (again.status_code, again.json()["version"]) == (200, 3)
    visit = Visit.objects.get(worker=world.a2)
    patched = send(client, "PATCH", f"/api/v1/visits/{visit.pk}", {"notes": "补记"}, HTTP_IF_MATCH='W/"1"')
    assert (patched.status_code, patched.json()["version"], patched["ETag"]) == (200, 2, '"2"')
    both = send(client, "PATCH", f"/api/v1/visits/{visit.pk}", {"notes": "再记", "version": 2}, HTTP_IF_MATCH='W/"2"')
    assert (both.status_code, both.json()["version"]) == (200, 3)


def unknown(version: int, current: int) -> str:
    return (
        f"This record has never had version {version}: its current version is {current}. Send the version you read "
        "(the “version” of the GET answer, or the version of the page you opened)."
    )


def test_a_version_the_record_never_had_is_not_a_conflict(personas, world):
    difficulty = services.open_difficulty(actor=personas.care, worker=world.a1, description="老人需要买药")
    visit = Visit.objects.get(worker=world.a2)
    client, page_client = api(personas.care), client_for(personas.care)
    before = snapshot()
    transition = send(client, "POST", f"/api/v1/difficulties/{difficulty.pk}/transitions",
                      {"to": "in_progress", "version": 99})
    assert (transition.status_code, transition.json()) == (
        400, {"code": "unknown_version", "message": unknown(99, 1), "field": "version"}
    )
    header = send(client, "POST", f"/api/v1/difficulties/{difficulty.pk}/transitions", {"to": "in_progress"},
                  HTTP_IF_MATCH='"2"')
    assert (header.status_code, header.json()["code"], header.json()["message"]) == (
        400, "unknown_version", unknown(2, 1)
    )
    patch = send(client, "PATCH", f"/api/v1/visits/{visit.pk}", {"notes": "补记"}, HTTP_IF_MATCH='W/"99"')
    assert (patch.status_code, patch.json()["code"], patch.json()["message"]) == (
        400, "unknown_version", unknown(99, 1)
    )
    page = page_client.post(
        reverse("care:difficulty_transition", args=[difficulty.pk]), {"to": "in_progress", "version": "99"}
    )
    assert page.status_code == 200
    assert page.context["transition_form"].non_field_errors() == [unknown(99, 1)]
    edit = page_client.post(
        reverse("care:visit_update", args=[visit.pk]), edit_post(visit, notes="补记", version="5")
    )
    assert edit.status_code == 200
    assert edit.context["form"].non_field_errors() == [unknown(5, 1)]
    assert snapshot() == before
    # An older version is still someone else's change: 409.
    services.change_difficulty_status(actor=personas.yi, difficulty=difficulty, to="in_progress", version=1)
    stale = send(client, "POST", f"/api/v1/difficulties/{difficulty.pk}/transitions", {"to": "resolved", "version": 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")


def test_check_version_tells_a_version_never_had_from_a_change():
    class Record:
        version = 5

    versioning.check_version(Record(), 'W/"5"')
    with pytest.raises(ServiceError) as exc:
        versioning.check_version(Record(), 6)
    assert (exc.value.status, exc.value.code, exc.value.field, exc.value.message) == (
        400, "unknown_version", "version", unknown(6, 5)
    )
    assert [versioning.parse(v) for v in ('W/"5"', 'w/"5"', ' W/ "5" ')] == [5, 5, 5]


# --- other number inputs of the care pages ----------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-1", "1e3"])
def test_the_assignment_action_takes_only_real_ids(personas, world, value):
    client = client_for(personas.yi)
    before = snapshot()
    campaign = client.post(reverse("care:assign"), {"campaign": value, "workers": [world.a1.pk], "action": "unassign"})
    family = client.post(
        reverse("care:assign"), {"campaign": world.campaign.pk, "workers": [value], "action": "unassign"}
    )
    assert (campaign.status_code, family.status_code) == (404, 404)
    assert snapshot() == before
    assert client.get(reverse("care:overview"), {"campaign": value}).status_code == 200
