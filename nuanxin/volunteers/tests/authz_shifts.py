"""Authorization cases of the tasks, shifts and places pages and API operations (a team of
市南区人民医院工会, SN-H1; 丙 of 市北区 is the other organisation). The public pages (sign-up
link, the volunteer's own link) are ``access.public``: their tests are in test_public_pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.volunteers.models import Checkin, Shift, Task, Team
from nuanxin.volunteers.services import shifts, teams
from tests.authz import Case, standard_cases


def cases(p: Any) -> list[Case]:
    unit = Organisation.objects.get(code="SN-H1")
    team = teams.create_team(actor=SYSTEM, organisation=unit, name="授权班次队")
    first = teams.add_volunteer(actor=SYSTEM, team=team, name="授权班次甲", mobile="13800770011")
    second = teams.add_volunteer(actor=SYSTEM, team=team, name="授权班次乙", mobile="13800770012")
    task = shifts.create_task(actor=SYSTEM, team=team, title="授权核酸采样点", place="授权路1号")
    edited = shifts.create_task(actor=SYSTEM, team=team, title="授权数据录入", place="授权路2号")
    tomorrow = timezone.now() + timedelta(days=1)
    shift = shifts.add_shift(
        actor=SYSTEM, task=task, starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=4), needed=3
    )
    place = shifts.assign(actor=SYSTEM, shift=shift, volunteer=first)
    over = shifts.add_shift(
        actor=SYSTEM, task=task, starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=2), needed=2
    )
    shifts.assign(actor=SYSTEM, shift=over, volunteer=second)
    ago = timezone.now() - timedelta(days=1)
    shifts.change_shift(actor=SYSTEM, shift=over, starts_at=ago, ends_at=ago + timedelta(hours=2))
    day = timezone.localdate() + timedelta(days=2)
    return [
        *standard_cases(
            p,
            "volunteers:task_create",
            model=Team,
            action="change",
            obj=team,
            allowed=p.yi,
            data={"title": "授权新任务", "kind": "delivery", "place": "授权路3号", "description": ""},
        ),
        *standard_cases(
            p,
            "volunteers:task_detail",
            model=Task,
            action="view",
            obj=task,
            allowed=p.yi,
            data={"day": day.isoformat(), "start": "08:00", "end": "12:00", "needed": "2", "notes": ""},
        ),
        *standard_cases(
            p,
            "volunteers:task_edit",
            model=Task,
            action="change",
            obj=edited,
            allowed=p.yi,
            data={"title": "授权数据录入改", "kind": "data_entry", "place": "授权路2号", "version": "1"},
        ),
        *standard_cases(
            p,
            "volunteers:shift_detail",
            model=Shift,
            action="view",
            obj=shift,
            allowed=p.yi,
            data={"form": "assign", "volunteer": str(second.pk)},
        ),
        *standard_cases(
            p, "volunteers:shift_no_shows", model=Shift, action="change", obj=over, allowed=p.yi, method="post", data={}
        ),
        *standard_cases(
            p,
            "volunteers:place_action",
            model=Checkin,
            action="change",
            obj=place,
            allowed=p.yi,
            method="post",
            data={"action": "cancel"},
        ),
        *standard_cases(p, "volunteers:today", model=Shift, action="change", allowed=p.yi),
        *standard_cases(p, "GET /api/v1/volunteers/shifts", model=Shift, action="view", allowed=p.yi),
        *standard_cases(
            p,
            "POST /api/v1/volunteers/shifts",
            model=Shift,
            action="change",
            allowed=p.yi,
            other_org=p.bing,
            data={
                "task": task.pk,
                "starts_at": (tomorrow + timedelta(days=1)).isoformat(),
                "ends_at": (tomorrow + timedelta(days=1, hours=3)).isoformat(),
                "needed": 2,
            },
        ),
        *standard_cases(
            p,
            "POST /api/v1/volunteers/shifts/{shift_id}/checkins",
            model=Checkin,
            action="change",
            obj=shift,
            lookup="shift_id",
            allowed=p.yi,
            other_org=p.bing,
            data={"name": "授权接口志愿者", "mobile": "13800770013", "consent": True},
        ),
    ]
