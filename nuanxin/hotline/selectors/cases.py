"""Reads of the crisis cases and callbacks: the queue of a hotline (overdue first, crisis
first, then by the time they are next due), the crisis list, their timelines, and the audit
of every read (``record_reads``: one row per organisation with the ids shown and the page)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core import audit
from nuanxin.hotline.choices import MemberKind, RiskLevel
from nuanxin.hotline.models import (
    Callback,
    CallbackAttempt,
    CallbackNote,
    CrisisCase,
    CrisisNote,
    Hotline,
    HotlineMember,
)
from nuanxin.notify.choices import Channel as DeliveryChannel
from nuanxin.notify.models import Notification

# A callback's severity: "crisis", a scale's band (the self-assessments) or the call's risk level.
SEVERITIES = {
    "crisis": _("Crisis"),
    "severe": _("Severe"),
    "mod_severe": _("Moderately severe"),
    "moderate": _("Moderate"),
    "mild": _("Mild"),
    "minimal": _("Minimal"),
    "normal": pgettext_lazy("hotline", "Normal"),
}


def severity_label(code: str) -> str:
    """The words for a callback's severity (the code itself when unknown)."""
    if code in SEVERITIES:
        return str(SEVERITIES[code])
    if code in RiskLevel.values:
        return str(_("Risk: %(level)s") % {"level": RiskLevel(code).label})
    return code


def labelled(shown: Iterable[Callback]) -> list[Callback]:
    """The callbacks with their ``severity_label`` (for the pages)."""
    rows = list(shown)
    for row in rows:
        row.severity_label = severity_label(row.severity)  # type: ignore[attr-defined]
    return rows


ACTIVE = "active"  # the status filter's default: waiting, claimed, to try again
ALL = "all"


def record_hotlines(user: Any) -> list[Hotline]:
    """The hotlines whose records ``user`` reads: those they serve or supervise (active member)."""
    if getattr(user, "pk", None) is None:
        return []
    ids = HotlineMember.objects.filter(
        user_id=user.pk, active=True, kind__in=[MemberKind.COUNSELLOR, MemberKind.SUPERVISOR]
    ).values("hotline_id")
    return list(Hotline.objects.filter(pk__in=ids).select_related("organisation").order_by("name", "pk"))


def supervised_hotline_ids(user: Any) -> set[int]:
    """The hotlines ``user`` supervises (the pages offer them the supervisor's actions)."""
    if getattr(user, "pk", None) is None:
        return set()
    return set(
        HotlineMember.objects.filter(user_id=user.pk, active=True, kind=MemberKind.SUPERVISOR).values_list(
            "hotline_id", flat=True
        )
    )


def callbacks(
    user: Any,
    *,
    hotline: Hotline | None = None,
    status: str | None = ACTIVE,
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[Callback]:
    """The callbacks ``user`` may read (of the hotlines they serve), in queue order: overdue
    first, then crisis ones, then by the time they are next due (``next_due``: the retry time
    after an unanswered attempt, else the due time). ``status``: one status, ``"active"``
    (default: waiting, claimed, to try again) or ``"all"``; ``overdue``: only those past
    ``next_due``. Each row carries ``next_due`` and ``late`` (1 when overdue)."""
    now = now or timezone.now()
    qs = Callback.objects.for_user(user, "view").select_related(
        "hotline__organisation", "organisation", "owner", "preferred_counsellor", "crisis"
    )
    if hotline is not None:
        qs = qs.filter(hotline=hotline)
    if status == ACTIVE or not status:
        qs = qs.filter(status__in=Callback.lifecycle.active)
    elif status != ALL:
        qs = qs.filter(status=status)
    qs = qs.annotate(next_due=Coalesce("retry_at", "due_at")).annotate(
        late=Case(
            When(Q(status__in=Callback.lifecycle.active) & Q(next_due__lt=now), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        ),
        crisis_first=Case(When(severity="crisis", then=Value(0)), default=Value(1), output_field=IntegerField()),
    )
    if overdue:
        qs = qs.filter(late=1)
    return qs.order_by("-late", "crisis_first", "next_due", "pk")


def crises(
    user: Any,
    *,
    hotline: Hotline | None = None,
    status: str | None = ACTIVE,
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[CrisisCase]:
    """The crisis cases ``user`` may read: those waiting for their first contact past its due
    time first, then imminent before high risk, then the newest. ``status`` as for the
    callbacks (``"active"``: not closed); ``overdue``: only those without contact past due.
    Each row carries ``late`` (1: neither a first contact nor a hand-over, and past due)."""
    now = now or timezone.now()
    qs = CrisisCase.objects.for_user(user, "view").select_related("hotline__organisation", "organisation", "owner")
    if hotline is not None:
        qs = qs.filter(hotline=hotline)
    if status == ACTIVE or not status:
        qs = qs.filter(status__in=CrisisCase.lifecycle.active)
    elif status != ALL:
        qs = qs.filter(status=status)
    qs = qs.annotate(
        late=Case(
            When(
                Q(status__in=CrisisCase.lifecycle.active)
                & Q(first_contact_at__isnull=True, handover_to="")
                & Q(due_at__lt=now),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        ),
        imminent_first=Case(When(risk="imminent", then=Value(0)), default=Value(1), output_field=IntegerField()),
    )
    if overdue:
        qs = qs.filter(late=1)
    return qs.order_by("-late", "imminent_first", "-created_at", "-pk")


def callback_timeline(callback: Callback) -> list[CallbackNote]:
    return list(CallbackNote.objects.filter(callback=callback).select_related("author").order_by("at", "id"))


def callback_attempts(callback: Callback) -> list[CallbackAttempt]:
    return list(CallbackAttempt.objects.filter(callback=callback).select_related("by").order_by("at", "id"))


def crisis_timeline(case: CrisisCase) -> list[CrisisNote]:
    return list(CrisisNote.objects.filter(crisis=case).select_related("author").order_by("at", "id"))


def crisis_alerts(case: CrisisCase) -> dict[str, Any]:
    """Who was told of the crisis case when it was opened: ``told`` (how many supervisors got
    the notification in the app) and ``untexted`` (those of them who got no text message: no
    mobile on their account; the counsellor phones them)."""
    told = list(
        Notification.objects.filter(
            kind="hotline.crisis_opened", key__startswith=f"hotline.crisis_opened:crisis:{case.pk}:"
        )
        .select_related("recipient")
        .annotate(texted=Count("deliveries", filter=Q(deliveries__channel=DeliveryChannel.SMS)))
        .order_by("recipient_id")
    )
    return {"told": len(told), "untexted": [n.recipient for n in told if not n.texted]}


def record_callback_reads(user: Any, shown: Iterable[Callback], *, page: str) -> None:
    """Audit that ``user`` was shown these callbacks (``hotline.callback.read``)."""
    audit.record_reads(
        user,
        "hotline.callback.read",
        [(c.organisation, c.pk) for c in shown],
        object_type="hotline.callback",
        key="callbacks",
        page=page,
    )


def record_crisis_reads(user: Any, shown: Iterable[CrisisCase], *, page: str) -> None:
    """Audit that ``user`` was shown these crisis cases (``hotline.crisis.read``)."""
    audit.record_reads(
        user,
        "hotline.crisis.read",
        [(c.organisation, c.pk) for c in shown],
        object_type="hotline.crisiscase",
        key="crisis_cases",
        page=page,
    )
