"""Referrals from a call: outside services are recorded; the union's care work gets a
difficulty holding only the summary the caller agreed to share, opened by the system on the
counsellor's behalf, for a call linked to the register (else a clear refusal)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.care import services as care_services
from nuanxin.care.models import Difficulty
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.models import Referral
from nuanxin.hotline.services import calls as call_services
from nuanxin.hotline.services import referrals as services
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
NOTES = "来电者提到夜间惊醒、想到死亡（私密）"


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def worker(h):
    return registry_services.create_worker(
        actor=SYSTEM, organisation=h.medical, name="赵护士", team=TeamType.HUBEI_AID, mobile="13700004444"
    )


def call_of(h, **kwargs):
    values = {"actor": h.counsellor, "hotline": h.city, "started_at": NOW - timedelta(hours=1),
              "topics": ["grief"], "risk": "medium", "notes": NOTES}
    values.update(kwargs)
    return call_services.record_call(**values)


def test_a_referral_to_the_care_work_opens_a_difficulty_with_the_summary_only(h, worker):
    contact, _pw = org_services.create_user(
        actor=SYSTEM, username="yw-care", organisation=h.medical, role=Role.CARE_CONTACT
    )
    campaign = care_services.create_campaign(actor=SYSTEM, name="关爱行动", starts_on=NOW.date() - timedelta(days=30))
    care_services.assign_contact(actor=SYSTEM, campaign=campaign, worker=worker, contact=contact)
    call = call_of(h, worker=worker)
    referral = services.refer(
        actor=h.counsellor, call=call, target="care_work", consent=True,
        shared_summary="家中老人无人照顾，希望工会帮忙联系社区。", category="eldercare", urgency="urgent",
        note="来电者同意转介",
    )
    difficulty = Difficulty.objects.get()
    assert referral.difficulty == difficulty
    assert (referral.created_by, referral.consent, referral.hotline) == (h.counsellor, True, h.city)
    assert difficulty.description == "家中老人无人照顾，希望工会帮忙联系社区。"
    assert (difficulty.worker, difficulty.category, difficulty.urgency, difficulty.source) == (
        worker, "eldercare", "urgent", "hotline"
    )
    assert difficulty.owner == contact
    assert difficulty.created_by is None  # opened by the system on the counsellor's behalf
    assert NOTES not in difficulty.description and "grief" not in difficulty.description
    opened = AuditLog.objects.get(action="difficulty.open")
    assert opened.actor is None and opened.actor_name.startswith("system")
    assert opened.detail["referral"] == referral.pk
    assert opened.detail["referred_by"] == h.counsellor.pk
    row = AuditLog.objects.get(action="hotline.referral.create")
    assert row.actor == h.counsellor
    assert row.detail == {
        "hotline": h.city.pk, "call": call.pk, "summary": 20, "note": 7, "difficulty": difficulty.pk,
    }
    assert row.object_repr == f"referral #{referral.pk}"
    assert "care_work" not in str(row.detail) and "eldercare" not in str(row.detail)


def test_a_family_members_call_refers_to_their_workers_family(h, worker):
    member = registry_services.add_family_member(actor=SYSTEM, worker=worker, name="赵母", mobile="13700005555")
    call = call_of(h, caller_kind="family", family_member=member)
    services.refer(actor=h.counsellor, call=call, target="care_work", consent=True, shared_summary="需要买药")
    assert Difficulty.objects.get().worker == worker


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"consent": False, "shared_summary": "x"}, "consent",
         "The caller must agree to share the summary with the union's care work."),
        ({"consent": True, "shared_summary": "  "}, "shared_summary", "Write the summary the caller agreed to share."),
        ({"consent": True, "shared_summary": "x", "category": "lunch"}, "category", "Unknown category."),
    ],
)
def test_the_care_work_needs_consent_and_a_summary(h, worker, kwargs, field, message):
    call = call_of(h, worker=worker)
    with pytest.raises(ServiceError) as exc:
        services.refer(actor=h.counsellor, call=call, target="care_work", **kwargs)
    assert (exc.value.field, exc.value.message) == (field, message)
    assert Referral.objects.count() == 0 and Difficulty.objects.count() == 0


def test_an_anonymous_call_cannot_be_referred_to_the_care_work(h):
    call = call_of(h)
    with pytest.raises(ServiceError) as exc:
        services.refer(actor=h.counsellor, call=call, target="care_work", consent=True, shared_summary="x")
    assert exc.value.message.startswith("A referral to the union's care work needs the call linked")
    assert Referral.objects.count() == 0


def test_other_referrals_open_nothing_and_keep_no_summary(h):
    call = call_of(h)
    referral = services.refer(actor=h.colleague, call=call, target="mh_centre", consent=True, shared_summary="忽略")
    assert (referral.target, referral.consent, referral.shared_summary, referral.difficulty) == (
        "mh_centre", False, "", None
    )
    assert Difficulty.objects.count() == 0
    with pytest.raises(ServiceError) as exc:
        services.refer(actor=h.counsellor, call=call, target="spa")
    assert exc.value.message == "Choose where the caller is referred to."


def test_only_the_hotlines_counsellors_refer(personas, h):
    call = call_of(h)
    for outsider in (h.stranger, h.coordinator, personas.jia, personas.care):
        with pytest.raises(NotAllowed):
            services.refer(actor=outsider, call=call, target="hospital")
    assert Referral.objects.count() == 0


def test_the_referral_page(h, worker):
    call = call_of(h, worker=worker)
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(h.counsellor)
    url = reverse("hotline:referral_create", args=[call.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"target": "care_work", "shared_summary": "需要帮助"})
    assert "The caller must agree to share the summary" in refused.content.decode()
    done = client.post(url, {"target": "care_work", "consent": "on", "shared_summary": "需要帮助",
                             "category": "life", "urgency": "normal"})
    assert done.status_code == 302
    detail = client.get(done["Location"]).content.decode()
    assert "The union&#x27;s care work" in detail and "difficulty opened in the care work" in detail
