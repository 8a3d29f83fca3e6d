"""The produce supply's choices."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# The cap a province used: one parcel a week per family, at most ¥80 (seed 004).
DEFAULT_CAP = Decimal("80.00")


class OfferStatus(models.TextChoices):
    """Draft (being put together) → open (orders taken until the cut-off) → closed (after the
    cut-off: pick lists and supplier totals fixed, pickup codes sent) → settled (the pickup day
    is over, the uncollected are marked, the subsidy is charged to the fund)."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Taking orders")
    CLOSED = "closed", _("Closed for orders")
    SETTLED = "settled", _("Week settled")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    CANCELLED = "cancelled", _("Cancelled")
    COLLECTED = "collected", _("Collected")
    UNCOLLECTED = "uncollected", _("Not collected")


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("To call")
    CONFIRMED = "confirmed", _("Received, confirmed")
    NOT_RECEIVED = "not_received", _("Says not received")
    UNREACHABLE = "unreachable", _("Could not be reached")
