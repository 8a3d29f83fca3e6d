"""The figures catalogue against known data: each app's ``report_figures`` per subtree and period
(rows on the boundary days in and out), the catalogue's codes and zeros, and ``compute_many``'s
fixed number of queries whatever the number of organisations."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nuanxin.care.models import Campaign, Difficulty, Visit, VisitDuty
from nuanxin.core.policy import SYSTEM
from nuanxin.funds.models import Entry, Fund, Posting
from nuanxin.hotline.models import Call, Callback, Hotline
from nuanxin.labour.models import Arrangement, EmploymentCase, LegalCase
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import Gender, TeamType
from nuanxin.reports import figures

pytestmark = pytest.mark.django_db

MON, SUN = date(2026, 3, 2), date(2026, 3, 8)


def at(day: date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def worker(org, name, mobile):
    return registry_services.create_worker(
        actor=SYSTEM, organisation=org, name=name, team=TeamType.HUBEI_AID, mobile=mobile, gender=Gender.FEMALE
    )


@pytest.fixture
def people(personas):
    p = personas
    return {
        "sn1": worker(p.shinan_hospital, "甲一", "13800071001"),
        "sn2": worker(p.shinan_hospital, "甲二", "13800071002"),
        "sn3": worker(p.shinan, "甲三", "13800071003"),  # the district's own
        "sb1": worker(p.shibei_hospital, "乙一", "13800071004"),
    }


def test_catalogue_codes_in_display_order():
    assert list(figures.METRICS)[:6] == [
        "families",
        "families_visited",
        "families_missed",
        "visits",
        "difficulties_opened",
        "difficulties_solved",
    ]
    assert {m.group for m in figures.METRICS.values()} == {
        "care",
        "funds",
        "hotline",
        "recuperation",
        "produce",
        "volunteers",
        "honours",
        "labour",
    }
    assert figures.METRICS["funds_spent_protective"].unit == "yuan"
    assert figures.METRICS["volunteer_hours"].unit == "hours"
    assert figures.METRICS["families"].whole is True
    assert next(g for g, _label, _m in figures.groups()) == "care"


def test_unknown_code_is_a_key_error(personas):
    with pytest.raises(KeyError):
        figures.compute(["no_such_figure"], personas.city, MON, SUN)


def test_care_figures_per_subtree_and_week(personas, people):
    p = personas
    campaign = Campaign.objects.create(name="暖心行动", starts_on=date(2026, 2, 1))
    duties = [
        ("sn1", p.shinan_hospital, MON, "done"),
        ("sn2", p.shinan_hospital, MON, "missed"),
        ("sn3", p.shinan, MON, "due"),
        ("sb1", p.shibei_hospital, MON, "excused"),
        ("sn1", p.shinan_hospital, date(2026, 2, 23), "missed"),  # the week before: out
        ("sn2", p.shinan_hospital, date(2026, 3, 9), "done"),  # the week after: out
    ]
    for key, org, week, status in duties:
        VisitDuty.objects.create(campaign=campaign, worker=people[key], organisation=org, week=week, status=status)
    for key, on in (("sn1", MON), ("sn1", SUN), ("sb1", SUN), ("sn2", date(2026, 3, 1)), ("sn2", date(2026, 3, 9))):
        Visit.objects.create(worker=people[key], campaign=campaign, on=on)
    d1 = Difficulty.objects.create(
        worker=people["sn1"], organisation=p.shinan_hospital, status="open", category="other", description="x"
    )
    d2 = Difficulty.objects.create(
        worker=people["sn3"], organisation=p.shinan, status="resolved", category="other", description="y"
    )
    d3 = Difficulty.objects.create(
        worker=people["sb1"], organisation=p.shibei_hospital, status="resolved", category="other", description="z"
    )
    Difficulty.objects.filter(pk=d1.pk).update(created_at=at(MON, 0, 0))
    Difficulty.objects.filter(pk=d2.pk).update(created_at=at(date(2026, 2, 20)), resolved_at=at(SUN, 23, 59))
    Difficulty.objects.filter(pk=d3.pk).update(created_at=at(date(2026, 3, 9), 0, 0), resolved_at=at(date(2026, 3, 9)))
    codes = ["families", "families_visited", "families_missed", "visits", "difficulties_opened", "difficulties_solved"]
    got = figures.compute_many(codes, [p.city, p.shinan, p.shinan_hospital, p.shibei, p.medical_union], MON, SUN)
    assert got[p.city.pk] == {
        "families": 3,  # 乙一's duty was excused
        "families_visited": 1,
        "families_missed": 1,
        "visits": 3,
        "difficulties_opened": 1,
        "difficulties_solved": 1,
    }
    assert got[p.shinan.pk] == {
        "families": 3,
        "families_visited": 1,
        "families_missed": 1,
        "visits": 2,
        "difficulties_opened": 1,
        "difficulties_solved": 1,
    }
    assert got[p.shinan_hospital.pk] == {
        "families": 2,
        "families_visited": 1,
        "families_missed": 1,
        "visits": 2,
        "difficulties_opened": 1,
        "difficulties_solved": 0,
    }
    assert got[p.shibei.pk] == {
        "families": 0,
        "families_visited": 0,
        "families_missed": 0,
        "visits": 1,
        "difficulties_opened": 0,
        "difficulties_solved": 0,
    }
    assert got[p.medical_union.pk] == dict.fromkeys(codes, 0)
    # A month: every week whose Monday lies in March; a family due in two weeks counts once.
    march = figures.compute(["families", "families_visited"], p.city, date(2026, 3, 1), date(2026, 3, 31))
    assert march == {"families": 3, "families_visited": 2}


def _fund(org, name):
    return Fund.objects.create(organisation=org, name=name, starts_on=date(2026, 1, 1))


def _post(fund, kind, amount, on, category="", *, clerk):
    entry = Entry.objects.create(
        fund=fund,
        organisation=fund.organisation,
        kind="income",
        amount=abs(Decimal(amount)),
        on=on,
        recorded_by=clerk,
    )
    return Posting.objects.create(
        entry=entry,
        fund=fund,
        organisation=fund.organisation,
        kind=kind,
        category=category,
        on=on,
        amount=Decimal(amount),
    )


def test_funds_figures(personas):
    p = personas
    city, district, unit = _fund(p.city, "市专项"), _fund(p.shinan, "区专项"), _fund(p.shinan_hospital, "院专项")
    _post(city, "income", "10000.00", MON, clerk=p.jia)
    _post(city, "allocation_out", "-3000.00", MON, clerk=p.jia)
    _post(district, "allocation_in", "3000.00", MON, clerk=p.jia)
    _post(district, "allocation_out", "-1000.00", date(2026, 3, 4), clerk=p.jia)
    _post(unit, "allocation_in", "1000.00", date(2026, 3, 4), clerk=p.jia)
    _post(unit, "expenditure", "-200.50", SUN, "protective", clerk=p.jia)
    _post(unit, "expenditure", "-100.00", SUN, "condolence", clerk=p.jia)
    _post(unit, "expenditure", "50.00", SUN, "condolence", clerk=p.jia)  # a reversal
    _post(district, "expenditure", "-300.00", date(2026, 3, 9), "protective", clerk=p.jia)  # after the week
    codes = ["funds_received", "funds_allocated", "funds_spent", "funds_spent_protective", "funds_spent_condolence"]
    got = figures.compute_many(codes, [p.city, p.shinan, p.shinan_hospital, p.shibei], MON, SUN)
    assert got[p.city.pk] == {
        "funds_received": Decimal("10000.00"),
        "funds_allocated": Decimal("3000.00"),
        "funds_spent": Decimal("250.50"),
        "funds_spent_protective": Decimal("200.50"),
        "funds_spent_condolence": Decimal("50.00"),
    }
    assert got[p.shinan.pk] == {
        "funds_received": Decimal("3000.00"),
        "funds_allocated": Decimal("1000.00"),
        "funds_spent": Decimal("250.50"),
        "funds_spent_protective": Decimal("200.50"),
        "funds_spent_condolence": Decimal("50.00"),
    }
    assert got[p.shinan_hospital.pk]["funds_received"] == Decimal("1000.00")
    assert got[p.shinan_hospital.pk]["funds_allocated"] == Decimal("0.00")
    assert got[p.shibei.pk] == dict.fromkeys(codes, Decimal("0.00"))


def test_hotline_figures(personas):
    p = personas
    hotline = Hotline.objects.create(organisation=p.medical_union, name="医务工会热线")
    for when in (at(MON, 0, 0), at(SUN, 23, 59), at(date(2026, 3, 1), 23, 59), at(date(2026, 3, 9), 0, 0)):
        Call.objects.create(hotline=hotline, started_at=when)
    for status, closed in (("done", at(date(2026, 3, 3))), ("closed", at(date(2026, 3, 3))), ("done", None)):
        cb = Callback.objects.create(organisation=p.medical_union, hotline=hotline, status=status, due_at=at(MON))
        Callback.objects.filter(pk=cb.pk).update(closed_at=closed)
    got = figures.compute_many(["hotline_calls", "hotline_callbacks"], [p.city, p.medical_union, p.shinan], MON, SUN)
    assert got == {
        p.city.pk: {"hotline_calls": 2, "hotline_callbacks": 1},
        p.medical_union.pk: {"hotline_calls": 2, "hotline_callbacks": 1},
        p.shinan.pk: {"hotline_calls": 0, "hotline_callbacks": 0},
    }


def test_labour_figures(personas, people):
    p = personas
    a = Arrangement.objects.create(worker=people["sn1"], status="referred", stage="pregnant")
    Arrangement.objects.filter(pk=a.pk).update(created_at=at(date(2026, 3, 3)))
    b = Arrangement.objects.create(worker=people["sb1"], status="referred", stage="pregnant")
    Arrangement.objects.filter(pk=b.pk).update(created_at=at(date(2026, 3, 10)))
    legal = LegalCase.objects.create(
        worker=people["sn2"],
        organisation=p.shinan_hospital,
        status="consultation",
        kind="wages",
        other_party="某公司",
        facts="欠薪",
        infringed_on=date(2026, 2, 1),
    )
    LegalCase.objects.filter(pk=legal.pk).update(created_at=at(SUN))
    job = EmploymentCase.objects.create(worker=people["sn3"], organisation=p.shinan, status="employed")
    EmploymentCase.objects.filter(pk=job.pk).update(employed_at=at(MON, 8))
    codes = ["labour_arrangements", "legal_cases", "employment_helped"]
    got = figures.compute_many(codes, [p.city, p.shinan_hospital, p.shibei], MON, SUN)
    assert got == {
        p.city.pk: {"labour_arrangements": 1, "legal_cases": 1, "employment_helped": 1},
        p.shinan_hospital.pk: {"labour_arrangements": 1, "legal_cases": 1, "employment_helped": 0},
        p.shibei.pk: {"labour_arrangements": 0, "legal_cases": 0, "employment_helped": 0},
    }


def test_every_code_computes_zero_without_data(personas):
    got = figures.compute(list(figures.METRICS), personas.city, MON, SUN)
    assert set(got) == set(figures.METRICS)
    assert all(value == 0 for value in got.values())
    assert got["funds_spent"] == Decimal("0.00")


def test_compute_many_is_a_fixed_number_of_queries(personas, people):
    p = personas
    codes = list(figures.METRICS)
    with CaptureQueriesContext(connection) as one:
        figures.compute_many(codes, [p.shinan_hospital], MON, SUN)
    orgs = [p.city, p.shinan, p.shibei, p.medical_union, p.shinan_hospital, p.shibei_hospital]
    with CaptureQueriesContext(connection) as many:
        figures.compute_many(codes, orgs, MON, SUN)
    assert len(many) == len(one)
    with CaptureQueriesContext(connection) as care:
        figures.compute_many(["families", "visits", "difficulties_solved"], orgs, MON, SUN)
    assert len(care) == 3  # duties, visits, difficulties
    with CaptureQueriesContext(connection) as funds:
        figures.compute_many(["funds_spent", "funds_allocated"], orgs, MON, SUN)
    assert len(funds) == 1


def test_produce_figures(personas, people):
    from nuanxin.produce.models import Offer, Order, PickupPoint

    p = personas
    point = PickupPoint.objects.create(organisation=p.shinan, name="市南点", address="香港中路1号")
    offer = Offer.objects.create(point=point, week=MON, cutoff_at=at(date(2026, 2, 27)), pickup_on=date(2026, 3, 4))
    later = Offer.objects.create(
        point=point, week=date(2026, 3, 9), cutoff_at=at(date(2026, 3, 6)), pickup_on=date(2026, 3, 11)
    )
    rows = [
        (offer, "sn1", "collected", "48.00", "20.00"),
        (offer, "sn2", "uncollected", "30.00", "0.00"),
        (offer, "sn3", "cancelled", "30.00", "0.00"),
        (offer, "sb1", "collected", "50.00", "25.00"),
        (later, "sn1", "collected", "40.00", "20.00"),  # the week after
    ]
    for n, (o, key, status, value, subsidy) in enumerate(rows):
        Order.objects.create(
            offer=o,
            worker=people[key],
            week=o.week,
            status=status,
            code=f"{n:06d}",
            value=Decimal(value),
            subsidy=Decimal(subsidy),
        )
    codes = ["produce_families", "produce_parcels", "produce_value", "produce_subsidy"]
    got = figures.compute_many(codes, [p.city, p.shinan, p.medical_union], MON, SUN)
    assert got[p.city.pk] == {
        "produce_families": 3,
        "produce_parcels": 2,
        "produce_value": Decimal("98.00"),
        "produce_subsidy": Decimal("45.00"),
    }
    assert got[p.shinan.pk] == {
        "produce_families": 2,
        "produce_parcels": 1,
        "produce_value": Decimal("48.00"),
        "produce_subsidy": Decimal("20.00"),
    }
    assert got[p.medical_union.pk] == {
        "produce_families": 0,
        "produce_parcels": 0,
        "produce_value": Decimal("0.00"),
        "produce_subsidy": Decimal("0.00"),
    }


def test_recuperation_and_honours_figures(personas, people):
    from nuanxin.honours.models import AwardType, Nomination
    from nuanxin.honours.models import Call as HonoursCall
    from nuanxin.recuperation.models import Base, Batch, Candidate, Programme

    p = personas
    base = Base.objects.create(name="崂山疗养院", address="崂山", capacity=100)
    programme = Programme.objects.create(organisation=p.city, name="一线医护疗休养")
    in_week = Batch.objects.create(
        programme=programme, base=base, name="第一批", starts_on=SUN, ends_on=date(2026, 3, 12), places=10
    )
    after = Batch.objects.create(
        programme=programme, base=base, name="第二批", starts_on=date(2026, 3, 9), ends_on=date(2026, 3, 14), places=10
    )
    for batch, key, status in (
        (in_week, "sn1", "accepted"),
        (in_week, "sn2", "attended"),
        (in_week, "sb1", "declined"),
        (in_week, "sn3", "waiting"),
        (after, "sb1", "accepted"),
    ):
        Candidate.objects.create(
            batch=batch,
            programme=programme,
            worker=people[key],
            organisation=people[key].organisation,
            applied_at=at(date(2026, 2, 1)),
            status=status,
        )
    award = AwardType.objects.create(name="抗疫先锋", level="city", recipient="person")
    call = HonoursCall.objects.create(organisation=p.city, name="2026 年度表彰", deadline=at(date(2026, 3, 31)))
    for key, submitted in (
        ("sn1", at(MON, 0, 0)),
        ("sb1", at(SUN, 23, 59)),
        ("sn2", None),
        ("sn3", at(date(2026, 3, 9))),
    ):
        Nomination.objects.create(
            call=call,
            award_type=award,
            worker=people[key],
            organisation=people[key].organisation,
            at_organisation=p.city,
            status="review",
            submitted_at=submitted,
        )
    got = figures.compute_many(["recuperation_places", "nominations"], [p.city, p.shinan, p.shibei], MON, SUN)
    assert got == {
        p.city.pk: {"recuperation_places": 2, "nominations": 2},
        p.shinan.pk: {"recuperation_places": 2, "nominations": 1},
        p.shibei.pk: {"recuperation_places": 0, "nominations": 1},
    }
