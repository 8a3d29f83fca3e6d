"""Condolence rounds: one entry approved once for everyone listed; nobody paid twice in a round
(listed twice: paid once; already paid: left out; the database refuses it too); a rejected
round entry frees its people; the pages' picker (filters, select all, pasted lists)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.funds.choices import EntryStatus
from nuanxin.funds.models import Beneficiary, CondolenceRound, Entry
from nuanxin.funds.services import ledger, rounds
from nuanxin.funds.tests.authz_spending import worker
from nuanxin.funds.tests.fixtures import PASSWORD, approve_fully, fund_with
from nuanxin.registry.choices import TeamType

pytestmark = pytest.mark.django_db

ON = date(2020, 2, 3)


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def aid(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "40000")
    team = [worker(personas.shinan_hospital, name, f"1380000{i:04d}") for i, name in enumerate(
        ["张三", "李四", "王五"], start=1)]
    other = worker(personas.shinan_hospital, "赵六", "13800009999", team=TeamType.CDC, status="on_duty")
    return fund, team, other


def client_for(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    assert c.login(username=user.username, password=PASSWORD)
    return c


def test_a_round_pays_everyone_in_one_approval(fp, aid):
    fund, team, _other = aid
    round_, plan = rounds.create_round(actor=fp.clerk, fund=fund, name="援鄂医疗队员慰问", amount_per_person="2000",
                                       on=ON, workers=team)
    entry = round_.entries.get()
    assert (entry.amount, entry.category, entry.status, len(plan.workers)) == (
        Decimal("6000.00"), "condolence", EntryStatus.PENDING, 3,
    )
    approve_fully(entry, fp.approver)
    assert ledger.balance(fund) == Decimal("34000.00")
    assert sorted(round_.beneficiaries.values_list("worker__name", "amount")) == [
        ("张三", Decimal("2000.00")), ("李四", Decimal("2000.00")), ("王五", Decimal("2000.00")),
    ]


def test_the_same_person_listed_twice_is_paid_once(fp, aid):
    fund, team, _other = aid
    round_, plan = rounds.create_round(actor=fp.clerk, fund=fund, name="慰问", amount_per_person="2000", on=ON,
                                       workers=[team[0], team[1], team[0]])
    assert plan.repeated == [team[0]] and round_.entries.get().amount == Decimal("4000.00")
    assert AuditLog.objects.get(action="funds.round.left_out").detail == {"round_listed_twice": 1}


def test_nobody_is_paid_twice_in_a_round_across_additions(fp, aid):
    fund, team, other = aid
    round_, _plan = rounds.create_round(actor=fp.clerk, fund=fund, name="慰问", amount_per_person="2000", on=ON,
                                        workers=team[:2])
    # the ledger refuses someone already paid (pending counts) ...
    with pytest.raises(ServiceError) as refused:
        ledger.add_to_round(actor=fp.clerk, round_=round_, workers=[team[1]], on=ON)
    assert refused.value.code == "duplicate" and refused.value.message == "Already paid in this round: 李四."
    # ... the round's service leaves them out and pays the others
    entry, plan = rounds.add_people(actor=fp.clerk, round_=round_, workers=[team[1], team[2], other], on=ON)
    assert plan.already_paid == [team[1]] and entry.amount == Decimal("4000.00")
    assert sorted(entry.beneficiaries.values_list("worker__name", flat=True)) == ["王五", "赵六"]
    assert AuditLog.objects.filter(action="funds.round.add").get().detail == {
        "round_entry": entry.pk, "round_people_added": 2, "round_already_paid": 1, "round_listed_twice": 0,
    }
    with pytest.raises(ServiceError) as nothing_left:
        rounds.add_people(actor=fp.clerk, round_=round_, workers=[team[0]], on=ON)
    assert nothing_left.value.message == "Everyone chosen is already paid in this round: nothing to record."
    # and the database refuses it whatever the code does
    with pytest.raises(IntegrityError), transaction.atomic():
        Beneficiary.objects.create(entry=entry, worker=team[0], amount=Decimal("2000"), round=round_)


def test_someone_paid_between_the_plan_and_the_ledger_is_the_race_message(fp, aid, monkeypatch):
    """The other clerk's entry landing after this one's plan but before its ledger check (under the
    fund's lock) is refused as the race is, whichever of the two checks sees it first."""
    fund, team, _other = aid
    round_, _plan = rounds.create_round(actor=fp.clerk, fund=fund, name="慰问", amount_per_person="2000", on=ON,
                                        workers=team[:1])
    stale = rounds.plan(round_, [team[1]])
    rounds.add_people(actor=fp.clerk, round_=round_, workers=[team[1]], on=ON)
    monkeypatch.setattr(rounds, "plan", lambda _round, _workers: stale)
    with pytest.raises(Conflict) as refused:
        rounds.add_people(actor=fp.clerk, round_=round_, workers=[team[1]], on=ON)
    assert refused.value.message == (
        "Someone has just paid one of these people in this round. Open the round again to see who is paid."
    )
    assert Entry.objects.filter(round=round_).count() == 2
    assert AuditLog.objects.filter(action="funds.round.add").count() == 1


def test_a_rejected_round_entry_frees_its_people(fp, aid):
    fund, team, _other = aid
    round_, _plan = rounds.create_round(actor=fp.clerk, fund=fund, name="慰问", amount_per_person="2000", on=ON,
                                        workers=team)
    first = round_.entries.get()
    ledger.reject(actor=fp.approver, entry=first, reason="名单有误")
    assert ledger.balance(fund) == Decimal("40000.00")
    again, plan = rounds.add_people(actor=fp.clerk, round_=round_, workers=team, on=ON)
    assert plan.already_paid == [] and again.amount == Decimal("6000.00")
    approve_fully(again, fp.approver)
    assert ledger.balance(fund) == Decimal("34000.00")
    assert Beneficiary.objects.filter(round=round_, active=True).count() == 3


def test_the_page_creates_a_round_for_the_aid_team_of_a_unit(personas, fp, aid):
    fund, team, other = aid
    c = client_for(fp.clerk)
    url = reverse("funds:round_create", kwargs={"fund_pk": fund.pk})
    form = {"name": "援鄂医疗队员慰问金", "amount_per_person": "2000", "on": "2020-02-03", "description": "",
            "pasted": "", "pick-unit": "SN-H1", "pick-team": "hubei_aid", "pick-status": "", "pick-q": ""}
    selected = c.post(url, {**form, "action": "select_all"}).content.decode()
    for w in team:
        assert f'value="{w.pk}" id="nx-round-w{w.pk}" checked' in selected
    assert f'id="nx-round-w{other.pk}"' not in selected  # 赵六 is of the CDC team
    saved = c.post(url, {**form, "workers": [w.pk for w in team], "action": "save"})
    round_ = CondolenceRound.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse("funds:round_detail", kwargs={"pk": round_.pk})
    assert round_.entries.get().amount == Decimal("6000.00")


def test_the_page_matches_a_pasted_list_and_says_what_it_left_out(personas, fp, aid):
    fund, team, _other = aid
    c = client_for(fp.clerk)
    url = reverse("funds:round_create", kwargs={"fund_pk": fund.pk})
    form = {"name": "慰问", "amount_per_person": "500", "on": "2020-02-03", "action": "save"}
    unknown = c.post(url, {**form, "pasted": "张三\n无此人"})
    assert "Nobody you may pay from this fund matches: 无此人." in unknown.content.decode()
    assert not CondolenceRound.objects.exists()
    saved = c.post(url, {**form, "pasted": "张三\n13800000002\n赵六 9999\n张三", "workers": [team[0].pk]}, follow=True)
    html = saved.content.decode()
    # one notice, once (张三 was checked and pasted twice)
    assert html.count("Listed twice, paid once: 张三.") == 1 and "Pasted twice" not in html
    round_ = CondolenceRound.objects.get()
    assert sorted(round_.beneficiaries.values_list("worker__name", flat=True)) == ["张三", "李四", "赵六"]


def test_a_person_pasted_twice_is_named_in_one_notice(personas, fp, aid):
    fund, _team, _other = aid
    c = client_for(fp.clerk)
    url = reverse("funds:round_create", kwargs={"fund_pk": fund.pk})
    form = {"name": "慰问", "amount_per_person": "500", "on": "2020-02-03", "action": "save"}
    html = c.post(url, {**form, "pasted": "张三\n李四\n张三"}, follow=True).content.decode()
    assert html.count("Listed twice, paid once: 张三.") == 1 and "Pasted twice" not in html
    round_ = CondolenceRound.objects.get()
    assert sorted(round_.beneficiaries.values_list("worker__name", flat=True)) == ["张三", "李四"]
    assert round_.entries.get().amount == Decimal("1000.00")


def test_the_round_page_shows_who_is_paid_and_the_add_page_leaves_them_out(fp, aid):
    fund, team, _other = aid
    round_, _plan = rounds.create_round(actor=fp.clerk, fund=fund, name="慰问", amount_per_person="2000", on=ON,
                                        workers=team[:1])
    approve_fully(round_.entries.get(), fp.approver)
    page = client_for(fp.approver).get(reverse("funds:round_detail", kwargs={"pk": round_.pk})).content.decode()
    assert "张三" in page and "¥2,000.00" in page and 'data-status="approved"' in page
    c = client_for(fp.clerk)
    url = reverse("funds:round_add", kwargs={"pk": round_.pk})
    shown = c.post(url, {"on": "2020-02-04", "action": "filter", "pick-team": "hubei_aid"}).content.decode()
    assert "already paid in this round" in shown
    saved = c.post(url, {"on": "2020-02-04", "action": "save", "workers": [w.pk for w in team]}, follow=True)
    assert "Already paid in this round, left out: 张三." in saved.content.decode()
    assert Entry.objects.filter(round=round_).count() == 2
    assert sorted(Beneficiary.objects.filter(round=round_).values_list("worker__name", flat=True)) == [
        "张三", "李四", "王五",
    ]


def test_a_fund_without_condolence_money_says_so_and_records_no_round(personas, fp, aid):
    from nuanxin.funds.tests.fixtures import open_fund

    _fund, team, _other = aid
    fund = open_fund(fp.clerk, personas.shinan, "防护物资专项", categories=["protective"])
    c = client_for(fp.clerk)
    url = reverse("funds:round_create", kwargs={"fund_pk": fund.pk})
    assert 'id="nx-round-no-condolence"' in c.get(url).content.decode()
    refused = c.post(url, {"name": "慰问", "amount_per_person": "100", "on": "2020-02-03", "action": "save",
                           "workers": [team[0].pk], "pasted": ""})
    assert "does not allow spending on “Condolence money”" in refused.content.decode()
    assert not CondolenceRound.objects.exists()
