"""Shared test data of the commendations, built through the services.

On top of the personas of the root conftest (``p``: 甲 city admin, 乙 市南区 admin, 丙 市北区
admin, viewer, auditor): a unit union administrator at 市南区人民医院工会 (SN-H1) and one at
市北区人民医院工会 (SB-H1), registered workers (an aid-team member deployed to Wuhan, a
designated-hospital nurse, a worker of SB-H1), and an open call (deadline in 30 days, notice
5 days) with the four seeded award types.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.honours.models import AwardType, Call, Nomination
from nuanxin.honours.services import catalogue
from nuanxin.honours.services import nominations as services
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType

PASSWORD = "Persona-pass-2020"
STORY = "疫情期间主动请缨驰援武汉，在重症病房连续工作六十余天。"

PERSON = "wuyi_jiangzhang"  # 五一劳动奖章: a person
MODEL = "laodong_mofan"  # 劳动模范: a person
UNIT = "wuyi_jiangzhuang"  # 五一劳动奖状: a unit
TEAM = "gongren_xianfeng_hao"  # 工人先锋号: a collective


@dataclass
class HonoursWorld:
    p: Any
    unit_admin: Any  # org_admin at SN-H1 (the nominating unit)
    unit_admin_b: Any  # org_admin at SB-H1
    aid_worker: Any  # SN-H1, Hubei aid team, deployed 2020-01-26 .. 2020-03-31
    nurse: Any  # SN-H1, designated-hospital team, no deployment
    worker_b: Any  # SB-H1, CDC team
    call: Call
    types: dict[str, AwardType]

    def type(self, code: str) -> AwardType:
        return self.types[code]


def user(username: str, org: Any, role: str, full_name: str) -> Any:
    u, _ = org_services.create_user(
        actor=SYSTEM, username=username, organisation=org, role=role, password=PASSWORD, full_name=full_name
    )
    return u


def ensure_award_types() -> None:
    """The award types migration 0002 installs, installed again if a transactional test before
    this one flushed the database (a flush empties what migrations wrote)."""
    seeded = importlib.import_module("nuanxin.honours.migrations.0002_seed_award_types")
    for code, name, recipient, description in seeded.AWARD_TYPES:
        AwardType.objects.get_or_create(
            code=code, defaults={"name": name, "level": "city", "recipient": recipient, "description": description}
        )


def open_call(name: str = "2020 年度表彰", *, days: int = 30, notice_days: int = 5) -> Call:
    ensure_award_types()
    call = catalogue.create_call(
        actor=SYSTEM,
        name=name,
        award_types=list(AwardType.objects.all()),
        deadline=timezone.now() + timedelta(days=days),
        notice_days=notice_days,
    )
    return catalogue.open_call(call, actor=SYSTEM)


def build_honours(p: Any) -> HonoursWorld:
    ensure_award_types()
    aid = registry.create_worker(
        actor=SYSTEM, organisation=p.shinan_hospital, name="张援鄂", team=TeamType.HUBEI_AID, category="nurse"
    )
    registry.save_deployment(
        actor=SYSTEM, worker=aid, batch="第一批", destination="武汉", departed_on=date(2020, 1, 26),
        returned_on=date(2020, 3, 31),
    )
    nurse = registry.create_worker(
        actor=SYSTEM, organisation=p.shinan_hospital, name="李护士", team=TeamType.DESIGNATED_HOSPITAL,
        category="nurse",
    )
    worker_b = registry.create_worker(actor=SYSTEM, organisation=p.shibei_hospital, name="王疾控", team=TeamType.CDC)
    return HonoursWorld(
        p=p,
        unit_admin=user("sn_unit", p.shinan_hospital, Role.ORG_ADMIN, "市南医院工会"),
        unit_admin_b=user("sb_unit", p.shibei_hospital, Role.ORG_ADMIN, "市北医院工会"),
        aid_worker=aid,
        nurse=nurse,
        worker_b=worker_b,
        call=open_call(),
        types={t.code: t for t in AwardType.objects.all()},
    )


def nomination(
    w: HonoursWorld,
    *,
    actor: Any = None,
    code: str = PERSON,
    worker: Any = None,
    organisation: Any = None,
    call: Call | None = None,
    story: str = STORY,
    team_name: str = "",
    nominee_organisation: Any = None,
) -> Nomination:
    """A draft nomination by SN-H1 (by default of the aid-team worker for 五一劳动奖章)."""
    award_type = w.type(code)
    if award_type.recipient == "person" and worker is None:
        worker = w.aid_worker
    if award_type.recipient == "collective" and not team_name:
        team_name = "重症医学科护理团队"
    if award_type.recipient == "unit" and nominee_organisation is None:
        nominee_organisation = organisation or w.p.shinan_hospital
    return services.nominate(
        actor=actor or w.unit_admin,
        call=call or w.call,
        award_type=award_type,
        organisation=organisation or w.p.shinan_hospital,
        worker=worker,
        nominee_organisation=nominee_organisation,
        team_name=team_name,
        story=story,
    )


def at_city(w: HonoursWorld, **kwargs: Any) -> Nomination:
    """A nomination submitted by SN-H1 and recommended by 市南区: under review at the city."""
    n = nomination(w, **kwargs)
    n = services.submit(n, actor=w.unit_admin)
    return services.recommend(n, actor=w.p.yi)


def on_notice(w: HonoursWorld, **kwargs: Any) -> Nomination:
    return services.start_notice(at_city(w, **kwargs), actor=w.p.jia)
