"""The care contact's pages through HTTP: my families this week, the visit form (two taps
from the list, one request), editing a visit with a conflict, a family's timeline and
excusing a week."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nuanxin.care import services
from nuanxin.care.choices import DifficultySource, DutyStatus
from nuanxin.care.models import Difficulty, Visit, VisitDuty
from nuanxin.care.tests.helpers import worker
from nuanxin.care.tests.pages_fixtures import W2, WED, client_for, page_world
from nuanxin.core.models import AuditLog


def duty_rows(html: str, status: str) -> int:
    return html.count(f'data-status="{status}" ')


@pytest.fixture
def world(personas):
    with page_world(personas) as w:
        yield w


# --- my families this week --------------------------------------------------------------------


def test_my_week_groups_the_families_by_status_with_call_links(personas, world):
    response = client_for(personas.care).get(reverse("care:my_week"))
    assert response.status_code == 200
    groups = {status: [d.worker.name for d in rows] for status, _label, rows in response.context["groups"]}
    assert groups == {"due": ["安一"], "missed": [], "excused": ["安三"], "done": ["安二"]}
    assert response.context["week_label"] == "2020-W06"
    html = response.content.decode()
    # One-tap call links for the worker and the primary family member, full numbers in tel:.
    assert html.count(f'href="tel:{world.a1.mobile}"') == 1
    member = world.a1.family.get(is_primary=True)
    assert html.count(f'href="tel:{member.mobile}"') == 1
    # The last visit (any week) and the visit form one tap away.
    assert "<span data-last-visit>2020-01-29</span>" in html
    assert html.count(reverse("care:visit_create", args=[world.a1.pk]) + "?next=") == 1
    # The CDC family owes nothing this week but is listed below, reachable too.
    assert [w.name for w in response.context["others"]] == ["疾控"]
    # Showing the numbers is recorded once for the page view.
    row = AuditLog.objects.get(action="care.call_links")
    assert row.detail == {"page": "my_week", "workers": sorted([world.a1.pk, world.a2.pk, world.a3.pk, world.cdc.pk])}
    assert row.organisation == world.a1.organisation  # so the unit's auditors see it


def test_my_week_of_a_past_week_shows_missed_families(personas, world):
    response = client_for(personas.care).get(reverse("care:my_week"), {"week": "2020-W05"})
    groups = {status: [d.worker.name for d in rows] for status, _label, rows in response.context["groups"]}
    assert groups == {"due": [], "missed": ["安二", "安三"], "excused": [], "done": ["安一"]}
    assert response.context["next_week"] == "2020-W06"


def test_my_week_queries_do_not_grow_with_the_families(personas, world, django_assert_num_queries):
    client = client_for(personas.care)
    client.get(reverse("care:my_week"))  # the first request stamps the session
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("care:my_week"))
    more = [worker(personas.shinan_hospital, f"新{i}") for i in range(4)]
    services.bulk_assign(actor=personas.yi, campaign=world.campaign, workers=more, contact=personas.care)
    assert VisitDuty.objects.filter(week=W2, worker__in=more).count() == 4
    with django_assert_num_queries(len(first)):
        response = client.get(reverse("care:my_week"))
    assert len(response.context["groups"][0][2]) == 5


def test_my_week_is_for_care_contacts(personas, world):
    assert client_for(personas.yi).get(reverse("care:my_week")).status_code == 403
    assert client_for(personas.viewer).get(reverse("care:my_week")).status_code == 403
    response = Client().get(reverse("care:my_week"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_care_contact_sees_only_their_own_families(personas, world):
    response = client_for(world.care_sb).get(reverse("care:my_week"))
    groups = {status: [d.worker.name for d in rows] for status, _label, rows in response.context["groups"]}
    assert groups == {"due": ["北一"], "missed": [], "excused": [], "done": []}
    assert client_for(world.care_sb).get(reverse("care:family", args=[world.a1.pk])).status_code == 404
    assert client_for(world.care_sb).get(reverse("care:visit_create", args=[world.a1.pk])).status_code == 404


# --- the visit form ---------------------------------------------------------------------------


def test_two_taps_from_the_list_to_the_visit_form(personas, world):
    client = client_for(personas.care)
    week = client.get(reverse("care:my_week")).content.decode()
    family_url = reverse("care:family", args=[world.a1.pk])
    assert f'href="{family_url}"' in week  # tap 1: the family
    family = client.get(family_url).content.decode()
    visit_url = reverse("care:visit_create", args=[world.a1.pk])
    assert f'href="{visit_url}" id="nx-log-visit"' in family  # tap 2: "Log a visit"
    form = client.get(visit_url)
    assert form.status_code == 200
    html = form.content.decode()
    for name in (
        "on",
        "mode",
        "visitors",
        "items-0-item",
        "items-0-quantity",
        "items-0-value",
        "state_of_mind",
        "opinions",
        "notes",
        "diffs-0-description",
        "diffs-0-category",
        "diffs-0-urgency",
    ):
        assert f'name="{name}"' in html, name
    assert 'value="2020-02-05"' in html  # the date defaults to today
    assert html.count('type="radio" name="mode"') == 4
    assert '<template id="nx-template-items">' in html and "care.js" in html


def visit_post(**overrides):
    data = {
        "on": "2020-02-05",
        "mode": "home",
        "visitors": "张联络",
        "state_of_mind": "情绪稳定",
        "opinions": "希望多陪伴",
        "notes": "",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-item": "大米",
        "items-0-quantity": "2",
        "items-0-unit": "袋",
        "items-0-value": "120.5",
        "items-1-item": "",
        "diffs-TOTAL_FORMS": "1",
        "diffs-INITIAL_FORMS": "0",
        "diffs-0-description": "孩子网课无人辅导",
        "diffs-0-category": "childcare",
        "diffs-0-urgency": "urgent",
    }
    data.update(overrides)
    return data


def test_the_visit_form_posts_in_one_request_and_the_week_is_done(personas, world):
    client = client_for(personas.care)
    url = reverse("care:visit_create", args=[world.a1.pk]) + "?next=" + reverse("care:my_week")
    response = client.post(url, visit_post(next=reverse("care:my_week")))
    assert response.status_code == 302 and response["Location"] == reverse("care:my_week")
    visit = Visit.objects.get(worker=world.a1, on=WED)
    fields = (visit.mode, visit.visitors, visit.state_of_mind, visit.opinions)
    assert fields == ("home", "张联络", "情绪稳定", "希望多陪伴")
    assert [(i.item, i.quantity, i.unit, i.value) for i in visit.items.all()] == [
        ("大米", Decimal("2.00"), "袋", Decimal("120.50"))
    ]
    difficulty = Difficulty.objects.get(worker=world.a1)
    assert (difficulty.source, difficulty.category, difficulty.urgency, difficulty.visit) == (
        DifficultySource.VISIT,
        "childcare",
        "urgent",
        visit,
    )
    assert VisitDuty.objects.get(worker=world.a1, week=W2).status == DutyStatus.DONE
    page = client.get(reverse("care:my_week"))
    groups = {status: [d.worker.name for d in rows] for status, _label, rows in page.context["groups"]}
    assert groups["done"] == ["安二", "安一"] and groups["due"] == []


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"items-0-value": "-3"}, "value"),
        ({"items-0-item": "", "items-0-quantity": "2"}, "item"),
        ({"on": "2020-02-06"}, "on"),  # tomorrow
        ({"mode": "pigeon"}, "mode"),
    ],
)
def test_a_bad_visit_shows_the_error_on_its_field_and_saves_nothing(personas, world, overrides, field):
    response = client_for(personas.care).post(reverse("care:visit_create", args=[world.a1.pk]), visit_post(**overrides))
    assert response.status_code == 200  # like every form page: errors shown, 200
    form, items = response.context["form"], response.context["items"]
    errors = {**form.errors, **items.forms[0].errors}
    assert list(errors) == [field]
    assert Visit.objects.filter(worker=world.a1).count() == 1
    assert Difficulty.objects.count() == 0
    assert "孩子网课无人辅导" in response.content.decode()  # the input is shown back


def test_add_a_row_without_javascript_saves_nothing(personas, world):
    response = client_for(personas.care).post(
        reverse("care:visit_create", args=[world.a1.pk]), visit_post(add_row="items")
    )
    assert response.status_code == 200
    assert response.context["items"].total_form_count() == 3
    assert 'name="items-2-item"' in response.content.decode()
    assert Visit.objects.filter(worker=world.a1).count() == 1


def test_admins_log_visits_too_and_other_organisations_get_404(personas, world):
    url = reverse("care:visit_create", args=[world.a1.pk])
    assert client_for(personas.bing).post(url, visit_post()).status_code == 404
    assert client_for(personas.viewer).get(url).status_code == 403
    assert Visit.objects.filter(worker=world.a1).count() == 1
    assert client_for(personas.yi).post(url, visit_post()).status_code == 302
    assert Visit.objects.filter(worker=world.a1).count() == 2


# --- editing a visit --------------------------------------------------------------------------


def edit_post(visit, **overrides):
    data = {
        "on": visit.on.isoformat(),
        "mode": visit.mode,
        "visitors": visit.visitors,
        "state_of_mind": visit.state_of_mind,
        "opinions": visit.opinions,
        "notes": visit.notes,
        "version": str(visit.version),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-item": "",
    }
    data.update(overrides)
    return data


def test_edit_a_visit_and_a_conflict_keeps_the_users_input(personas, world):
    visit = Visit.objects.get(worker=world.a2)
    url = reverse("care:visit_update", args=[visit.pk])
    care, yi = client_for(personas.care), client_for(personas.yi)
    form = care.get(url)
    assert form.status_code == 200 and 'name="version" value="1"' in form.content.decode()
    # 乙 saves first ...
    assert yi.post(url, edit_post(visit, notes="乙补记：送了米")).status_code == 302
    # ... the care contact, who opened the form at version 1, does not overwrite it silently.
    response = care.post(url, edit_post(visit, state_of_mind="挂念在武汉的爱人", notes="联系人的记录"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "乙" in response.context["form"].non_field_errors()[0]
    assert "挂念在武汉的爱人" in html and "联系人的记录" in html  # the user's input is kept
    assert response.context["conflict"].notes == "乙补记：送了米"  # theirs is shown
    assert 'name="version" value="2"' in html
    visit.refresh_from_db()
    assert (visit.notes, visit.state_of_mind, visit.version) == ("乙补记：送了米", "", 2)
    # Saving again, having seen theirs, replaces it deliberately.
    again = care.post(url, edit_post(visit, state_of_mind="挂念在武汉的爱人", notes="联系人的记录", version="2"))
    assert again.status_code == 302
    visit.refresh_from_db()
    assert (visit.notes, visit.version) == ("联系人的记录", 3)


def test_edit_the_necessities_of_a_visit(personas, world):
    visit = Visit.objects.get(worker=world.a2)
    services.update_visit(
        actor=personas.care, visit=visit, version=1, items=[{"item": "牛奶", "quantity": "1", "value": "60"}]
    )
    visit.refresh_from_db()
    url = reverse("care:visit_update", args=[visit.pk])
    data = edit_post(
        visit,
        **{
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "1",
            "items-0-item": "牛奶",
            "items-0-quantity": "1",
            "items-0-value": "60",
            "items-0-DELETE": "on",
            "items-1-item": "鸡蛋",
            "items-1-quantity": "30",
            "items-1-unit": "个",
            "items-1-value": "45",
        },
    )
    assert client_for(personas.care).post(url, data).status_code == 302
    assert [(i.item, i.value) for i in visit.items.all()] == [("鸡蛋", Decimal("45.00"))]


def test_edit_is_scoped(personas, world):
    visit = Visit.objects.get(worker=world.a2)
    url = reverse("care:visit_update", args=[visit.pk])
    assert client_for(personas.bing).get(url).status_code == 404
    assert client_for(world.care_sb).get(url).status_code == 404
    assert client_for(personas.counsellor).get(url).status_code == 403


# --- a family's page and excusing a week ------------------------------------------------------


def test_the_family_timeline(personas, world):
    services.open_difficulty(actor=personas.care, worker=world.a3, description="老人需要陪同就医", category="medical")
    response = client_for(personas.care).get(reverse("care:family", args=[world.a3.pk]))
    assert response.status_code == 200
    kinds = [e.kind for e in response.context["timeline"]]
    # Newest first; a week's entry is dated on its Sunday: excused W2, the difficulty, missed W1.
    assert kinds == ["duty", "difficulty", "duty", "assignment"]
    assert [(d.week_label, d.status) for d in response.context["duties"]] == [
        ("2020-W06", "excused"),
        ("2020-W05", "missed"),
    ]
    html = response.content.decode()
    assert "家属外出" in html and "老人需要陪同就医" in html
    assert response.context["current_duty"] is None  # this week is excused already
    assert [a.contact for a in response.context["contacts"]] == [personas.care]


def test_excuse_a_week_with_a_reason(personas, world):
    duty = VisitDuty.objects.get(worker=world.a1, week=W2)
    url = reverse("care:duty_excuse", args=[duty.pk])
    client = client_for(personas.care)
    assert client.get(url).status_code == 200
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 200 and list(empty.context["form"].errors) == ["reason"]
    response = client.post(url, {"reason": "家属要求本周不上门", "next": reverse("care:my_week")})
    assert response.status_code == 302 and response["Location"] == reverse("care:my_week")
    duty.refresh_from_db()
    assert (duty.status, duty.excuse_reason) == (DutyStatus.EXCUSED, "家属要求本周不上门")
    assert client_for(personas.bing).post(url, {"reason": "x"}).status_code == 404


def test_a_done_week_cannot_be_excused(personas, world):
    duty = VisitDuty.objects.get(worker=world.a2, week=W2)
    response = client_for(personas.care).post(reverse("care:duty_excuse", args=[duty.pk]), {"reason": "补"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This week's visit has already been made."]
    duty.refresh_from_db()
    assert duty.status == DutyStatus.DONE
