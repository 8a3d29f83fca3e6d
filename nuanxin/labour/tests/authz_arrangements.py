"""Authorization cases of the arrangement pages and API operations.

A woman worker of 市南区人民医院工会 (SN-H1) whose family is assigned to the care contact: the
care contact refers arrangements (from a visit), 乙 (市南区 admin, a LABOUR_SENSITIVE holder)
reads, agrees and ends them (every read audited), 丙 (市北区) and a colleague care contact the
family is not assigned to are the other organisation (404, nothing changed). Auditors and viewers
hold no role to read an arrangement (403)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from nuanxin.care import services as care_services
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.models import Arrangement
from nuanxin.labour.services import arrangements as services
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import Gender, TeamType
from tests.authz import Case, standard_cases


def _agree(a: Arrangement) -> Arrangement:
    today = timezone.localdate()
    return services.agree_arrangement(
        actor=SYSTEM,
        arrangement=a,
        stage=a.stage,
        expected_on=a.expected_on,
        lactating_until=a.lactating_until,
        measures=["no_night_shifts"],
        starts_on=today,
        ends_on=today + timedelta(days=60),
        confirmed_by="护理部王主任",
        confirmed_on=today,
        review_on=today + timedelta(days=30),
    )


def cases(p: Any) -> list[Case]:
    today = timezone.localdate()
    unit = Organisation.objects.get(code="SN-H1")
    # One open arrangement per woman worker: a woman of her own for each record and each create.
    names = ("授权孕期", "授权商定", "授权结束", "授权接口", "授权转介", "授权接口转介")
    women = [
        registry_services.create_worker(
            actor=SYSTEM,
            organisation=unit,
            name=name,
            team=TeamType.HUBEI_AID,
            mobile=f"1380004200{i + 1}",
            gender=Gender.FEMALE,
        )
        for i, name in enumerate(names)
    ]
    worker, agreed_worker, ended_worker, api_worker, page_worker, api_refer_worker = women
    campaign = care_services.create_campaign(actor=SYSTEM, name="授权孕期行动", starts_on=today - timedelta(days=7))
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=women, contact=p.care)
    colleague, _password = org_services.create_user(
        actor=SYSTEM, username="authz-arr-colleague", organisation=unit, role=Role.CARE_CONTACT
    )
    outside = (p.bing, colleague)
    visit = care_services.record_visit(actor=p.care, worker=worker, on=today, mode="phone")
    page_visit = care_services.record_visit(actor=p.care, worker=page_worker, on=today, mode="phone")
    api_visit = care_services.record_visit(actor=p.care, worker=api_refer_worker, on=today, mode="phone")

    def refer(woman: Any, **kw: Any) -> Arrangement:
        return services.refer_arrangement(
            actor=p.care, worker=woman, stage="pregnant", expected_on=today + timedelta(days=120), **kw
        )

    shown = refer(worker, visit=visit)
    to_agree = refer(agreed_worker)
    to_end = _agree(refer(ended_worker))
    api_shown = refer(api_worker)
    refer_data = {
        "stage": "pregnant",
        "expected_on": str(today + timedelta(days=100)),
        "measures": ["remote_work"],
        "notes": "夜班",
        "worker": str(page_worker.pk),
    }
    agree_data = {
        "stage": "pregnant",
        "expected_on": str(today + timedelta(days=120)),
        "measures": ["no_night_shifts"],
        "starts_on": str(today),
        "ends_on": str(today + timedelta(days=90)),
        "confirmed_by": "护理部王主任",
        "confirmed_on": str(today),
        "review_on": str(today + timedelta(days=30)),
        "notes": "",
        "version": str(to_agree.version),
    }
    return [
        # --- pages
        *standard_cases(
            p,
            "labour:arrangement_list",
            model=Arrangement,
            action="view",
            allowed=p.yi,
            audits="labour.arrangement.read",
        ),
        *standard_cases(
            p,
            "labour:arrangement_create",
            model=Arrangement,
            action="refer",
            allowed=p.care,
            query=f"worker={page_worker.pk}&visit={page_visit.pk}",
            data=refer_data,
            other_org=outside,
        ),
        *standard_cases(
            p,
            "labour:arrangement_detail",
            model=Arrangement,
            action="view",
            obj=shown,
            allowed=p.yi,
            audits="labour.arrangement.read",
        ),
        *standard_cases(
            p,
            "labour:arrangement_agree",
            model=Arrangement,
            action="change",
            obj=to_agree,
            allowed=p.yi,
            method="post",
            data=agree_data,
        ),
        *standard_cases(
            p,
            "labour:arrangement_end",
            model=Arrangement,
            action="change",
            obj=to_end,
            allowed=p.yi,
            method="post",
            data={"on": str(today), "reason": "产假开始", "version": str(to_end.version)},
        ),
        # --- API
        *standard_cases(
            p,
            "GET /api/v1/labour/arrangements",
            model=Arrangement,
            action="view",
            allowed=p.yi,
            audits="labour.arrangement.read",
        ),
        *standard_cases(
            p,
            "GET /api/v1/labour/arrangements/{arrangement_id}",
            model=Arrangement,
            action="view",
            obj=api_shown,
            lookup="arrangement_id",
            allowed=p.yi,
            audits="labour.arrangement.read",
        ),
        *standard_cases(
            p,
            "POST /api/v1/labour/arrangements",
            model=Arrangement,
            action="refer",
            allowed=p.care,
            data={
                "worker": api_refer_worker.pk,
                "stage": "lactating",
                "lactating_until": str(today + timedelta(days=200)),
                "visit": api_visit.pk,
            },
            other_org=outside,
            ok_status=frozenset({201}),
        ),
    ]
