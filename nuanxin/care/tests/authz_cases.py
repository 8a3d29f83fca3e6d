"""Authorization cases of the care API (the care pages add theirs when they exist).

Objects live in 市南区 (乙's scope, and the care contact's families); 丙 (市北区) is the
other organisation: 404 and nothing changed. Counsellors see no family data (403)."""

from datetime import timedelta

from django.utils import timezone

from nuanxin.care import services
from nuanxin.care.tests import authz_cases_pages
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType
from tests.authz import Case


def cases(p) -> list[Case]:
    today = timezone.localdate()
    campaign = services.create_campaign(actor=SYSTEM, name="授权测试行动", starts_on=today - timedelta(days=30))
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=p.shinan_hospital, name="授权一", team=TeamType.HUBEI_AID, mobile="13800009901"
    )
    other = registry_services.create_worker(
        actor=SYSTEM, organisation=p.shinan_hospital, name="授权二", team=TeamType.HUBEI_AID, mobile="13800009902"
    )
    services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=p.care)
    # A care contact of the same hospital whom this family is not assigned to: outside it.
    colleague, _password = org_services.create_user(
        actor=SYSTEM, username="authz-api-colleague", organisation=p.shinan_hospital, role=Role.CARE_CONTACT
    )
    outside = (p.bing, colleague)
    visit = services.record_visit(actor=p.care, worker=worker, on=timezone.localdate(), mode="phone")
    difficulty = services.open_difficulty(actor=p.care, worker=worker, description="授权测试困难")
    return [
        *authz_cases_pages.cases(p),  # the care pages' cases
        Case("GET /api/v1/care/campaigns", allowed=p.viewer, denied=p.counsellor),
        Case(
            "GET /api/v1/care/duties",
            allowed=p.care,
            query="org=SN-H1",
            denied=p.counsellor,
            other_org=p.bing,  # 市南区 is not in 丙's scope: 404
        ),
        Case(
            "POST /api/v1/visits",
            allowed=p.care,
            data={"worker": worker.pk, "on": str(today), "mode": "home", "items": [{"item": "米", "value": "50"}]},
            denied=p.counsellor,
            other_org=outside,
            ok_status=frozenset({201}),
        ),
        Case(
            "PATCH /api/v1/visits/{visit_id}",
            kwargs={"visit_id": visit.pk},
            allowed=p.yi,
            data={"version": 1, "notes": "补记"},
            denied=p.counsellor,
            other_org=outside,
        ),
        Case(
            "GET /api/v1/visits",
            allowed=p.yi,
            query=f"worker={worker.pk}",
            denied=p.viewer,
            other_org=outside,
        ),
        Case("GET /api/v1/difficulties", allowed=p.care, query="org=SN-H1", denied=p.counsellor, other_org=p.bing),
        Case(
            "POST /api/v1/difficulties",
            allowed=p.care,
            data={"worker": worker.pk, "description": "需要心理疏导", "category": "psychological"},
            denied=p.counsellor,
            other_org=outside,
            ok_status=frozenset({201}),
        ),
        Case(
            "POST /api/v1/difficulties/{difficulty_id}/transitions",
            kwargs={"difficulty_id": difficulty.pk},
            allowed=p.care,
            data={"to": "in_progress", "note": "已联系"},
            denied=p.counsellor,
            other_org=outside,
        ),
        Case(
            "POST /api/v1/care/assignments",
            allowed=p.yi,
            data={"campaign": campaign.pk, "contact": p.care.pk, "workers": [other.pk]},
            denied=p.care,
            other_org=p.bing,
        ),
    ]
