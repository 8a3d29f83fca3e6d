"""The family produce supply (measure 6 of notice 001, 贴心家庭保姆活动): production parks →
union stations (pickup points) → frontline workers' families.

- ``Supplier`` (a production park) and ``PickupPoint`` (提货点, at a union station) belong to an
  organisation; ``FamilyPoint`` is the point a family (a registered worker's) chose.
- ``Offer``: one pickup point's weekly offer (items with a price and a subsidised price, a cap
  per family per week, an order cut-off, a pickup day). ``Order`` / ``OrderLine``: a family's
  parcel of that week (at most one live order per family and week), placed by its care contact,
  with a short pickup code sent by SMS and checked at the point.
- After the pickup day the offer is settled: the uncollected are marked, the subsidy of the
  week at that point is charged to a fund as one expenditure (``Offer.expenditure``), and a
  sample of collected orders is called back (``PickupCallback``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.produce.choices import DEFAULT_CAP, CallbackStatus, OfferStatus, OrderStatus
from nuanxin.registry.models import ASSIGNED

MONEY: dict[str, Any] = {"max_digits": 10, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Supplier(models.Model):
    """A production park or farm of the unions' entrepreneurs' alliance."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)  # E.164
    address = models.CharField(_("address"), max_length=200, blank=True)
    products = models.TextField(_("products"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="organisation__path",
        actions={"view": roles.PRODUCE_VIEW, "change": roles.PRODUCE_MANAGE, "figures": roles.PRODUCE_FIGURES},
    )

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class PickupPoint(models.Model):
    """A pickup point (提货点) at a union station: where families collect their parcels. Its
    keepers (``roles.POINT_KEEPER`` granted on its organisation) check the pickup codes."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)  # E.164
    active = models.BooleanField(_("active"), default=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="organisation__path",
        actions={
            "view": roles.PRODUCE_VIEW,
            "change": roles.PRODUCE_MANAGE,
            "pickup": roles.PRODUCE_PICKUP,
            "figures": roles.PRODUCE_FIGURES,
        },
    )

    class Meta:
        verbose_name = _("pickup point")
        verbose_name_plural = _("pickup points")
        ordering = ["organisation_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class FamilyPoint(models.Model):
    """The pickup point a family chose (or its care contact chose for it)."""

    worker = models.OneToOneField(
        "registry.Worker", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+"
    )
    point = models.ForeignKey(
        PickupPoint, verbose_name=_("pickup point"), on_delete=models.PROTECT, related_name="families"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    chosen_at = models.DateTimeField(_("chosen"), auto_now=True)
    version = version_field()

    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="worker__organisation__path",
        actions={"view": roles.PRODUCE_ORDER | roles.AUDITORS, "change": roles.PRODUCE_ORDER},
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("family's pickup point")
        verbose_name_plural = _("families' pickup points")

    def __str__(self) -> str:
        return f"{self.worker_id} → {self.point_id}"


class Offer(models.Model):
    """A pickup point's offer of one week (Monday ``week``)."""

    point = models.ForeignKey(
        PickupPoint, verbose_name=_("pickup point"), on_delete=models.PROTECT, related_name="offers"
    )
    week = models.DateField(_("week"))  # its Monday
    title = models.CharField(_("title"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    cap = models.DecimalField(_("cap per family per week"), default=DEFAULT_CAP, **MONEY)
    cutoff_at = models.DateTimeField(_("order cut-off"))
    pickup_on = models.DateField(_("pickup day"))
    fund = models.ForeignKey(
        "funds.Fund", verbose_name=_("fund charged"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expenditure = models.OneToOneField(
        "funds.Entry",
        verbose_name=_("subsidy expenditure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="point__organisation__path",
        actions={
            "view": roles.PRODUCE_VIEW,
            "change": roles.PRODUCE_MANAGE,
            "pickup": roles.PRODUCE_PICKUP,
            "figures": roles.PRODUCE_FIGURES,
        },
    )

    class Meta:
        verbose_name = _("weekly offer")
        verbose_name_plural = _("weekly offers")
        ordering = ["-week", "point_id"]
        constraints = [models.UniqueConstraint(fields=["point", "week"], name="produce_offer_point_week")]
        indexes = [models.Index(fields=["week", "status"], name="produce_offer_week_idx")]

    def __str__(self) -> str:
        return f"{self.point} {self.week:%Y-%m-%d}"


class OfferItem(models.Model):
    """An item of an offer (a parcel is one item): its market price and the subsidised price the
    family pays, per unit; the subsidy is the difference."""

    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.CASCADE, related_name="items")
    supplier = models.ForeignKey(Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("item"), max_length=100)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    price = models.DecimalField(_("price"), **MONEY)
    subsidised_price = models.DecimalField(_("subsidised price"), **MONEY)
    max_quantity = models.PositiveSmallIntegerField(_("at most per family"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("offer item")
        verbose_name_plural = _("offer items")
        ordering = ["offer_id", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(subsidised_price__lte=models.F("price")), name="produce_item_subsidised_le_price"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Order(models.Model):
    """A family's parcel of one week at its pickup point. ``value`` is at market prices (what the
    cap limits), ``payable`` what the family pays, ``subsidy`` the difference (charged to the
    fund). ``week`` repeats the offer's so that one live order per family and week is a
    constraint."""

    offer = models.ForeignKey(Offer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="orders")
    worker = models.ForeignKey("registry.Worker", verbose_name=_("worker"), on_delete=models.PROTECT, related_name="+")
    week = models.DateField(_("week"))
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    code = models.CharField(_("pickup code"), max_length=8)
    value = models.DecimalField(_("value"), default=Decimal("0"), **MONEY)
    payable = models.DecimalField(_("to pay"), default=Decimal("0"), **MONEY)
    subsidy = models.DecimalField(_("subsidy"), default=Decimal("0"), **MONEY)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    code_sent_at = models.DateTimeField(_("code sent"), null=True, blank=True)
    collected_at = models.DateTimeField(_("collected"), null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="worker__organisation__path",
        actions={"view": roles.PRODUCE_ORDER | roles.AUDITORS, "change": roles.PRODUCE_ORDER},
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-week", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "week"], condition=~Q(status="cancelled"), name="produce_order_one_per_week"
            ),
            models.UniqueConstraint(
                fields=["offer", "code"], condition=~Q(status="cancelled"), name="produce_order_code"
            ),
        ]
        indexes = [models.Index(fields=["offer", "status"], name="produce_order_offer_idx")]

    def __str__(self) -> str:
        return _("Order #%(id)s") % {"id": self.pk}


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(OfferItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="lines")
    quantity = models.PositiveSmallIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    price = models.DecimalField(_("price"), **MONEY)
    subsidised_price = models.DecimalField(_("subsidised price"), **MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "item"], name="produce_line_once")]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"


class PickupCallback(models.Model):
    """A collected order drawn for a check call from the union's line: did the family get it?"""

    order = models.OneToOneField(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="callback")
    status = models.CharField(
        _("status"), max_length=16, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    drawn_at = models.DateTimeField(_("drawn"), auto_now_add=True)
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    version = version_field()

    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="order__worker__organisation__path",
        actions={"view": roles.PRODUCE_MANAGE | roles.AUDITORS, "change": roles.PRODUCE_MANAGE},
    )

    class Meta:
        verbose_name = _("pickup check call")
        verbose_name_plural = _("pickup check calls")
        ordering = ["status", "drawn_at", "id"]

    def __str__(self) -> str:
        return _("Check call #%(id)s") % {"id": self.pk}
