"""The volunteers' pages: teams with the mobiles masked, task and shift pages with their slots,
the leader's phone page, the public sign-up and check-in pages (rate limited), the figures page
(no names for a viewer) and the API."""

import json
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from nuanxin.accounts.services import create_api_token
from nuanxin.core.policy import SYSTEM
from nuanxin.volunteers.choices import CheckinStatus
from nuanxin.volunteers.models import Checkin, Shift, Team, Volunteer
from nuanxin.volunteers.services import shifts
from nuanxin.volunteers.tests.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def english_client(**headers):
    """A client whose pages are in English (the language switch's cookie; the API reads the header)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en", **headers)
    client.cookies["nuanxin_language"] = "en"
    return client


def client_for(user):
    client = english_client()
    client.force_login(user)
    return client


def public():
    return english_client()


def api(user):
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return english_client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_the_team_page_masks_the_mobiles_and_adds_a_volunteer(vw):
    client = client_for(vw.leader)
    page = client.get(reverse("volunteers:team_detail", kwargs={"pk": vw.team.pk}))
    html = page.content.decode()
    assert "138****0001" in html and "13800130001" not in html and "+8613800130001" not in html
    assert client.get(reverse("volunteers:team_detail", kwargs={"pk": vw.other_team.pk})).status_code == 404
    done = client.post(
        reverse("volunteers:team_detail", kwargs={"pk": vw.team.pk}),
        {"form": "volunteer", "name": "丙丁", "mobile": "13800130001"},
    )
    assert done.status_code == 200
    assert "A volunteer of this team already has the mobile 138****0001." in done.content.decode()
    done = client.post(
        reverse("volunteers:team_detail", kwargs={"pk": vw.team.pk}),
        {"form": "volunteer", "name": "丙丁", "mobile": "13800130005", "consent_to_contact": "on"},
    )
    assert done.status_code == 302
    v = Volunteer.objects.get(name="丙丁")
    assert (v.mobile, v.consent_to_contact, v.consent_at) == ("+8613800130005", True, at(3, 9))


def test_the_team_list_opens_a_team_and_names_its_leader(vw):
    client = client_for(vw.p.yi)
    response = client.post(reverse("volunteers:team_list"), {"organisation": vw.unit.pk, "name": "新队"})
    team = Team.objects.get(name="新队")
    assert response["Location"] == reverse("volunteers:team_detail", kwargs={"pk": team.pk})
    edit = client.post(
        reverse("volunteers:team_edit", kwargs={"pk": team.pk}),
        {"name": "新队", "leader": vw.leader.pk, "active": "on", "version": 1},
    )
    assert edit.status_code == 302
    assert Team.objects.get(pk=team.pk).leader_id == vw.leader.pk
    assert client_for(vw.leader).get(reverse("volunteers:team_list")).content.decode().count("data-team=") == 2


def test_task_and_shift_pages_show_the_slots_and_the_leader_assigns(vw):
    client = client_for(vw.leader)
    shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    page = client.get(reverse("volunteers:task_detail", kwargs={"pk": vw.task.pk})).content.decode()
    assert '<span class="badge text-bg-warning" data-slots>1/3</span>' in page
    assert f"/volunteers/join/{vw.task.token}/" in page
    added = client.post(
        reverse("volunteers:task_detail", kwargs={"pk": vw.task.pk}),
        {"day": "2020-02-05", "start": "14:00", "end": "17:30", "needed": "2"},
    )
    assert added.status_code == 302
    new = Shift.objects.get(starts_at=at(5, 14))
    assert (new.ends_at, new.needed) == (at(5, 17, 30), 2)
    assigned = client.post(
        reverse("volunteers:shift_detail", kwargs={"pk": vw.shift.pk}), {"form": "assign", "volunteer": vw.b.pk}
    )
    assert assigned.status_code == 302
    page = client.get(reverse("volunteers:shift_detail", kwargs={"pk": vw.shift.pk})).content.decode()
    assert '<strong id="nx-shift-slots">2/3</strong>' in page
    assert "138****0002" in page and "13800130002" not in page


def test_the_leaders_phone_page_checks_in_and_out(vw):
    c = shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    vw.clock.move_to(at(4, 8, 45))
    client = client_for(vw.leader)
    page = client.get(reverse("volunteers:today")).content.decode()
    assert f'data-shift="{vw.shift.pk}"' in page and "核酸采样点协助" in page
    url = reverse("volunteers:place_action", kwargs={"pk": c.pk})
    done = client.post(url, {"action": "in", "next": "/volunteers/today/"}, follow=True)
    assert done.redirect_chain == [("/volunteers/today/", 302)]
    assert "志愿甲 checked in at 08:45." in done.content.decode()
    vw.clock.move_to(at(4, 11, 30))
    client = client_for(vw.leader)  # a new sign-in: the idle session has expired
    done = client.post(url, {"action": "out", "next": "https://elsewhere.example/"})
    assert done["Location"] == reverse("volunteers:shift_detail", kwargs={"pk": vw.shift.pk})
    c.refresh_from_db()
    assert (c.status, c.hours) == (CheckinStatus.DONE, Decimal("2.50"))
    again = client.post(url, {"action": "out"}, follow=True)
    assert "Already checked out at 02-04 11:30." in again.content.decode()


def test_the_no_shows_button_after_the_shift(vw):
    c = shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.b)
    client = client_for(vw.leader)
    url = reverse("volunteers:shift_no_shows", kwargs={"pk": vw.shift.pk})
    early = client.post(url, follow=True)
    assert "No-shows are recorded after the shift ends (02-04 12:00)." in early.content.decode()
    vw.clock.move_to(at(4, 12, 5))
    done = client_for(vw.leader).post(url, follow=True)
    assert "1 no-shows recorded." in done.content.decode()
    assert Checkin.objects.get(pk=c.pk).status == CheckinStatus.NO_SHOW


# --- public pages ------------------------------------------------------------------------------


def test_a_volunteer_signs_up_by_link_and_checks_in_and_out_on_the_phone(vw):
    url = reverse("volunteers:signup", kwargs={"token": vw.task.token})
    page = public().get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "核酸采样点协助" in html and "市南区人民医院门诊楼" in html
    assert f'value="{vw.shift.pk}"' in html and "0/3" in html
    refused = public().post(url, {"shift": vw.shift.pk, "name": "路人", "mobile": "13900001111"})
    assert "Tick the box to agree that the team leader may contact you about the shift." in refused.content.decode()
    done = public().post(url, {"shift": vw.shift.pk, "name": "路人", "mobile": "13900001111", "consent": "on"})
    checkin = Checkin.objects.get(volunteer__mobile="+8613900001111")
    assert done["Location"] == reverse("volunteers:my_place", kwargs={"token": checkin.token})
    mine = reverse("volunteers:my_place", kwargs={"token": checkin.token})
    html = public().get(mine).content.decode()
    assert 'data-status="signed_up"' in html and "Check-in opens at 2020-02-04 08:00." in html
    assert 'id="nx-place-checkin"' not in html
    vw.clock.move_to(at(4, 8, 55))
    html = public().post(mine, {"action": "in"}, follow=True).content.decode()
    assert "Checked in. Thank you for coming!" in html and 'data-status="checked_in"' in html
    vw.clock.move_to(at(4, 12, 10))
    html = public().post(mine, {"action": "out"}, follow=True).content.decode()
    assert "Checked out: 3.00 hours counted. Thank you!" in html
    assert '<strong id="nx-place-hours">3.00</strong>' in html


def test_the_public_pages_refuse_clearly(vw):
    assert public().get(reverse("volunteers:signup", kwargs={"token": "nope"})).status_code == 404
    assert public().get(reverse("volunteers:my_place", kwargs={"token": "nope"})).status_code == 404
    for mobile in ("13900001111", "13900002222", "13900003333"):
        shifts.sign_up(task=vw.task, shift_id=vw.shift.pk, name="满", mobile=mobile, consent=True)
    url = reverse("volunteers:signup", kwargs={"token": vw.task.token})
    html = public().get(url).content.decode()
    assert "3/3" in html and "disabled" in html
    full = public().post(url, {"shift": vw.shift.pk, "name": "晚到", "mobile": "13900004444", "consent": "on"})
    assert "This shift is full (3 of 3 places taken): choose another one." in full.content.decode()
    assert not Volunteer.objects.filter(mobile="+8613900004444").exists()
    shifts.change_task(actor=SYSTEM, task=vw.task, open_for_signup=False)
    html = public().get(url).content.decode()
    assert "This sign-up link is closed. Ask the team leader for a new one." in html


@override_settings(NUANXIN_VOLUNTEERS_SIGNUPS_PER_MOBILE_PER_DAY=2)
def test_sign_ups_are_rate_limited_per_mobile(vw):
    url = reverse("volunteers:signup", kwargs={"token": vw.task.token})
    data = {"shift": vw.shift.pk, "name": "某", "mobile": "13900001111", "consent": "on"}
    assert public().post(url, data).status_code == 302
    assert public().post(url, data).status_code == 200  # already on the shift: said on the form
    limited = public().post(url, data)
    assert limited.status_code == 429
    assert "Too many sign-ups or page views" in limited.content.decode()
    assert Checkin.objects.count() == 1


@override_settings(NUANXIN_VOLUNTEERS_VIEWS_PER_ADDRESS_PER_HOUR=3)
def test_the_public_pages_are_rate_limited_per_address(vw):
    url = reverse("volunteers:signup", kwargs={"token": vw.task.token})
    assert [public().get(url).status_code for _ in range(3)] == [200, 200, 200]
    assert public().get(url).status_code == 429
    assert public().get(reverse("volunteers:my_place", kwargs={"token": "guess"})).status_code == 429
    other = english_client(REMOTE_ADDR="10.0.0.9")
    assert other.get(url).status_code == 200


# --- figures --------------------------------------------------------------------------------------


def test_the_figures_page_shows_counts_and_no_names_to_a_viewer(vw):
    c = shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    vw.clock.move_to(at(4, 9))
    shifts.check_in(actor=None, checkin=c)
    vw.clock.move_to(at(4, 12))
    shifts.check_out(actor=None, checkin=c)
    shifts.set_people_served(actor=SYSTEM, shift=vw.shift, people_served=350)
    html = client_for(vw.p.viewer).get(reverse("volunteers:figures")).content.decode()
    assert '<div class="fs-4" data-figure="volunteer_hours">3.00</div>' in html
    assert '<div class="fs-4" data-figure="people_served">350</div>' in html
    assert '<div class="fs-4" data-figure="volunteers">2</div>' in html
    assert "志愿甲" not in html and "志愿乙" not in html and "领队" not in html and "138" not in html
    assert 'id="nx-volunteers-chart"' in html and "bar-figures.js" in html
    assert client_for(vw.p.viewer).get(reverse("volunteers:team_list")).status_code == 403
    assert client_for(vw.p.viewer).get(reverse("volunteers:home"))["Location"] == reverse("volunteers:figures")
    rows = client_for(vw.p.yi).get(reverse("volunteers:figures")).content.decode()
    assert 'data-org="SN"' in rows and 'data-org="SB"' not in rows


# --- API --------------------------------------------------------------------------------------------


def test_the_api_lists_teams_and_shifts_and_puts_volunteers_on_shifts(vw):
    teams = api(vw.leader).get("/api/v1/volunteers/teams").json()
    assert teams["count"] == 1
    assert {k: teams["items"][0][k] for k in ("name", "organisation", "leader", "volunteers")} == {
        "name": "市南医院志愿队",
        "organisation": "SN-H1",
        "leader": "leader",
        "volunteers": 2,
    }
    listed = api(vw.p.yi).get(f"/api/v1/volunteers/shifts?task={vw.task.pk}").json()
    assert [(s["id"], s["slots"]) for s in listed["items"]] == [(vw.shift.pk, "0/3")]
    client = api(vw.leader)
    url = f"/api/v1/volunteers/shifts/{vw.shift.pk}/checkins"
    one = client.post(url, json.dumps({"volunteer": vw.a.pk}), content_type="application/json")
    assert one.status_code == 201
    body = one.json()
    assert (body["status"], body["source"], body["mobile"], body["slots"]) == (
        "signed_up",
        "assigned",
        "138****0001",
        "1/3",
    )
    assert body["link"].endswith("/volunteers/c/" + Checkin.objects.get(pk=body["id"]).token + "/")
    new = client.post(
        url, json.dumps({"name": "接口新人", "mobile": "13900007777", "consent": True}), content_type="application/json"
    )
    assert new.status_code == 201 and new.json()["slots"] == "2/3"
    assert Volunteer.objects.get(mobile="+8613900007777").consent_at == at(3, 9)
    shifts.change_shift(actor=SYSTEM, shift=vw.shift, needed=2)
    full = client.post(url, json.dumps({"volunteer": vw.b.pk}), content_type="application/json")
    assert full.status_code == 400
    assert (full.json()["code"], full.json()["message"]) == (
        "full",
        "This shift is full (2 of 2 places taken): choose another one.",
    )
    other = api(vw.p.bing).post(url, json.dumps({"volunteer": vw.b.pk}), content_type="application/json")
    assert other.status_code == 404
    created = client.post(
        "/api/v1/volunteers/shifts",
        json.dumps(
            {
                "task": vw.task.pk,
                "starts_at": "2020-02-06T09:00:00+08:00",
                "ends_at": "2020-02-06T11:00:00+08:00",
                "needed": 4,
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["slots"] == "0/4"


def test_the_home_page_card_of_a_team_leader(vw):
    vw.clock.move_to(at(4, 8))
    shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    html = client_for(vw.leader).get("/").content.decode()
    assert 'id="nx-home-volunteers"' in html
    assert '<span class="badge text-bg-success" data-figure="slots">Places 1/3</span>' in html
    assert 'id="nx-home-volunteers"' not in client_for(vw.p.yi).get("/").content.decode()


# --- review fixes -----------------------------------------------------------------------------------


def test_people_served_over_100000_are_refused_on_the_page_and_nothing_is_saved(vw):
    vw.clock.move_to(at(4, 12))
    url = reverse("volunteers:shift_detail", kwargs={"pk": vw.shift.pk})
    refused = client_for(vw.leader).post(url, {"form": "served", "people_served": "99999999999", "version": 1})
    assert refused.status_code == 200
    assert "At most 100000 people served on one shift: check the number." in refused.content.decode()
    vw.shift.refresh_from_db()
    assert (vw.shift.people_served, vw.shift.version) == (None, 1)
    done = client_for(vw.leader).post(url, {"form": "served", "people_served": "100000", "version": 1})
    assert done.status_code == 302
    vw.shift.refresh_from_db()
    assert vw.shift.people_served == 100_000


def test_the_api_refuses_a_place_on_an_overlapping_shift_and_takes_no_people_served(vw):
    other_task = shifts.create_task(actor=SYSTEM, team=vw.team, title="配送物资", place="职工服务站")
    overlapping = shifts.add_shift(actor=SYSTEM, task=other_task, starts_at=at(4, 10), ends_at=at(4, 13), needed=2)
    shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    client = api(vw.leader)
    refused = client.post(
        f"/api/v1/volunteers/shifts/{overlapping.pk}/checkins",
        json.dumps({"volunteer": vw.a.pk}),
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["message"]) == (
        "overlap",
        "志愿甲 already has a place on “核酸采样点协助” at 02-04 09:00–12:00, at the same time as this shift.",
    )
    assert Checkin.objects.filter(shift=overlapping).count() == 0
    # people served are not an input of the API: a number sent is not stored
    created = client.post(
        "/api/v1/volunteers/shifts",
        json.dumps(
            {
                "task": vw.task.pk,
                "starts_at": "2020-02-06T09:00:00+08:00",
                "ends_at": "2020-02-06T11:00:00+08:00",
                "needed": 2,
                "people_served": 99_999_999_999,
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["people_served"] is None
    assert Shift.objects.get(pk=created.json()["id"]).people_served is None


def test_the_assign_form_names_the_overlapping_shift(vw):
    other_task = shifts.create_task(actor=SYSTEM, team=vw.team, title="配送物资", place="职工服务站")
    overlapping = shifts.add_shift(actor=SYSTEM, task=other_task, starts_at=at(4, 8), ends_at=at(4, 9, 30), needed=2)
    shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    refused = client_for(vw.leader).post(
        reverse("volunteers:shift_detail", kwargs={"pk": overlapping.pk}), {"form": "assign", "volunteer": vw.a.pk}
    )
    assert refused.status_code == 200
    assert (
        "志愿甲 already has a place on “核酸采样点协助” at 02-04 09:00–12:00, at the same time as this shift."
        in refused.content.decode()
    )


def test_the_volunteers_page_refuses_check_out_before_the_start_and_undoes_one(vw):
    checkin = shifts.sign_up(
        task=vw.task, shift_id=vw.shift.pk, name="路人", mobile="13900001111", consent=True
    ).checkin
    mine = reverse("volunteers:my_place", kwargs={"token": checkin.token})
    vw.clock.move_to(at(4, 8, 30))
    html = public().post(mine, {"action": "in"}, follow=True).content.decode()
    assert 'data-status="checked_in"' in html and 'id="nx-place-checkout"' not in html
    assert (
        '<p class="text-secondary" id="nx-place-out-opens">'
        "The shift starts at 09:00: check out once it has started.</p>" in html
    )
    html = public().post(mine, {"action": "out"}, follow=True).content.decode()
    assert "The shift starts at 02-04 09:00: you can check out once it has started." in html
    assert 'data-status="checked_in"' in html
    vw.clock.move_to(at(4, 10))
    html = public().get(mine).content.decode()
    assert 'id="nx-place-checkout"' in html and 'id="nx-place-undo-out"' not in html
    html = public().post(mine, {"action": "out"}, follow=True).content.decode()
    assert "Checked out: 1.00 hours counted. Thank you!" in html
    assert 'id="nx-place-undo-out"' in html and "Possible within 10 minutes of checking out." in html
    vw.clock.move_to(at(4, 10, 5))
    html = public().post(mine, {"action": "undo_out"}, follow=True).content.decode()
    assert "Your check-out is undone: you are checked in again." in html
    assert 'data-status="checked_in"' in html and 'id="nx-place-checkout"' in html
    vw.clock.move_to(at(4, 12))
    html = public().post(mine, {"action": "out"}, follow=True).content.decode()
    assert '<strong id="nx-place-hours">3.00</strong>' in html
    vw.clock.move_to(at(4, 12, 11))
    html = public().get(mine).content.decode()
    assert 'id="nx-place-undo-out"' not in html
    html = public().post(mine, {"action": "undo_out"}, follow=True).content.decode()
    assert "A check-out can be undone within 10 minutes only: ask the team leader." in html
    assert Checkin.objects.get(pk=checkin.pk).hours == Decimal("3.00")


def test_the_leader_undoes_a_check_out_and_hours_read_h_then_in_chinese_xiaoshi(vw):
    c = shifts.assign(actor=SYSTEM, shift=vw.shift, volunteer=vw.a)
    vw.clock.move_to(at(4, 9))
    shifts.check_in(actor=None, checkin=c)
    vw.clock.move_to(at(4, 10, 6))
    shifts.check_out(actor=None, checkin=c)
    vw.clock.move_to(at(4, 11))
    client = client_for(vw.leader)
    page = client.get(reverse("volunteers:shift_detail", kwargs={"pk": vw.shift.pk})).content.decode()
    assert '<span class="small" data-hours>1.10 h</span>' in page and 'data-action="undo_out"' in page
    chinese = Client()
    chinese.force_login(vw.leader)
    with translation.override("zh-hans"):
        page = chinese.get(reverse("volunteers:shift_detail", kwargs={"pk": vw.shift.pk})).content.decode()
    assert '<span class="small" data-hours>1.10 小时</span>' in page
    url = reverse("volunteers:place_action", kwargs={"pk": c.pk})
    done = client.post(url, {"action": "undo_out"}, follow=True)
    assert "The check-out of 志愿甲 is undone: checked in since 09:00." in done.content.decode()
    c.refresh_from_db()
    assert (c.status, c.checked_out_at, c.hours) == (CheckinStatus.CHECKED_IN, None, Decimal("0.00"))


def test_the_teams_page_is_titled_volunteer_teams_not_their_number(vw):
    chinese = Client()
    chinese.force_login(vw.p.yi)
    with translation.override("zh-hans"):
        html = chinese.get(reverse("volunteers:team_list")).content.decode()
    assert '<h1 class="h3 mb-2">志愿服务队</h1>' in html
    assert "志愿服务队数" not in html
