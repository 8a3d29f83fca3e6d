"""Reading assessments: the list of the user's hotlines' assessments, the hotlines a user records
for, a public hotline by its key, its lines, and the audit of every read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from nuanxin.core import audit
from nuanxin.hotline.choices import Channel, MemberKind
from nuanxin.hotline.models import Assessment, Hotline, HotlineLine, HotlineMember

RECORDING_KINDS = (MemberKind.COUNSELLOR, MemberKind.SUPERVISOR)


def assessments(user: Any, *, hotline: Hotline | None = None, scale: str = "", flag: str = "") -> QuerySet[Assessment]:
    """The assessments ``user`` may view, newest first; ``flag``: "flagged" (at or above the
    cut-off) or "crisis". Not audited: audit what is shown (``record_reads``)."""
    qs = Assessment.objects.for_user(user, "view").select_related("hotline__organisation", "call", "created_by")
    if hotline is not None:
        qs = qs.filter(hotline=hotline)
    if scale:
        qs = qs.filter(scale=scale)
    if flag == "flagged":
        qs = qs.filter(flagged=True)
    elif flag == "crisis":
        qs = qs.filter(crisis=True)
    return qs.order_by("-created_at", "-id")


def record_reads(user: Any, shown: Iterable[Assessment], *, page: str) -> None:
    """Audit that ``shown`` assessments were read (one row per organisation listing the ids).
    An assessment of no hotline (taken by the system) belongs to no organisation."""
    rows = list(shown)
    with_hotline = [(a.hotline.organisation, a.pk) for a in rows if a.hotline is not None]
    audit.record_reads(
        user, "hotline.assessment.read", with_hotline, object_type="hotline.assessment", key="assessments", page=page
    )
    without = sorted(a.pk for a in rows if a.hotline is None)
    if without:
        audit.record(
            user,
            "hotline.assessment.read",
            object_type="hotline.assessment",
            detail={"page": page, "assessments": without},
        )


def recordable_hotlines(user: Any) -> list[Hotline]:
    """The active hotlines ``user`` records for (an active counsellor or supervisor of them)."""
    ids = HotlineMember.objects.filter(user_id=user.pk, kind__in=RECORDING_KINDS, active=True).values("hotline_id")
    return list(Hotline.objects.filter(pk__in=ids, active=True).select_related("organisation").order_by("name", "pk"))


def public_hotline(key: str) -> Hotline | None:
    """The hotline whose public self-assessment page is ``key``, if it is open (one query,
    whatever the key: a wrong key and a closed hotline look the same)."""
    return (
        Hotline.objects.filter(public_key=key[:24], active=True, self_assessment_open=True)
        .select_related("organisation")
        .first()
    )


def public_lines(hotline: Hotline) -> list[HotlineLine]:
    """The hotline's active lines with a number to call (the public page's tel: links)."""
    return [
        line
        for line in HotlineLine.objects.filter(hotline=hotline, active=True).order_by("order", "pk")
        if line.number and line.channel != Channel.ONLINE
    ]


def is_staff(user: Any, hotline: Hotline) -> bool:
    """A member of the hotline (any kind) or one of its administrators."""
    if Hotline.policy.allows(user, "manage", hotline):
        return True
    return HotlineMember.objects.filter(user_id=user.pk, hotline=hotline, active=True).exists()
