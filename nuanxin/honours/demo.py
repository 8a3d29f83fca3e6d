"""The commendations' demo (``nuanxin demo``): the call 2020 年度表彰 with the four award types,
quotas for 市南区 and 市北区, and nominations of 青岛大学附属医院工会 (a unit of 市南区) at every
step: a draft, one under review at 市南区, one returned for changes, one rejected, one on public
notice with an objection awaiting its answer, one awarded with its certificate number, and a
team (工人先锋号) under review at the city.

Every step goes through the services, with the demo administrators as actors: the unit's
``demo-unit`` (made here: 刘医工, organisation administrator of 青岛大学附属医院工会), the
district's ``demo-district`` and the city's ``demo-city`` (the organisations demo's). The one
shortcut: the awarded nomination's public notice is moved into the past before the decision
(a notice runs for days; the demo cannot wait). Nominees are the register demo's aid-team
workers of the unit. Idempotent: when the call exists, nothing is added."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.honours.models import AwardType, Call, Nomination
from nuanxin.honours.services import catalogue
from nuanxin.honours.services import nominations as services

CALL = "2020 年度表彰"
UNIT = "QD-SN-01"  # 青岛大学附属医院工会
UNIT_ADMIN = ("demo-unit", "刘医工", Role.ORG_ADMIN, UNIT)
PERSON, MODEL, UNIT_AWARD, TEAM = "wuyi_jiangzhang", "laodong_mofan", "wuyi_jiangzhuang", "gongren_xianfeng_hao"

STORIES = {
    "draft": "新冠肺炎疫情发生后，第一时间报名参加医院发热门诊工作，连续四十余天坚守岗位。",
    "review": "作为第一批援鄂医疗队队员，在武汉重症病房工作五十余天，累计护理重症患者百余人次。",
    "returned": "主动请缨驰援湖北，在方舱医院担任护理组长。",
    "rejected": "在院内疫情防控工作中表现突出。",
    "notice": "援鄂期间负责院感防控，所在病区实现医护人员零感染；返青后继续参加核酸检测工作。",
    "awarded": "带领援鄂医疗队护理团队坚守武汉六十余天，救治危重症患者，被当地群众称为“最美逆行者”。",
    "team": "重症医学科护理团队在疫情期间承担全市危重症患者集中救治任务，二十四小时轮班，无一例医护感染。",
}


def _deadline() -> Any:
    """The demo call's deadline: the end of this year (Asia/Shanghai), so the certificate number
    carries this year (the call's year is its deadline's); 30 days ahead when the year ends
    within two weeks."""
    now = timezone.localtime(timezone.now(), services.CALL_TIME_ZONE)
    year_end = now.replace(month=12, day=31, hour=23, minute=59, second=0, microsecond=0)
    return year_end if year_end - now >= timedelta(days=14) else now + timedelta(days=30)


def _org(code: str) -> Any:
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


def _user(username: str) -> Any:
    from nuanxin.accounts.models import User

    return User.objects.filter(username=username, is_active=True).first()


def _unit_admin(unit: Any) -> Any:
    from nuanxin.orgs import services as org_services

    username, full_name, role, _code = UNIT_ADMIN
    user = _user(username)
    if user is None:
        user, _password = org_services.create_user(
            actor=SYSTEM, username=username, organisation=unit, role=role, password=DEMO_PASSWORD,
            full_name=full_name,
        )
    return user


def _aid_workers(unit: Any) -> list[Any]:
    from nuanxin.registry.choices import TeamType
    from nuanxin.registry.models import Worker

    qs = Worker.objects.filter(organisation=unit).order_by("id")
    aid = list(qs.filter(team=TeamType.HUBEI_AID))
    return aid + [w for w in qs.exclude(team=TeamType.HUBEI_AID)]


def build(*, out: Callable[[str], None] = print) -> None:
    if Call.objects.filter(name=CALL).exists():
        out(_("commendations: the call “%(name)s” exists (%(count)s nominations)")
            % {"name": CALL, "count": Nomination.objects.filter(call__name=CALL).count()})
        return
    unit, city_admin, district_admin = _org(UNIT), _user("demo-city"), _user("demo-district")
    if unit is None or city_admin is None or district_admin is None:
        out(_("commendations: skipped (the organisations demo is missing)"))
        return
    _build(unit, city_admin, district_admin, out)


@transaction.atomic
def _build(unit: Any, city: Any, district: Any, out: Callable[[str], None]) -> None:
    types = {t.code: t for t in AwardType.objects.all()}
    call = catalogue.create_call(
        actor=city, name=CALL, award_types=[types[c] for c in (TEAM, UNIT_AWARD, PERSON, MODEL) if c in types],
        deadline=_deadline(), notice_days=5,
        description="各区（市）总工会、产业工会：请按名额推荐在疫情防控一线表现突出的先进集体和个人，优先推荐一线医务人员。",
    )
    call = catalogue.open_call(call, actor=city)
    for code, places, award_type in (("QD", 10, None), ("QD-SN", 5, None), ("QD-SN", 3, types.get(PERSON)),
                                     ("QD-SB", 3, None)):
        org = _org(code)
        if org is not None:
            catalogue.set_quota(call, org, places, award_type, actor=city)
    unit_admin = _unit_admin(unit)
    workers = _aid_workers(unit)

    def person(story: str, code: str = PERSON) -> Nomination | None:
        if not workers:
            return None
        return services.nominate(actor=unit_admin, call=call, award_type=types[code], organisation=unit,
                                 worker=workers.pop(0), story=story)

    made = []
    made.append(person(STORIES["draft"]))
    n = person(STORIES["review"])
    if n is not None:
        made.append(services.submit(n, actor=unit_admin))
    n = person(STORIES["returned"])
    if n is not None:
        n = services.submit(n, actor=unit_admin)
        made.append(services.return_for_changes(n, actor=district, note="请补充援鄂期间的具体工作量和所获表扬。"))
    n = person(STORIES["rejected"], MODEL)
    if n is not None:
        n = services.submit(n, actor=unit_admin)
        made.append(services.reject(n, actor=district, note="事迹不够具体，且不符合劳动模范的推荐条件。"))
    n = person(STORIES["notice"], MODEL)
    if n is not None:
        n = services.recommend(services.submit(n, actor=unit_admin), actor=district, note="同意推荐。")
        n = services.start_notice(n, actor=city)
        services.record_objection(n, actor=city, text="来电反映：该同志援鄂时间与材料所写不一致，请核实。",
                                  raised_by="")
        made.append(n)
    n = person(STORIES["awarded"])
    if n is not None:
        n = services.recommend(services.submit(n, actor=unit_admin), actor=district, note="优先推荐一线人员。")
        n = services.start_notice(n, actor=city)
        past = timezone.localdate() - timedelta(days=10)  # the notice ran its five days (see above)
        Nomination.objects.filter(pk=n.pk).update(notice_starts_on=past, notice_ends_on=past + timedelta(days=4))
        made.append(services.decide(Nomination.objects.get(pk=n.pk), actor=city, awarded=True))
    team = services.nominate(actor=unit_admin, call=call, award_type=types[TEAM], organisation=unit,
                             team_name="青岛大学附属医院重症医学科护理团队", story=STORIES["team"])
    made.append(services.recommend(services.submit(team, actor=unit_admin), actor=district))
    out(_("commendations: the call “%(name)s” with %(count)s nominations") % {
        "name": CALL, "count": len([m for m in made if m is not None])})


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the demo's unit administrator, when it exists."""
    username, _full_name, role, code = UNIT_ADMIN
    user, unit = _user(username), _org(code)
    if user is None or unit is None or not user.check_password(DEMO_PASSWORD):
        return []
    return [(username, DEMO_PASSWORD, str(Role(role).label), unit.name)]
