"""Closing and settling the week: the cut-off closes the offer (job and button); after the
pickup day the uncollected are marked, the check calls drawn, the subsidy charged once."""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.funds.models import Entry
from nuanxin.funds.services import ledger
from nuanxin.notify.models import Notification
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, Order, PickupCallback
from nuanxin.produce.services import pickup, subsidy, weeks
from nuanxin.produce.tests.test_weeks_data import EVENING, NOW, SHANGHAI, build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def wk(personas):
    with time_machine.travel(NOW, tick=False):
        yield build(personas)


def test_close_after_the_cutoff_only(wk):
    Offer.objects.filter(pk=wk.offer.pk).update(
        status=OfferStatus.OPEN, cutoff_at=datetime(2020, 2, 7, 12, 0, tzinfo=SHANGHAI)
    )
    with pytest.raises(ServiceError) as exc:
        weeks.close_offer(actor=wk.p.yi, offer=wk.offer)
    assert exc.value.message == "The order cut-off (2020-02-07 12:00) is not past yet."
    assert weeks.close_due() == 0
    with time_machine.travel(datetime(2020, 2, 7, 12, 0, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(NotAllowed):
            weeks.close_offer(actor=wk.p.bing, offer=wk.offer)
        closed = weeks.close_offer(actor=wk.p.yi, offer=wk.offer)
        assert closed.status == OfferStatus.CLOSED and closed.closed_at is not None
        with pytest.raises(ServiceError) as exc:
            weeks.close_offer(actor=wk.p.yi, offer=wk.offer)
        assert exc.value.message == "Only an offer taking orders can be closed (this one is “Closed for orders”)."
    assert AuditLog.objects.filter(action="produce.offer.close").count() == 1


def test_close_due_closes_every_offer_past_its_cutoff(wk):
    Offer.objects.filter(pk__in=[wk.offer.pk, wk.sb_offer.pk]).update(status=OfferStatus.OPEN)
    assert weeks.close_due() == 2
    assert set(Offer.objects.filter(pk__in=[wk.offer.pk, wk.sb_offer.pk]).values_list("status", flat=True)) == {
        OfferStatus.CLOSED
    }
    assert weeks.close_due() == 0


def test_settle_before_the_day_ends_is_refused(wk):
    with pytest.raises(ServiceError) as exc:
        weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
    assert exc.value.message == "The week is settled after its pickup day (2020-02-07, from 21:00)."
    assert Offer.objects.get(pk=wk.offer.pk).status == OfferStatus.CLOSED


def test_settle_marks_draws_and_tells_the_clerks(wk):
    for code in ("100001", "100002", "100003", "100004"):
        pickup.collect(actor=wk.keeper, point=wk.sn_point, code=code)
    with time_machine.travel(EVENING, tick=False):
        with pytest.raises(NotAllowed):
            weeks.settle_offer(actor=wk.keeper, offer=wk.offer)
        result = weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
        assert result.offer.status == OfferStatus.SETTLED and result.offer.settled_at == EVENING
        assert result.uncollected == 1 and result.callbacks == 3 and result.charge_error == ""
        # collected: 100001 (60+30), 100002 (60), 100003 (60+30), 100004 (60) → value 300, paid 160
        assert result.subsidy == Decimal("140.00") and result.clerks_told == 2  # 市南区's clerk and the city's
        assert Order.objects.get(code="100005", offer=wk.offer).status == OrderStatus.UNCOLLECTED
        with pytest.raises(ServiceError) as exc:
            weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
        assert exc.value.message == "This week's offer is settled already."
    told = Notification.objects.filter(kind="produce.subsidy_due")
    assert {n.recipient.username for n in told} == {"fclerk", "cityclerk"}
    assert {n.url for n in told} == {f"/produce/weeks/{wk.offer.pk}/"}
    assert not Entry.objects.filter(kind="expenditure").exists()
    assert PickupCallback.objects.filter(order__offer=wk.offer).count() == 3
    row = AuditLog.objects.get(action="produce.offer.settle")
    assert row.detail == {"week": "2020-02-03", "uncollected": 1, "callbacks": 3}


def test_a_clerk_charges_the_subsidy_once(wk):
    for code in ("100001", "100002", "100003", "100004"):
        pickup.collect(actor=wk.keeper, point=wk.sn_point, code=code)
    with pytest.raises(ServiceError) as exc:
        subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer)
    assert exc.value.message == "The subsidy is charged once the week is settled."
    with time_machine.travel(EVENING, tick=False):
        weeks.settle_offer(actor=SYSTEM, offer=wk.offer)
        for someone in (wk.p.yi, wk.keeper, wk.p.bing):
            with pytest.raises(NotAllowed):
                subsidy.charge_subsidy(actor=someone, offer=wk.offer)
        entry = subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer)
        assert entry.amount == Decimal("140.00") and entry.kind == "expenditure" and entry.category == "comfort"
        assert entry.status == "pending" and entry.payee == "崂山蔬菜园" and entry.quantity == Decimal("4.00")
        assert entry.fund_id == wk.fund.pk and entry.on.isoformat() == "2020-02-07" and entry.unit == "parcels"
        assert entry.description == (
            "Produce subsidy, week of 2020-02-03, 市南区站: 4 parcels collected, "
            "worth 300.00 yuan, families paid 160.00 yuan"
        )
        assert Offer.objects.get(pk=wk.offer.pk).expenditure_id == entry.pk
        with pytest.raises(ServiceError) as exc:
            subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer)
        assert exc.value.message == "The subsidy of this week at this point is charged already."
    assert Entry.objects.filter(kind="expenditure").count() == 1
    assert AuditLog.objects.get(action="produce.offer.charge").detail == {
        "fund": wk.fund.pk,
        "entry": entry.pk,
        "count": 4,
        "amount": "140.00",
    }


def test_a_rejected_charge_is_charged_again(wk):
    pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100002")
    with time_machine.travel(EVENING, tick=False):
        weeks.settle_offer(actor=SYSTEM, offer=wk.offer)
        entry = subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer)
        assert entry.amount == Decimal("30.00")
        ledger.reject(actor=_approver(wk), entry=entry, reason="补正")
        again = subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer)
    assert again.pk != entry.pk and again.amount == Decimal("30.00")
    assert Offer.objects.get(pk=wk.offer.pk).expenditure_id == again.pk


def _approver(wk):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="fapprover")


def test_no_fund_settles_and_says_so(wk):
    Offer.objects.filter(pk=wk.offer.pk).update(fund=None)
    pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100002")
    with time_machine.travel(EVENING, tick=False):
        result = weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
        assert result.offer.status == OfferStatus.SETTLED and result.clerks_told == 0
        assert result.charge_error == "No fund is chosen for this offer: choose one on the offer first."
        with pytest.raises(NotAllowed):  # nobody's fund: no clerk of it
            subsidy.charge_subsidy(actor=wk.clerk, offer=Offer.objects.get(pk=wk.offer.pk))
    assert not Entry.objects.filter(kind="expenditure").exists()


def test_a_fund_short_of_money_refuses_and_records_nothing(wk):
    Order.objects.filter(offer=wk.offer).update(subsidy=Decimal("20000"))
    pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100002")
    with time_machine.travel(EVENING, tick=False):
        weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
        with pytest.raises(ServiceError):
            subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer)
    assert Offer.objects.get(pk=wk.offer.pk).expenditure_id is None
    assert not Entry.objects.filter(kind="expenditure").exists()
    assert not AuditLog.objects.filter(action="produce.offer.charge").exists()


def test_nothing_collected_has_nothing_to_charge(wk):
    with time_machine.travel(EVENING, tick=False):
        result = weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
        assert result.uncollected == 5 and result.callbacks == 0 and result.subsidy == 0 and result.clerks_told == 0
        with pytest.raises(ServiceError) as exc:
            subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer)
    assert exc.value.message == "No parcel with a subsidy was collected: there is nothing to charge."


def test_settle_due_settles_the_days_offers(wk):
    pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100001")
    with time_machine.travel(datetime(2020, 2, 7, 20, 0, tzinfo=SHANGHAI), tick=False):
        # before the day's end: only the week before (never settled)
        assert [s.offer.pk for s in weeks.settle_due()] == [wk.last_offer.pk]
    with time_machine.travel(EVENING, tick=False):
        done = weeks.settle_due()
        assert sorted(s.offer.pk for s in done) == sorted([wk.offer.pk, wk.sb_offer.pk])
        assert weeks.settle_due() == []
    assert Offer.objects.get(pk=wk.sb_offer.pk).status == OfferStatus.SETTLED
