"""Reading arrangements: the rows a user may see (``Arrangement.policy`` "view": the labour
officers and administrators of the worker's unit and above), the "review due soon" and "ending
soon" lists, and the audit of every read (``record_reads``: what a page, API answer, timeline
or worker-page panel showed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from nuanxin.core import audit
from nuanxin.labour.choices import ArrangementStatus
from nuanxin.labour.models import Arrangement

# The review reminder goes this many days before the review date (and again on the day).
REVIEW_REMIND_DAYS = 7
# "Ending soon": an agreed arrangement whose until date is this close.
ENDING_SOON_DAYS = 14

OPEN_STATUSES = (ArrangementStatus.REFERRED, ArrangementStatus.AGREED)


def review_due_by(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=REVIEW_REMIND_DAYS)


def ending_by(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=ENDING_SOON_DAYS)


def review_due(rows: QuerySet[Arrangement], today: date | None = None) -> QuerySet[Arrangement]:
    """Open arrangements whose review date is within ``REVIEW_REMIND_DAYS`` days (or past)."""
    return rows.filter(status__in=OPEN_STATUSES, review_on__isnull=False, review_on__lte=review_due_by(today))


def ending_soon(rows: QuerySet[Arrangement], today: date | None = None) -> QuerySet[Arrangement]:
    """Agreed arrangements ending within ``ENDING_SOON_DAYS`` days (from today on)."""
    today = today or timezone.localdate()
    return rows.filter(status=ArrangementStatus.AGREED, ends_on__gte=today, ends_on__lte=ending_by(today))


def arrangements(
    user: Any,
    *,
    status: str | None = None,
    due: bool = False,
    ending: bool = False,
    worker: Any = None,
    organisation: Any = None,
) -> QuerySet[Arrangement]:
    """The arrangements ``user`` may read, filtered; referred first, then by review date.
    Not audited: audit what is shown."""
    rows = Arrangement.objects.for_user(user, "view").select_related("worker__organisation")
    if status:
        rows = rows.filter(status=status)
    if due:
        rows = review_due(rows)
    if ending:
        rows = ending_soon(rows)
    if worker is not None:
        rows = rows.filter(worker=worker)
    if organisation is not None:
        rows = rows.filter(worker__organisation__path__startswith=organisation.path)
    return rows.order_by("-status", "review_on", "id")  # referred, (ended,) agreed


def open_counts(user: Any) -> dict[str, int]:
    """Counts only (no read to audit): referred, agreed, review due soon, ending soon."""
    rows = Arrangement.objects.for_user(user, "view")
    return {
        "referred": rows.filter(status=ArrangementStatus.REFERRED).count(),
        "agreed": rows.filter(status=ArrangementStatus.AGREED).count(),
        "due": review_due(rows).count(),
        "ending": ending_soon(rows).count(),
    }


def record_reads(user: Any, shown: Iterable[Arrangement], *, page: str) -> None:
    """Audit that ``shown`` arrangements were read (one row per unit listing the ids)."""
    audit.record_reads(
        user,
        "labour.arrangement.read",
        [(a.worker.organisation, a.pk) for a in shown],
        object_type="labour.arrangement",
        key="arrangements",
        page=page,
    )


def exists_for(user: Any, worker: Any) -> list[Arrangement]:
    """The open arrangements of ``worker`` that ``user`` may read (the worker page's panel)."""
    return list(
        Arrangement.objects.for_user(user, "view")
        .filter(worker=worker)
        .filter(Q(status__in=OPEN_STATUSES))
        .select_related("worker__organisation")
        .order_by("-created_at", "-id")
    )
