"""The labour figures: counts per organisation rolled up the tree (the districts for the city,
the units for the viewer of the medical group), every model read through its "figures" action;
the page shows no names; the hub's counts and tabs."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from nuanxin.cases import services as cases
from nuanxin.core.policy import SYSTEM
from nuanxin.labour.models import Arrangement, EmploymentCase, LegalCase
from nuanxin.labour.selectors import figures as selectors
from nuanxin.labour.services import arrangements as services
from nuanxin.labour.views.figures import tabs
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import Gender, TeamType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


def _worker(org, name, mobile):
    return registry_services.create_worker(
        actor=SYSTEM, organisation=org, name=name, team=TeamType.HUBEI_AID, mobile=mobile, gender=Gender.FEMALE
    )


@pytest.fixture
def world(personas):
    p = personas
    today = timezone.localdate()
    sn = _worker(p.shinan_hospital, "数字甲", "13800061001")
    sb = _worker(p.shibei_hospital, "数字乙", "13800061002")
    sn2 = _worker(p.shinan_hospital, "数字丙", "13800061003")  # one open arrangement per woman
    for woman, stage, kw in (
        (sn, "pregnant", {"expected_on": today + timedelta(days=60)}),
        (sn2, "lactating", {"lactating_until": today + timedelta(days=60)}),
    ):
        services.refer_arrangement(actor=SYSTEM, worker=woman, stage=stage, **kw)
    a = services.refer_arrangement(actor=SYSTEM, worker=sb, stage="pregnant", expected_on=today + timedelta(days=9))
    services.agree_arrangement(
        actor=SYSTEM,
        arrangement=a,
        stage="pregnant",
        expected_on=a.expected_on,
        lactating_until=None,
        measures=["remote_work", "no_night_shifts"],
        starts_on=today,
        ends_on=today + timedelta(days=30),
        confirmed_by="王主任",
        confirmed_on=today,
        review_on=today + timedelta(days=2),
    )
    legal = cases.open(
        LegalCase,
        actor=SYSTEM,
        worker=sn,
        urgency="normal",
        fields={"kind": "wages", "other_party": "某公司", "facts": "欠薪", "infringed_on": today - timedelta(days=30)},
    )
    legal.outcome, legal.amount_recovered = "won", Decimal("1234.50")
    legal.save()
    cases.transition(legal, actor=SYSTEM, to="closed")
    cases.open(
        LegalCase,
        actor=SYSTEM,
        worker=sb,
        urgency="normal",
        fields={
            "kind": "dismissal",
            "other_party": "某医院",
            "facts": "解除",
            "infringed_on": today - timedelta(days=30),
        },
    )
    emp = cases.open(EmploymentCase, actor=SYSTEM, worker=sb, urgency="normal", fields={"seeker_name": "家属甲"})
    cases.transition(emp, actor=SYSTEM, to="employed")
    cases.open(EmploymentCase, actor=SYSTEM, worker=sn, urgency="normal", fields={"seeker_name": "家属乙"})
    return p


def test_rolled_up_for_the_city(world):
    p = world
    f = selectors.figures(p.jia)
    assert [r.label for r in f.rows] == ["市北区总工会", "市南区总工会"]
    sb, sn = f.rows
    assert sn.arrangements == {"referred": 2} and sn.stages == {"pregnant": 1, "lactating": 1}
    assert sb.arrangements == {"agreed": 1} and sb.measures == {"remote_work": 1, "no_night_shifts": 1}
    assert sb.review_due == 1 and sn.review_due == 0
    assert sn.legal_steps == {"closed": 1} and sn.legal_outcomes == {"won": 1}
    assert sn.recovered == Decimal("1234.50") and sb.recovered == Decimal("0")
    assert sb.legal_kinds == {"dismissal": 1} and sb.legal_open == 1
    assert sb.employed == 1 and sn.employed == 0 and sn.employment_total == 1
    assert f.total.arrangements_total == 3 and f.total.legal_total == 2 and f.total.employed == 1


def test_the_viewer_sees_units_and_no_names(world, english_client):
    p = world
    f = selectors.figures(p.viewer)
    assert [r.label for r in f.rows] == ["市北区人民医院工会", "市南区人民医院工会"]
    assert selectors.figures(p.bing).total.arrangements_total == 1
    assert selectors.figures(p.care).empty  # no figures role: nothing
    english_client.force_login(p.viewer)
    page = english_client.get(reverse("labour:figures")).content.decode()
    assert "数字甲" not in page and "家属甲" not in page and 'id="nx-labour-chart"' in page
    assert 'data-figure="review_due">1<' in page


def test_hub_counts_and_tabs(world, english_client):
    p = world
    c = english_client
    c.force_login(p.yi)
    page = c.get(reverse("labour:home")).content.decode()
    assert 'data-card="arrangements"' in page and 'id="nx-labour-tabs"' in page
    assert next(t.key for t in tabs(p.yi)) == "arrangements" and "figures" in [t.key for t in tabs(p.yi)]
    assert [t.key for t in tabs(p.viewer) if t.key == "arrangements"] == []
    assert [t.key for t in tabs(p.care) if t.key in ("arrangements", "figures")] == []
    c.force_login(p.viewer)
    page = c.get(reverse("labour:home")).content.decode()
    assert 'data-card="arrangements"' not in page and 'data-tab="figures"' in page
    c.force_login(p.counsellor)
    assert c.get(reverse("labour:home")).status_code == 403
    assert Arrangement.objects.count() == 3
