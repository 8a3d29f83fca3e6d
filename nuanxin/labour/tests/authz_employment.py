"""Authorization cases of the employment pages and API operations.

A family of 市南区人民医院工会 (SN-H1) assigned to the care contact, a partner employer of 市南区
with two leads, cases opened by the care contact: 乙 (市南区 admin) manages them, the care
contact opens (refers) them, 丙 (市北区) and a colleague care contact the family is not assigned
to are the other organisation (404, nothing changed)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from nuanxin.care import services as care_services
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.models import EmploymentCase, JobLead, PartnerEmployer, Referral
from nuanxin.labour.services import employment as services
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    today = timezone.localdate()
    unit = Organisation.objects.get(code="SN-H1")
    district = Organisation.objects.get(code="SN")
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=unit, name="授权就业", team=TeamType.HUBEI_AID, mobile="13800031001"
    )
    member = registry_services.add_family_member(
        actor=SYSTEM, worker=worker, name="授权就业家属", relation="配偶", mobile="13800031002"
    )
    campaign = care_services.create_campaign(actor=SYSTEM, name="授权就业行动", starts_on=today - timedelta(days=7))
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=p.care)
    colleague, _password = org_services.create_user(
        actor=SYSTEM, username="authz-emp-colleague", organisation=unit, role=Role.CARE_CONTACT
    )
    outside = (p.bing, colleague)

    employer = services.create_employer(actor=SYSTEM, organisation=district, name="授权合作单位", area="市南区")
    lead = services.add_lead(actor=SYSTEM, employer=employer, title="保洁员", area="市南区", openings=3)
    other_lead = services.add_lead(actor=SYSTEM, employer=employer, title="收银员", area="市南区", openings=2)
    shown = services.open_employment(actor=p.care, worker=worker, family_member=member, wishes="保洁")
    to_refer = services.open_employment(actor=p.care, worker=worker, seeker_name="授权求职者")
    to_move = services.open_employment(actor=p.care, worker=worker, seeker_name="授权求职者二")
    referred = services.open_employment(actor=p.care, worker=worker, seeker_name="授权求职者三")
    referral = services.refer(actor=SYSTEM, case=referred, lead=other_lead)

    return [
        # --- partner employers and leads
        *standard_cases(p, "labour:employer_list", model=PartnerEmployer, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "labour:employer_create",
            model=PartnerEmployer,
            action="change",
            allowed=p.yi,
            data={"organisation": str(district.pk), "name": "授权新单位", "area": "市南区"},
            other_org=p.bing,
            other_org_status=200,  # the form offers only 市北区's organisations
        ),
        *standard_cases(p, "labour:employer_detail", model=PartnerEmployer, action="view", obj=employer, allowed=p.yi),
        *standard_cases(
            p,
            "labour:employer_edit",
            model=PartnerEmployer,
            action="change",
            obj=employer,
            allowed=p.yi,
            method="post",
            data={"name": "授权合作单位", "area": "市南区中山路", "active": "on", "version": str(employer.version)},
        ),
        *standard_cases(
            p,
            "labour:lead_create",
            model=PartnerEmployer,
            action="change",
            obj=employer,
            allowed=p.yi,
            method="post",
            data={"title": "护工", "openings": "2", "area": "市南区"},
        ),
        *standard_cases(
            p,
            "labour:lead_edit",
            model=JobLead,
            action="change",
            obj=lead,
            allowed=p.yi,
            method="post",
            data={"title": "保洁员", "openings": "5", "area": "市南区", "version": str(lead.version)},
        ),
        # --- employment cases
        *standard_cases(p, "labour:employment_list", model=EmploymentCase, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "labour:employment_create",
            model=EmploymentCase,
            action="refer",
            allowed=p.care,
            query=f"worker={worker.pk}",
            data={"family_member": str(member.pk), "skills": "驾驶", "wishes": "司机", "urgency": "normal"},
            other_org=outside,
        ),
        *standard_cases(p, "labour:employment_detail", model=EmploymentCase, action="view", obj=shown, allowed=p.care),
        *standard_cases(
            p,
            "labour:employment_refer",
            model=EmploymentCase,
            action="change",
            obj=to_refer,
            allowed=p.yi,
            method="post",
            data={"lead": str(lead.pk), "referred_on": today.isoformat()},
        ),
        *standard_cases(
            p,
            "labour:employment_transition",
            model=EmploymentCase,
            action="change",
            obj=to_move,
            allowed=p.yi,
            method="post",
            data={"to": "closed", "note": "已自行找到工作", "version": str(to_move.version)},
        ),
        *standard_cases(
            p,
            "labour:employment_edit",
            model=EmploymentCase,
            action="change",
            obj=shown,
            allowed=p.yi,
            method="post",
            data={"skills": "驾驶", "wishes": "保洁、绿化", "area": "市南区", "version": str(shown.version)},
        ),
        *standard_cases(
            p,
            "labour:employment_note",
            model=EmploymentCase,
            action="change",
            obj=shown,
            allowed=p.yi,
            method="post",
            data={"text": "已电话联系"},
        ),
        *standard_cases(
            p,
            "labour:referral_outcome",
            model=Referral,
            action="change",
            obj=referral,
            allowed=p.yi,
            method="post",
            data={"outcome": "interview", "outcome_on": today.isoformat(), "version": str(referral.version)},
        ),
        # --- API
        *standard_cases(p, "GET /api/v1/labour/employment-cases", model=EmploymentCase, action="view", allowed=p.care),
        *standard_cases(
            p,
            "POST /api/v1/labour/employment-cases",
            model=EmploymentCase,
            action="refer",
            allowed=p.care,
            data={"worker": worker.pk, "seeker_name": "接口求职者", "wishes": "保洁"},
            other_org=outside,
            ok_status=frozenset({201}),
        ),
    ]
