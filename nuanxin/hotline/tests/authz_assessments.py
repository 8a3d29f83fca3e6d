"""Authorization cases of the hotline's assessment pages and operations.

The assessments belong to the city hotline (the counsellor persona serves it): a viewer (and
any union admin or auditor) holds no role for them (403); the counsellor of 市北区's hotline
holds the role but not this hotline (404, or the form refusing the city's hotline: nothing
changed, nothing read). The public self-assessment pages are public (no case); the public
link's QR code is for the hotline's staff."""

from datetime import timedelta

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Hotline
from nuanxin.hotline.services import assessments as assessment_services
from nuanxin.hotline.services import calls as call_services
from nuanxin.hotline.tests.authz_fixtures import hotlines
from tests.authz import Case, standard_cases

GAD7_ANSWERS = [2, 2, 2, 1, 1, 1, 1]


def cases(p) -> list[Case]:
    h = hotlines(p)
    assessment = assessment_services.take(
        actor=SYSTEM, scale="GAD-7", answers=GAD7_ANSWERS, hotline=h.city, source="public"
    )
    now = timezone.localtime().replace(second=0, microsecond=0)
    call = call_services.record_call(
        actor=h.counsellor, hotline=h.city, started_at=now - timedelta(minutes=30), ended_at=now, line=h.line
    )
    outside = (h.stranger,)
    answers = {f"q{n}": str(v) for n, v in enumerate(GAD7_ANSWERS, 1)}
    return [
        Case("hotline:assessment_list", allowed=h.counsellor, denied=p.viewer, audits="hotline.assessment.read"),
        Case(
            "hotline:assessment_detail",
            kwargs={"pk": assessment.pk},
            allowed=h.counsellor,
            denied=p.viewer,
            other_org=outside,
            audits="hotline.assessment.read",
        ),
        Case("hotline:assessment_take", allowed=h.counsellor, denied=p.viewer, query="scale=GAD-7"),
        # The stranger's form offers only their own hotline: the city's is refused, the form
        # shown again (200), nothing stored.
        Case(
            "hotline:assessment_take",
            method="post",
            query="scale=GAD-7",
            data={"hotline": h.city.pk, **answers},
            allowed=h.counsellor,
            denied=p.viewer,
            other_org=outside,
            other_org_status=200,
        ),
        # During a call: the call of another hotline is the same 404 as a missing one.
        Case(
            "hotline:assessment_take",
            method="post",
            query=f"scale=PHQ-9&call={call.pk}",
            data={"hotline": h.city.pk, **{f"q{n}": "1" for n in range(1, 10)}},
            allowed=h.supervisor,
            denied=p.viewer,
            other_org=outside,
        ),
        *standard_cases(p, "hotline:public_qr", model=Hotline, action="view", obj=h.city, allowed=h.coordinator),
        Case("GET /api/v1/hotline/scales", allowed=h.counsellor, denied=p.viewer),
        Case(
            "POST /api/v1/hotline/assessments",
            data={"scale": "GAD-7", "answers": GAD7_ANSWERS, "hotline": h.city.pk},
            allowed=h.counsellor,
            denied=p.viewer,
            other_org=outside,
            ok_status=frozenset({201}),
        ),
        Case(
            "POST /api/v1/hotline/assessments",
            data={"scale": "PHQ-9", "answers": [1] * 9, "call": call.pk},
            allowed=h.counsellor,
            denied=p.viewer,
            other_org=outside,
            ok_status=frozenset({201}),
        ),
    ]
