"""Difficulty lists and their summary."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import (
    Count,
    F,
    Q,
)
from django.utils import timezone

from nuanxin.care import weeks
from nuanxin.care.choices import DIFFICULTY_ACTIVE, DifficultyCategory
from nuanxin.care.models import (
    Difficulty,
    DifficultyNote,
)
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import Worker

# --- difficulties ---------------------------------------------------------------------------


def difficulties(
    user,
    org: Organisation | None = None,
    *,
    status: str | None = None,
    category: str | None = None,
    overdue: bool | None = None,
    worker: Worker | None = None,
):
    """Difficulties in the user's scope, optionally in ``org``'s subtree, by status (or
    ``"active"`` for open and in progress), category, overdue; oldest due first."""
    qs = Difficulty.objects.for_user(user).select_related("worker__organisation", "owner")
    if org is not None:
        qs = qs.filter(worker__organisation__path__startswith=org.path)
    if status == "active":
        qs = qs.filter(status__in=DIFFICULTY_ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if worker is not None:
        qs = qs.filter(worker=worker)
    if overdue:
        qs = qs.filter(status__in=DIFFICULTY_ACTIVE, due_on__lt=timezone.localdate())
    return qs.order_by(F("due_on").asc(nulls_last=True), "pk")


AGE_BUCKETS = (("0-7", 0, 7), ("8-30", 8, 30), ("31+", 31, None))


def difficulty_summary(user, org: Organisation, today: date | None = None) -> dict:
    """Open and in-progress difficulties in ``org``'s subtree by category and age (days
    since opened: 0–7, 8–30, 31+), plus how many are overdue. One aggregate query:
    ``{"buckets": [...], "rows": [{"category", "label", "0-7", "8-30", "31+", "total",
    "overdue"}], "total": n, "overdue": n}``."""
    today = today or timezone.localdate()
    qs = Difficulty.objects.for_user(user, "report").filter(
        organisation__path__startswith=org.path, status__in=DIFFICULTY_ACTIVE
    )
    aggregates = {}
    for key, low, high in AGE_BUCKETS:
        cond = Q(created_at__lt=weeks.start_of(today - timedelta(days=low - 1))) if low else Q()
        if high is not None:
            cond &= Q(created_at__gte=weeks.start_of(today - timedelta(days=high)))
        aggregates[key] = Count("pk", filter=cond) if cond else Count("pk")
    aggregates["overdue"] = Count("pk", filter=Q(due_on__lt=today))
    data = {r["category"]: r for r in qs.values("category").annotate(**aggregates).order_by("category")}
    rows = []
    for category in DifficultyCategory:
        r = data.get(category.value)
        if r is None:
            continue
        row = {"category": category.value, "label": str(category.label), "overdue": r["overdue"]}
        row.update({key: r[key] for key, _low, _high in AGE_BUCKETS})
        row["total"] = sum(r[key] for key, _low, _high in AGE_BUCKETS)
        rows.append(row)
    return {
        "buckets": [key for key, _low, _high in AGE_BUCKETS],
        "rows": rows,
        "total": sum(r["total"] for r in rows),
        "overdue": sum(r["overdue"] for r in rows),
    }


def difficulty_timeline(user, difficulty: Difficulty):
    """The notes of a difficulty, oldest first (the difficulty must be in the user's scope)."""
    return DifficultyNote.objects.for_user(user).filter(difficulty=difficulty).select_related("author")


