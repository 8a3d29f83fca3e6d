"""Two at the same moment (parallel connections on PostgreSQL; skipped on SQLite): two settles
of one offer settle it once; two finance clerks charging its subsidy record one expenditure."""

import pytest
import time_machine

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.models import Entry
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, Order, PickupCallback
from nuanxin.produce.services import subsidy, weeks
from nuanxin.produce.tests.test_weeks_data import EVENING, NOW, build, user
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


def test_two_settles_and_two_clerks_at_once(personas, english):
    with time_machine.travel(NOW, tick=False):
        wk = build(personas)
    Order.objects.filter(offer=wk.offer, code__in=["100001", "100002"]).update(
        status=OrderStatus.COLLECTED, collected_at=NOW
    )
    other_clerk = user("fclerk2", wk.p.shinan, Role.FUND_CLERK, "经办人二")
    with time_machine.travel(EVENING, tick=True):
        settled = run_together(
            lambda: weeks.settle_offer(actor=SYSTEM, offer=wk.offer),
            lambda: weeks.settle_offer(actor=wk.p.yi, offer=wk.offer),
        )
        assert sorted(type(r).__name__ for r in settled) == ["ServiceError", "Settlement"], settled
        assert Offer.objects.get(pk=wk.offer.pk).status == OfferStatus.SETTLED
        charged = run_together(
            lambda: subsidy.charge_subsidy(actor=wk.clerk, offer=wk.offer),
            lambda: subsidy.charge_subsidy(actor=other_clerk, offer=wk.offer),
        )
    entries = [r for r in charged if isinstance(r, Entry)]
    refused = [r for r in charged if isinstance(r, ServiceError)]
    assert len(entries) == 1 and len(refused) == 1, charged
    assert refused[0].message.startswith("The subsidy of this week")
    assert Entry.objects.filter(kind="expenditure").count() == 1
    assert Offer.objects.get(pk=wk.offer.pk).expenditure_id == entries[0].pk
    assert PickupCallback.objects.filter(order__offer=wk.offer).count() == 2
