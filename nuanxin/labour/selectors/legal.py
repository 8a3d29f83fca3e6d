"""Reads of the legal area: lawyers with their load, legal-aid cases with their arbitration time
limit, a case's timeline, the family's entries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Case as When_
from django.db.models import IntegerField, QuerySet, Value, When
from django.utils import timezone

from nuanxin.labour.models import ARBITRATION_LIMIT_DAYS, Lawyer, LegalCase, LegalCaseNote
from nuanxin.labour.services import lawyers as lawyer_services
from nuanxin.labour.services.legal import BEFORE_ARBITRATION, NEAR_DAYS, limit_of
from nuanxin.registry import normalise


def lawyers(user: Any, *, org: Any = None, active: bool | None = None) -> QuerySet[Lawyer]:
    """The lawyers ``user`` may see (of their organisations and below), with ``load`` (open
    cases); by organisation and name."""
    qs = Lawyer.objects.for_user(user, "view").select_related("organisation")
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    if active is not None:
        qs = qs.filter(active=active)
    return lawyer_services.with_load(qs).order_by("organisation__path", "name", "pk")


def masked_mobile(lawyer: Lawyer) -> str:
    return normalise.mask(lawyer.mobile)


def legal_cases(
    user: Any,
    *,
    org: Any = None,
    status: str | None = None,
    kind: str | None = None,
    near_limit: bool = False,
    lawyer: Lawyer | None = None,
    open_only: bool = False,
    today: date | None = None,
) -> QuerySet[LegalCase]:
    """The cases ``user`` may see: open ones first, the nearest arbitration time limit first
    (the oldest infringement), then the newest. ``near_limit``: not at arbitration yet and
    ``NEAR_DAYS`` or fewer left (or passed)."""
    today = today or timezone.localdate()
    qs = LegalCase.objects.for_user(user, "view").select_related(
        "worker__organisation", "owner", "lawyer", "family_member"
    )
    if org is not None:
        qs = qs.filter(organisation__path__startswith=org.path)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=lawyer_services.OPEN_STATUSES)
    if kind:
        qs = qs.filter(kind=kind)
    if lawyer is not None:
        qs = qs.filter(lawyer=lawyer)
    if near_limit:
        qs = qs.filter(
            status__in=BEFORE_ARBITRATION,
            arbitration_at__isnull=True,
            infringed_on__lte=today - timedelta(days=ARBITRATION_LIMIT_DAYS - NEAR_DAYS),
        )
    closed_last = When_(
        When(status__in=lawyer_services.OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return qs.annotate(nx_closed=closed_last).order_by("nx_closed", "infringed_on", "-created_at", "pk")


def with_limits(rows: list[LegalCase], today: date | None = None) -> list[LegalCase]:
    """Each case with ``nx_limit`` (``services.legal.Limit``) for the page."""
    today = today or timezone.localdate()
    for case in rows:
        case.nx_limit = limit_of(case, today)  # type: ignore[attr-defined]
    return rows


def case_timeline(user: Any, case: LegalCase) -> QuerySet[LegalCaseNote]:
    return LegalCaseNote.objects.for_user(user, "view").filter(case=case).select_related("author").order_by("at", "pk")


def family_cases(user: Any, worker: Any) -> list[LegalCase]:
    """The family's cases ``user`` may see (the care timeline)."""
    rows = list(
        LegalCase.objects.for_user(user, "view")
        .filter(worker=worker)
        .select_related("lawyer", "family_member", "worker__organisation")
        .order_by("-created_at", "pk")
    )
    return with_limits(rows)
