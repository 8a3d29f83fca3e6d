"""No lost update on campaigns and difficulties (pages and API), and the visits' PATCH taking
its version from the body or If-Match (core/versioning.py, the mechanism visits started)."""

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services
from nuanxin.care.models import Campaign, Difficulty, Visit
from nuanxin.care.tests.helpers import build_world
from nuanxin.core.errors import Conflict
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import TeamType
from tests.parallel import on_postgres, run_together

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["nuanxin_language"] = "en"
    return client


def api(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def send(client, method, url, data, **headers):
    return client.generic(method, url, data=json.dumps(data), content_type="application/json", **headers)


def conflict_text(obj, who: str, what: str = "record", reload: str = "it") -> str:
    last = obj.history.order_by("-history_date", "-history_id").first()
    when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M")
    return (
        f"{who} changed this {what} at {when}, after you opened it. Your changes were not saved: "
        f"reload {reload} to see theirs, then make yours again."
    )


@pytest.fixture
def world(personas):
    return build_world(personas)


@pytest.fixture
def difficulty(personas, world):
    return services.open_difficulty(actor=personas.care, worker=world.a1, description="家中老人需要买药")


CADENCE = {f"cadence_{t}": "none" for t in TeamType.values}


def test_campaign_cadence_a_stale_save_is_refused(personas, world):
    a, b = page_client(personas.jia), page_client(personas.jia)
    url = reverse("care:campaign_edit", args=[world.campaign.pk])
    va = a.get(url).context["form"]["version"].value()
    vb = b.get(url).context["form"]["version"].value()
    assert (va, vb) == (1, 1)
    saved = a.post(url, {**CADENCE, "cadence_hubei_aid": "weekly", "cadence_cdc": "weekly", "version": va})
    assert saved.status_code == 302
    refused = b.post(url, {**CADENCE, "cadence_hubei_aid": "fortnightly", "version": vb})
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [conflict_text(campaign, "甲")]
    assert refused.context["form"]["cadence_hubei_aid"].value() == "fortnightly"
    assert (campaign.cadence_for("hubei_aid"), campaign.cadence_for("cdc"), campaign.version) == ("weekly", "weekly", 2)
    assert AuditLog.objects.filter(action="campaign.cadence").count() == 1


def test_a_declared_end_makes_an_open_cadence_form_stale(personas, world):
    a, b = page_client(personas.jia), page_client(personas.jia)
    edit, end = reverse("care:campaign_edit", args=[world.campaign.pk]), reverse("care:campaign_declare_end",
                                                                                  args=[world.campaign.pk])
    vb = b.get(edit).context["form"]["version"].value()
    va = a.get(end).context["form"]["version"].value()
    assert a.post(end, {"on": "2020-03-31", "confirm": "on", "version": va}).status_code == 302
    refused = b.post(edit, {**CADENCE, "cadence_cdc": "weekly", "version": vb})
    assert refused.status_code == 200 and len(refused.context["form"].non_field_errors()) == 1
    refused = a.post(end, {"on": "2020-04-30", "confirm": "on", "version": va})  # the same form sent twice
    assert refused.status_code == 200 and len(refused.context["form"].non_field_errors()) == 1
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.declared_end_on, campaign.cadence_for("cdc"), campaign.version) == (date(2020, 3, 31), "none", 2)


def test_difficulty_transition_and_hand_over_from_a_stale_page_are_refused(personas, difficulty):
    care, yi = page_client(personas.care), page_client(personas.yi)
    detail = reverse("care:difficulty_detail", args=[difficulty.pk])
    page = yi.get(detail)
    stale = page.context["transition_form"]["version"].value()
    assert (stale, page.context["owner_form"]["version"].value()) == (1, 1)
    assert 'name="version" value="1"' in page.content.decode()
    transition = reverse("care:difficulty_transition", args=[difficulty.pk])
    assert care.post(transition, {"to": "in_progress", "note": "已联系", "version": stale}).status_code == 302
    difficulty.refresh_from_db()
    message = conflict_text(difficulty, "联系人")
    refused = yi.post(transition, {"to": "in_progress", "note": "我来处理", "version": stale})
    assert refused.status_code == 200
    assert refused.context["transition_form"].non_field_errors() == [message]
    assert refused.context["transition_form"]["note"].value() == "我来处理"
    owner = reverse("care:difficulty_owner", args=[difficulty.pk])
    refused = yi.post(owner, {"owner": personas.yi.pk, "version": stale})
    assert refused.status_code == 200 and refused.context["owner_form"].non_field_errors() == [message]
    difficulty.refresh_from_db()
    assert (difficulty.status, difficulty.owner, difficulty.version) == ("in_progress", personas.care, 2)
    assert list(AuditLog.objects.filter(action__startswith="difficulty.").exclude(action="difficulty.open")
                .values_list("action", "actor")) == [("difficulty.transition", personas.care.pk)]


def test_difficulty_api_shows_the_version_and_refuses_a_stale_transition(personas, difficulty):
    client = api(personas.care)
    listed = client.get("/api/v1/difficulties?org=SN-H1").json()["items"]
    assert [(d["id"], d["version"]) for d in listed] == [(difficulty.pk, 1)]
    url = f"/api/v1/difficulties/{difficulty.pk}/transitions"
    ok = send(client, "POST", url, {"to": "in_progress"}, HTTP_IF_MATCH='"1"')
    assert (ok.status_code, ok.json()["version"]) == (200, 2)
    stale = send(api(personas.yi), "POST", url, {"to": "resolved", "version": 1})
    difficulty.refresh_from_db()
    assert (stale.status_code, stale.json()["code"], stale.json()["message"]) == (
        409, "conflict", conflict_text(difficulty, "联系人")
    )
    assert (difficulty.status, difficulty.version) == ("in_progress", 2)


def test_visit_patch_takes_if_match_and_requires_a_version(personas, world):
    visit = services.record_visit(actor=personas.care, worker=world.a1, on=date(2020, 1, 29), mode="phone")
    client = api(personas.care)
    url = f"/api/v1/visits/{visit.pk}"
    missing = send(client, "PATCH", url, {"notes": "补记"})
    assert (missing.status_code, missing.json()["code"]) == (428, "version_required")
    ok = send(client, "PATCH", url, {"notes": "补记"}, HTTP_IF_MATCH='"1"')
    assert (ok.status_code, ok.json()["version"], ok["ETag"]) == (200, 2, '"2"')
    stale = send(api(personas.yi), "PATCH", url, {"notes": "另记", "version": 1})
    visit.refresh_from_db()
    assert (stale.status_code, stale.json()["message"]) == (
        409, conflict_text(visit, "联系人", what="visit", reload="the visit")
    )
    assert (visit.notes, visit.version) == ("补记", 2)
    assert AuditLog.objects.filter(action="visit.update").count() == 1


def test_a_move_that_clears_the_owner_counts_a_version(personas, difficulty, world):
    from nuanxin.registry import services as registry_services

    registry_services.update_worker(actor=personas.jia, worker=world.a1, organisation=personas.shibei_hospital)
    difficulty.refresh_from_db()
    assert (difficulty.owner, difficulty.version) == (None, 2)


# --- two saves at the same moment -----------------------------------------------------------


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_difficulty_changes_from_one_version_exactly_one_wins(personas):
    world = build_world(personas)
    difficulty = services.open_difficulty(actor=personas.care, worker=world.a1, description="并发困难")
    results = run_together(
        lambda: services.change_difficulty_status(actor=personas.care, difficulty=difficulty, to="in_progress",
                                                  version=1),
        lambda: services.update_difficulty(actor=personas.yi, difficulty=difficulty, owner=personas.yi, version=1),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Difficulty"]
    difficulty.refresh_from_db()
    assert difficulty.version == 2
    assert AuditLog.objects.filter(action__in=["difficulty.transition", "difficulty.update"]).count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_cadence_saves_from_one_version_exactly_one_wins(personas):
    world = build_world(personas)
    results = run_together(
        lambda: services.set_cadence(actor=personas.jia, campaign=world.campaign, cadence={"cdc": "weekly"}, version=1),
        lambda: services.set_cadence(actor=personas.jia, campaign=world.campaign, cadence={"cdc": "fortnightly"},
                                     version=1),
    )
    assert [isinstance(r, Conflict) for r in results].count(True) == 1
    winner = next(r for r in results if isinstance(r, Campaign))
    campaign = Campaign.objects.get(pk=world.campaign.pk)
    assert (campaign.cadence_for("cdc"), campaign.version) == (winner.cadence_for("cdc"), 2)
    assert AuditLog.objects.filter(action="campaign.cadence").count() == 1


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_visit_patches_from_one_read_one_409(personas):
    world = build_world(personas)
    visit = services.record_visit(actor=personas.care, worker=world.a1, on=date(2020, 1, 29), mode="phone")
    clients = [api(personas.care), api(personas.yi)]
    url = f"/api/v1/visits/{visit.pk}"
    answers = run_together(
        lambda: send(clients[0], "PATCH", url, {"notes": "甲"}, HTTP_IF_MATCH='"1"'),
        lambda: send(clients[1], "PATCH", url, {"notes": "乙"}, HTTP_IF_MATCH='"1"'),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    visit = Visit.objects.get(pk=visit.pk)
    assert (visit.notes, visit.version) == (next(a for a in answers if a.status_code == 200).json()["notes"], 2)
    assert Difficulty.objects.count() == 0
