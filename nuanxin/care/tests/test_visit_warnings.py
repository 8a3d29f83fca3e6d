"""Visits that look like mistakes (issue 11, item 10): one dated before any campaign is refused
with a clear message; a family visited again within minutes is pointed out on the form and
after saving, not silently accepted twice."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from nuanxin.care import services
from nuanxin.care.models import Visit
from nuanxin.care.services.visits import recent_visits
from nuanxin.care.tests.pages_fixtures import W2, client_for, page_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    with page_world(personas) as w:
        yield w


def post_visit(client, worker, on):
    return client.post(reverse("care:visit_create", args=[worker.pk]), {
        "on": on.isoformat(), "mode": "phone", "visitors": "联系人",
        "items-TOTAL_FORMS": "0", "items-INITIAL_FORMS": "0", "diffs-TOTAL_FORMS": "0", "diffs-INITIAL_FORMS": "0",
    }, follow=True)


def test_a_visit_before_any_campaign_is_refused_with_the_day_allowed(personas, world):
    response = post_visit(client_for(personas.care), world.a1, date(2019, 12, 1))
    assert response.status_code == 200
    assert response.context["form"].errors["on"] == [
        "The visit cannot be dated before 2020-01-24, when the campaign “暖心行动” it counts in started."
    ]
    assert not Visit.objects.filter(on=date(2019, 12, 1)).exists()


def test_visits_to_one_family_within_minutes_are_pointed_out(personas, world):
    client = client_for(personas.care)
    form_url = reverse("care:visit_create", args=[world.a1.pk])
    assert 'id="nx-recent-visits"' not in client.get(form_url).content.decode()

    first = post_visit(client, world.a1, W2)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    # The form opened again a minute later warns, naming the visit just logged.
    with time_machine.travel(Visit.objects.latest("pk").created_at + timedelta(minutes=1), tick=False):
        html = client.get(form_url).content.decode()
        assert 'id="nx-recent-visits"' in html
        assert "A visit to this family was logged in the last few minutes:" in html
        assert f": {W2.isoformat()} (Phone call)</li>" in html
        second = post_visit(client, world.a1, W2)
        third = post_visit(client, world.a1, W2)
    assert [str(m) for m in second.context["messages"]][1:] == [
        "2 visits to this family were logged in the last 10 minutes. If one was logged twice by mistake, delete it "
        "on the family's page."
    ]
    assert [m.level_tag for m in third.context["messages"]] == ["success", "warning"]
    assert "3 visits to this family" in str(list(third.context["messages"])[1])
    assert Visit.objects.filter(worker=world.a1, on=W2).count() == 3  # warned, not refused
    # Another family, or the same one a quarter of an hour later, is not warned about.
    assert 'id="nx-recent-visits"' not in client.get(reverse("care:visit_create", args=[world.a3.pk])).content.decode()
    later = Visit.objects.latest("pk").created_at + timedelta(minutes=15)
    assert recent_visits(world.a1, now=later) == []


def test_the_warning_reads_in_chinese(personas, world):
    client = client_for(personas.care, "zh-hans")
    services.record_visit(actor=personas.care, worker=world.a3, on=W2, mode="phone")
    with time_machine.travel(Visit.objects.latest("pk").created_at + timedelta(minutes=2), tick=False):
        html = client.get(reverse("care:visit_create", args=[world.a3.pk])).content.decode()
    assert "最近几分钟内已为这户家庭登记了 1 次走访：" in html
    assert f"由 联系人 登记：{W2.isoformat()}（电话）</li>" in html
