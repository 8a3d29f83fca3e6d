"""Authorization cases of the week's pages: 市南区 offers (乙 manages them; 丙 of 市北区 reaches
none; a finance clerk of 市南区 charges the subsidy; the counsellor has no role)."""

from typing import Any

from nuanxin.produce.choices import OfferStatus
from nuanxin.produce.models import Offer, Order, PickupCallback
from nuanxin.produce.tests.test_weeks_data import live_world
from tests.authz import Case, standard_cases


def _reopen(offer: Offer) -> None:
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.OPEN, closed_at=None)


def cases(p: Any) -> list[Case]:
    w = live_world(p, "授权周")
    call = w.callback
    return [
        *standard_cases(p, "produce:week", model=Offer, action="view", obj=w.today_offer, allowed=p.yi),
        *standard_cases(
            p,
            "produce:week_close",
            model=Offer,
            action="change",
            obj=w.open_offer,
            allowed=p.yi,
            method="post",
            data={},
            # Showing the hub or a week page closes offers past their cut-off (an earlier case
            # may have): the allowed request closes it again from "taking orders".
            before_allowed=lambda: _reopen(w.open_offer),
        ),
        *standard_cases(
            p,
            "produce:week_settle",
            model=Offer,
            action="change",
            obj=w.done_offer,
            allowed=p.yi,
            method="post",
            data={},
        ),
        *standard_cases(
            p, "produce:week_charge", model=Offer, action="view", obj=w.settled, allowed=w.clerk, method="post", data={}
        ),
        *standard_cases(p, "produce:picklist", model=Offer, action="pickup", obj=w.today_offer, allowed=p.yi),
        *standard_cases(
            p,
            "produce:picklist",
            model=Offer,
            action="pickup",
            obj=w.today_offer,
            allowed=p.yi,
            query="format=xlsx",
            audits="produce.picklist.export",
        ),
        *standard_cases(p, "produce:supplier_totals", model=Offer, action="view", allowed=p.yi),
        *standard_cases(
            p, "produce:uncollected", model=Order, action="view", allowed=p.yi, audits="produce.contacts.read"
        ),
        *standard_cases(
            p, "produce:callbacks", model=PickupCallback, action="view", allowed=p.yi, audits="produce.contacts.read"
        ),
        *standard_cases(
            p,
            "produce:callback_record",
            model=PickupCallback,
            action="change",
            obj=call,
            allowed=p.yi,
            method="post",
            data={f"c{call.pk}-status": "confirmed", f"c{call.pk}-version": str(call.version)},
        ),
    ]
