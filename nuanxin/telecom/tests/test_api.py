"""The fee waiver's API: the lines with filters (carrier, status, flagged, org), masked numbers,
and the transitions (a refused step 400, a stale version 409, another unit 404, a viewer 403)."""

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.services import lists
from nuanxin.telecom.tests.fixtures import MOBILE, UNICOM, line_of, member, number

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def world(personas):
    deps = {
        "ported": member(personas.shinan_hospital, "张携号", MOBILE, carrier=Carrier.UNICOM),
        "m2": member(personas.shinan_hospital, "李移动", number(2)),
        "u1": member(personas.shinan_hospital, "赵联通", UNICOM),
        "b": member(personas.shibei_hospital, "钱市北", number(9)),
    }
    lists.sync(actor=SYSTEM)
    return deps


def test_list_filters(personas, world):
    c = api(personas.yi)
    body = c.get("/api/v1/telecom/waivers?carrier=unicom").json()
    assert [(r["name"], r["on_list"], r["carrier_flagged"], r["mobile"]) for r in body["items"]] == [
        ("张携号", "unicom", True, "139****0001"), ("赵联通", "unicom", False, "186****0001")]
    # Flagged and still deployed: neither confirmed nor ended until the carrier is settled / the return recorded.
    assert body["items"][0]["transitions"] == ["confirm_carrier"]
    names = [r["name"] for r in c.get("/api/v1/telecom/waivers?flagged=true").json()["items"]]
    assert names == ["张携号"]
    assert c.get("/api/v1/telecom/waivers?status=sent").json()["items"] == []
    assert c.get("/api/v1/telecom/waivers?org=NOPE").status_code == 404
    assert c.get("/api/v1/telecom/waivers?org=SB").json()["items"] == []
    assert c.get("/api/v1/telecom/waivers?carrier=broadnet").status_code == 422
    assert api(personas.viewer).get("/api/v1/telecom/waivers").status_code == 403


def test_transitions(personas, world):
    c = api(personas.yi)
    line = line_of(world["ported"])
    url = f"/api/v1/telecom/waivers/{line.pk}/transitions"
    missing = c.post(url, {"transition": "confirm_carrier", "version": line.version}, content_type="application/json")
    assert missing.status_code == 400
    assert missing.json()["message"] == "Choose the stated carrier or the carrier of the number segment."
    ok = c.post(url, {"transition": "confirm_carrier", "choice": "stated", "version": line.version},
                content_type="application/json")
    assert ok.status_code == 200
    assert (ok.json()["carrier"], ok.json()["carrier_flagged"], ok.json()["version"]) == (
        "unicom", False, line.version + 1)
    stale = c.post(url, {"transition": "end", "version": line.version}, content_type="application/json")
    assert stale.status_code == 409
    again = c.post(url, {"transition": "confirm_carrier", "choice": "stated"}, content_type="application/json")
    assert again.status_code == 400
    done = c.post(url, {"transition": "confirm"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (done.status_code, done.json()["status"], done.json()["confirmed_how"]) == (200, "confirmed", "hand")
    replay = c.post(url, {"transition": "confirm"}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (replay.status_code, replay["Idempotent-Replayed"], replay.json()) == (200, "true", done.json())
    other = line_of(world["b"])
    assert c.post(f"/api/v1/telecom/waivers/{other.pk}/transitions", {"transition": "confirm"},
                  content_type="application/json").status_code == 404
    assert api(personas.auditor).post(url, {"transition": "end"}, content_type="application/json").status_code == 403
