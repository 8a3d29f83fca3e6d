"""The produce supply's figures (viewer-safe: counts and amounts, never a family): per week and
point, families served, parcels, their value and subsidy and the share collected; and the same
rolled up the tree, per organisation of the user's scope (a point counts for its organisation
and every level above it)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import ancestor_paths, scope_paths, scope_q
from nuanxin.produce.choices import OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, Order

ZERO = Decimal("0.00")
LIVE = (OrderStatus.PLACED, OrderStatus.COLLECTED, OrderStatus.UNCOLLECTED)
WEEKS = 12


@dataclass
class Figures:
    families: int = 0
    parcels: int = 0
    value: Decimal = ZERO
    subsidy: Decimal = ZERO
    collected: int = 0
    uncollected: int = 0

    def add(self, other: Figures) -> None:
        self.families += other.families
        self.parcels += other.parcels
        self.value += other.value
        self.subsidy += other.subsidy
        self.collected += other.collected
        self.uncollected += other.uncollected

    @property
    def share(self) -> int | None:
        """Collected ÷ the parcels whose pickup is decided (collected + not collected), %."""
        decided = self.collected + self.uncollected
        return round(100 * self.collected / decided) if decided else None


@dataclass
class Row:
    week: date
    point: str
    organisation: str
    status: str
    figures: Figures


@dataclass
class OrgRow:
    organisation: Organisation
    depth: int
    figures: Figures


def _period(weeks: int) -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)


def figures(user: Any, *, weeks: int = WEEKS) -> tuple[list[Row], list[OrgRow], list[tuple[date, Figures]], Figures]:
    """The rows per week and point (newest first), per organisation (rolled up), per week, and
    the total, over the last ``weeks`` weeks of offers ``user`` may see figures of."""
    since = _period(weeks)
    offers = {
        o.pk: o
        for o in Offer.objects.for_user(user, "figures")
        .filter(week__gte=since)
        .exclude(status=OfferStatus.DRAFT)
        .select_related("point__organisation")
    }
    sums = (
        Order.objects.filter(offer_id__in=list(offers), status__in=LIVE)
        .values("offer_id")
        .annotate(
            families=Count("worker_id", distinct=True),
            parcels=Count("id"),
            value=Sum("value"),
            subsidy=Sum("subsidy"),
            collected=Count("id", filter=Q(status=OrderStatus.COLLECTED)),
            uncollected=Count("id", filter=Q(status=OrderStatus.UNCOLLECTED)),
        )
        .order_by()
    )
    by_offer = {
        r["offer_id"]: Figures(
            families=r["families"],
            parcels=r["parcels"],
            value=r["value"] or ZERO,
            subsidy=r["subsidy"] or ZERO,
            collected=r["collected"],
            uncollected=r["uncollected"],
        )
        for r in sums
    }
    labels = dict(OfferStatus.choices)
    rows = [
        Row(
            week=o.week,
            point=o.point.name,
            organisation=o.point.organisation.name,
            status=str(labels.get(o.status, o.status)),
            figures=by_offer.get(o.pk, Figures()),
        )
        for o in sorted(offers.values(), key=lambda o: (-o.week.toordinal(), o.point.name, o.pk))
    ]
    total = Figures()
    per_week: OrderedDict[date, Figures] = OrderedDict()
    per_path: dict[str, Figures] = {}
    prefixes = scope_paths(user, Offer.policy.roles("figures"))
    for o in offers.values():
        f = by_offer.get(o.pk, Figures())
        total.add(f)
        per_week.setdefault(o.week, Figures()).add(f)
        for path in ancestor_paths(o.point.organisation.path):
            if any(path.startswith(prefix) for prefix in prefixes):
                per_path.setdefault(path, Figures()).add(f)
    orgs = {org.path: org for org in Organisation.objects.filter(path__in=list(per_path))}
    top = min((len(p) for p in per_path), default=0)
    org_rows = [
        OrgRow(organisation=orgs[path], depth=(len(path) - top) // 4, figures=per_path[path])
        for path in sorted(per_path)
        if path in orgs
    ]
    weekly = sorted(per_week.items())
    # Families served over the whole period: each counted once (a family orders once a week).
    total.families = (
        Order.objects.filter(offer_id__in=list(offers), status__in=LIVE).values("worker_id").distinct().count()
    )
    return rows, org_rows, weekly, total


def family_rows(user: Any, *, weeks: int = WEEKS) -> list[OrgRow]:
    """The parcels of the families of the user's scope (by the family's unit, rolled up the
    tree; groups too), whatever the point they were collected at: a hospital union's or a
    group's viewer has no pickup point in scope, but its families are served."""
    prefixes = scope_paths(user, Offer.policy.roles("figures"))
    q = scope_q(user, Offer.policy.roles("figures"), "worker__organisation__path")
    if not prefixes or q is None:
        return []
    sums = (
        Order.objects.filter(q, status__in=LIVE, week__gte=_period(weeks))
        .exclude(offer__status=OfferStatus.DRAFT)
        .values("worker__organisation__path")
        .annotate(
            families=Count("worker_id", distinct=True),
            parcels=Count("id"),
            value=Sum("value"),
            subsidy=Sum("subsidy"),
            collected=Count("id", filter=Q(status=OrderStatus.COLLECTED)),
            uncollected=Count("id", filter=Q(status=OrderStatus.UNCOLLECTED)),
        )
        .order_by()
    )
    per_path: dict[str, Figures] = {}
    for r in sums:
        f = Figures(
            families=r["families"],
            parcels=r["parcels"],
            value=r["value"] or ZERO,
            subsidy=r["subsidy"] or ZERO,
            collected=r["collected"],
            uncollected=r["uncollected"],
        )
        for path in ancestor_paths(r["worker__organisation__path"]):
            if any(path.startswith(prefix) for prefix in prefixes):
                per_path.setdefault(path, Figures()).add(f)
    orgs = {org.path: org for org in Organisation.objects.filter(path__in=list(per_path))}
    top = min((len(p) for p in per_path), default=0)
    return [
        OrgRow(organisation=orgs[path], depth=(len(path) - top) // 4, figures=per_path[path])
        for path in sorted(per_path)
        if path in orgs
    ]
