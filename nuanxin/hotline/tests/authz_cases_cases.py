"""Authorization cases of the crisis case and callback pages and API operations.

The records live at the city hotline (the counsellor persona serves it); the counsellor of
市北区's hotline (``stranger``) holds the same role elsewhere: 404 and nothing changed. Union
admins, viewers and auditors hold no role for the records: 403. The supervisor's operations
(closing an untried callback) are refused to the counsellor (403) and to a supervisor of
市北区's hotline (404)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from nuanxin.accounts.models import User
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.models import Callback, CrisisCase
from nuanxin.hotline.services import cases as services
from nuanxin.hotline.services import hotlines as hotline_services
from nuanxin.hotline.tests.authz_fixtures import hotlines
from nuanxin.orgs import services as org_services
from tests.authz import Case, standard_cases


def _other_supervisor(p: Any, h: Any) -> Any:
    """A supervisor of 市北区's hotline (built once per database)."""
    user = User.objects.filter(username="authz-cases-supervisor").first()
    if user is None:
        user, _password = org_services.create_user(
            actor=SYSTEM, username="authz-cases-supervisor", organisation=p.shibei, role=Role.SUPERVISOR
        )
        hotline_services.add_member(actor=SYSTEM, hotline=h.other, user=user, kind=MemberKind.SUPERVISOR)
    return user


def _version(obj: Any) -> int:
    return int(type(obj).objects.get(pk=obj.pk).version)


def cases(p: Any) -> list[Case]:
    h = hotlines(p)
    now = timezone.now()
    local = f"{timezone.localtime(now):%Y-%m-%dT%H:%M}"

    def callback() -> Callback:
        return services.open_callback(actor=SYSTEM, hotline=h.city, number="13800009911", due_at=now,
                                      severity="moderate")

    def crisis(risk: str = "high") -> CrisisCase:
        return services.open_crisis(actor=SYSTEM, hotline=h.city, risk=risk, reason="授权测试")

    shown = callback()
    to_claim = callback()
    to_release = services.claim_callback(actor=h.counsellor, callback=callback())
    to_attempt = callback()
    to_close = callback()
    by_api = callback()
    to_assess = crisis()
    to_contact = crisis()
    to_hand_over = crisis("imminent")
    to_follow = services.record_contact(actor=h.counsellor, case=crisis())
    other_supervisor = _other_supervisor(p, h)
    record = {"model": Callback, "other_org": h.stranger, "allowed": h.counsellor}
    crisis_record = {"model": CrisisCase, "other_org": h.stranger, "allowed": h.counsellor}
    return [
        *standard_cases(p, "hotline:callback_list", model=Callback, action="view", allowed=h.counsellor,
                        audits="hotline.callback.read"),
        *standard_cases(p, "hotline:callback_detail", action="view", obj=shown, audits="hotline.callback.read",
                        **record),
        *standard_cases(p, "hotline:callback_claim", action="record", obj=to_claim, method="post",
                        data={"version": _version(to_claim)}, **record),
        *standard_cases(p, "hotline:callback_release", action="record", obj=to_release, method="post",
                        data={"version": _version(to_release)}, **record),
        *standard_cases(p, "hotline:callback_attempt", action="record", obj=to_attempt, method="post",
                        data={"version": _version(to_attempt), "result": "reached", "channel": "phone",
                              "note": "授权测试：已联系"}, **record),
        *standard_cases(p, "hotline:callback_note", action="record", obj=shown, method="post",
                        data={"text": "授权测试备注"}, **record),
        *standard_cases(p, "hotline:callback_close", model=Callback, action="supervise", obj=to_close,
                        method="post", data={"version": _version(to_close), "note": "重复登记"},
                        allowed=h.supervisor, denied=h.counsellor, other_org=other_supervisor),
        *standard_cases(p, "hotline:crisis_list", model=CrisisCase, action="view", allowed=h.counsellor,
                        audits="hotline.crisis.read"),
        *standard_cases(p, "hotline:crisis_detail", action="view", obj=to_assess, audits="hotline.crisis.read",
                        **crisis_record),
        *standard_cases(p, "hotline:crisis_assess", action="record", obj=to_assess, method="post",
                        data={"version": _version(to_assess), "ideation": "yes", "plan": "no", "means": "",
                              "past_attempts": "no", "protective_factors": "家人", "note": "", "risk": "high"},
                        **crisis_record),
        *standard_cases(p, "hotline:crisis_contact", action="record", obj=to_contact, method="post",
                        data={"version": _version(to_contact), "at": "", "note": ""}, **crisis_record),
        *standard_cases(p, "hotline:crisis_handover", action="record", obj=to_hand_over, method="post",
                        data={"version": _version(to_hand_over), "to": "120", "at": local, "person": "120 调度员",
                              "note": ""}, **crisis_record),
        *standard_cases(p, "hotline:crisis_status", action="record", obj=to_follow, method="post",
                        data={"version": _version(to_follow), "to": "follow_up", "note": ""}, **crisis_record),
        *standard_cases(p, "hotline:crisis_note", action="record", obj=to_assess, method="post",
                        data={"text": "授权测试随访"}, **crisis_record),
        Case("GET /api/v1/hotline/callbacks", allowed=h.counsellor, denied=p.viewer, audits="hotline.callback.read"),
        Case(
            "POST /api/v1/hotline/callbacks/{callback_id}/attempts",
            kwargs={"callback_id": by_api.pk},
            data={"result": "no_answer", "retry_at": (now + timedelta(hours=2)).isoformat(), "channel": "phone"},
            allowed=h.counsellor,
            denied=p.viewer,
            other_org=h.stranger,
        ),
    ]
