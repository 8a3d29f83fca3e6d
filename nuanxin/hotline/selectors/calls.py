"""Reading call records: the lists and the record itself (every read audited), the earlier
contacts of a repeat caller who consented (this hotline's only), and the one exact lookup in
the register a counsellor may make (by mobile, inside the hotline organisation's subtree)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.hotline import callers
from nuanxin.hotline.choices import CallerKind, Intervention, MemberKind, Topic
from nuanxin.hotline.models import Call, Hotline, HotlineMember
from nuanxin.registry.models import FamilyMember, Worker

# How many earlier contacts the form shows (newest first).
HISTORY_LIMIT = 10


def recordable_hotlines(user: Any, action: str = "record") -> list[Hotline]:
    """The active hotlines whose calls ``user`` may ``action`` ("record", "view", "export"):
    those they serve or supervise, in the capacity the policy asks."""
    if getattr(user, "pk", None) is None:
        return []
    member_of = HotlineMember.objects.filter(
        user_id=user.pk,
        active=True,
        kind__in=[MemberKind.COUNSELLOR, MemberKind.SUPERVISOR],
    ).values("hotline_id")
    hotlines = Hotline.objects.filter(pk__in=member_of, active=True).select_related("organisation")
    return [h for h in hotlines if Call.policy.allows(user, action, Call(hotline=h))]


def require_recorder(user: Any, hotline: Hotline) -> None:
    Call.policy.require(user, "record", Call(hotline=hotline), _("Only a counsellor of this hotline logs its calls."))


def day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """``[start 00:00, end + 1 day 00:00)`` in local time (either may be None)."""
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(datetime.combine(start, time.min), tz) if start else None
    last = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz) if end else None
    return first, last


def calls(
    user: Any,
    *,
    hotline: Hotline | None = None,
    start: date | None = None,
    end: date | None = None,
    risk: str | None = None,
    counsellor: Any = None,
) -> QuerySet[Call]:
    """The calls ``user`` may view, newest first, filtered by hotline, days (local), risk and
    counsellor. Not audited: audit what is shown (``record_reads``)."""
    qs = Call.objects.for_user(user, "view").select_related("hotline__organisation", "line", "counsellor")
    if start and end and end < start:
        raise ServiceError(_("The last day is before the first."), field="to")
    first, last = day_bounds(start, end)
    if hotline is not None:
        qs = qs.filter(hotline=hotline)
    if first is not None:
        qs = qs.filter(started_at__gte=first)
    if last is not None:
        qs = qs.filter(started_at__lt=last)
    if risk:
        qs = qs.filter(risk=risk)
    if counsellor is not None:
        qs = qs.filter(counsellor=counsellor)
    return qs.order_by("-started_at", "-id")


def record_reads(user: Any, shown: Iterable[Call], *, page: str) -> None:
    """Audit that ``shown`` calls were read (one row per organisation listing the ids)."""
    audit.record_reads(
        user,
        "hotline.call.read",
        [(call.hotline.organisation, call.pk) for call in shown],
        object_type="hotline.call",
        key="calls",
        page=page,
    )


def earlier_contacts(user: Any, hotline: Hotline, number: str, *, exclude: Call | None = None) -> list[Call]:
    """This hotline's earlier calls of the caller with ``number`` (who consented: only their
    records carry the key), newest first, at most ``HISTORY_LIMIT``. Never another hotline's.
    The lookup is audited (``hotline.call.caller_history``: the calls shown, not the number)."""
    require_recorder(user, hotline)
    key = callers.caller_key(number)
    found = Call.objects.filter(hotline=hotline, caller_key=key).select_related("counsellor", "line")
    if exclude is not None and exclude.pk:
        found = found.exclude(pk=exclude.pk)
    shown = labelled(found.order_by("-started_at", "-id")[:HISTORY_LIMIT])
    audit.record(
        user,
        "hotline.call.caller_history",
        object_type="hotline.hotline",
        object_id=hotline.pk,
        object_repr=str(hotline),
        organisation=hotline.organisation,
        detail={"hotline": hotline.pk, "calls": [c.pk for c in shown]},
    )
    return shown


def find_registered(user: Any, hotline: Hotline, mobile: str, kind: str) -> Worker | FamilyMember | None:
    """The one worker (``kind`` "worker") or family member ("family") of the register with
    exactly this mobile, inside the hotline organisation's subtree; None when there is none or
    more than one (nothing to choose from: counsellors do not browse the register). Only for a
    counsellor of the hotline, when the caller agrees to be linked; audited as a read
    (``hotline.register_lookup``: what was found, never the number)."""
    require_recorder(user, hotline)
    if kind not in (CallerKind.WORKER, CallerKind.FAMILY):
        raise ServiceError(_("Only a worker or a family member can be linked to the register."), field="caller_kind")
    e164 = callers.normalise(mobile, field="link_mobile")
    path = hotline.organisation.path
    rows: list[Worker | FamilyMember]
    if kind == CallerKind.WORKER:
        rows = list(
            Worker.objects.filter(mobile=e164, organisation__path__startswith=path).select_related("organisation")[:2]
        )
    else:
        rows = list(
            FamilyMember.objects.filter(mobile=e164, worker__organisation__path__startswith=path).select_related(
                "worker__organisation"
            )[:2]
        )
    match = rows[0] if len(rows) == 1 else None
    audit.record(
        user,
        "hotline.register_lookup",
        object_type="hotline.hotline",
        object_id=hotline.pk,
        object_repr=str(hotline),
        organisation=hotline.organisation,
        detail={
            "hotline": hotline.pk,
            "found": len(rows),
        },
    )
    return match


def labelled(shown: Iterable[Call]) -> list[Call]:
    """``shown`` with ``topic_labels`` and ``intervention_labels`` set on each call (the pages)."""
    rows = list(shown)
    for call in rows:
        call.topic_labels = [str(Topic(code).label) for code in call.topics if code in Topic.values]  # type: ignore[attr-defined]
        call.intervention_labels = [  # type: ignore[attr-defined]
            str(Intervention(code).label) for code in call.interventions if code in Intervention.values
        ]
    return rows


def band_label(scale: str, band: str) -> str:
    """The label of ``band`` of ``scale`` in the current language (the code itself for an unknown
    scale or band: never empty when there is a band)."""
    from nuanxin.hotline import scales  # area D's engine

    try:
        return str(scales.get(scale).band(band).label)
    except KeyError:
        return band


def with_band_labels(assessments: Iterable[Any]) -> list[Any]:
    """``assessments`` with ``band_label`` set on each (the pages)."""
    rows = list(assessments)
    for row in rows:
        row.band_label = band_label(row.scale, row.band) if row.band else ""
    return rows


def unit_of(person: Worker | FamilyMember) -> Any:
    """The unit a linked worker or family member belongs to."""
    return person.organisation if isinstance(person, Worker) else person.worker.organisation


def require_viewer(user: Any, call: Call) -> None:
    if not Call.policy.allows(user, "view", call):
        raise NotAllowed(_("You may not read this call record."))
