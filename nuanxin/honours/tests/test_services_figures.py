"""The figures (issue 13, item 10): counts by award type and by organisation (district level)
and how many nominees are frontline epidemic staff; viewers read these and nothing else; the
frontline facts shown beside a nomination."""

from datetime import date

import pytest

from nuanxin.core.policy import SYSTEM
from nuanxin.honours.selectors.figures import figures, frontline_facts
from nuanxin.honours.selectors.nominations import nominations_for
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import MODEL, TEAM, UNIT, nomination
from nuanxin.registry import services as registry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    pass


def test_frontline_facts(hw):
    facts = frontline_facts(hw.aid_worker, today=date(2020, 5, 1))
    assert (facts.frontline, facts.team, facts.team_label, facts.aid_member, facts.days_deployed,
            facts.deployments, facts.deployed_now) == (True, "hubei_aid", "Hubei aid medical team", True, 65, 1, False)
    # A second deployment not yet back counts to today.
    registry.save_deployment(actor=SYSTEM, worker=hw.aid_worker, batch="第二批", destination="黄冈",
                             departed_on=date(2020, 4, 20))
    facts = frontline_facts(hw.aid_worker, today=date(2020, 5, 1))
    assert (facts.days_deployed, facts.deployments, facts.deployed_now) == (65 + 11, 2, True)
    nurse = frontline_facts(hw.nurse)
    assert (nurse.aid_member, nurse.team, nurse.days_deployed, nurse.deployments) == (
        False, "designated_hospital", 0, 0
    )
    assert frontline_facts(None) is None


def build(hw):
    p = hw.p
    aid = services.submit(nomination(hw), actor=hw.unit_admin)  # SN: aid team, person
    nurse = services.submit(nomination(hw, code=MODEL, worker=hw.nurse), actor=hw.unit_admin)  # SN: frontline
    team = services.submit(nomination(hw, code=TEAM), actor=hw.unit_admin)  # SN: a collective
    nomination(hw, code=UNIT)  # a draft: not counted
    b = services.submit(
        nomination(hw, actor=hw.unit_admin_b, organisation=p.shibei_hospital, worker=hw.worker_b),
        actor=hw.unit_admin_b,
    )  # SB: frontline (CDC)
    withdrawn = nomination(hw, actor=hw.unit_admin_b, organisation=p.shibei_hospital, code=TEAM)
    services.withdraw(withdrawn, actor=hw.unit_admin_b, note="撤回")
    services.reject(team, actor=p.yi, note="不符合条件")
    return aid, nurse, team, b


def test_the_citys_figures(hw):
    build(hw)
    f = figures(hw.p.jia, hw.call)
    assert (f.total, f.frontline, f.aid, f.awarded) == (4, 3, 1, 0)
    assert f.by_status == {"review": 3, "rejected": 1}
    assert sorted((r.key, r.label, r.total, r.frontline, r.aid) for r in f.by_award_type) == [
        ("gongren_xianfeng_hao", "青岛市工人先锋号", 1, 0, 0),
        ("laodong_mofan", "青岛市劳动模范", 1, 1, 0),
        ("wuyi_jiangzhang", "青岛市五一劳动奖章", 2, 2, 1),
        ("wuyi_jiangzhuang", "青岛市五一劳动奖状", 0, 0, 0),
    ]
    assert [(r.key, r.label, r.total, r.frontline, r.aid, r.by_status) for r in f.by_organisation] == [
        ("SN", "市南区总工会", 3, 2, 1, {"review": 2, "rejected": 1}),
        ("SB", "市北区总工会", 1, 1, 0, {"review": 1}),
    ]


def test_a_district_sees_its_own_and_the_viewer_figures_only(hw):
    p = hw.p
    build(hw)
    f = figures(p.bing, hw.call)
    assert (f.total, f.frontline, [r.key for r in f.by_organisation]) == (1, 1, ["SB"])
    # The viewer's grant is the medical group (SN-H1 and SB-H1): counts of both, no nominee.
    v = figures(p.viewer, hw.call)
    assert (v.total, v.frontline, v.aid) == (4, 3, 1)
    assert list(nominations_for(p.viewer)) == []
    assert list(nominations_for(p.viewer, action="report")) != []  # the figures' rows, never shown
    assert figures(p.care, hw.call).total == 0
    a = figures(p.jia, hw.call, org=p.shinan)
    assert (a.total, [r.key for r in a.by_organisation]) == (3, ["SN"])


def test_nominations_for_filters(hw):
    p = hw.p
    aid, nurse, _team, b = build(hw)
    assert set(nominations_for(p.bing)) == {b} | set(nominations_for(p.bing, status="withdrawn"))
    assert aid not in nominations_for(p.bing)
    assert list(nominations_for(p.yi, call=hw.call, status="review", level=p.shinan)) == [nurse, aid]
    assert list(nominations_for(p.jia, org=p.shibei, status="review")) == [b]
    assert nominations_for(hw.unit_admin_b).filter(pk=aid.pk).count() == 0
