"""Handing parcels over at the pickup point, and marking the parcels nobody came for.

A point keeper (``roles.POINT_KEEPER`` on the point's organisation) or an administrator
(``PickupPoint.policy`` "pickup") types the family's 6-digit code on a phone: ``find`` says
whose parcel it is and what is in it (nothing changed), ``collect`` hands it over. A code is
accepted for a live order of this point's offer from its pickup day on (a late family still
gets its parcel, the keeper is told how many days late), once the offer stopped taking orders
and until it is settled; everything else is a clear refusal and
nothing changes. ``mark_uncollected`` (called when the week is settled) turns every parcel
still waiting into "not collected".
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, ratelimit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.versioning import bump
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, Order, PickupPoint

log = logging.getLogger(__name__)

CODE_LENGTH = 6
_CODE = re.compile(r"^\d{6}$")
# The pickup day ends at this hour (local time): then the week may be settled (the job runs after it).
DAY_END_HOUR = 21


def day_end(offer: Offer) -> Any:
    """When ``offer``'s pickup day is over."""
    return timezone.make_aware(datetime.combine(offer.pickup_on, time(DAY_END_HOUR)))


def mask_name(name: str) -> str:
    """A family's name as the lists show it to those who need no more: 张*明, 李*, 欧**明."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mobile_tail(mobile: str) -> str:
    digits = "".join(ch for ch in (mobile or "") if ch.isdigit())
    return digits[-4:] if len(digits) >= 4 else ""


def clean_code(code: Any) -> str:
    """The code as typed (spaces, a dash and full-width digits allowed), or a refusal."""
    text = str(code or "").strip()
    text = text.translate({ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")})
    text = text.replace(" ", "").replace("-", "")
    if not _CODE.match(text):
        raise ServiceError(_("Enter the 6-digit pickup code."), field="code")
    return text


def points_for(user: Any) -> Any:
    """The active pickup points where ``user`` may hand parcels over."""
    return (
        PickupPoint.objects.for_user(user, "pickup")
        .filter(active=True)
        .select_related("organisation")
        .order_by("organisation__path", "name", "id")
    )


def _require_point(actor: Any, point: PickupPoint) -> None:
    PickupPoint.policy.require(actor, "pickup", point, _("You may not hand parcels over at this pickup point."))


def _hhmm(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%H:%M") if moment else ""


def _check_order(order: Order, now: Any) -> None:
    offer = order.offer
    if order.status == OrderStatus.COLLECTED:
        collected = timezone.localtime(order.collected_at) if order.collected_at else None
        if collected is not None and collected.date() != timezone.localdate(now):
            raise ServiceError(
                _("Already collected on %(day)s at %(time)s.")
                % {"day": f"{collected:%Y-%m-%d}", "time": f"{collected:%H:%M}"},
                code="collected",
                field="code",
            )
        raise ServiceError(
            _("Already collected at %(time)s.") % {"time": _hhmm(order.collected_at)}, code="collected", field="code"
        )
    if offer.status == OfferStatus.SETTLED or order.status == OrderStatus.UNCOLLECTED:
        raise ServiceError(_("This week is settled: its parcels are no longer handed over."), field="code")
    if offer.status == OfferStatus.DRAFT or (offer.status == OfferStatus.OPEN and offer.cutoff_at > now):
        raise ServiceError(
            _("This week is still taking orders: parcels are handed over after the cut-off."), field="code"
        )


WRONG_CODE_SLICES = 6  # the hour is counted in 10-minute slices: a sliding hour


def wrong_codes_limit() -> ratelimit.Limit:
    """Codes matching no parcel anywhere a person may type in an hour (a typo now and then is
    fine; guessing the million codes is not). Counted in the shared cache, across nodes, over a
    sliding hour (the current 10-minute slice and the five before it): a wrong code is forgotten
    50 to 60 minutes after it was typed, never because the clock's hour turned, so "in the last
    hour" and "try again in an hour" are both true."""
    return ratelimit.Limit(
        "produce-wrong-codes", settings.NUANXIN_PRODUCE_WRONG_CODES_PER_HOUR, ratelimit.HOUR, slices=WRONG_CODE_SLICES
    )


def _person(actor: Any) -> str | None:
    """Whose wrong codes count: a person's (the system, e.g. the demo, is not limited)."""
    user = user_of(actor)
    return str(user.pk) if user is not None else None


def _refuse_guessing(actor: Any) -> None:
    person = _person(actor)
    if person is not None and ratelimit.remaining(wrong_codes_limit(), person) <= 0:
        raise ServiceError(
            _(
                "Too many codes that match no parcel in the last hour: ask the family for the text message "
                "with the code, or try again in an hour."
            ),
            code="too_many_wrong_codes",
            field="code",
        )


def find(*, actor: Any, point: PickupPoint, code: Any) -> Order:
    """The order whose parcel ``code`` collects at ``point`` today (nothing changed), or a
    refusal saying why not: not a code, no such parcel, another point's, a day still to come,
    a cancelled order, a week still taking orders or settled, or already collected (when).
    A parcel is handed over from its pickup day on until its week is settled: a family that
    comes late still gets it (``days_late`` says how late). A person who typed more codes
    matching no parcel than ``wrong_codes_limit`` allows in the last hour is refused before any
    lookup (logged): codes are six digits and would otherwise be guessed."""
    _require_point(actor, point)
    code = clean_code(code)
    _refuse_guessing(actor)
    now = timezone.now()
    today = timezone.localdate(now)
    here = list(
        Order.objects.filter(offer__point=point, code=code).select_related("offer", "worker").order_by("-week", "-id")
    )
    due = [o for o in here if o.offer.pickup_on <= today]
    live = [o for o in due if o.status != OrderStatus.CANCELLED]
    if live:
        # a parcel still waiting in a week not settled first, else the newest (said why not)
        waiting = [o for o in live if o.status == OrderStatus.PLACED and o.offer.status != OfferStatus.SETTLED]
        chosen = (waiting or live)[0]
        _check_order(chosen, now)
        return chosen
    coming = [o for o in here if o.status != OrderStatus.CANCELLED]
    if coming:
        raise ServiceError(
            _("This code's parcel is handed over from %(day)s on, not before.")
            % {"day": f"{coming[-1].offer.pickup_on:%Y-%m-%d}"},
            field="code",
        )
    if due:
        raise ServiceError(_("This order was cancelled: there is no parcel to hand over."), field="code")
    elsewhere = (
        Order.objects.filter(code=code, offer__pickup_on__lte=today, status=OrderStatus.PLACED)
        .exclude(offer__point=point)
        .exclude(offer__status=OfferStatus.SETTLED)
        .select_related("offer__point")
        .order_by("-week", "-id")
        .first()
    )
    if elsewhere is not None:
        raise ServiceError(
            _("This code is of a parcel at another pickup point (%(point)s): send the family there.")
            % {"point": elsewhere.offer.point.name},
            field="code",
        )
    person = _person(actor)
    if person is not None and not ratelimit.hit(wrong_codes_limit(), person):
        log.warning("pickup: user %s typed more wrong codes than the hour allows", person)
    raise ServiceError(
        _("No parcel of today has this code at this point: check the code with the family."),
        code="unknown_code",
        field="code",
    )


def days_late(order: Order, today: Any = None) -> int:
    """How many days after its pickup day the parcel is handed over (0 on the day)."""
    today = today or timezone.localdate()
    return max(0, (today - order.offer.pickup_on).days)


@transaction.atomic
def collect(*, actor: Any, point: PickupPoint, code: Any, order: Order | None = None) -> Order:
    """Hand the parcel of ``code`` over at ``point`` (``find``'s checks, then under the row's
    lock: collected now, by ``actor``). ``order``: the order the caller means (the API's path);
    a code of another order is refused."""
    found = find(actor=actor, point=point, code=code)
    if order is not None and found.pk != order.pk:
        raise ServiceError(_("This code is not this order's."), field="code")
    locked = Order.objects.select_for_update().select_related("offer", "worker").get(pk=found.pk)
    _check_order(locked, timezone.now())  # someone else may have handed it over meanwhile
    locked.status = OrderStatus.COLLECTED
    locked.collected_at = timezone.now()
    locked.collected_by = user_of(actor)
    locked.save(update_fields=["status", "collected_at", "collected_by", "updated_at", bump(locked)])
    audit.record(
        actor,
        "produce.order.collect",
        obj=locked,
        object_repr=f"order #{locked.pk}",
        organisation=point.organisation,
        detail={"offer": locked.offer_id, "point": point.pk, "week": f"{locked.week:%Y-%m-%d}"},
    )
    return locked


def mark_uncollected(*, actor: Any, offer: Offer) -> int:
    """Every parcel of ``offer`` still waiting becomes "not collected" (after its pickup day);
    returns how many. One audit row for the offer, with the count."""
    Offer.policy.require(actor, "change", offer, _("You may not settle this week's offer."))
    if timezone.now() < day_end(offer):
        raise ServiceError(_("The pickup day is not over yet."))
    with transaction.atomic():
        count = Order.objects.filter(offer=offer, status=OrderStatus.PLACED).update(
            status=OrderStatus.UNCOLLECTED, updated_at=timezone.now()
        )
        if count:
            audit.record(
                actor,
                "produce.offer.uncollected",
                obj=offer,
                object_repr=f"offer #{offer.pk}",
                organisation=offer.point.organisation,
                detail={"count": count},
            )
    return count
