"""Recuperation's API (issue 14 item 8): batches, a batch's ranked candidates with reasons
(scoped: a unit sees its own workers, positions of the whole list), accept and decline
(idempotent under Idempotency-Key, versioned, scoped)."""

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.recuperation.choices import CandidateStatus, OfferStatus
from nuanxin.recuperation.models import Candidate, Offer
from nuanxin.recuperation.services import candidates as services
from nuanxin.recuperation.tests.fixtures import make_batch, nominate_all

pytestmark = pytest.mark.django_db
BATCHES = "/api/v1/recuperation/batches"
OFFERS = "/api/v1/recuperation/offers"


def api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def filled(rw):
    nominate_all(rw)
    services.fill(actor=SYSTEM, batch=rw.batch)
    return rw


def offer_of(worker):
    return Offer.objects.get(candidate__worker=worker, status=OfferStatus.OPEN)


def test_batches_listed_with_counts_and_filters(filled):
    w = filled
    second = make_batch(w.programme, w.base, "第二期", starts_in=60)
    r = api(w.unit_admin).get(BATCHES)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["count"] == 2
    first = data["items"][0]
    assert {k: first[k] for k in ("id", "programme", "programme_name", "base_name", "name", "places", "status",
                                  "taken", "offered", "waiting", "candidates", "teams")} == {
        "id": w.batch.pk, "programme": w.programme.pk, "programme_name": "抗疫一线医务人员免费疗休养",
        "base_name": "青岛湛山疗养院", "name": "第一期", "places": 2, "status": "open", "taken": 0, "offered": 2,
        "waiting": 3, "candidates": 5, "teams": [],
    }
    assert data["items"][1]["id"] == second.pk
    assert api(w.p.bing).get(BATCHES, {"programme": w.programme.pk, "status": "open"}).json()["count"] == 2
    assert api(w.p.jia).get(BATCHES, {"status": "closed"}).json()["count"] == 0
    assert api(w.p.jia).get(BATCHES, {"programme": 999999}).status_code == 404
    assert api(w.p.jia).get(BATCHES, {"status": "nonsense"}).status_code == 422
    # Viewers see the catalogue (figures); a care contact sees nothing of it.
    assert api(w.p.viewer).get(BATCHES).status_code == 200
    assert api(w.p.care).get(BATCHES).status_code == 403


def test_candidates_ranked_with_reasons_and_scoped(filled):
    w = filled
    url = f"{BATCHES}/{w.batch.pk}/candidates"
    everyone = api(w.p.jia).get(url).json()
    assert [(i["name"], i["status"], i["position"]) for i in everyone["items"]] == [
        ("张援鄂", "offered", None), ("赵援鄂", "offered", None), ("李短期", "waiting", 1), ("钱疾控", "waiting", 2),
        ("王护士", "waiting", 3),
    ]
    top = everyone["items"][0]
    assert top["reasons"][:4] == [
        "Aid-team member", "Frontline team: Hubei aid medical team", "Deployed 66 days", "First recuperation",
    ]
    assert top["days_deployed"] == 66 and top["organisation"] == "SN-H1" and top["team"] == "hubei_aid"
    assert top["offer"]["status"] == "open" and top["offer"]["id"] == offer_of(w.aid_long).pk
    assert everyone["items"][2]["offer"] is None
    # SB-H1's administrator: only SB-H1's workers, with the positions of the whole list.
    sb = api(w.unit_admin_b).get(url).json()
    assert [(i["name"], i["position"]) for i in sb["items"]] == [("赵援鄂", None), ("钱疾控", 2)]
    # 丙 (市北区) likewise; the viewer and a care contact may not read candidates.
    assert [i["name"] for i in api(w.p.bing).get(url).json()["items"]] == ["赵援鄂", "钱疾控"]
    assert api(w.p.viewer).get(url).status_code == 403
    assert api(w.p.care).get(url).status_code == 403
    assert api(w.p.jia).get(f"{BATCHES}/999999/candidates").status_code == 404


def test_accept_is_idempotent_and_versioned(filled):
    w = filled
    offer = offer_of(w.aid_long)
    client = api(w.unit_admin)
    stale = client.post(f"{OFFERS}/{offer.pk}/accept", {"version": offer.version + 5},
                        content_type="application/json")
    assert stale.status_code == 400 and stale.json()["code"] == "unknown_version"
    r = client.post(f"{OFFERS}/{offer.pk}/accept", {"version": offer.version}, content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="accept-1")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["candidate_status"]) == ("accepted", "accepted")
    again = client.post(f"{OFFERS}/{offer.pk}/accept", {"version": offer.version}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="accept-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    # Without the key, a second accept is refused: the offer was answered.
    refused = client.post(f"{OFFERS}/{offer.pk}/accept", {}, content_type="application/json")
    assert refused.status_code == 400
    assert "no longer awaiting an answer" in refused.json()["message"]
    assert Candidate.objects.get(pk=offer.candidate_id).status == CandidateStatus.ACCEPTED


def test_accept_with_a_changed_version_is_a_conflict(filled):
    w = filled
    offer = offer_of(w.aid_long)
    old = offer.version
    services.accept(actor=SYSTEM, offer=offer)  # changed since it was read
    r = api(w.unit_admin).post(f"{OFFERS}/{offer.pk}/accept", {"version": old}, content_type="application/json")
    assert r.status_code == 409


def test_decline_passes_the_place_on(filled):
    w = filled
    offer = offer_of(w.aid_b)
    r = api(w.unit_admin_b).post(f"{OFFERS}/{offer.pk}/decline", {"reason": "身体原因"},
                                 content_type="application/json", HTTP_IDEMPOTENCY_KEY="d-1")
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["reason"]) == ("declined", "身体原因")
    assert offer_of(w.aid_short).batch == w.batch
    too_long = api(w.unit_admin).post(f"{OFFERS}/{offer_of(w.aid_long).pk}/decline", {"reason": "x" * 201},
                                      content_type="application/json")
    assert too_long.status_code == 400
    assert offer_of(w.aid_long).status == OfferStatus.OPEN


def test_another_units_offer_is_a_404_and_viewers_get_403(filled):
    w = filled
    offer = offer_of(w.aid_long)
    for user in (w.unit_admin_b, w.p.bing):
        r = api(user).post(f"{OFFERS}/{offer.pk}/accept", {}, content_type="application/json")
        assert r.status_code == 404
    assert api(w.p.viewer).post(f"{OFFERS}/{offer.pk}/decline", {}, content_type="application/json").status_code == 403
    assert api(w.p.auditor).post(f"{OFFERS}/{offer.pk}/accept", {}, content_type="application/json").status_code == 403
    assert api(w.p.jia).post(f"{OFFERS}/999999/accept", {}, content_type="application/json").status_code == 404
    assert offer_of(w.aid_long).status == OfferStatus.OPEN
    # The district above the unit may answer.
    assert api(w.p.yi).post(f"{OFFERS}/{offer.pk}/accept", {}, content_type="application/json").status_code == 200


def test_taken_means_the_pages_filled(filled):
    """F6: ``taken`` is accepted + attended, as the page's 已占用; ``offered`` counts the offers
    awaiting an answer."""
    w = filled
    services.accept(actor=w.unit_admin, offer=offer_of(w.aid_long))
    item = api(w.p.jia).get(BATCHES).json()["items"][0]
    assert (item["taken"], item["offered"]) == (1, 1)
    c = Client()
    c.force_login(w.p.jia)
    html = c.get(f"/recuperation/batches/{w.batch.pk}/").content.decode()
    assert 'data-figure="filled">1/2<' in html and 'data-figure="offered">1<' in html


def test_accept_and_decline_without_a_body(filled):
    """F25: the body is optional (no body: no version check, no reason); scope and permission
    are answered before anything about the body (404, 403, not 422)."""
    w = filled
    offer = offer_of(w.aid_long)
    other = offer_of(w.aid_b)  # SB-H1's
    def post(user, url, content_type="application/json"):  # no body at all (curl -X POST)
        return api(user).post(url, data="", content_type=content_type)

    assert post(w.p.viewer, f"{OFFERS}/{offer.pk}/accept").status_code == 403
    assert post(w.p.auditor, f"{OFFERS}/{offer.pk}/decline", "").status_code == 403
    assert post(w.unit_admin, f"{OFFERS}/{other.pk}/accept").status_code == 404
    assert post(w.unit_admin, f"{OFFERS}/999999/decline").status_code == 404
    r = post(w.unit_admin, f"{OFFERS}/{offer.pk}/accept", "")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
    r = post(w.unit_admin_b, f"{OFFERS}/{other.pk}/decline")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "declined" and r.json()["reason"] == ""
    assert Offer.objects.get(pk=other.pk).status == OfferStatus.DECLINED


def test_candidates_carry_the_deciding_criterion_and_the_deployment_warning(filled):
    w = filled
    items = api(w.p.jia).get(f"{BATCHES}/{w.batch.pk}/candidates").json()["items"]
    assert [(i["name"], i["deciding"]) for i in items] == [
        ("张援鄂", ""), ("赵援鄂", ""), ("李短期", ""), ("钱疾控", "After No. 1 on: Aid-team members first"),
        ("王护士", "After No. 2 on: More days deployed first"),
    ]
    assert [i["still_deployed"] for i in items] == [False] * 5


def test_a_bad_body_is_still_refused(filled):
    w = filled
    offer = offer_of(w.aid_long)
    url = f"{OFFERS}/{offer.pk}/accept"
    r = api(w.unit_admin).post(url, {"version": "abc"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "version"
    r = api(w.unit_admin).post(url, "{not json", content_type="application/json")
    assert r.status_code == 400 and r.json()["message"] == "The request body is not valid JSON."
    r = api(w.unit_admin).post(f"{OFFERS}/{offer.pk}/decline", {"reason": "长" * 201},
                               content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "reason"
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.OPEN
    # The body still carries the version, checked when given.
    r = api(w.unit_admin).post(url, {"version": offer.version + 5}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "unknown_version"
    doc = Client().get("/api/v1/openapi.json")
    if doc.status_code == 200:
        body = doc.json()["paths"]["/api/v1/recuperation/offers/{offer_id}/accept"]["post"]["requestBody"]
        assert body["required"] is False
