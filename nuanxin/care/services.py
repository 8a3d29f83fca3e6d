"""Writes of the care work. Every function takes a keyword-only ``actor`` and writes its
audit row in the same transaction."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.care.choices import DUE_DAYS, DifficultyCategory, DifficultySource, Urgency
from nuanxin.care.models import Campaign, Difficulty
from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.registry.models import Worker


@transaction.atomic
def open_difficulty(
    *,
    actor,
    worker: Worker,
    description: str,
    category: str = DifficultyCategory.OTHER,
    urgency: str = Urgency.NORMAL,
    source: str = DifficultySource.MANUAL,
    campaign: Campaign | None = None,
    owner=None,
) -> Difficulty:
    """Record a difficulty of a worker's family; its due date follows from the urgency."""
    description = (description or "").strip()
    if not description:
        raise ServiceError(_("Describe the difficulty."), field="description")
    if category not in DifficultyCategory.values:
        raise ServiceError(_("Unknown category."), field="category")
    if urgency not in Urgency.values:
        raise ServiceError(_("Unknown urgency."), field="urgency")
    today = timezone.localdate()
    difficulty = Difficulty.objects.create(
        worker=worker,
        campaign=campaign,
        category=category,
        urgency=urgency,
        description=description,
        source=source,
        owner=owner,
        due_on=today + timedelta(days=DUE_DAYS[urgency]),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit.record(
        actor,
        "difficulty.open",
        obj=difficulty,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "category": category, "urgency": urgency, "source": source},
    )
    return difficulty
