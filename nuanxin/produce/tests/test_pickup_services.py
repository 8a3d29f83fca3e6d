"""Handing parcels over at the point: the code of a live order of this point's offer of today,
after the cut-off; every other code a clear refusal with nothing changed."""

from datetime import datetime

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, Order
from nuanxin.produce.services import pickup
from nuanxin.produce.tests.test_weeks_data import NOW, SHANGHAI, build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def wk(personas):
    with time_machine.travel(NOW, tick=False):
        yield build(personas)


def _statuses():
    return dict(Order.objects.values_list("code", "status"))


def refused(wk, code, point=None, actor=None):
    before, audited = _statuses(), AuditLog.objects.count()
    with pytest.raises(ServiceError) as exc:
        pickup.collect(actor=actor or wk.keeper, point=point or wk.sn_point, code=code)
    assert _statuses() == before
    assert AuditLog.objects.count() == audited
    return exc.value.message


def test_mask_name_and_tail():
    assert pickup.mask_name("张三明") == "张*明"
    assert pickup.mask_name("李四") == "李*"
    assert pickup.mask_name("欧阳小明") == "欧**明"
    assert pickup.mask_name("王") == "王"
    assert pickup.mobile_tail("+8613800138000") == "8000"


def test_find_shows_the_parcel_and_changes_nothing(wk):
    found = pickup.find(actor=wk.keeper, point=wk.sn_point, code=" 100 001 ")
    assert found.pk == wk.orders[0].pk
    assert Order.objects.get(pk=found.pk).status == OrderStatus.PLACED


def test_collect_hands_the_parcel_over_once(wk):
    got = pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100002")
    assert got.pk == wk.orders[1].pk
    assert got.status == OrderStatus.COLLECTED and got.collected_by == wk.keeper
    assert got.collected_at == NOW
    row = AuditLog.objects.get(action="produce.order.collect")
    assert row.object_id == str(got.pk) and row.organisation_id == wk.sn_point.organisation_id
    with pytest.raises(ServiceError) as exc:
        pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100002")
    assert exc.value.message == "Already collected at 10:00."
    assert AuditLog.objects.filter(action="produce.order.collect").count() == 1


def test_collected_on_another_day_says_the_day(wk):
    pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100002")
    Order.objects.filter(code="100002").update(collected_at=datetime(2020, 2, 6, 17, 5, tzinfo=SHANGHAI))
    assert refused(wk, "100002") == "Already collected on 2020-02-06 at 17:05."


def test_an_administrator_of_the_point_may_hand_over(wk):
    assert pickup.collect(actor=wk.p.yi, point=wk.sn_point, code="100003").status == OrderStatus.COLLECTED


def test_refusals_change_nothing(wk):
    assert refused(wk, "12345") == "Enter the 6-digit pickup code."
    assert refused(wk, "abcdef") == "Enter the 6-digit pickup code."
    assert refused(wk, "999999") == "No parcel of today has this code at this point: check the code with the family."
    assert refused(wk, "200001") == (
        "This code is of a parcel at another pickup point (市北区站): send the family there."
    )
    assert refused(wk, "100009") == "This order was cancelled: there is no parcel to hand over."


def test_guessing_codes_is_stopped_after_the_hours_wrong_codes(wk, settings):
    """Six digits are a million codes: after NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR codes that match
    no parcel, the person is refused before any lookup, even a right code, for the hour."""
    from django.core.cache import cache

    cache.clear()
    settings.NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR = 3
    unknown = "No parcel of today has this code at this point: check the code with the family."
    assert [refused(wk, f"99999{i}") for i in range(2)] == [unknown] * 2
    # other refusals name a real parcel: they do not count
    assert refused(wk, "200001").startswith("This code is of a parcel at another pickup point")
    assert refused(wk, "999995") == unknown  # the third wrong code: the hour's last
    guessing = (
        "Too many codes that match no parcel in the last hour: ask the family for the text message with the "
        "code, or try again in an hour."
    )
    assert refused(wk, "100002") == guessing
    # another person is not held up
    assert pickup.find(actor=wk.p.yi, point=wk.sn_point, code="100002").pk == wk.orders[1].pk
    # the system (the demo, a job) is not a person typing codes
    assert pickup.find(actor=SYSTEM, point=wk.sn_point, code="100002").pk == wk.orders[1].pk
    with time_machine.travel(NOW.replace(hour=NOW.hour + 1), tick=False):
        assert pickup.find(actor=wk.keeper, point=wk.sn_point, code="100002").pk == wk.orders[1].pk
    cache.clear()


UNKNOWN = "No parcel of today has this code at this point: check the code with the family."
GUESSING = (
    "Too many codes that match no parcel in the last hour: ask the family for the text message with the "
    "code, or try again in an hour."
)


def _at(hour, minute, second=0):
    return time_machine.travel(NOW.replace(hour=hour, minute=minute, second=second), tick=False)


def _found(wk):
    return pickup.find(actor=wk.keeper, point=wk.sn_point, code="100002").pk == wk.orders[1].pk


def test_wrong_codes_count_over_a_sliding_hour_not_the_clocks_hour(wk, settings):
    """Three wrong codes at 10:59 (the limit 3): the clock's hour turning at 11:00 does not let the
    person guess on; the codes are forgotten with their 10-minute slice (10:50–11:00) at 11:50."""
    from django.core.cache import cache

    cache.clear()
    settings.NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR = 3
    with _at(10, 59, 59):
        assert [refused(wk, f"99999{i}") for i in range(3)] == [UNKNOWN] * 3
        assert refused(wk, "100002") == GUESSING
    for hour, minute, second in ((11, 0, 0), (11, 49, 59)):
        with _at(hour, minute, second):
            assert refused(wk, "100002") == GUESSING, (hour, minute, second)
    with _at(11, 50):
        assert _found(wk)
    cache.clear()


def test_the_sliding_hour_forgets_each_wrong_code_in_its_turn(wk, settings):
    """Two wrong codes at 10:05 and one at 10:45: refused until 11:00, when the 10:00–10:10 slice
    leaves the hour; the 10:45 code still counts, so two more wrong codes reach the limit again."""
    from django.core.cache import cache

    cache.clear()
    settings.NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR = 3
    with _at(10, 5):
        assert [refused(wk, f"99999{i}") for i in range(2)] == [UNKNOWN] * 2
    with _at(10, 45):
        assert refused(wk, "999992") == UNKNOWN
    with _at(10, 59, 59):
        assert refused(wk, "100002") == GUESSING
    with _at(11, 0):
        assert _found(wk)
        assert [refused(wk, f"99999{i}") for i in range(3, 5)] == [UNKNOWN] * 2
        assert refused(wk, "100002") == GUESSING
    cache.clear()


def test_wrong_codes_are_not_counted_when_the_cache_does_not_answer(wk, settings, caplog):
    """A shared cache (Redis) that does not answer does not stop the hand-over: the codes go
    uncounted (logged), as for the public pages' limits."""
    from django.test import override_settings

    from nuanxin.core.tests.redis import cache_settings, silent_location

    settings.NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR = 1
    location = silent_location()
    with override_settings(REDIS_URL=location, CACHES=cache_settings(location, timeout=0.2)):
        assert [refused(wk, f"99999{i}") for i in range(2)] == [UNKNOWN] * 2
        assert _found(wk)
    assert "rate limit produce-wrong-codes not counted: the cache did not answer" in caplog.text


def test_a_late_family_gets_its_parcel_until_the_week_is_settled(wk):
    """F9: last week's parcel (pickup day 2020-01-31, the week closed, not settled) is handed
    over a week late; once the week is settled it is refused."""
    found = pickup.find(actor=wk.keeper, point=wk.sn_point, code="300001")
    assert found.offer.pickup_on.isoformat() == "2020-01-31" and pickup.days_late(found) == 7
    assert pickup.days_late(wk.orders[0]) == 0
    Offer.objects.filter(pk=found.offer_id).update(status=OfferStatus.SETTLED)
    assert refused(wk, "300001") == "This week is settled: its parcels are no longer handed over."
    Offer.objects.filter(pk=found.offer_id).update(status=OfferStatus.CLOSED)
    got = pickup.collect(actor=wk.keeper, point=wk.sn_point, code="300001")
    assert got.pk == found.pk and got.status == OrderStatus.COLLECTED


def test_before_the_pickup_day_the_day_is_named(wk):
    with time_machine.travel(datetime(2020, 2, 6, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert refused(wk, "100001") == "This code's parcel is handed over from 2020-02-07 on, not before."


def test_a_week_still_taking_orders_or_settled_is_refused(wk):
    Offer.objects.filter(pk=wk.offer.pk).update(
        status=OfferStatus.OPEN, cutoff_at=datetime(2020, 2, 7, 12, 0, tzinfo=SHANGHAI)
    )
    assert refused(wk, "100001") == ("This week is still taking orders: parcels are handed over after the cut-off.")
    Offer.objects.filter(pk=wk.offer.pk).update(
        status=OfferStatus.OPEN, cutoff_at=datetime(2020, 2, 5, 18, 0, tzinfo=SHANGHAI)
    )
    assert pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100001").status == OrderStatus.COLLECTED
    Offer.objects.filter(pk=wk.offer.pk).update(status=OfferStatus.SETTLED)
    assert refused(wk, "100004") == "This week is settled: its parcels are no longer handed over."


def test_a_keeper_of_another_point_is_refused(wk):
    with pytest.raises(NotAllowed):
        pickup.collect(actor=wk.keeper_sb, point=wk.sn_point, code="100001")
    with pytest.raises(NotAllowed):
        pickup.collect(actor=wk.p.care, point=wk.sn_point, code="100001")
    assert Order.objects.get(code="100001", offer=wk.offer).status == OrderStatus.PLACED


def test_the_api_order_must_be_the_codes(wk):
    with pytest.raises(ServiceError) as exc:
        pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100001", order=wk.orders[1])
    assert exc.value.message == "This code is not this order's."
    assert _statuses()["100001"] == OrderStatus.PLACED


def test_points_for_the_keeper(wk):
    assert list(pickup.points_for(wk.keeper)) == [wk.sn_point]
    assert set(pickup.points_for(wk.p.jia)) == {wk.sn_point, wk.sb_point}
    assert list(pickup.points_for(wk.p.care)) == []


def test_mark_uncollected_after_the_day(wk):
    pickup.collect(actor=wk.keeper, point=wk.sn_point, code="100001")
    with pytest.raises(ServiceError) as exc:
        pickup.mark_uncollected(actor=wk.p.yi, offer=wk.offer)
    assert exc.value.message == "The pickup day is not over yet."
    with time_machine.travel(datetime(2020, 2, 7, 21, 0, tzinfo=SHANGHAI), tick=False):
        assert pickup.mark_uncollected(actor=wk.p.yi, offer=wk.offer) == 4
    assert Order.objects.filter(offer=wk.offer, status=OrderStatus.UNCOLLECTED).count() == 4
    assert Order.objects.get(code="100009").status == OrderStatus.CANCELLED
    assert AuditLog.objects.get(action="produce.offer.uncollected").detail == {"count": 4}
