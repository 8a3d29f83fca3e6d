"""The demo of the shifts area: for each demo task, a week of shifts (from five days ago to
tomorrow): the past ones worked (volunteers checked in and out, people served entered) with one
no-show at 市南区; today's shifts of 市南区 (for demo-leader's phone page: one running with a
volunteer checked in, one in the evening to check in); tomorrow's open to sign-up by link.

The places of past shifts are given while the shift is still ahead (a shift over takes nobody),
then the shift is moved to its day and the times of the check-ins recorded as the leader does.
A team with two tasks (市南区) staffs them with different volunteers, so that nobody holds places
on two shifts at the same time (the services refuse it). Idempotent: nothing is added once the
demo tasks have shifts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM
from nuanxin.volunteers.demo.teams import TEAMS
from nuanxin.volunteers.models import Shift, Task
from nuanxin.volunteers.services import shifts


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _worked(task: Task, day: date, start: int, end: int, people: list, served: int, *, no_show: bool) -> None:
    ahead = timezone.now() + timedelta(days=30)
    shift = shifts.add_shift(
        actor=SYSTEM, task=task, starts_at=ahead, ends_at=ahead + timedelta(hours=end - start), needed=len(people) + 1
    )
    places = [shifts.assign(actor=SYSTEM, shift=shift, volunteer=v) for v in people]
    shifts.change_shift(actor=SYSTEM, shift=shift, starts_at=_at(day, start), ends_at=_at(day, end))
    for i, place in enumerate(places):
        if no_show and i == len(places) - 1:
            continue  # did not come: recorded below
        shifts.check_in(actor=SYSTEM, checkin=place, at=_at(day, start) - timedelta(minutes=10 - i))
        shifts.check_out(actor=SYSTEM, checkin=place, at=_at(day, end) + timedelta(minutes=5 * i))
    shifts.mark_no_shows(actor=SYSTEM, shift=shift)
    shifts.set_people_served(actor=SYSTEM, shift=shift, people_served=served)


def build(*, out: Callable[[str], None] = print) -> None:
    tasks = list(
        Task.objects.filter(team__name__in=[t[1] for t in TEAMS]).select_related("team").order_by("team_id", "id")
    )
    if not tasks:
        out(_("volunteers: no demo task; no shifts"))
        return
    if Shift.objects.filter(task__in=tasks).exists():
        out(_("volunteers: the demo shifts exist (0 new)"))
        return
    today = timezone.localdate()
    now = timezone.now()
    made = 0
    no_show_done = False
    of_team: dict[int, int] = {}
    for n, task in enumerate(tasks):
        people = list(task.team.volunteers.filter(active=True).order_by("id"))
        # the team's second task starts its crews three volunteers further: no one on both at once
        k = of_team.get(task.team_id, 0)
        of_team[task.team_id] = k + 1
        people = people[3 * k :] + people[: 3 * k]
        for back in range(5, 0, -1):
            day = today - timedelta(days=back)
            crew = people[(back % 2) : (back % 2) + 3]
            no_show = not no_show_done and n == 0 and back == 2
            _worked(task, day, 9, 12 + (back % 2), crew, served=80 + 20 * back + 10 * n, no_show=no_show)
            no_show_done = no_show_done or no_show
            made += 1
        # today: a shift running since an hour ago (one checked in), one in the evening
        running = shifts.add_shift(
            actor=SYSTEM, task=task, starts_at=now + timedelta(minutes=1), ends_at=now + timedelta(hours=3), needed=3
        )
        first = shifts.assign(actor=SYSTEM, shift=running, volunteer=people[0])
        shifts.assign(actor=SYSTEM, shift=running, volunteer=people[1])
        start = max(now - timedelta(hours=1), _at(today, 0, 1))
        shifts.change_shift(actor=SYSTEM, shift=running, starts_at=start)
        shifts.check_in(actor=SYSTEM, checkin=first, at=start)
        evening = max(now + timedelta(hours=4), _at(today, 18))
        if evening.date() == today and evening + timedelta(hours=2) <= _at(today, 23, 59):
            later = shifts.add_shift(
                actor=SYSTEM, task=task, starts_at=evening, ends_at=evening + timedelta(hours=2), needed=2
            )
            shifts.assign(actor=SYSTEM, shift=later, volunteer=people[2])
            made += 1
        tomorrow = today + timedelta(days=1)
        shifts.add_shift(actor=SYSTEM, task=task, starts_at=_at(tomorrow, 9), ends_at=_at(tomorrow, 12), needed=3)
        made += 2
    out(_("volunteers: %(count)s shifts of the last week, today and tomorrow") % {"count": made})
