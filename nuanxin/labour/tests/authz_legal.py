"""Authorization cases of the legal pages and API operations: legal-aid cases of workers of
市南区人民医院工会 (SN-H1) and lawyers of 市南区总工会 (SN); 乙 (市南区) may do everything, 丙 (市北区)
is the other organisation (the same 404 as a missing case), the care contact reaches only the
family assigned to them, the counsellor holds no labour role (403).

Also the helpers the legal tests build their data with (through the services)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from tests.authz import Case, standard_cases

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "劳动合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def worker(unit: Any, name: str, *, family: str = "", relation: str = "配偶") -> Any:
    w = registry.create_worker(actor=SYSTEM, organisation=unit, name=name, team=TeamType.HUBEI_AID)
    if family:
        registry.add_family_member(actor=SYSTEM, worker=w, name=family, relation=relation)
    return w


def assign(care: Any, *workers: Any) -> None:
    """Make ``care`` the care contact of ``workers`` (a campaign started if none runs)."""
    from nuanxin.care.models import Campaign
    from nuanxin.care.services import assignments, campaigns

    campaign = Campaign.objects.order_by("-pk").first() or campaigns.create_campaign(
        actor=SYSTEM, name="暖心行动", starts_on=timezone.localdate() - timedelta(days=7)
    )
    for w in workers:
        assignments.assign_contact(actor=SYSTEM, campaign=campaign, worker=w, contact=care)


def lawyer(org: Any, name: str = "王律师", **values: Any) -> Any:
    from nuanxin.labour.services import lawyers

    values.setdefault("specialties", ["wages", "contract"])
    values.setdefault("capacity", 20)
    return lawyers.create_lawyer(actor=SYSTEM, organisation=org, name=name, **values)


def legal_case(w: Any, *, infringed_on: date | None = None, **values: Any) -> Any:
    from nuanxin.labour.services import legal

    values.setdefault("kind", "wages")
    values.setdefault("other_party", "某医疗服务公司")
    values.setdefault("facts", "拖欠工资三个月")
    return legal.open_legal_case(
        actor=SYSTEM,
        worker=w,
        infringed_on=infringed_on or timezone.localdate() - timedelta(days=100),
        **values,
    )


def cases(p: Any) -> list[Case]:
    from nuanxin.labour.models import Lawyer, LegalCase

    unit = Organisation.objects.get(code="SN-H1")
    district = Organisation.objects.get(code="SN")
    w = worker(unit, "授权法援甲", family="授权家属甲")
    other = worker(unit, "授权法援乙")
    assign(p.care, w)
    team = lawyer(district, "授权律师")
    other_lawyer = lawyer(district, "授权律师乙")
    shown = legal_case(w)
    moving, api_moving, noted, edited, handed, with_docs, given = (legal_case(w) for _ in range(7))
    member = w.family.get()
    today = timezone.localdate()
    create_data = {
        "worker": str(w.pk),
        "claimant": "family",
        "family_member": str(member.pk),
        "kind": "dismissal",
        "other_party": "某物业公司",
        "facts": "违法解除劳动合同",
        "infringed_on": (today - timedelta(days=30)).isoformat(),
        "urgency": "normal",
        "lawyer": str(team.pk),
    }
    return [
        # --- the lawyer team
        *standard_cases(p, "labour:lawyer_list", model=Lawyer, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "labour:lawyer_create",
            model=Lawyer,
            action="change",
            allowed=p.yi,
            data={"organisation": str(district.pk), "name": "新律师", "capacity": "3", "specialties": ["wages"]},
            other_org=p.bing,
            other_org_status=200,
        ),
        *standard_cases(
            p,
            "labour:lawyer_edit",
            model=Lawyer,
            action="change",
            obj=other_lawyer,
            allowed=p.yi,
            data={"name": "授权律师乙", "capacity": "7", "version": str(other_lawyer.version)},
        ),
        # --- legal-aid cases
        *standard_cases(p, "labour:legal_list", model=LegalCase, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "labour:legal_create",
            model=LegalCase,
            action="refer",
            allowed=p.yi,
            query=f"worker={w.pk}",
            data=create_data,
            other_org=(p.bing,),
        ),
        *standard_cases(p, "labour:legal_detail", model=LegalCase, action="view", obj=shown, allowed=p.yi),
        *standard_cases(
            p,
            "labour:legal_transition",
            model=LegalCase,
            action="change",
            obj=moving,
            allowed=p.yi,
            method="post",
            data={"to": "mediation", "version": str(moving.version)},
        ),
        *standard_cases(
            p,
            "labour:legal_note",
            model=LegalCase,
            action="change",
            obj=noted,
            allowed=p.yi,
            method="post",
            data={"text": "已电话联系律师"},
        ),
        *standard_cases(
            p,
            "labour:legal_edit",
            model=LegalCase,
            action="change",
            obj=edited,
            allowed=p.yi,
            method="post",
            data={
                "kind": "contract",
                "other_party": "某医疗服务公司",
                "facts": "未签书面劳动合同",
                "infringed_on": edited.infringed_on.isoformat(),
                "urgency": "urgent",
                "version": str(edited.version),
            },
        ),
        *standard_cases(
            p,
            "labour:legal_lawyer",
            model=LegalCase,
            action="change",
            obj=given,
            allowed=p.yi,
            method="post",
            data={"lawyer": str(team.pk), "version": str(given.version)},
        ),
        *standard_cases(
            p,
            "labour:legal_owner",
            model=LegalCase,
            action="manage",
            obj=handed,
            allowed=p.yi,
            method="post",
            data={"owner": str(p.jia.pk), "version": str(handed.version)},
        ),
        *standard_cases(
            p,
            "labour:legal_documents",
            model=LegalCase,
            action="change",
            obj=with_docs,
            allowed=p.yi,
            method="post",
            data={"documents": pdf()},
        ),
        # --- API
        *standard_cases(p, "GET /api/v1/labour/legal-cases", model=LegalCase, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "POST /api/v1/labour/legal-cases",
            model=LegalCase,
            action="refer",
            allowed=p.yi,
            data={
                "worker": other.pk,
                "kind": "wages",
                "other_party": "某公司",
                "facts": "拖欠加班费",
                "infringed_on": (today - timedelta(days=10)).isoformat(),
            },
            other_org=(p.bing,),
        ),
        *standard_cases(
            p,
            "POST /api/v1/labour/legal-cases/{case_id}/transitions",
            model=LegalCase,
            action="change",
            obj=api_moving,
            lookup="case_id",
            allowed=p.yi,
            data={"to": "arbitration", "version": api_moving.version},
        ),
    ]
