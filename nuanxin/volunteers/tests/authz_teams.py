"""Authorization cases of the teams pages and API operations: teams of 市南区人民医院工会
(SN-H1, in the reach of 乙); 丙 (市北区) is the other organisation."""

from __future__ import annotations

from typing import Any

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.volunteers.models import Team, Volunteer
from nuanxin.volunteers.services import teams
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    unit = Organisation.objects.get(code="SN-H1")
    team = teams.create_team(actor=SYSTEM, organisation=unit, name="授权志愿队甲")
    edited = teams.create_team(actor=SYSTEM, organisation=unit, name="授权志愿队乙")
    volunteer = teams.add_volunteer(actor=SYSTEM, team=team, name="授权志愿者", mobile="13800770001")
    return [
        Case("volunteers:home", allowed=p.yi, denied=p.counsellor),
        *standard_cases(
            p,
            "volunteers:team_list",
            model=Team,
            action="manage",
            allowed=p.yi,
            data={"organisation": str(unit.pk), "name": "授权新队伍"},
        ),
        *standard_cases(
            p,
            "volunteers:team_detail",
            model=Team,
            action="view",
            obj=team,
            allowed=p.yi,
            data={"form": "volunteer", "name": "授权新志愿者", "mobile": "13800770002", "consent_to_contact": "on"},
        ),
        *standard_cases(
            p,
            "volunteers:team_edit",
            model=Team,
            action="manage",
            obj=edited,
            allowed=p.yi,
            data={"name": "授权志愿队乙改", "description": "", "leader": "", "active": "on", "version": "1"},
        ),
        *standard_cases(
            p,
            "volunteers:volunteer_edit",
            model=Volunteer,
            action="change",
            obj=volunteer,
            allowed=p.yi,
            data={"name": "授权志愿者改", "mobile": "", "skills": "驾驶", "active": "on", "version": "1"},
        ),
        *standard_cases(p, "GET /api/v1/volunteers/teams", model=Team, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "POST /api/v1/volunteers/teams",
            model=Team,
            action="manage",
            allowed=p.yi,
            other_org=p.bing,
            data={"organisation": "SN-H1", "name": "授权接口队伍"},
        ),
    ]
