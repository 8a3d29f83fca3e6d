"""Check calls: a deterministic sample of the collected orders, drawn once; the answers."""

from datetime import datetime

import pytest
import time_machine

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.notify.models import Notification
from nuanxin.produce.choices import CallbackStatus, OrderStatus
from nuanxin.produce.models import Order, PickupCallback
from nuanxin.produce.services import callbacks, pickup, weeks
from nuanxin.produce.tests.test_weeks_data import EVENING, NOW, build, family, order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def wk(personas):
    with time_machine.travel(NOW, tick=False):
        yield build(personas)


def test_sample_size():
    assert [callbacks.sample_size(n) for n in (0, 1, 2, 3, 4, 29, 30, 31, 100, 101)] == [0, 1, 2, 3, 3, 3, 3, 4, 10, 11]


def test_the_draw_is_deterministic_and_once(wk):
    extra = [
        order(wk.offer, family(wk.p.shinan_hospital, f"家{i}"), f"1100{i:02d}", [(wk.parcel, 1)]) for i in range(35)
    ]
    Order.objects.filter(offer=wk.offer).exclude(status=OrderStatus.CANCELLED).update(
        status=OrderStatus.COLLECTED, collected_at=NOW
    )
    assert len(extra) == 35
    first = callbacks.draw(actor=wk.p.yi, offer=wk.offer)
    assert first == 4  # 40 collected → 10 %
    drawn = set(PickupCallback.objects.values_list("order_id", flat=True))
    assert callbacks.draw(actor=wk.p.yi, offer=wk.offer) == 0
    PickupCallback.objects.all().delete()
    assert callbacks.draw(actor=wk.p.yi, offer=wk.offer) == 4
    assert set(PickupCallback.objects.values_list("order_id", flat=True)) == drawn
    assert Order.objects.filter(pk__in=drawn, status=OrderStatus.COLLECTED).count() == 4


def _settled(wk):
    for code in ("100001", "100002", "100003", "100004"):
        pickup.collect(actor=wk.keeper, point=wk.sn_point, code=code)
    with time_machine.travel(EVENING, tick=False):
        weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
    return list(PickupCallback.objects.select_related("order").order_by("id"))


def test_record_answers(wk):
    first, second, third = _settled(wk)
    with time_machine.travel(datetime(2020, 2, 8, 9, 30), tick=False):
        done = callbacks.record_call(
            actor=wk.p.yi, callback=first, status=CallbackStatus.CONFIRMED, version=first.version
        )
        assert done.status == CallbackStatus.CONFIRMED and done.called_by == wk.p.yi and done.version == 2
        with pytest.raises(Conflict):
            callbacks.record_call(actor=wk.p.yi, callback=first, status=CallbackStatus.UNREACHABLE, version=1)
        with pytest.raises(ServiceError) as exc:
            callbacks.record_call(actor=wk.p.yi, callback=second, status=CallbackStatus.NOT_RECEIVED, note=" ")
        assert exc.value.message == "Say what the family said about the parcel they did not receive."
        with pytest.raises(ServiceError) as exc:
            callbacks.record_call(actor=wk.p.yi, callback=second, status=CallbackStatus.PENDING)
        assert exc.value.message == "Choose what the family said."
        with pytest.raises(NotAllowed):
            callbacks.record_call(actor=wk.p.bing, callback=second, status=CallbackStatus.CONFIRMED)
        with pytest.raises(NotAllowed):
            callbacks.record_call(actor=wk.keeper, callback=second, status=CallbackStatus.CONFIRMED)
        flagged = callbacks.record_call(
            actor=wk.p.jia, callback=second, status=CallbackStatus.NOT_RECEIVED, note="家属说没有拿到"
        )
    assert flagged.note == "家属说没有拿到"
    told = set(Notification.objects.filter(kind="produce.not_received").values_list("recipient__username", flat=True))
    assert told == {"jia", "yi"}
    assert PickupCallback.objects.get(pk=third.pk).status == CallbackStatus.PENDING
    assert [r.detail["status"] for r in AuditLog.objects.filter(action="produce.callback.record").order_by("id")] == [
        "confirmed",
        "not_received",
    ]
