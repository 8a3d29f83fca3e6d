"""The audit trail records which free text of the care work changed (a difficulty's
description, a status note, the reason a week was excused), never the text: it may be about
health or the mind, and the trail is append-only and exported by auditors."""

import json
from datetime import timedelta

from django.utils import timezone

from nuanxin.care import services
from nuanxin.care.models import VisitDuty
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

SECRET, NOTE, REASON = "家属确诊住院需要陪护", "已送医院复查心理状况", "家属住院不便走访"


def test_free_text_of_the_care_work_stays_out_of_the_audit_trail(personas):
    campaign = services.create_campaign(actor=SYSTEM, name="审计", starts_on=timezone.localdate() - timedelta(days=7))
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="审计二", team=TeamType.HUBEI_AID
    )
    services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=personas.care)
    difficulty = services.open_difficulty(actor=personas.care, worker=worker, description=SECRET)
    services.update_difficulty(actor=personas.yi, difficulty=difficulty, description="已改写", urgency="urgent")
    services.change_difficulty_status(actor=personas.care, difficulty=difficulty, to="in_progress", note=NOTE)
    services.excuse_duty(actor=personas.care, duty=VisitDuty.objects.get(worker=worker), reason=REASON)
    trail = json.dumps([r.detail for r in AuditLog.objects.all()], ensure_ascii=False)
    for text in (SECRET, NOTE, REASON, "已改写"):
        assert text not in trail
    assert AuditLog.objects.get(action="difficulty.update").detail["changed"] == ["description", "urgency", "due_on",
                                                                                  "escalation_level"]
    transition = AuditLog.objects.get(action="difficulty.transition").detail
    assert (transition["from"], transition["to"]) == ("open", "in_progress")
    assert AuditLog.objects.get(action="duty.excuse").detail["before"] == "due"


def test_every_read_of_a_psychological_difficulty_is_audited(personas, client):
    """DOMAIN.md: every read of psychological records is audited. Pages and the API that show
    the description of psychological difficulties write one row naming them; other
    categories write none."""
    from django.urls import reverse

    from nuanxin.accounts.services import create_api_token

    campaign = services.create_campaign(actor=SYSTEM, name="心理", starts_on=timezone.localdate() - timedelta(days=7))
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="审计三", team=TeamType.HUBEI_AID
    )
    services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=personas.care)
    mind = services.open_difficulty(actor=personas.care, worker=worker, description=SECRET, category="psychological")
    services.open_difficulty(actor=personas.care, worker=worker, description="孩子上学接送", category="childcare")

    def reads():
        rows = AuditLog.objects.filter(action="care.psychological_read").order_by("id")
        return [(r.actor_id, r.organisation_id, r.detail) for r in rows]

    client.force_login(personas.yi)
    pages = (("care:difficulty_detail", [mind.pk]), ("care:difficulty_list", []), ("care:family", [worker.pk]))
    for name, args in pages:
        assert client.get(reverse(name, args=args)).status_code == 200
    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.yi, expires_days=1)
    answer = client.get("/api/v1/difficulties", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert answer.status_code == 200 and answer.json()["count"] == 2
    unit = personas.shinan_hospital.pk
    assert reads() == [
        (personas.yi.pk, unit, {"page": page, "difficulties": [mind.pk]})
        for page in ("difficulty", "difficulty_list", "family", "api")
    ]
    # A page showing only other categories writes nothing.
    client.get(reverse("care:difficulty_list") + "?category=childcare")
    assert len(reads()) == 4
