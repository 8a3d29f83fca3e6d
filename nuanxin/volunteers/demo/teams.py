"""The demo of the teams area (after the organisations' and the register's demos): volunteer
teams in 市南区, 市北区 and 李沧区 (工会志愿服务队), the team leader ``demo-leader`` (陈领队, team
leader of 市南区, leading 市南区职工志愿服务队), their volunteers (fictional mobiles 1370000xxxx; one
of them is the demo care contact's account) and each team's tasks with their sign-up links.
The teams are dated as opened the day their volunteers joined (60 days ago), so that a past
month's figures count the teams with their volunteers.
Through the services (``actor=SYSTEM``); idempotent: nothing is added once the first team exists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.volunteers.choices import TaskKind
from nuanxin.volunteers.models import Team
from nuanxin.volunteers.services import shifts, teams

LEADER = ("demo-leader", "陈领队", "QD-SN")
# (organisation code, team name, led by demo-leader, volunteers, tasks: (title, kind, place))
TEAMS = [
    (
        "QD-SN",
        "市南区职工志愿服务队(演示)",
        True,
        ["刘海燕", "王建国", "赵明", "孙丽娟", "周强", "吴婷婷"],
        [
            ("协助八大关核酸采样点", TaskKind.TESTING_SITE, "市南区八大关街道社区卫生服务站"),
            ("为一线医务人员家庭配送物资", TaskKind.DELIVERY, "市南区职工服务站"),
        ],
    ),
    (
        "QD-SN-01",
        "青大附院工会志愿服务队(演示)",
        False,
        ["郑晓红", "冯涛", "陈静", "褚伟"],
        [("门诊预检分诊引导", TaskKind.TESTING_SITE, "青岛大学附属医院门诊楼")],
    ),
    (
        "QD-SB-03",
        "台东街道工会志愿服务队(演示)",
        False,
        ["卫东", "蒋芳", "沈磊", "韩雪"],
        [("街道办数据录入", TaskKind.DATA_ENTRY, "市北区台东街道办事处")],
    ),
    (
        "QD-LC-02",
        "李村街道工会志愿服务队(演示)",
        False,
        ["杨帆", "朱丽", "秦勇"],
        [("走访一线医务人员家庭", TaskKind.CARE_VISIT, "李沧区李村街道")],
    ),
]


def leader() -> object | None:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services as org_services
    from nuanxin.orgs.models import Organisation

    username, full_name, code = LEADER
    user = User.objects.filter(username=username).first()
    org = Organisation.objects.filter(code=code).first()
    if user is None and org is not None:
        user, _password = org_services.create_user(
            actor=SYSTEM,
            username=username,
            organisation=org,
            role=Role.TEAM_LEADER,
            password=DEMO_PASSWORD,
            full_name=full_name,
        )
    return user


def build(*, out: Callable[[str], None] = print) -> None:
    from nuanxin.accounts.models import User
    from nuanxin.orgs.models import Organisation

    if Team.objects.filter(name=TEAMS[0][1]).exists():
        out(_("volunteers: the demo teams exist (0 new)"))
        return
    orgs = {o.code: o for o in Organisation.objects.filter(code__in=[t[0] for t in TEAMS])}
    user = leader()
    if len(orgs) < len(TEAMS) or user is None:
        out(_("volunteers: the demo organisations are missing; run the organisation demo first"))
        return
    care = User.objects.filter(username="demo-care").first()
    number = 0
    joined = timezone.localdate() - timedelta(days=60)
    for code, name, led, people, tasks in TEAMS:
        team = teams.create_team(
            actor=SYSTEM,
            organisation=orgs[code],
            name=name,
            description=_("A union volunteer team of the demo."),
            leader=user if led else None,
        )
        # opened with its volunteers (auto_now_add wrote now)
        opened = timezone.make_aware(datetime.combine(joined, time(9, 0)))
        Team.objects.filter(pk=team.pk).update(created_at=opened)
        for person in people:
            number += 1
            teams.add_volunteer(
                actor=SYSTEM,
                team=team,
                name=person,
                mobile=f"1370000{number:04d}",
                skills="驾驶" if number % 3 == 0 else "",
                availability="周末" if number % 2 else "工作日晚间",
                consent_to_contact=True,
                joined_on=joined,
                user=care if (care is not None and code == "QD-SN-01" and person == people[0]) else None,
            )
        for title, kind, place in tasks:
            shifts.create_task(actor=SYSTEM, team=team, title=title, kind=kind, place=place)
    out(
        _("volunteers: %(teams)s teams, %(people)s volunteers, team leader %(leader)s")
        % {"teams": len(TEAMS), "people": number, "leader": LEADER[0]}
    )


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the demo team leader, when it exists."""
    from nuanxin.accounts.models import User
    from nuanxin.orgs.models import Organisation

    username, _full_name, code = LEADER
    user = User.objects.filter(username=username, is_active=True).first()
    org = Organisation.objects.filter(code=code).first()
    if user is None or org is None or not user.check_password(DEMO_PASSWORD):
        return []
    return [(username, DEMO_PASSWORD, str(Role(Role.TEAM_LEADER).label), org.name)]
