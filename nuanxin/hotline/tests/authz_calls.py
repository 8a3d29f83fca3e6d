"""Authorization cases of the hotline's call pages and operations.

The records belong to the city hotline (the counsellor persona serves it): a viewer (and any
union admin or auditor) holds no role for them (403); the counsellor of 市北区's hotline holds
the role but not this hotline (404, nothing changed, nothing read). The export is a
supervisor's: a counsellor is refused (403); the supervisor of another hotline sees only their
own hotline offered (the city's is refused on the form: nothing exported)."""

from datetime import timedelta

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.services import calls as call_services
from nuanxin.hotline.services import hotlines as hotline_services
from nuanxin.hotline.tests.authz_fixtures import hotlines
from nuanxin.orgs import services as org_services
from tests.authz import Case


def cases(p) -> list[Case]:
    h = hotlines(p)
    now = timezone.localtime().replace(second=0, microsecond=0)
    call = call_services.record_call(
        actor=h.counsellor, hotline=h.city, started_at=now - timedelta(hours=2), ended_at=now - timedelta(hours=1),
        line=h.line, callback_consent=True, callback_number="13800007777",
    )
    other_supervisor, _pw = org_services.create_user(
        actor=SYSTEM, username="authz-calls-other-supervisor", organisation=p.shibei, role=Role.SUPERVISOR
    )
    hotline_services.add_member(actor=SYSTEM, hotline=h.other, user=other_supervisor, kind=MemberKind.SUPERVISOR)
    outside = (h.stranger,)
    form = {
        "hotline": h.city.pk,
        "started_at": (now - timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"),
        "minutes": "45",
        "line": h.line.pk,
        "channel": "phone",
        "caller_kind": "worker",
        "gender": "",
        "age_band": "",
        "interventions": ["listening"],
        "topics": ["sleep"],
        "risk": "low",
        "outcome": "supported",
        "notes": "授权测试",
    }
    today = timezone.localdate()
    return [
        Case("hotline:call_list", allowed=h.counsellor, denied=p.viewer, audits="hotline.call.read"),
        Case(
            "hotline:call_detail", kwargs={"pk": call.pk}, allowed=h.counsellor, denied=p.viewer,
            other_org=outside, audits="hotline.call.read",
        ),
        Case("hotline:call_create", allowed=h.counsellor, denied=p.viewer, query=f"hotline={h.city.pk}",
             other_org=outside),
        Case("hotline:call_create", method="post", data=form, allowed=h.counsellor, denied=p.viewer,
             other_org=outside),
        Case("hotline:call_update", kwargs={"pk": call.pk}, allowed=h.counsellor, denied=p.viewer,
             other_org=outside),
        Case(
            "hotline:call_update", kwargs={"pk": call.pk}, method="post",
            data={**form, "version": 1, "notes": "改过", "callback_consent": "on",
                  "callback_number": "13800007777"},
            allowed=h.colleague, denied=p.viewer, other_org=outside,
        ),
        Case(
            "hotline:call_caller_history", kwargs={"hotline_pk": h.city.pk}, method="post",
            data={"callback_consent": "on", "callback_number": "13800007777"},
            allowed=h.counsellor, denied=p.viewer, other_org=outside,
            no_change_because="a lookup only reads (its audit row is checked)", audits="hotline.call.caller_history",
        ),
        Case(
            "hotline:call_register_lookup", kwargs={"hotline_pk": h.city.pk}, method="post",
            data={"link": "on", "link_mobile": "13700001111", "caller_kind": "worker"},
            allowed=h.counsellor, denied=p.viewer, other_org=outside,
            no_change_because="a lookup only reads (its audit row is checked)", audits="hotline.register_lookup",
        ),
        Case("hotline:referral_create", kwargs={"pk": call.pk}, allowed=h.counsellor, denied=p.viewer,
             other_org=outside),
        Case(
            "hotline:referral_create", kwargs={"pk": call.pk}, method="post",
            data={"target": "hospital", "note": "转市精神卫生中心门诊"},
            allowed=h.counsellor, denied=p.viewer, other_org=outside,
        ),
        Case("hotline:call_export", allowed=h.supervisor, denied=h.counsellor, other_org=other_supervisor,
             other_org_status=200),
        Case(
            "hotline:call_export", method="post",
            data={"hotline": h.city.pk, "start": str(today - timedelta(days=7)), "end": str(today),
                  "reason": "季度督导复盘"},
            allowed=h.supervisor, denied=h.counsellor, other_org=other_supervisor, other_org_status=200,
            no_change_because="an export writes only its audit row (checked)", audits="hotline.export",
        ),
        Case("GET /api/v1/hotline/calls", allowed=h.counsellor, denied=p.viewer, audits="hotline.call.read"),
        Case(
            "GET /api/v1/hotline/calls/{call_id}", kwargs={"call_id": call.pk}, allowed=h.counsellor,
            denied=p.viewer, other_org=outside, audits="hotline.call.read",
        ),
        Case(
            "POST /api/v1/hotline/calls",
            data={"hotline": h.city.pk, "started_at": (now - timedelta(minutes=30)).isoformat(), "risk": "none",
                  "topics": ["work_stress"]},
            allowed=h.counsellor, denied=p.viewer, other_org=outside, ok_status=frozenset({201}),
        ),
    ]
