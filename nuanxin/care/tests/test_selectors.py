"""What the pages read: a care contact's week, the admins' overview (one aggregate query),
the chart series, difficulties by age, a family's timeline."""

from datetime import timedelta

from django.utils import translation

from nuanxin.care import selectors, services
from nuanxin.care.tests.helpers import W1, at, build_world, care_contact, fresh, worker
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import scope
from nuanxin.registry.choices import TeamType

W2 = W1 + timedelta(days=7)


def counts(overview):
    return [(r.code, r.due, r.done, r.missed, r.excused) for r in overview.rows]


def test_week_overview_per_unit_and_per_child_in_one_query(personas, django_assert_num_queries):
    w = build_world(personas)
    from nuanxin.orgs import services as org_services

    h2 = org_services.create_organisation(
        actor=SYSTEM, code="SN-H2", name="市南区二院工会", kind="unit_union", parent=fresh(personas.shinan)
    )
    c2 = care_contact("care_h2", h2)
    x = worker(h2, "二院一")
    with at(W1, 10):
        services.bulk_assign(actor=SYSTEM, campaign=w.campaign, workers=[x], contact=c2)
    with at(W1 + timedelta(days=2)):
        services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone")
        services.excuse_duty(actor=personas.care, duty=w.a2.visit_duties.get(), reason="住院")
    with at(W2, 1):
        services.open_duties()
    city, shinan = fresh(personas.city), fresh(personas.shinan)
    for user in (personas.jia, personas.yi, personas.bing, personas.viewer):
        scope.grants(user)  # the grants are read once per request, before the page's queries
    with django_assert_num_queries(1):
        overview = selectors.week_overview(personas.yi, shinan, W1, w.campaign)
    assert counts(overview) == [("SN-H1", 0, 1, 1, 1), ("SN-H2", 0, 0, 1, 0)]
    assert (overview.total.done, overview.total.owed, overview.total.completion_percent) == (1, 3, 33)
    assert overview.week_label == "2020-W05"
    with django_assert_num_queries(2):  # the aggregate, then the names of the children
        by_child = selectors.week_overview(personas.jia, city, W1, w.campaign, by="child")
    assert counts(by_child) == [("SB", 0, 0, 1, 0), ("SN", 0, 1, 2, 1)]
    # 丙 asking about 市南区 gets nothing; the viewer sees counts of the medical group's units.
    assert counts(selectors.week_overview(personas.bing, shinan, W1)) == []
    assert counts(selectors.week_overview(personas.viewer, city, W1)) == [("SB-H1", 0, 0, 1, 0), ("SN-H1", 0, 1, 1, 1)]
    assert counts(selectors.week_overview(personas.yi, shinan, W2)) == [("SN-H1", 3, 0, 0, 0), ("SN-H2", 1, 0, 0, 0)]


def test_my_week_lists_my_families_due_first(personas, django_assert_max_num_queries):
    w = build_world(personas)
    with at(W1 + timedelta(days=2)):
        visit = services.record_visit(actor=personas.care, worker=w.a2, on=W1 + timedelta(days=1), mode="home")
        scope.grants(personas.care)
        with django_assert_max_num_queries(3):
            rows = list(selectors.my_week(personas.care))
    assert [(d.worker.name, d.status) for d in rows] == [("安三", "due"), ("安一", "due"), ("安二", "done")]
    assert rows[2].visit == visit and rows[2].last_visit_on == W1 + timedelta(days=1)
    assert rows[0].last_visit_on is None
    assert [m.name for m in rows[0].worker.primary_family] == ["安三家属"]
    assert [d.worker.name for d in selectors.my_week(w.care_sb, W1)] == ["北一"]
    assert list(selectors.my_week(personas.yi, W1)) == []  # not a care contact
    assert [x.name for x in selectors.my_families(personas.care)] == ["安二", "安三", "安一", "疾控"]


def test_completion_series_for_the_chart(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=2)):
        services.record_visit(actor=personas.care, worker=w.a1, on=W1, mode="phone")
    with at(W2 + timedelta(days=2)):
        services.open_duties()
        services.record_visit(actor=personas.care, worker=w.a1, on=W2, mode="phone")
        services.record_visit(actor=personas.care, worker=w.a2, on=W2, mode="phone")
        series = selectors.completion_series(personas.jia, fresh(personas.city), w.campaign)
    assert series["weeks"] == ["2020-W04", "2020-W05", "2020-W06"]
    assert series["series"] == [
        {"code": "SB", "name": "市北区总工会", "done": [0, 0, 0], "owed": [0, 1, 1], "percent": [None, 0, 0]},
        {"code": "SN", "name": "市南区总工会", "done": [0, 1, 2], "owed": [0, 3, 3], "percent": [None, 33, 67]},
    ]


def test_missed_list_and_difficulty_summary(personas):
    w = build_world(personas)
    with at(W1):
        services.open_difficulty(actor=personas.care, worker=w.a1, description="生活困难", category="life")
    with at(W1 + timedelta(days=10)):
        services.open_difficulty(actor=personas.care, worker=w.a2, description="子女照护", category="childcare")
        services.open_difficulty(
            actor=personas.care, worker=w.a3, description="紧急", category="life", urgency="critical"
        )
    with at(W1 + timedelta(days=40)):
        services.open_duties()
        d = services.open_difficulty(actor=personas.care, worker=w.a3, description="已解决", category="legal")
        services.change_difficulty_status(actor=personas.care, difficulty=d, to="resolved")
        with translation.override("en"):
            summary = selectors.difficulty_summary(personas.yi, fresh(personas.shinan))
        missed = list(selectors.missed_duties(personas.yi, fresh(personas.shinan), W1))
    assert summary["rows"] == [
        {"category": "life", "label": "Daily life", "overdue": 2, "0-7": 0, "8-30": 1, "31+": 1, "total": 2},
        {"category": "childcare", "label": "Childcare", "overdue": 1, "0-7": 0, "8-30": 1, "31+": 0, "total": 1},
    ]
    assert (summary["total"], summary["overdue"]) == (3, 3)
    assert [(d.worker.name, [a.contact for a in d.worker.current_assignments]) for d in missed] == [
        ("安二", [personas.care]),
        ("安三", [personas.care]),
        ("安一", [personas.care]),
    ]


def test_family_timeline(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=1), 10):
        services.record_visit(
            actor=personas.care,
            worker=w.a1,
            on=W1 + timedelta(days=1),
            mode="home",
            difficulties=[{"description": "需要代购药品", "category": "medical"}],
        )
    with at(W2 + timedelta(days=8), 1):
        services.open_duties()  # W2 missed
    entries = selectors.family_timeline(personas.care, w.a1)
    assert [(str(e.at), e.kind) for e in entries] == [
        ("2020-02-09", "duty"),
        ("2020-01-28", "visit"),
        ("2020-01-28", "difficulty"),
        ("2020-01-27", "assignment"),
    ]
    assert selectors.family_timeline(w.care_sb, w.a1) == []
    assert selectors.family_timeline(personas.bing, w.a1) == []


def test_teams_without_cadence_are_not_unassigned(personas):
    w = build_world(personas)
    worker(personas.shinan_hospital, "救治", team=TeamType.DESIGNATED_HOSPITAL)
    assert list(selectors.unassigned_families(personas.yi, fresh(personas.shinan), w.campaign)) == []


def test_the_overview_counts_a_list_only_when_its_first_rows_do_not_tell(
    personas, monkeypatch, django_assert_num_queries
):
    from nuanxin.care import pages
    from nuanxin.orgs.models import Organisation

    monkeypatch.setattr(pages, "LIST_ROWS", 3)
    everything = Organisation.objects.order_by("pk")
    total = everything.count()
    assert total > 3
    with django_assert_num_queries(2):  # the first rows, then the count
        rows, count = pages._first_rows(everything)
    assert (rows, count) == (list(everything[:3]), total)
    with django_assert_num_queries(1):  # a short list is its own count
        rows, count = pages._first_rows(everything.filter(pk=personas.shinan.pk))
    assert (rows, count) == ([personas.shinan], 1)
