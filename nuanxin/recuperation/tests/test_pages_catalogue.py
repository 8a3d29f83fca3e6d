"""The catalogue's pages: programmes, bases, batches (a city administrator's forms; a unit's
administrator sees open programmes only; a refusal shown on the form, nothing written)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.core.models import AuditLog
from nuanxin.recuperation.choices import BatchStatus, ProgrammeStatus
from nuanxin.recuperation.models import Base, Batch, Programme
from nuanxin.recuperation.tests.fixtures import make_programme

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_menu_and_list(rw):
    c = client_for(rw.p.yi)
    page = c.get(reverse("recuperation:programme_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="nx-nav-recuperation"' in html
    assert "抗疫一线医务人员免费疗休养" in html and "第一期" in html
    assert 'id="nx-programme-create"' not in html  # not a city administrator


def test_draft_programme_hidden_from_unit_admins(rw):
    draft = Programme.objects.create(organisation=rw.p.city, name="草稿项目", status=ProgrammeStatus.DRAFT)
    assert "草稿项目" not in client_for(rw.p.yi).get(reverse("recuperation:programme_list")).content.decode()
    assert client_for(rw.p.yi).get(reverse("recuperation:programme_detail", args=[draft.pk])).status_code == 404
    assert "草稿项目" in client_for(rw.p.jia).get(reverse("recuperation:programme_list")).content.decode()


def test_create_programme_with_ranking(personas):
    c = client_for(personas.jia)
    assert c.get(reverse("recuperation:programme_create")).status_code == 200
    response = c.post(reverse("recuperation:programme_create"), {
        "name": "2021 年疗休养", "rank_1": "days_deployed", "rank_2": "aid_team", "rank_3": "", "rank_4": "",
        "rank_5": "", "offer_hours": "24", "cost_per_place": "1500.50",
    })
    programme = Programme.objects.get(name="2021 年疗休养")
    assert response.status_code == 302 and response["Location"] == reverse(
        "recuperation:programme_detail", args=[programme.pk])
    assert programme.ranking == ["days_deployed", "aid_team"]
    assert programme.offer_hours == 24 and str(programme.cost_per_place) == "1500.50"
    assert programme.status == ProgrammeStatus.DRAFT


def test_create_programme_twice_the_same_criterion(personas):
    c = client_for(personas.jia)
    response = c.post(reverse("recuperation:programme_create"), {
        "name": "重复", "rank_1": "aid_team", "rank_2": "aid_team", "offer_hours": "48", "cost_per_place": "0",
    })
    assert response.status_code == 200
    assert "排序规则中每项只能出现一次" in response.content.decode() or "is-invalid" in response.content.decode()
    assert not Programme.objects.filter(name="重复").exists()


def test_open_close_programme(rw):
    c = client_for(rw.p.jia)
    programme = rw.programme
    response = c.post(reverse("recuperation:programme_close", args=[programme.pk]), {"version": programme.version})
    assert response.status_code == 302
    assert Programme.objects.get(pk=programme.pk).status == ProgrammeStatus.CLOSED
    assert client_for(rw.p.yi).post(reverse("recuperation:programme_open", args=[programme.pk]),
                                    {"version": "1"}).status_code == 403


def test_base_pages(personas):
    c = client_for(personas.jia)
    response = c.post(reverse("recuperation:base_create"),
                      {"name": "青岛崂山疗养院", "address": "崂山区", "capacity": "30"})
    assert response.status_code == 302
    base = Base.objects.get(name="青岛崂山疗养院")
    page = c.get(reverse("recuperation:base_list")).content.decode()
    assert "青岛崂山疗养院" in page and f'data-base="{base.pk}"' in page
    response = c.post(reverse("recuperation:base_edit", args=[base.pk]), {
        "name": "青岛崂山疗养院", "address": "崂山区仰口", "capacity": "35", "version": base.version,
    })
    assert response.status_code == 302
    base.refresh_from_db()
    assert base.capacity == 35 and base.address == "崂山区仰口" and base.active is False  # unticked
    # The viewer sees the bases, without the buttons; 乙 may not add one.
    assert client_for(personas.viewer).get(reverse("recuperation:base_list")).status_code == 200
    assert client_for(personas.yi).get(reverse("recuperation:base_create")).status_code == 403


def test_batch_create_page(rw):
    c = client_for(rw.p.jia)
    url = reverse("recuperation:batch_create", args=[rw.programme.pk])
    assert c.get(url).status_code == 200
    start = timezone.localdate() + timedelta(days=40)
    data = {"name": "第二期", "base": rw.base.pk, "starts_on": start.isoformat(),
            "ends_on": (start + timedelta(days=6)).isoformat(), "places": "61", "teams": ["hubei_aid"]}
    response = c.post(url, data)
    assert response.status_code == 200  # 61 > the base's 60 beds
    assert "is-invalid" in response.content.decode()
    assert not Batch.objects.filter(name="第二期").exists()
    data["places"] = "30"
    response = c.post(url, data)
    batch = Batch.objects.get(name="第二期")
    assert response.status_code == 302 and response["Location"] == reverse("recuperation:batch_detail",
                                                                           args=[batch.pk])
    assert batch.teams == ["hubei_aid"] and batch.places == 30 and batch.status == BatchStatus.OPEN


def test_batch_edit_and_status(rw):
    c = client_for(rw.p.jia)
    batch = rw.batch
    response = c.post(reverse("recuperation:batch_edit", args=[batch.pk]), {
        "name": "第一期", "base": rw.base.pk, "starts_on": batch.starts_on.isoformat(),
        "ends_on": batch.ends_on.isoformat(), "places": "5", "version": batch.version,
    })
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.places == 5 and batch.nominations_close_at is None
    c.post(reverse("recuperation:batch_close", args=[batch.pk]), {"version": batch.version})
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    response = c.post(reverse("recuperation:batch_finish", args=[batch.pk]), {"version": batch.version}, follow=True)
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.CLOSED  # not started yet
    assert "alert" in response.content.decode()
    assert AuditLog.objects.filter(action="recuperation.batch.close").count() == 1


def test_programme_detail_counts(rw):
    other = make_programme(rw.p, "另一个项目")
    page = client_for(rw.p.yi).get(reverse("recuperation:programme_detail", args=[rw.programme.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-batch="{rw.batch.pk}"' in html and 'id="nx-ranking"' in html
    assert other.name not in html
