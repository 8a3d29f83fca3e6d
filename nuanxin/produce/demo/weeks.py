"""The demo of the weeks area: last week at the demo points, settled. Its parcels were collected
on the pickup day (Friday) but for one family in six; then the week is settled (the uncollected
marked, the check calls drawn), the subsidy charged by a finance clerk of each offer's fund and a
few check calls answered (received, not received, unreachable). Idempotent: a settled week is
left alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.funds.models import Fund
from nuanxin.produce.choices import CallbackStatus, OfferStatus, OrderStatus
from nuanxin.produce.demo.catalogue import POINTS
from nuanxin.produce.models import Offer, Order, PickupCallback
from nuanxin.produce.services import callbacks, subsidy, weeks

ANSWERS = [
    (CallbackStatus.CONFIRMED, ""),
    (CallbackStatus.CONFIRMED, "家属说菜很新鲜"),
    (CallbackStatus.NOT_RECEIVED, "家属说周五去时提货点已关门，没有领到"),
    (CallbackStatus.UNREACHABLE, "两次未接"),
]


def build(*, out: Callable[[str], None] = print) -> None:
    this_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    last = list(
        Offer.objects.filter(point__name__in=[p[0] for p in POINTS], week=this_monday - timedelta(days=7))
        .exclude(status=OfferStatus.SETTLED)
        .select_related("point__organisation", "fund")
    )
    settled = charged = answered = 0
    for offer in last:
        with transaction.atomic():
            day = timezone.make_aware(datetime.combine(offer.pickup_on, time(10)))
            live = list(Order.objects.filter(offer=offer, status=OrderStatus.PLACED).order_by("pk"))
            for i, order in enumerate(live):  # the pickup day, as the keeper's phone recorded it
                if i % 6 != 5:
                    Order.objects.filter(pk=order.pk).update(
                        status=OrderStatus.COLLECTED, collected_at=day + timedelta(minutes=7 * i)
                    )
            result = weeks.settle_offer(actor=SYSTEM, offer=offer)
            settled += 1
        clerk = _clerk(offer.fund)
        if clerk is not None and result.subsidy > 0:
            try:
                subsidy.charge_subsidy(actor=clerk, offer=offer)
                charged += 1
            except ServiceError as exc:
                out(
                    _("produce: the subsidy of %(offer)s is not charged: %(reason)s")
                    % {"offer": offer, "reason": exc.message}
                )
        admin = next(iter(Offer.policy.holders("change", offer.point.organisation)), None)
        calls = PickupCallback.objects.filter(order__offer=offer, status=CallbackStatus.PENDING).order_by("pk")
        for call, (status, note) in zip(list(calls), ANSWERS[: max(0, calls.count() - 1)], strict=False):
            if admin is not None:
                callbacks.record_call(actor=admin, callback=call, status=status, note=note)
                answered += 1
    out(
        _("produce: %(settled)s weeks settled, %(charged)s subsidies charged, %(answered)s check calls answered")
        % {"settled": settled, "charged": charged, "answered": answered}
    )


def _clerk(fund: Fund | None) -> object | None:
    if fund is None:
        return None
    return next(iter(sorted(Fund.policy.holders("record", fund.organisation), key=lambda u: u.pk)), None)
