"""Builders for the care tests: a campaign, families in 市南区 and 市北区, care contacts."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from nuanxin.care import services
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = date(2020, 1, 24)  # a Friday; its ISO week begins Monday 2020-01-20
W1 = date(2020, 1, 27)  # Monday of the first full week after the start
_numbers = itertools.count(1)


def at(day: date, hour: int = 9, minute: int = 0):
    """time_machine at a local (Asia/Shanghai) time, not ticking."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False)


def fresh(org):
    """The organisation as it is now: adding a sibling with a smaller code shifts materialised
    paths, so the personas' objects may hold stale ones."""
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.get(pk=org.pk)


def mobile() -> str:
    return f"1390000{next(_numbers):04d}"


def worker(org, name: str, team: str = TeamType.HUBEI_AID, **kw):
    w = registry_services.create_worker(
        actor=SYSTEM, organisation=org, name=name, team=team, mobile=mobile(), allow_duplicate=True, **kw
    )
    registry_services.add_family_member(actor=SYSTEM, worker=w, name=name + "家属", relation="配偶", mobile=mobile())
    return w


def care_contact(username: str, org, full_name: str = "", email: str = "", phone: str = ""):
    user, _pw = org_services.create_user(
        actor=SYSTEM,
        username=username,
        organisation=org,
        role=Role.CARE_CONTACT,
        password="Care-pass-2020x",
        full_name=full_name or username,
        email=email,
        mobile=phone,
    )
    return user


@dataclass
class World:
    campaign: object
    a1: object  # 市南区 aid-team families, assigned to the care contact
    a2: object
    a3: object
    cdc: object  # 市南区 CDC team (no visits by default), assigned too
    b1: object  # 市北区 aid-team family, assigned to care_sb
    care_sb: object


def build_world(p, *, assign_on: date = W1) -> World:
    """A campaign started 2020-01-24, and assignments made on ``assign_on`` 09:00."""
    campaign = services.create_campaign(actor=SYSTEM, name="暖心行动", starts_on=START)
    a1 = worker(p.shinan_hospital, "安一")
    a2 = worker(p.shinan_hospital, "安二")
    a3 = worker(p.shinan_hospital, "安三")
    cdc = worker(p.shinan_hospital, "疾控", team=TeamType.CDC)
    b1 = worker(p.shibei_hospital, "北一")
    care_sb = care_contact("care_sb", p.shibei_hospital, "北联系人")
    with at(assign_on):
        services.bulk_assign(actor=p.yi, campaign=campaign, workers=[a1, a2, a3, cdc], contact=p.care)
        services.bulk_assign(actor=p.bing, campaign=campaign, workers=[b1], contact=care_sb)
    return World(campaign, a1, a2, a3, cdc, b1, care_sb)


def sms_lines(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
