"""The nominations API (issue 13, item 11): list, create (idempotent), read with frontline facts,
timeline and objections, and transitions; another district's nomination is the same 404 as a
missing one; viewers get 403."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.honours.models import Nomination
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import STORY, TEAM, nomination

pytestmark = pytest.mark.django_db
BASE = "/api/v1/honours/nominations"


def api(user, days: int = 1) -> Client:
    _token, secret = create_api_token(actor=SYSTEM, user=user, expires_days=days)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def move(client, n, action, note="", version=None):
    body = {"action": action, "note": note}
    if version is not None:
        body["version"] = version
    return client.post(f"{BASE}/{n.pk}/transitions", body, content_type="application/json")


def test_create_list_and_read(hw):
    unit = api(hw.unit_admin)
    body = {"call": hw.call.pk, "award_type": "wuyi_jiangzhang", "organisation": "SN-H1",
            "worker": hw.aid_worker.pk, "story": STORY}
    r = unit.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 201, r.content
    data = r.json()
    assert {k: data[k] for k in ("call", "award_type", "award_name", "recipient", "organisation", "at", "status",
                                 "nominee", "worker", "nominee_organisation", "team_name", "frontline", "story",
                                 "certificate_no", "actions")} == {
        "call": hw.call.pk, "award_type": "wuyi_jiangzhang", "award_name": "青岛市五一劳动奖章",
        "recipient": "person", "organisation": "SN-H1", "at": "SN-H1", "status": "draft", "nominee": "张援鄂",
        "worker": hw.aid_worker.pk, "nominee_organisation": None, "team_name": "", "frontline": True,
        "story": STORY, "certificate_no": "", "actions": ["submit", "withdraw"],
    }
    assert data["frontline_facts"]["aid_member"] is True
    assert data["frontline_facts"]["team_label"] == "Hubei aid medical team"
    assert [(n["kind"], n["level"], n["by"]) for n in data["notes"]] == [("opened", "SN-H1", "sn_unit")]
    # The same key again: the same answer, no second nomination.
    again = unit.post(BASE, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.json()["id"] == data["id"]
    assert Nomination.objects.count() == 1

    listed = api(hw.p.yi).get(BASE, {"call": hw.call.pk, "status": "draft", "org": "SN"}).json()
    assert (listed["count"], [i["id"] for i in listed["items"]]) == (1, [data["id"]])
    assert api(hw.p.bing).get(BASE).json() == {"items": [], "count": 0}
    assert api(hw.p.yi).get(BASE, {"org": "NOPE"}).json()["count"] == 0
    assert api(hw.p.yi).get(f"{BASE}/{data['id']}").status_code == 200
    assert api(hw.p.bing).get(f"{BASE}/{data['id']}").status_code == 404
    assert api(hw.p.bing).get(f"{BASE}/999999").status_code == 404
    assert api(hw.p.viewer).get(BASE).status_code == 403
    assert api(hw.p.viewer).get(f"{BASE}/{data['id']}").status_code == 403
    assert api(hw.p.auditor).get(f"{BASE}/{data['id']}").json()["actions"] == []


def test_create_refusals(hw):
    unit = api(hw.unit_admin, days=60)
    base = {"call": hw.call.pk, "award_type": TEAM, "organisation": "SN-H1", "team_name": "ICU护理团队"}
    r = unit.post(BASE, {**base, "story": "事" * 3001}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="a")
    assert r.status_code == 400
    assert (r.json()["message"], r.json()["field"]) == ("At most 3000 characters; this has 3001.", "story")
    r = unit.post(BASE, {**base, "organisation": "SB-H1"}, content_type="application/json",
                  HTTP_IDEMPOTENCY_KEY="b")
    assert (r.status_code, r.json()["field"]) == (400, "organisation")
    r = unit.post(BASE, {**base, "award_type": "wuyi_jiangzhang", "worker": hw.worker_b.pk},
                  content_type="application/json", HTTP_IDEMPOTENCY_KEY="c")
    assert (r.status_code, r.json()["field"]) == (400, "worker")
    r = api(hw.p.bing).post(BASE, base, content_type="application/json", HTTP_IDEMPOTENCY_KEY="d")
    assert (r.status_code, r.json()["field"]) == (400, "organisation")
    r = api(hw.p.viewer).post(BASE, base, content_type="application/json", HTTP_IDEMPOTENCY_KEY="e")
    assert r.status_code == 403
    with time_machine.travel(hw.call.deadline + timedelta(seconds=1), tick=False):
        r = unit.post(BASE, base, content_type="application/json", HTTP_IDEMPOTENCY_KEY="f")
    assert r.status_code == 400 and "has passed" in r.json()["message"]
    assert Nomination.objects.count() == 0


def test_transitions_up_the_tree(hw):
    p = hw.p
    n = nomination(hw)
    unit, yi, jia, bing = api(hw.unit_admin), api(p.yi), api(p.jia, days=30), api(p.bing)
    r = move(unit, n, "submit", version=n.version)
    assert (r.status_code, r.json()["status"], r.json()["at"]) == (200, "review", "SN")
    # Another district: the same 404 as a missing nomination; nothing changes.
    assert move(bing, n, "recommend").status_code == 404
    # Not at the unit's level any more: 403 with the reason.
    r = move(unit, n, "recommend")
    assert r.status_code == 403 and "being reviewed at 市南区总工会" in r.json()["message"]
    r = move(yi, n, "return")
    assert (r.status_code, r.json()["field"]) == (400, "note")
    r = move(yi, n, "return", note="请补充材料")
    assert (r.json()["status"], r.json()["at"]) == ("returned", "SN-H1")
    assert r.json()["notes"][-1]["text"] == "请补充材料"
    assert r.json()["notes"][-1]["level"] == "SN"
    stale = r.json()["version"] - 1
    assert move(unit, n, "submit", version=stale).status_code == 409
    assert move(unit, n, "submit").json()["status"] == "review"
    assert move(yi, n, "recommend").json()["at"] == "CITY"
    r = move(jia, n, "notice")
    assert (r.json()["status"], r.json()["actions"]) == ("notice", [])
    n.refresh_from_db()
    services.record_objection(n, actor=p.jia, text="异议")
    assert len(jia.get(f"{BASE}/{n.pk}").json()["objections"]) == 1
    r = move(jia, n, "award")
    assert r.status_code == 400 and "runs until" in r.json()["message"]
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        services.answer_objection(n.objections.get(), actor=p.jia, upheld=False, answer="不成立")
        r = move(jia, n, "award")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["certificate_no"][:5]) == ("awarded", "QDGH-")
    assert r.json()["objections"][0]["status"] == "dismissed"
    r = jia.post(f"{BASE}/{n.pk}/transitions", {"action": "fly"}, content_type="application/json")
    assert r.status_code == 422
    assert api(p.viewer).post(f"{BASE}/{n.pk}/transitions", {"action": "submit"},
                              content_type="application/json").status_code == 403
