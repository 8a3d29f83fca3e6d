"""Shared data of the volunteers' tests, built through the services at a fixed time.

On top of the personas (``p``): 领队 (``leader``), holding team_leader on 市南区人民医院工会 (SN-H1)
and leading its team 市南医院志愿队; a second team of SN-H1 (另一队) and one of 市北区人民医院工会
(北队); volunteers 志愿甲 and 志愿乙 of 市南医院志愿队; its task 核酸采样点协助 (at 市南区人民医院门诊楼)
with a shift on Tuesday 2020-02-04 09:00–12:00 needing 3 people. The clock stands at Monday
2020-02-03 09:00 (Asia/Shanghai) unless a test moves it (``vw.clock.move_to``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation
from nuanxin.volunteers.services import shifts, teams

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 3, 9, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time of February 2020 in Shanghai."""
    return datetime(2020, 2, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class VolunteerWorld:
    p: Any
    clock: Any
    unit: Any
    leader: Any
    team: Any
    other_team: Any
    north_team: Any
    a: Any
    b: Any
    task: Any
    shift: Any


def build(p: Any, clock: Any) -> VolunteerWorld:
    unit = Organisation.objects.get(code="SN-H1")
    north = Organisation.objects.get(code="SB-H1")
    leader, _password = org_services.create_user(
        actor=SYSTEM,
        username="leader",
        organisation=unit,
        role=Role.TEAM_LEADER,
        password="Secret-pass-2020",
        full_name="领队",
    )
    team = teams.create_team(actor=SYSTEM, organisation=unit, name="市南医院志愿队", leader=leader)
    other_team = teams.create_team(actor=SYSTEM, organisation=unit, name="另一队")
    north_team = teams.create_team(actor=SYSTEM, organisation=north, name="北队")
    a = teams.add_volunteer(actor=SYSTEM, team=team, name="志愿甲", mobile="13800130001", consent_to_contact=True)
    b = teams.add_volunteer(actor=SYSTEM, team=team, name="志愿乙", mobile="13800130002")
    task = shifts.create_task(
        actor=SYSTEM, team=team, title="核酸采样点协助", place="市南区人民医院门诊楼", kind="testing_site"
    )
    shift = shifts.add_shift(actor=SYSTEM, task=task, starts_at=at(4, 9), ends_at=at(4, 12), needed=3)
    return VolunteerWorld(p, clock, unit, leader, team, other_team, north_team, a, b, task, shift)


@pytest.fixture
def vw(personas):
    cache.clear()  # the public pages' rate limits
    with time_machine.travel(NOW, tick=False) as clock:
        yield build(personas, clock)
