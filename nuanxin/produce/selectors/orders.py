"""Reads of offers and orders beyond one model's policy: the offers a user may read through
the API (those of the points in their scope and of the points above it, which serve it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nuanxin.core.policy import is_system
from nuanxin.orgs import scope
from nuanxin.orgs.scope import ancestor_paths
from nuanxin.produce.models import Offer


def visible_offers(user: Any) -> QuerySet[Offer]:
    """Offers of the points in ``user``'s scope (``Offer``'s ``view``) and of the points of the
    organisations above it (a district's point serves the units in it)."""
    if is_system(user):
        return Offer.objects.all()
    paths = scope.scope_paths(user, Offer.policy.roles("view"))
    if not paths:
        return Offer.objects.none()
    above = sorted({a for p in paths for a in ancestor_paths(p)})
    q = Q(point__organisation__path__in=above)
    for p in paths:
        q |= Q(point__organisation__path__startswith=p)
    return Offer.objects.filter(q)
