"""Quotas (issue 13, items 8 and 9): what an organisation recommends up in a call never exceeds
its quota for the award type nor for all types together; no quota row, no limit; rejected,
withdrawn and returned nominations free their place."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.honours.selectors.nominations import board, levels_for, quota_left, quota_lines
from nuanxin.honours.services import catalogue
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import MODEL, PERSON, TEAM, nomination

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    pass


def submitted(hw, **kwargs):
    return services.submit(nomination(hw, **kwargs), actor=hw.unit_admin)


def test_a_district_recommends_within_its_quota_per_award_type(hw):
    p = hw.p
    person = hw.type(PERSON)
    assert quota_left(hw.call, p.shinan, person) is None  # no quota: no limit
    catalogue.set_quota(hw.call, p.shinan, 1, person, actor=p.jia)
    assert quota_left(hw.call, p.shinan, person) == 1
    a = submitted(hw)
    b = submitted(hw, worker=hw.nurse)
    team = submitted(hw, code=TEAM)
    services.recommend(a, actor=p.yi)
    assert quota_left(hw.call, p.shinan, person) == 0
    with pytest.raises(ServiceError, match="市南区总工会 has no place left in its quota for 青岛市五一劳动奖章") as exc:
        services.recommend(b, actor=p.yi)
    assert exc.value.code == "quota_full"
    b.refresh_from_db()
    assert (b.status, b.at_organisation) == ("review", p.shinan)
    services.recommend(team, actor=p.yi)  # another award type: no quota for it

    # The city rejects the first: its place is free again.
    services.reject(a, actor=p.jia, note="名额调整")
    assert quota_left(hw.call, p.shinan, person) == 1
    services.recommend(b, actor=p.yi)
    assert quota_left(hw.call, p.shinan, person) == 0
    assert [(line.award_type, line.places, line.used, line.left) for line in quota_lines(hw.call, p.shinan)] == [
        (person, 1, 1, 0)
    ]


def test_a_quota_for_all_award_types_together(hw):
    p = hw.p
    catalogue.set_quota(hw.call, p.shinan, 2, actor=p.jia)
    catalogue.set_quota(hw.call, p.shinan, 5, hw.type(PERSON), actor=p.jia)
    ns = [submitted(hw), submitted(hw, worker=hw.nurse), submitted(hw, code=TEAM)]
    services.recommend(ns[0], actor=p.yi)
    services.recommend(ns[2], actor=p.yi)
    assert quota_left(hw.call, p.shinan, hw.type(PERSON)) == 0  # min(5 - 1, 2 - 2)
    with pytest.raises(ServiceError, match="no place left"):
        services.recommend(ns[1], actor=p.yi)
    assert [(line.award_type, line.places, line.used) for line in quota_lines(hw.call, p.shinan)] == [
        (None, 2, 2), (hw.type(PERSON), 5, 1)
    ]
    # A returned nomination frees its place too (it goes back to the unit).
    services.return_for_changes(ns[0], actor=p.jia, note="请补充材料")
    services.recommend(ns[1], actor=p.yi)


def test_a_unit_quota_limits_its_submissions_and_the_city_quota_its_notices(hw):
    p = hw.p
    catalogue.set_quota(hw.call, p.shinan_hospital, 1, actor=p.jia)
    services.submit(nomination(hw), actor=hw.unit_admin)
    second = nomination(hw, worker=hw.nurse)
    with pytest.raises(ServiceError, match="市南区人民医院工会 has no place left"):
        services.submit(second, actor=hw.unit_admin)
    assert second.status == "draft"

    catalogue.set_quota(hw.call, p.city, 0, hw.type(MODEL), actor=p.jia)
    n = services.recommend(services.submit(nomination(hw, code=MODEL, organisation=p.shibei_hospital,
                                                      worker=hw.worker_b, actor=hw.unit_admin_b),
                                           actor=hw.unit_admin_b), actor=p.bing)
    with pytest.raises(ServiceError, match="青岛市总工会 has no place left"):
        services.start_notice(n, actor=p.jia)


def test_setting_quotas(hw):
    p = hw.p
    person = hw.type(PERSON)
    with pytest.raises(NotAllowed, match="Only a city administrator"):
        catalogue.set_quota(hw.call, p.shinan, 3, actor=p.yi)
    q = catalogue.set_quota(hw.call, p.shinan, 3, person, actor=p.jia)
    assert q is not None and q.places == 3
    services.recommend(submitted(hw), actor=p.yi)
    services.recommend(submitted(hw, worker=hw.nurse), actor=p.yi)
    with pytest.raises(ServiceError, match="市南区总工会 has already recommended 2: the quota cannot be lower"):
        catalogue.set_quota(hw.call, p.shinan, 1, person, actor=p.jia)
    assert catalogue.set_quota(hw.call, p.shinan, 2, person, actor=p.jia).places == 2
    assert catalogue.set_quota(hw.call, p.shinan, None, person, actor=p.jia) is None
    assert quota_left(hw.call, p.shinan, person) is None
    rows = [r.detail for r in AuditLog.objects.filter(action="honours.quota.set").order_by("id")]
    assert rows == [
        {"honours_call": hw.call.pk, "organisation": "SN", "award_type": PERSON, "before": None, "places": 3},
        {"honours_call": hw.call.pk, "organisation": "SN", "award_type": PERSON, "before": 3, "places": 2},
        {"honours_call": hw.call.pk, "organisation": "SN", "award_type": PERSON, "before": 2, "places": None},
    ]


def test_a_reviewer_acts_only_at_the_level_the_nomination_is_at(hw):
    p = hw.p
    n = nomination(hw)
    # A draft is at the unit: nobody reviews it.
    with pytest.raises(ServiceError, match="Only a nomination under review can be reviewed"):
        services.recommend(n, actor=p.yi)
    n = services.submit(n, actor=hw.unit_admin)
    # At 市南区: the unit's own administrator is not the reviewer; 市北区 does not reach it.
    for outsider in (hw.unit_admin, p.bing, hw.unit_admin_b):
        with pytest.raises(NotAllowed):
            services.return_for_changes(n, actor=outsider, note="x")
    with pytest.raises(NotAllowed, match="Only the city federation's administrators"):
        services.start_notice(n, actor=p.yi)
    assert services.available_actions(p.yi, n) == ["recommend", "return", "reject"]
    assert services.available_actions(hw.unit_admin, n) == ["withdraw"]
    assert services.available_actions(p.bing, n) == []
    n = services.recommend(n, actor=p.yi)
    assert services.available_actions(p.yi, n) == []
    assert services.available_actions(p.jia, n) == ["return", "reject", "notice"]


def test_the_board_per_level(hw):
    p = hw.p
    catalogue.set_quota(hw.call, p.shinan, 2, actor=p.jia)
    draft = nomination(hw, code=TEAM)
    waiting = submitted(hw)
    passed = services.recommend(submitted(hw, worker=hw.nurse), actor=p.yi)
    assert levels_for(p.yi) == [p.shinan]
    assert levels_for(p.jia) == [p.city]
    b = board(p.yi, hw.call)
    assert b.level == p.shinan
    assert (b.to_review, b.below, b.passed, b.closed) == ([waiting], [draft], [passed], [])
    assert b.counts == {"draft": 1, "review": 2}
    assert [(q.award_type, q.places, q.used, q.left) for q in b.quotas] == [(None, 2, 1, 1)]
    c = board(p.jia, hw.call)
    assert (c.level, c.to_review, c.quotas) == (p.city, [passed], [])
    assert board(p.bing, hw.call).counts == {}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)  # fixtures.build_honours installs the award types again after a flush
def test_two_reviewers_cannot_both_take_the_last_place(personas):
    from django.db import close_old_connections

    from nuanxin.core.policy import SYSTEM
    from nuanxin.core.roles import Role
    from nuanxin.honours.models import Nomination
    from nuanxin.honours.tests.fixtures import build_honours
    from nuanxin.orgs import services as org_services

    hw = build_honours(personas)
    p = hw.p
    yi2, _ = org_services.create_user(actor=SYSTEM, username="yi2", organisation=p.shinan, role=Role.ORG_ADMIN,
                                      password="Persona-pass-2020", full_name="乙二")
    catalogue.set_quota(hw.call, p.shinan, 1, actor=p.jia)
    a, b = submitted(hw), submitted(hw, worker=hw.nurse)

    def go(args):
        n, who = args
        try:
            services.recommend(Nomination.objects.get(pk=n.pk), actor=who)
            return "ok"
        except ServiceError as exc:
            return exc.code
        finally:
            close_old_connections()

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(go, [(a, p.yi), (b, yi2)]))
    assert results == ["ok", "quota_full"]
    assert Nomination.objects.filter(at_organisation=p.city).count() == 1
