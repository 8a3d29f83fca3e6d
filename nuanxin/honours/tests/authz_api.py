"""Authorization cases of the commendations' API operations (joined by ``authz_cases``).

Nominations of 市南区人民医院工会 (SN-H1) made through the services by 乙 (市南区, whose grant
covers the unit); 丙 (市北区) is the other organisation: the same 404 as a missing nomination,
and a unit outside its scope refused without a change."""

from datetime import timedelta

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.honours.models import AwardType, Nomination
from nuanxin.honours.services import catalogue
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import ensure_award_types
from nuanxin.orgs.models import Organisation
from tests.authz import Case, standard_cases

TEAM = "gongren_xianfeng_hao"


def cases(p) -> list[Case]:
    unit = Organisation.objects.get(code="SN-H1")  # read back: other cases may have moved paths
    ensure_award_types()
    call = catalogue.create_call(
        actor=SYSTEM, name="授权测试（接口）", award_types=list(AwardType.objects.filter(active=True)),
        deadline=timezone.now() + timedelta(days=30),
    )
    call = catalogue.open_call(call, actor=SYSTEM)
    team = AwardType.objects.get(code=TEAM)

    def draft(name: str) -> Nomination:
        return services.nominate(actor=SYSTEM, call=call, award_type=team, organisation=unit, team_name=name,
                                 story="抗疫一线先进集体事迹。")

    to_read = draft("接口读取团队")
    to_submit = draft("接口提交团队")
    return [
        *standard_cases(p, "GET /api/v1/honours/nominations", model=Nomination, action="view", allowed=p.yi),
        *standard_cases(
            p, "POST /api/v1/honours/nominations", model=Nomination, action="nominate", allowed=p.yi,
            data={"call": call.pk, "award_type": TEAM, "organisation": unit.code, "team_name": "接口新建团队",
                  "story": "事迹"},
            # A unit outside the user's organisations is refused as unknown (400), nothing made.
            other_org=p.bing, other_org_status=400,
        ),
        *standard_cases(
            p, "GET /api/v1/honours/nominations/{nomination_id}", model=Nomination, action="view",
            obj=to_read, lookup="nomination_id", allowed=p.yi,
        ),
        *standard_cases(
            p, "POST /api/v1/honours/nominations/{nomination_id}/transitions", model=Nomination,
            action="nominate", obj=to_submit, lookup="nomination_id", allowed=p.yi,
            data={"action": "submit", "note": "", "version": to_submit.version},
        ),
    ]
