"""The care work's follow-ups: "Order a produce parcel" for a family the user may order for."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nuanxin.care import hooks as care_hooks


def followups(*, user, worker, **kwargs):
    from nuanxin.produce.services.orders import may_order

    if not may_order(user, worker):
        return []
    url = reverse("produce:family", args=[worker.pk]) + f"?worker={worker.pk}"
    return [care_hooks.FollowUp(label=_("Order a produce parcel"), url=url, key="produce")]


def connect() -> None:
    care_hooks.followups.connect(followups)
