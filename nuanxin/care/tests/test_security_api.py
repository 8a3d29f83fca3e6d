"""Security of the care API: user ids sent in a body (a difficulty's owner, the care contact
of an assignment) are looked up among the users the caller may name; anyone else is the same
answer as an id that does not exist, and says nothing about that account."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services
from nuanxin.care.models import CareAssignment, Difficulty
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

MISSING = 10**9


def _api(user):
    client = Client()
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"

    def post(path, data):
        return client.post("/api/v1" + path, json.dumps(data), content_type="application/json")

    return post


@pytest.fixture
def family(personas):
    campaign = services.create_campaign(
        actor=SYSTEM, name="安全测试", starts_on=timezone.localdate() - timedelta(days=14)
    )
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="安全一", team=TeamType.HUBEI_AID,
        mobile="13800005501",
    )
    services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=personas.care)
    # A care contact of 市北区 (丙's district): a real account that 乙 and the care contact of
    # 市南区 must not be able to name.
    north, _password = org_services.create_user(
        actor=SYSTEM, username="north-contact", organisation=personas.shibei_hospital, role=Role.CARE_CONTACT,
        full_name="北区联系人",
    )
    worker.campaign, worker.north = campaign, north
    return worker


def _refusal(response) -> tuple:
    body = response.json()
    return response.status_code, body["code"], body.get("field"), body["message"]


def test_a_difficulty_owner_outside_the_family_s_reach_is_an_unknown_owner(personas, family):
    post = _api(personas.care)
    missing = post("/difficulties", {"worker": family.pk, "description": "安全", "owner": MISSING})
    for foreign in (personas.bing, family.north):
        answer = post("/difficulties", {"worker": family.pk, "description": "安全", "owner": foreign.pk})
        assert _refusal(answer) == _refusal(missing)
        assert foreign.display_name not in answer.content.decode()
    assert _refusal(missing)[:3] == (400, "invalid", "owner")
    assert Difficulty.objects.count() == 0


def test_only_an_admin_hands_a_new_difficulty_to_someone_else(personas, family):
    """A care contact records a difficulty for themselves; choosing another owner is handing it
    over, which is for administrators (as on the difficulty page)."""
    answer = _api(personas.care)("/difficulties", {"worker": family.pk, "description": "安全", "owner": personas.yi.pk})
    assert answer.status_code == 403
    assert Difficulty.objects.count() == 0
    own = _api(personas.care)("/difficulties", {"worker": family.pk, "description": "安全", "owner": personas.care.pk})
    assert (own.status_code, own.json()["owner"]) == (201, "care")
    by_admin = _api(personas.yi)(
        "/difficulties", {"worker": family.pk, "description": "安全二", "owner": personas.yi.pk}
    )
    assert (by_admin.status_code, by_admin.json()["owner"]) == (201, "yi")


def test_a_care_contact_outside_the_admin_s_reach_is_an_unknown_contact(personas, family):
    post = _api(personas.yi)
    body = {"campaign": family.campaign.pk, "workers": [family.pk]}
    missing = post("/care/assignments", {**body, "contact": MISSING})
    for foreign in (family.north, personas.bing, personas.counsellor):
        answer = post("/care/assignments", {**body, "contact": foreign.pk})
        assert _refusal(answer) == _refusal(missing)
        assert foreign.display_name not in answer.content.decode()
    assert _refusal(missing)[:3] == (400, "invalid", "contact")
    assert list(CareAssignment.objects.values_list("contact__username", flat=True)) == ["care"]
