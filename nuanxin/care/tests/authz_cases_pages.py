"""Authorization cases of the care pages (the API's are in ``authz_cases.py``, which collects
these).

Objects live in 市南区's hospital: families assigned to the care contact, one object per
changing case. 丙 (市北区 admin) is the other organisation: 404 and nothing changed. The
viewer may see the overview and the chart (figures only) and nothing with names (403); the
care contact no admin page (403); campaigns are city-wide and for city admins only.
"""

from datetime import timedelta

from django.utils import timezone

from nuanxin.care import services
from nuanxin.care.models import VisitDuty
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType
from tests.authz import Case


def current_version(data: dict, obj):
    """Post the version ``obj`` has when the allowed request is made (an earlier case may have
    saved it): an edit form always carries the version it was opened at."""
    return lambda: data.update(version=str(type(obj).objects.get(pk=obj.pk).version))

CITY_WIDE = "campaigns are city-wide: only city administrators reach them"


def _visit_form(today: str, **extra) -> dict:
    return {
        "on": today,
        "mode": "phone",
        "visitors": "授权",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-item": "米",
        "items-0-quantity": "1",
        "items-0-value": "50",
        "diffs-TOTAL_FORMS": "1",
        "diffs-INITIAL_FORMS": "0",
        "diffs-0-description": "",
        "diffs-0-category": "life",
        "diffs-0-urgency": "normal",
        **extra,
    }


def cases(p) -> list[Case]:
    today = timezone.localdate()
    campaign = services.create_campaign(actor=SYSTEM, name="页面授权行动", starts_on=today - timedelta(days=30))

    def family(name: str, mobile: str):
        worker = registry_services.create_worker(
            actor=SYSTEM, organisation=p.shinan_hospital, name=name, team=TeamType.HUBEI_AID, mobile=mobile
        )
        registry_services.add_family_member(actor=SYSTEM, worker=worker, name=f"{name}家属", mobile=mobile[:-1] + "0")
        return worker

    shown, to_visit, to_excuse, to_edit = (
        family("页面一", "13800007701"),
        family("页面二", "13800007702"),
        family("页面三", "13800007703"),
        family("页面四", "13800007704"),
    )
    unassigned = family("页面五", "13800007705")
    services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[shown, to_visit, to_excuse, to_edit], contact=p.care)
    visit = services.record_visit(actor=p.care, worker=to_edit, on=today, mode="home")
    visit_viewed = services.record_visit(actor=p.care, worker=shown, on=today, mode="home")
    duty = VisitDuty.objects.get(worker=to_excuse, campaign=campaign)

    def difficulty(text: str):
        return services.open_difficulty(actor=p.care, worker=shown, description=text, campaign=campaign)

    viewed, to_move, to_note, to_hand_over = (difficulty(text) for text in ("页面看", "页面转", "页面记", "页面交"))
    cadence = {f"cadence_{t}": "none" for t in TeamType.values} | {"cadence_hubei_aid": "weekly"}
    care = {"allowed": p.care, "denied": p.viewer}
    # Outside a family: 丙 (another district), and a care contact of the same hospital to whom
    # the family is not assigned.
    colleague, _password = org_services.create_user(
        actor=SYSTEM, username="authz-colleague", organisation=p.shinan_hospital, role=Role.CARE_CONTACT
    )
    outside = (p.bing, colleague)
    admin = {"allowed": p.yi, "denied": p.care}
    city = {"allowed": p.jia, "denied": p.yi}
    return [
        # The care contact's pages carry one-tap call links (full numbers): recorded.
        Case("care:my_week", allowed=p.care, denied=p.yi, audits="care.call_links"),
        Case("care:my_week", query="week=2020-W05", allowed=p.care, denied=p.counsellor),
        Case("care:family", kwargs={"pk": shown.pk}, other_org=outside, audits="care.call_links", **care),
        Case("care:visit_create", kwargs={"pk": to_visit.pk}, other_org=outside, **care),
        Case(
            "care:visit_create",
            kwargs={"pk": to_visit.pk},
            method="post",
            data=_visit_form(str(today)),
            other_org=outside,
            **care,
        ),
        Case("care:visit_update", kwargs={"pk": visit_viewed.pk}, other_org=outside, **care),
        Case(
            "care:visit_update",
            kwargs={"pk": visit.pk},
            method="post",
            data=_visit_form(str(today), version="1", notes="授权补记"),
            other_org=outside,
            **care,
        ),
        Case("care:duty_excuse", kwargs={"pk": duty.pk}, other_org=outside, **care),
        Case(
            "care:duty_excuse",
            kwargs={"pk": duty.pk},
            method="post",
            data={"reason": "家属要求"},
            other_org=outside,
            **care,
        ),
        Case("care:difficulty_create", kwargs={"pk": shown.pk}, other_org=outside, **care),
        Case(
            "care:difficulty_create",
            kwargs={"pk": shown.pk},
            method="post",
            data={"description": "页面新困难", "category": "life", "urgency": "normal"},
            other_org=outside,
            **care,
        ),
        Case("care:overview", **admin),
        Case("care:overview", query="org=SN&week=2020-W05", allowed=p.viewer, denied=p.counsellor),
        Case("care:chart", allowed=p.viewer, denied=p.care),
        Case("care:difficulty_list", query="status=&category=life", **care),
        Case("care:difficulty_detail", kwargs={"pk": viewed.pk}, other_org=outside, **care),
        Case(
            "care:difficulty_transition",
            kwargs={"pk": to_move.pk},
            method="post",
            data={"to": "in_progress", "note": "已联系", "version": "1"},
            other_org=outside,
            **care,
        ),
        Case(
            "care:difficulty_note",
            kwargs={"pk": to_note.pk},
            method="post",
            data={"text": "已送米"},
            other_org=outside,
            **care,
        ),
        Case(
            "care:difficulty_owner",
            kwargs={"pk": to_hand_over.pk},
            method="post",
            data={"owner": p.yi.pk, "version": "1"},
            other_org=p.bing,
            **admin,
        ),
        Case("care:assignments", query=f"campaign={campaign.pk}&unassigned=1", **admin),
        Case(
            "care:assign",
            method="post",
            data={"campaign": campaign.pk, "action": "assign", "contact": p.care.pk, "workers": [unassigned.pk]},
            other_org=p.bing,
            **admin,
        ),
        Case("care:campaign_list", **city),
        Case("care:campaign_create", **city),
        Case(
            "care:campaign_create",
            method="post",
            data={"name": "页面新行动", "starts_on": str(today), **cadence},
            **city,
        ),
        Case("care:campaign_edit", kwargs={"pk": campaign.pk}, no_other_org_because=CITY_WIDE, **city),
        Case(
            "care:campaign_edit",
            kwargs={"pk": campaign.pk},
            method="post",
            data=(edit_data := {**cadence, "version": "1"}),
            before_allowed=current_version(edit_data, campaign),
            no_other_org_because=CITY_WIDE,
            **city,
        ),
        Case("care:campaign_declare_end", kwargs={"pk": campaign.pk}, no_other_org_because=CITY_WIDE, **city),
        Case(
            "care:campaign_declare_end",
            kwargs={"pk": campaign.pk},
            method="post",
            data=(end_data := {"on": str(today), "confirm": "on", "version": "1"}),
            before_allowed=current_version(end_data, campaign),
            no_other_org_because=CITY_WIDE,
            **city,
        ),
    ]
