"""The weekly totals (``care.WeekTotal``): recounted from the duties.

The triggers of migration 0009 keep them in every transaction that changes a duty; this
rebuild is for what bypasses triggers (a bulk load with ``session_replication_role =
replica``, a restore of one table) and to check that nothing did: it counts the duties, compares
with the rows and repairs the difference, and reports what it repaired."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Q

from nuanxin.care.choices import DutyStatus
from nuanxin.care.models import Campaign, VisitDuty, WeekTotal
from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM

STATUSES = ("due", "done", "missed", "excused")
_COUNTS = {name: Count("status", filter=Q(status=getattr(DutyStatus, name.upper()))) for name in STATUSES}


def counted_totals(campaign: Campaign | None = None) -> dict[tuple, tuple[int, int, int, int]]:
    """The totals as the duties give them: ``{(campaign_id, week, organisation_id): (due, done,
    missed, excused)}``, only where there is a duty."""
    qs = VisitDuty.objects.all()
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    rows = qs.values("campaign_id", "week", "organisation_id").annotate(**_COUNTS).order_by()
    return {(r["campaign_id"], r["week"], r["organisation_id"]): tuple(r[name] for name in STATUSES) for r in rows}


def stored_totals(campaign: Campaign | None = None) -> dict[tuple, tuple[int, int, int, int]]:
    """The ``WeekTotal`` rows, in the same form; rows whose counts are all zero stand for no
    duty and are left out."""
    qs = WeekTotal.objects.all()
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    result = {}
    for r in qs.values("campaign_id", "week", "organisation_id", *STATUSES):
        counts = tuple(r[name] for name in STATUSES)
        if any(counts):
            result[(r["campaign_id"], r["week"], r["organisation_id"])] = counts
    return result


@transaction.atomic
def rebuild_week_totals(*, actor=SYSTEM, campaign: Campaign | None = None) -> dict:
    """Make the ``WeekTotal`` rows equal to a fresh count of the duties (of one campaign, or of
    all). On PostgreSQL the duties are locked against writes while they are counted (SHARE
    mode: readers go on), so that no change slips between the count and the write. Returns
    ``{"rows": rows kept, "repaired": rows added, changed or emptied}``; a repair is audited."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE care_visitduty IN SHARE MODE")
    counted = counted_totals(campaign)
    stored = WeekTotal.objects.all() if campaign is None else WeekTotal.objects.filter(campaign=campaign)
    existing = {(r.campaign_id, r.week, r.organisation_id): r for r in stored}
    changed, added = [], []
    for key, row in existing.items():
        want = counted.get(key, (0, 0, 0, 0))
        if tuple(getattr(row, name) for name in STATUSES) != want:
            for name, value in zip(STATUSES, want, strict=True):
                setattr(row, name, value)
            changed.append(row)
    for key, counts in counted.items():
        if key not in existing:
            campaign_id, week, organisation_id = key
            added.append(
                WeekTotal(
                    campaign_id=campaign_id,
                    week=week,
                    organisation_id=organisation_id,
                    **dict(zip(STATUSES, counts, strict=True)),
                )
            )
    WeekTotal.objects.bulk_update(changed, list(STATUSES), batch_size=1000)
    WeekTotal.objects.bulk_create(added, batch_size=1000)
    result = {"rows": len(counted), "repaired": len(changed) + len(added)}
    if result["repaired"]:
        audit.record(actor, "care.totals.rebuild", object_type="care.weektotal", detail=result)
    return result
