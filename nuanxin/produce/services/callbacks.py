"""Check calls: a sample of the collected parcels is called back from the union's line to check
that the family received it.

When an offer is settled ``draw`` picks 10 % of its collected orders (at least 3 when there are
that many, all of them when fewer) as ``PickupCallback`` rows. The draw is deterministic per
offer (orders ranked by a hash of the offer's and the order's ids) and never repeated: settling
again, or a rerun of the job, draws nothing new. The line staff (``PickupCallback.policy``
"change": the administrators) record the answer: confirmed, not received (a note required; the
administrators of the point are told) or unreachable.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.versioning import bump, check_version
from nuanxin.notify.services import notify
from nuanxin.produce.choices import CallbackStatus, OrderStatus
from nuanxin.produce.models import Offer, Order, PickupCallback

SHARE = 0.10  # of the collected orders
AT_LEAST = 3
ANSWERS = (CallbackStatus.CONFIRMED, CallbackStatus.NOT_RECEIVED, CallbackStatus.UNREACHABLE)
NOTE_MAX = 500


def sample_size(collected: int) -> int:
    """10 % of ``collected`` rounded up, at least 3 (or all of them when fewer)."""
    if collected <= 0:
        return 0
    return min(collected, max(AT_LEAST, math.ceil(collected * SHARE)))


def _rank(offer_id: int, order_id: int) -> str:
    return hashlib.sha256(f"produce-callback:{offer_id}:{order_id}".encode()).hexdigest()


def draw(*, actor: Any, offer: Offer) -> int:
    """Draw ``offer``'s sample of collected orders to call back (once per offer); returns how
    many were drawn now (0 when drawn before). The caller (``settle_offer``) checked the policy."""
    if PickupCallback.objects.filter(order__offer=offer).exists():
        return 0
    ids = list(Order.objects.filter(offer=offer, status=OrderStatus.COLLECTED).values_list("pk", flat=True))
    chosen = sorted(ids, key=lambda pk: _rank(offer.pk, pk))[: sample_size(len(ids))]
    if not chosen:
        return 0
    PickupCallback.objects.bulk_create([PickupCallback(order_id=pk) for pk in chosen], ignore_conflicts=True)
    audit.record(
        actor,
        "produce.callback.draw",
        obj=offer,
        object_repr=f"offer #{offer.pk}",
        organisation=offer.point.organisation,
        detail={"count": len(chosen), "collected": len(ids)},
    )
    return len(chosen)


@transaction.atomic
def record_call(
    *, actor: Any, callback: PickupCallback, status: str, note: str = "", version: Any = None
) -> PickupCallback:
    """What the family said: confirmed, not received (say what they said) or unreachable."""
    PickupCallback.policy.require(actor, "change", callback, _("You may not record this check call."))
    if status not in ANSWERS:
        raise ServiceError(_("Choose what the family said."), field="status")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError(_("The note is at most %(max)d characters.") % {"max": NOTE_MAX}, field="note")
    if status == CallbackStatus.NOT_RECEIVED and not note:
        raise ServiceError(_("Say what the family said about the parcel they did not receive."), field="note")
    locked = (
        PickupCallback.objects.select_for_update()
        .select_related("order__offer__point__organisation", "order__worker")
        .get(pk=callback.pk)
    )
    check_version(locked, version)
    locked.status = status
    locked.note = note
    locked.called_at = timezone.now()
    locked.called_by = user_of(actor)
    locked.save(update_fields=["status", "note", "called_at", "called_by", bump(locked)])
    point = locked.order.offer.point
    audit.record(
        actor,
        "produce.callback.record",
        obj=locked,
        object_repr=f"check call #{locked.pk}",
        organisation=locked.order.worker.organisation,
        detail={"status": status, "order": locked.order_id, "point": point.pk},
    )
    if status == CallbackStatus.NOT_RECEIVED:
        _tell_admins(locked)
    return locked


def _tell_admins(callback: PickupCallback) -> None:
    order = callback.order
    point = order.offer.point
    url = reverse("produce:callbacks") + "?status=not_received"

    def texts() -> tuple[str, str]:
        return (
            _("A family says it did not receive its parcel"),
            _("The check call of order #%(order)s (%(point)s, week of %(week)s): not received.")
            % {"order": order.pk, "point": point.name, "week": f"{order.week:%Y-%m-%d}"},
        )

    title, body = texts()
    for user in Offer.policy.holders("change", point.organisation):
        notify(
            recipient=user,
            kind="produce.not_received",
            occasion=f"callback:{callback.pk}",
            title=title,
            body=body,
            texts=texts,
            url=url,
        )
