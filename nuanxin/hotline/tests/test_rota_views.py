"""The rota's pages, API, command and demo, as their users reach them (English pages)."""

import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections
from django.test import Client
from django.urls import reverse

from nuanxin import cli
from nuanxin.accounts.services import create_api_token
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.choices import SwapStatus
from nuanxin.hotline.models import CalendarFeed, Shift, ShiftAssignment, ShiftPattern, SwapRequest
from nuanxin.hotline.services import rota

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 3, 2)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SH)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(MONDAY - timedelta(days=3), 10), tick=False) as traveller:
        yield traveller


def client_for(user) -> Client:
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def planned(h):
    for name, hour in (("早班", 8), ("中班", 16), ("夜班", 0)):
        rota.create_pattern(actor=SYSTEM, hotline=h.city, name=name, starts_at=time(hour), hours=8)
    rota.generate_shifts(actor=SYSTEM, hotline=h.city, start=MONDAY, weeks=1)
    h.morning = Shift.objects.get(hotline=h.city, starts_at=local(MONDAY, 8))
    # The counsellor on the 16:00 shifts, the colleague on the others, the supervisor on every one;
    # the Monday 08:00 shift has the counsellor alone (a seat missing).
    for shift in Shift.objects.filter(hotline=h.city):
        if shift != h.morning:
            person = h.counsellor if shift.starts_at.astimezone(SH).hour == 16 else h.colleague
            rota.assign(actor=SYSTEM, shift=shift, counsellor=person)
            rota.assign(actor=SYSTEM, shift=shift, counsellor=h.supervisor)
    rota.assign(actor=SYSTEM, shift=h.morning, counsellor=h.counsellor)
    return h


def week_url(h, monday=MONDAY) -> str:
    return reverse("hotline:rota_week", args=[h.city.pk]) + f"?week={monday.isoformat()}"


# --- the week --------------------------------------------------------------------------------


def test_the_generate_form_in_chinese_posts_back_as_rendered(h):
    """The start date is shown as 2026-03-09 (an <input type=date> shows nothing else), and the
    form posted as it was rendered makes the shifts."""
    rota.create_pattern(actor=h.coordinator, hotline=h.city, name="早班", starts_at=time(8), hours=8)
    client = Client()  # no language cookie: Chinese
    client.force_login(h.coordinator)
    url = reverse("hotline:rota_generate", args=[h.city.pk])
    page = client.get(url).content.decode()
    [start] = re.findall(r'<input type="date" name="start" value="([^"]*)"', page)
    [weeks] = re.findall(r'<input type="number" name="weeks" value="([^"]*)"', page)
    assert (start, weeks) == ("2026-03-02", "1")
    response = client.post(url, {"start": start, "weeks": weeks})
    assert response.status_code == 302 and response.url == week_url(h)
    assert Shift.objects.filter(hotline=h.city).count() == 7


def test_the_coordinator_generates_the_week_and_sees_the_gap(h):
    for name, hour in (("早班", 8), ("中班", 16), ("夜班", 0)):
        rota.create_pattern(actor=h.coordinator, hotline=h.city, name=name, starts_at=time(hour), hours=8)
    client = client_for(h.coordinator)
    assert client.get(reverse("hotline:rota")).url == reverse("hotline:rota_week", args=[h.city.pk])
    page = client.get(week_url(h)).content.decode()
    assert "No shift is planned in this week." in page
    response = client.post(reverse("hotline:rota_generate", args=[h.city.pk]), {"start": "2026-03-02", "weeks": "1"})
    assert response.status_code == 302 and response.url == week_url(h)
    assert Shift.objects.filter(hotline=h.city).count() == 21
    page = client.get(response.url).content.decode()
    assert "21 shifts below their minimum seats" in page
    assert page.count('data-short="2"') == 42  # every shift twice (the phone list and the desktop grid)
    assert 'href="?week=2026-02-23"' in page and 'href="?week=2026-03-09"' in page
    # One person on the Monday morning shift: one seat still missing there.
    morning = Shift.objects.get(hotline=h.city, starts_at=local(MONDAY, 8))
    response = client.post(reverse("hotline:shift_assign", args=[morning.pk]), {"counsellor": h.counsellor.pk})
    assert response.status_code == 302
    page = client.get(week_url(h)).content.decode()
    assert f'data-shift="{morning.pk}" data-short="1"' in page
    assert "1 seat missing" in page


def test_who_is_on_duty_now(planned, clock):
    h = planned
    clock.move_to(local(MONDAY, 9))
    page = client_for(h.counsellor).get(week_url(h)).content.decode()
    on_duty = page[page.index('id="nx-on-duty"'):page.index("</section>", page.index('id="nx-on-duty"'))]
    assert f'data-on-duty="{h.counsellor.pk}"' in on_duty and 'data-on-duty-count>1<' in on_duty
    # A counsellor sees the rota, without the planner's controls.
    assert 'id="nx-rota-plan"' not in page
    assert 'id="nx-rota-plan"' in client_for(h.coordinator).get(week_url(h)).content.decode()


def test_an_unknown_week_falls_back_to_this_week(planned):
    page = client_for(planned.coordinator).get(reverse("hotline:rota_week", args=[planned.city.pk]) + "?week=x")
    assert '<span class="fw-semibold" id="nx-rota-week">2026-02-23 – 03-01</span>' in page.content.decode()


# --- one shift -------------------------------------------------------------------------------


def test_assign_refusal_is_shown_on_the_form(planned):
    h = planned
    client = client_for(h.coordinator)
    page = client.get(reverse("hotline:shift_detail", args=[h.morning.pk])).content.decode()
    assert "1 of 2 seats filled" in page
    options = re.findall(r'<option value="(\d+)"', page)
    assert sorted(int(o) for o in options) == sorted([h.colleague.pk, h.supervisor.pk])  # not the one on it
    # The supervisor is on the Monday 00:00 shift: 08:00 is back to back, so allowed.
    response = client.post(reverse("hotline:shift_assign", args=[h.morning.pk]), {"counsellor": h.supervisor.pk})
    assert response.status_code == 302
    # An overlapping extra shift: refused with the reason on the form, nothing saved.
    rota.create_pattern(actor=SYSTEM, hotline=h.city, name="加班", starts_at=time(12), hours=2, weekdays="0",
                        allow_overlap=True)
    [extra] = rota.generate_shifts(actor=SYSTEM, hotline=h.city, start=MONDAY, weeks=1)
    response = client.post(reverse("hotline:shift_assign", args=[extra.pk]), {"counsellor": h.counsellor.pk})
    assert response.status_code == 200
    assert "心理援助师 is already on duty then: 青岛市总工会心理健康服务基地, 2026-03-02 08:00–16:00." in (
        response.content.decode()
    )
    assert extra.assignments.count() == 0


def test_unassign_and_remove_a_shift(planned):
    h = planned
    client = client_for(h.coordinator)
    duty = h.morning.assignments.get()
    response = client.post(reverse("hotline:shift_unassign", args=[h.morning.pk]), {"duty": duty.pk})
    assert response.status_code == 302
    assert h.morning.assignments.count() == 0
    response = client.post(reverse("hotline:shift_delete", args=[h.morning.pk]))
    assert response.status_code == 302 and response.url == week_url(h)
    assert not Shift.objects.filter(pk=h.morning.pk).exists()
    # A duty of another shift named: 404.
    other = ShiftAssignment.objects.exclude(shift__starts_at=local(MONDAY, 8)).first()
    shift = Shift.objects.filter(hotline=h.city).exclude(pk=other.shift_id).first()
    assert client.post(reverse("hotline:shift_unassign", args=[shift.pk]), {"duty": other.pk}).status_code == 404


def test_patterns_page(h):
    client = client_for(h.coordinator)
    url = reverse("hotline:rota_patterns", args=[h.city.pk])
    data = {"name": "早班", "starts_at": "08:00", "hours": "8", "weekdays": ["0", "1", "2", "3", "4"]}
    assert client.post(url, data).status_code == 302
    pattern = ShiftPattern.objects.get()
    assert (pattern.starts_at, pattern.hours, pattern.weekdays, pattern.min_seats) == (time(8), 8, "01234", None)
    response = client.post(url, {**data, "name": "加班", "starts_at": "12:00"})
    assert response.status_code == 200
    assert "This shift overlaps “早班” (08:00, 8 hours)." in response.content.decode()
    assert ShiftPattern.objects.count() == 1
    edit = reverse("hotline:pattern_edit", args=[pattern.pk])
    assert client.post(edit, {**data, "min_seats": "3", "active": "on"}).status_code == 302
    assert ShiftPattern.objects.get().min_seats == 3
    assert client.post(reverse("hotline:pattern_delete", args=[pattern.pk])).status_code == 302
    assert ShiftPattern.objects.count() == 0


# --- a counsellor's duties and swaps ---------------------------------------------------------


def test_my_duties_and_a_swap(planned, personas):
    h = planned
    client = client_for(h.counsellor)
    page = client.get(reverse("hotline:my_duties")).content.decode()
    mine = ShiftAssignment.objects.filter(counsellor=h.counsellor).order_by("shift__starts_at")
    assert page.count("data-duty=") == mine.count() == 8  # Monday 08:00 and seven evening shifts
    duty = mine.first()
    assert reverse("hotline:swap_request", args=[duty.pk]) in page
    form = client.get(reverse("hotline:swap_request", args=[duty.pk])).content.decode()
    assert f'<option value="{h.colleague.pk}">hotline-colleague</option>' in form
    response = client.post(reverse("hotline:swap_request", args=[duty.pk]), {"taker": h.colleague.pk, "note": "家事"})
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert (swap.assignment, swap.taker, swap.note) == (duty, h.colleague, "家事")
    page = client.get(reverse("hotline:my_duties")).content.decode()
    assert "Swap asked" in page and f'data-swap="{swap.pk}"' in page
    # The colleague sees it among their pending swaps; the coordinator approves it.
    assert f'data-swap="{swap.pk}"' in client_for(h.colleague).get(reverse("hotline:my_duties")).content.decode()
    coordinator = client_for(h.coordinator)
    assert f'data-swap="{swap.pk}"' in coordinator.get(reverse("hotline:swap_list")).content.decode()
    response = coordinator.post(reverse("hotline:swap_decide", args=[swap.pk]), {"decision": "approve"})
    assert response.status_code == 302
    assert ShiftAssignment.objects.get(pk=duty.pk).counsellor == h.colleague
    assert SwapRequest.objects.get().status == SwapStatus.APPROVED
    # Someone else's duty: 404, even a colleague's on the same hotline.
    theirs = ShiftAssignment.objects.filter(counsellor=h.colleague).first()
    assert client.get(reverse("hotline:swap_request", args=[theirs.pk])).status_code == 404


def test_withdraw_from_the_page(planned):
    h = planned
    duty = ShiftAssignment.objects.filter(counsellor=h.counsellor).first()
    swap = rota.request_swap(actor=h.counsellor, assignment=duty, taker=h.colleague)
    assert client_for(h.colleague).post(reverse("hotline:swap_withdraw", args=[swap.pk])).status_code == 404
    response = client_for(h.counsellor).post(reverse("hotline:swap_withdraw", args=[swap.pk]))
    assert response.status_code == 302
    assert SwapRequest.objects.get().status == SwapStatus.CANCELLED


# --- hours -----------------------------------------------------------------------------------


def test_hours_per_counsellor(planned):
    h = planned
    page = client_for(h.coordinator).get(reverse("hotline:rota_hours", args=[h.city.pk]) + "?month=2026-03")
    html = page.content.decode()
    data = json.loads(re.search(r'<script id="nx-hours-data" type="application/json">(.*?)</script>', html).group(1))
    # 21 shifts of 8 hours: the supervisor has 20 (every one but Monday 08:00), the colleague 13 (the
    # 00:00 and 08:00 shifts but Monday's 08:00), the counsellor 8 (Monday 08:00 and the 16:00 shifts).
    assert data["names"] == ["hotline-supervisor", "hotline-colleague", "心理援助师"]
    assert data["hours"] == [160.0, 104.0, 64.0]
    assert data["shifts"] == [20, 13, 8]
    assert "vendor/echarts/6.1.0/echarts.min.js" in html and "nuanxin/hotline-rota.js" in html
    assert '<td class="text-end fw-semibold">328.0</td>' in html
    empty = client_for(h.coordinator).get(reverse("hotline:rota_hours", args=[h.city.pk]) + "?month=2026-05")
    assert "Nobody was on duty in this month." in empty.content.decode()


# --- the calendar address --------------------------------------------------------------------


def test_calendar_address_pages_and_feed(planned):
    h = planned
    client = client_for(h.counsellor)
    assert "You have no calendar address." in client.get(reverse("hotline:calendar")).content.decode()
    page = client.post(reverse("hotline:calendar_new")).content.decode()
    url = re.search(r'id="nx-calendar-new">.*?value="(http://testserver/hotline/calendar/[^"]+\.ics)"', page,
                    re.S).group(1)
    token = url.rsplit("/", 1)[1][:-4]
    assert CalendarFeed.objects.get().token_hash == rota.feed_hash(token)
    # The address is shown once: the page afterwards does not hold it.
    assert token not in client.get(reverse("hotline:calendar")).content.decode()
    anonymous = Client()
    feed = anonymous.get(url)
    assert feed.status_code == 200 and feed["Content-Type"] == "text/calendar; charset=utf-8"
    assert feed.content.decode().count("BEGIN:VEVENT") == 8
    assert anonymous.get(reverse("hotline:calendar_ics", args=["nope"])).status_code == 404
    assert client.post(reverse("hotline:calendar_revoke")).status_code == 302
    assert anonymous.get(url).status_code == 404
    assert [a.action for a in AuditLog.objects.filter(action__startswith="hotline.calendar").order_by("pk")] == [
        "hotline.calendar_create", "hotline.calendar_revoke",
    ]


# --- the menu --------------------------------------------------------------------------------


def test_menu_entries(h, personas):
    def menu(user) -> set[str]:
        html = client_for(user).get("/").content.decode()
        return {label for label in ("nx-nav-my-duties", "nx-nav-rota") if f'id="{label}"' in html}

    assert menu(h.counsellor) == {"nx-nav-my-duties"}
    assert menu(h.supervisor) == {"nx-nav-my-duties"}
    assert menu(h.coordinator) == {"nx-nav-rota"}
    assert menu(personas.jia) == {"nx-nav-rota"}
    assert menu(personas.viewer) == set()
    assert menu(personas.care) == set()


# --- the API ---------------------------------------------------------------------------------


def api(user, query: str):
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client().get(f"/api/v1/hotline/shifts?{query}", HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_api_shifts(planned, personas):
    h = planned
    response = api(h.counsellor, f"hotline={h.city.pk}&from=2026-03-02&to=2026-03-02")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    first = body["items"][1]
    assert first == {
        "id": h.morning.pk,
        "hotline": h.city.pk,
        "hotline_name": "青岛市总工会心理健康服务基地",
        "starts_at": "2026-03-02T08:00:00+08:00",
        "ends_at": "2026-03-02T16:00:00+08:00",
        "name": "早班",
        "min_seats": 2,
        "filled": 1,
        "short": 1,
        "counsellors": ["心理援助师"],
    }
    # Default: today (Friday 2026-02-27) and the six days after: the shifts of 2 to 5 March.
    assert api(h.counsellor, "").json()["count"] == 3 * 4
    # Every hotline the token reaches: the auditor sees the rota (not a psychological record).
    assert api(personas.auditor, "from=2026-03-02&to=2026-03-08").json()["count"] == 21
    assert api(h.stranger, "from=2026-03-02&to=2026-03-08").json()["count"] == 0
    assert api(h.stranger, f"hotline={h.city.pk}").status_code == 404
    bad = api(h.counsellor, "from=2026-03-08&to=2026-03-01")
    assert bad.status_code == 400 and bad.json()["field"] == "to"
    assert api(h.counsellor, "from=2026-01-01&to=2026-06-01").status_code == 400
    assert api(personas.care, "").status_code == 403


# --- the command -----------------------------------------------------------------------------


@pytest.fixture
def run(monkeypatch, capsys):
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str):
        capsys.readouterr()
        try:
            cli.main(["nuanxin", *args])
            status = 0
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_command_help(run):
    status, out, _err = run("hotline_shifts", "--help")
    assert status == 0
    text = " ".join(out.split())
    for words in ("--hotline ID", "--all", "--list", "--weeks WEEKS", "--start YYYY-MM-DD",
                  "Shifts already on the rota are kept", "Exit status: 0 done"):
        assert words in text, words


def test_command_generates(h, run, english):
    for name, hour in (("早班", 8), ("中班", 16), ("夜班", 0)):
        rota.create_pattern(actor=SYSTEM, hotline=h.city, name=name, starts_at=time(hour), hours=8)
    assert run("hotline_shifts", "--hotline", str(h.city.pk), "--start", "2026-03-02", "--weeks", "1") == (
        0, "青岛市总工会心理健康服务基地: 21 new shifts from 2026-03-02 for 1 weeks.\n", "",
    )
    # --all: this week's Monday by default (2026-02-23), two weeks; the hotline without patterns is left out.
    status, out, _err = run("hotline_shifts", "--all")
    assert status == 0
    # Friday 10:00: Monday to Friday 08:00 are over; Friday 08:00 and 16:00 and the weekend are made, and the
    # week of 2 March is there already.
    assert out == (
        "青岛市总工会心理健康服务基地: 8 new shifts from 2026-02-23 for 2 weeks.\n8 new shifts in all.\n"
    )
    assert AuditLog.objects.filter(action="hotline.shifts_generate", actor__isnull=True).count() == 2
    assert run("hotline_shifts", "--list")[1] == (
        f"{h.city.pk}\t青岛市总工会心理健康服务基地\t3 patterns\n{h.other.pk}\t市北区职工心理服务中心\t0 patterns\n"
    )
    assert run("hotline_shifts", "--hotline", "999") == (1, "", "CommandError: No hotline has the id 999.\n")
    status, _out, err = run("hotline_shifts", "--all", "--weeks", "13")
    assert status == 2 and "Generate between 1 and 12 weeks at a time." in err
    status, _out, err = run("hotline_shifts", "--all", "--start", "2026-3-2")
    assert status == 2 and "“2026-3-2” is not a date: write YYYY-MM-DD." in err


# --- the demo --------------------------------------------------------------------------------


def test_demo_rota(h, personas, clock, english):
    from nuanxin.core.roles import Role
    from nuanxin.hotline.choices import MemberKind
    from nuanxin.hotline.demo import rota as demo
    from nuanxin.hotline.services import hotlines as hotline_services
    from nuanxin.notify.models import Notification
    from nuanxin.orgs import services as org_services

    clock.move_to(local(MONDAY + timedelta(days=2), 9))  # Wednesday 09:00
    h.other.name = demo.LAIXI  # 市北区's hotline stands in for 莱西's
    h.other.save()
    for username in ("laixi-2", "laixi-3"):
        user, _pw = org_services.create_user(
            actor=SYSTEM, username=username, organisation=personas.shibei, role=Role.COUNSELLOR
        )
        hotline_services.add_member(actor=SYSTEM, hotline=h.other, user=user, kind=MemberKind.COUNSELLOR)
    lines: list[str] = []
    demo.build(out=lines.append)
    city = Shift.objects.filter(hotline=h.city)
    # This week from Wednesday 08:00 (running) and next week: 3 × 5 - 1 + 21 shifts.
    assert city.count() == 35
    assert ShiftPattern.objects.filter(hotline=h.city).count() == 3
    assert Shift.objects.filter(hotline=h.other).count() == 2 * 5 + 14
    short = {(s.hotline_id, s.starts_at) for s in Shift.objects.all() if s.assignments.count() < s.min_seats}
    assert short == {
        (h.city.pk, local(MONDAY + timedelta(days=9), 16)),  # next Wednesday's 中班
        (h.city.pk, local(MONDAY + timedelta(days=4), 0)),  # the day after tomorrow's 夜班
        (h.other.pk, local(MONDAY + timedelta(days=10), 15)),  # next Thursday's 下午班 of 莱西
    }
    from nuanxin.hotline.selectors import rota as selectors

    assert len(selectors.on_duty(h.city)) == 2
    assert lines == ["rota: 59 shifts, 3 short of seats (2 hotlines planned now)"]
    # The gap within three days is notified to the city base's coordinator.
    assert Notification.objects.filter(recipient=h.coordinator, kind="hotline.shift_gap").count() == 1
    # Idempotent.
    demo.build(out=lines.append)
    assert Shift.objects.count() == 59


def test_home_card(planned, personas):
    h = planned
    html = client_for(h.counsellor).get("/").content.decode()
    assert f'data-next-duty="{h.morning.assignments.get().pk}"' in html
    assert "My next shift: " in html and "03-02 Mon 08:00–16:00" in html
    html = client_for(h.coordinator).get("/").content.decode()
    # Within seven days of Friday 10:00: every shift of Monday to Thursday, the morning one short.
    assert 'data-gaps="1"' in html and "1 shift in the next 7 days is short of seats" in html
    assert 'id="nx-home-rota"' not in client_for(personas.yi).get("/").content.decode()
    assert 'id="nx-home-rota"' not in client_for(personas.viewer).get("/").content.decode()


def test_a_refused_unassign_says_why(planned):
    h = planned
    duty = h.morning.assignments.get()
    rota.request_swap(actor=h.counsellor, assignment=duty, taker=h.colleague)
    response = client_for(h.coordinator).post(reverse("hotline:shift_unassign", args=[h.morning.pk]), {"duty": duty.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "A swap of this duty is waiting for a decision: approve or reject it first." in html
    assert html.index("data-refusal") > html.index('id="nx-shift-body"')  # inside the part htmx swaps
    assert h.morning.assignments.count() == 1


def test_refusals_of_buttons(planned, clock):
    h = planned
    # Removing a shift that has people on it.
    client = client_for(h.coordinator)
    response = client.post(reverse("hotline:shift_delete", args=[h.morning.pk]), follow=True)
    assert "Take everyone off this shift before removing it." in response.content.decode()
    assert Shift.objects.filter(pk=h.morning.pk).exists()
    # Withdrawing a swap already decided.
    duty = h.morning.assignments.get()
    swap = rota.request_swap(actor=h.counsellor, assignment=duty, taker=h.colleague)
    rota.decide_swap(actor=h.coordinator, swap=swap, approve=False)
    response = client_for(h.counsellor).post(reverse("hotline:swap_withdraw", args=[swap.pk]), follow=True)
    assert "This swap request is already decided or withdrawn." in response.content.decode()
    # Deciding one already decided.
    response = client.post(reverse("hotline:swap_decide", args=[swap.pk]), {"decision": "approve"}, follow=True)
    assert "This swap request is already decided or withdrawn." in response.content.decode()
    assert ShiftAssignment.objects.get(pk=duty.pk).counsellor == h.counsellor
