"""The ranking rule (issue 14 item 3), its ties, its reasons and its cost."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.recuperation.choices import CandidateStatus, RankCriterion
from nuanxin.recuperation.models import Candidate
from nuanxin.recuperation.selectors.ranking import days_deployed, explain, ranked
from nuanxin.recuperation.services import candidates as services
from nuanxin.recuperation.tests.fixtures import make_batch, make_programme, make_worker, nominate, nominate_all
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from nuanxin.registry.models import Deployment


def names(rows):
    return [r.candidate.worker.name for r in rows]


def test_default_rule_orders_aid_team_then_frontline_then_days(rw):
    nominate_all(rw)
    rows = ranked(rw.batch)
    # aid_long and aid_b tie on every criterion but the application time: aid_long applied first.
    assert names(rows) == ["张援鄂", "赵援鄂", "李短期", "钱疾控", "王护士"]
    assert [r.position for r in rows] == [1, 2, 3, 4, 5]


def test_a_full_tie_is_broken_by_application_time_then_id(rw):
    at = timezone.now() - timedelta(hours=1)
    # aid_b applies first this time: it leads.
    nominate(rw, rw.aid_b, at=at)
    nominate(rw, rw.aid_long, at=at + timedelta(seconds=1))
    assert names(ranked(rw.batch)) == ["赵援鄂", "张援鄂"]
    # Same second: the lower id (the first nominated) leads, every time.
    batch = make_batch(rw.programme, rw.base, "第二期")
    b_first = nominate(rw, rw.aid_b, batch=batch, at=at)
    nominate(rw, rw.aid_long, batch=batch, at=at)
    rows = ranked(batch)
    assert names(rows) == ["赵援鄂", "张援鄂"]
    assert rows[0].candidate.pk == b_first.pk
    assert names(ranked(batch)) == names(rows)  # deterministic


def test_the_rule_is_the_programmes_own(rw):
    programme = make_programme(rw.p, "只看天数", ranking=[RankCriterion.DAYS_DEPLOYED, RankCriterion.APPLIED_AT])
    batch = make_batch(programme, rw.base)
    at = timezone.now() - timedelta(hours=1)
    nominate(rw, rw.nurse, batch=batch, at=at)  # applied first, never deployed
    nominate(rw, rw.cdc_b, batch=batch, at=at + timedelta(minutes=1))  # 10 days
    nominate(rw, rw.aid_short, batch=batch, at=at + timedelta(minutes=2))  # 30 days
    rows = ranked(batch)
    assert names(rows) == ["李短期", "钱疾控", "王护士"]
    assert len(rows[0].reasons) == 2


def test_first_time_before_those_who_recuperated_before(rw):
    # aid_b attended a batch of an earlier programme: aid_long (otherwise equal) goes first
    # even though aid_b applied earlier.
    old_programme = make_programme(rw.p, "2019 年疗休养")
    old = make_batch(old_programme, rw.base, "往期")
    cand = nominate(rw, rw.aid_b, batch=old)
    [offer] = services.fill(actor=SYSTEM, batch=old)
    services.accept(actor=SYSTEM, offer=offer)
    Candidate.objects.filter(pk=cand.pk).update(status=CandidateStatus.ATTENDED)
    at = timezone.now() - timedelta(hours=1)
    nominate(rw, rw.aid_b, at=at)
    nominate(rw, rw.aid_long, at=at + timedelta(minutes=1))
    rows = ranked(rw.batch)
    assert names(rows) == ["张援鄂", "赵援鄂"]
    assert rows[1].first_time is False


def test_the_reasons_say_why(rw, english):
    nominate_all(rw)
    by_name = {r.candidate.worker.name: r for r in ranked(rw.batch)}
    assert by_name["张援鄂"].reasons[:4] == [
        "Aid-team member", "Frontline team: Hubei aid medical team", "Deployed 66 days", "First recuperation",
    ]
    assert by_name["张援鄂"].reasons[4].startswith("Applied ")
    assert by_name["王护士"].reasons[:4] == [
        "Not an aid-team member", "Frontline team: Designated-hospital treatment team", "Not deployed",
        "First recuperation",
    ]
    assert by_name["钱疾控"].reasons[2] == "Deployed 10 days"


def test_every_frontline_team_ranks_alike_under_frontline(rw, english):
    """F2: "other frontline team" is not put after the named teams: under ``frontline`` every
    frontline team is equal, so the earlier nomination leads, and the later one is told why."""
    other = make_worker(rw.p.shinan_hospital, "孙其他", TeamType.OTHER, "13800000009")
    at = timezone.now() - timedelta(hours=1)
    nominate(rw, other, at=at)
    nominate(rw, rw.nurse, at=at + timedelta(minutes=1))
    rows = ranked(rw.batch)
    assert names(rows) == ["孙其他", "王护士"]
    assert rows[0].reasons[1] == "Frontline team: Other frontline team"
    assert rows[1].reasons[1] == "Frontline team: Designated-hospital treatment team"
    assert rows[0].deciding == "" and rows[0].deciding_index is None
    assert rows[1].deciding == "The same as No. 1 on the other criteria: nominated later"
    assert rows[1].deciding_index == 4  # the rule's last criterion, the time of application
    assert str(RankCriterion.FRONTLINE.label) == "Then the other frontline teams, all alike"


def test_the_deciding_criterion_is_named(rw, english):
    nominate_all(rw)
    rows = ranked(rw.batch)  # 张援鄂, 赵援鄂 (same, later), 李短期 (fewer days), 钱疾控 (not aid team), 王护士
    assert [r.deciding for r in rows] == [
        "",
        "The same as No. 1 on the other criteria: nominated later",
        "After No. 2 on: More days deployed first",
        "After No. 3 on: Aid-team members first",
        "After No. 4 on: More days deployed first",
    ]
    assert [r.deciding_index for r in rows] == [None, 4, 2, 0, 2]
    # A rule without the application time: a full tie is said to go by the time of nomination.
    programme = make_programme(rw.p, "只看团队", ranking=[RankCriterion.AID_TEAM])
    batch = make_batch(programme, rw.base)
    at = timezone.now() - timedelta(hours=1)
    nominate(rw, rw.aid_long, batch=batch, at=at)
    nominate(rw, rw.aid_b, batch=batch, at=at + timedelta(minutes=1))
    second = ranked(batch)[1]
    assert second.deciding == "The same as No. 1 on every criterion: by the time of nomination"
    assert second.deciding_index is None


def test_days_deployed_counts_only_completed_deployments():
    done = Deployment(departed_on=date(2020, 1, 26), returned_on=date(2020, 3, 31))
    away = Deployment(departed_on=date(2020, 4, 1), returned_on=None)
    undated = Deployment(departed_on=None, returned_on=None)
    assert days_deployed([done]) == 66
    assert days_deployed([away]) == 0  # no return date: no day counted (not "to today")
    assert days_deployed([done, away, undated]) == 66


def test_an_open_deployment_adds_no_day_and_says_so(rw, english):
    """F1: a deployment never closed in the register (2020, no return date) does not count up to
    today; the reason says so and the person is flagged as still deployed."""
    still = make_worker(rw.p.shinan_hospital, "文仍在", TeamType.HUBEI_AID, "13800000010",
                        deployed=(date(2020, 2, 26), None))
    both = make_worker(rw.p.shinan_hospital, "薛两次", TeamType.HUBEI_AID, "13800000011",
                       deployed=(date(2020, 1, 26), date(2020, 3, 31)))
    registry.save_deployment(actor=SYSTEM, worker=both, batch="第五批", destination="武汉",
                             departed_on=date(2020, 4, 5), returned_on=None)
    at = timezone.now() - timedelta(hours=1)
    nominate(rw, still, at=at)
    nominate(rw, both, at=at + timedelta(minutes=1))
    nominate(rw, rw.aid_short, at=at + timedelta(minutes=2))
    rows = ranked(rw.batch)
    assert names(rows) == ["薛两次", "李短期", "文仍在"]
    by_name = {r.candidate.worker.name: r for r in rows}
    assert by_name["文仍在"].days_deployed == 0
    assert by_name["文仍在"].reasons[2] == "Return date not recorded: no days counted"
    assert by_name["薛两次"].days_deployed == 66
    assert by_name["薛两次"].reasons[2] == "Deployed 66 days (a deployment with no return date not counted)"
    assert by_name["李短期"].reasons[2] == "Deployed 30 days"
    assert [r.still_deployed for r in rows] == [True, False, True]


def test_a_second_deployment_adds_up(rw):
    registry.save_deployment(actor=SYSTEM, worker=rw.aid_short, batch="第二批", destination="武汉",
                             departed_on=date(2020, 3, 10), returned_on=date(2020, 4, 18))
    nominate_all(rw)
    by_name = {r.candidate.worker.name: r for r in ranked(rw.batch)}
    assert by_name["李短期"].days_deployed == 30 + 40
    # 70 days: now ahead of the 66-day aid-team members.
    assert names(ranked(rw.batch))[0] == "李短期"


def test_only_waiting_candidates_who_may_go_have_a_position(rw, english):
    nominate_all(rw)
    second = make_batch(rw.programme, rw.base, "第二期")
    nominate(rw, rw.aid_long, batch=second)
    services.fill(actor=SYSTEM, batch=rw.batch)  # aid_long and aid_b hold places of 第一期
    rows = ranked(second)
    assert rows[0].position is None and rows[0].eligible is False
    assert rows[0].ineligible_reason == "Holds a place in 第一期 of this programme"
    first_rows = ranked(rw.batch)
    assert [(r.candidate.worker.name, r.position) for r in first_rows] == [
        ("张援鄂", None), ("赵援鄂", None), ("李短期", 1), ("钱疾控", 2), ("王护士", 3),
    ]
    mine = explain(Candidate.objects.get(batch=rw.batch, worker=rw.cdc_b))
    assert mine.position == 2 and mine.reasons[0] == "Not an aid-team member"


def test_the_ranking_costs_a_fixed_number_of_queries(rw):
    nominate_all(rw)
    with CaptureQueriesContext(connection) as small:
        ranked(rw.batch)
    for i in range(10):
        worker = make_worker(rw.p.shibei_hospital, f"新人{i}", TeamType.CDC, f"1370000{i:04d}",
                             deployed=(date(2020, 2, 1), date(2020, 2, 10 + i)))
        nominate(rw, worker)
    with CaptureQueriesContext(connection) as large:
        rows = ranked(rw.batch)
    assert len(rows) == 15
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("rule", [[], ["bogus"]])
def test_an_empty_or_unknown_rule_falls_back_to_application_order(rw, rule):
    programme = make_programme(rw.p, "无规则", ranking=rule)
    batch = make_batch(programme, rw.base)
    at = timezone.now() - timedelta(hours=1)
    nominate(rw, rw.nurse, batch=batch, at=at)
    nominate(rw, rw.aid_long, batch=batch, at=at + timedelta(minutes=1))
    rows = ranked(batch)
    assert names(rows) == ["王护士", "张援鄂"]
    assert rows[0].reasons == []
