"""The hotline's figures (viewer-safe): counts, averages and distributions of the records of
the hotlines in a user's reach, for one hotline or rolled up the organisation tree, over a
period of days. Never a record, a name, a number or a note: only what the figures page and
``GET /api/v1/hotline/stats`` print.

Who sees which hotlines' figures is ``Hotline.policy`` "report": administrators, viewers and
auditors of the organisation, and the hotline's own members. Small counts are shown as they
are: the figures carry no caller's identity, date of birth or place (only a day, a line, coded
topics and risk levels), so a count of one names nobody to a reader who does not already know
the call.

Every figure of a period counts the records that began in it (local days, both ends included):
calls by their start, self-assessments when taken, callbacks and crisis cases when opened,
shifts by their start. Each kind of record is read in one query and summed here, so that the
sums are the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.hotline.choices import (
    CALLBACK_LIFECYCLE,
    CRISIS_LIFECYCLE,
    CRISIS_RISKS,
    AssessmentSource,
    CallbackStatus,
    CallerKind,
    CallOutcome,
    Channel,
    CrisisStatus,
    HandoverTo,
    RiskLevel,
    Topic,
)
from nuanxin.hotline.models import Assessment, Call, Callback, CrisisCase, Hotline, HotlineLine
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation

DEFAULT_DAYS = 30  # the period shown when none is asked for: the last 30 days, today included
MAX_DAYS = 366  # the longest period one request may ask for


class NotInScope(ServiceError):
    """An organisation or hotline that does not exist or lies outside the user's reach: the
    same answer for both (404)."""

    code = "not_found"
    status = 404


# --- what is asked for --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date  # first day, included
    end: date  # last day, included

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    @property
    def starts_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time(0, 0)))

    @property
    def ends_at(self) -> datetime:
        """The moment after the last day (exclusive)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time(0, 0)))


def _day(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError(
            _("Give the day as YYYY-MM-DD, e.g. 2020-02-01 (“%(value)s” is not one).") % {"value": str(value)[:20]},
            field=field,
        ) from None


def period(start: Any = None, end: Any = None, *, today: date | None = None) -> Period:
    """The period ``start``–``end`` (days, both included; ``date`` or ``YYYY-MM-DD``). Without
    ``end``: today; without ``start``: 30 days up to ``end``. A ``ServiceError`` for a day that
    is not one, an end before the start, or more than 366 days."""
    today = today or timezone.localdate()
    last = _day(end, "to") or today
    first = _day(start, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ServiceError(_("The first day comes after the last day."), field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise ServiceError(_("Ask for at most %(days)s days at a time.") % {"days": MAX_DAYS}, field="from")
    return Period(first, last)


REPORT_ROLES = Hotline.policy.roles("report")


def organisations(user: Any) -> list[Organisation]:
    """The organisations ``user`` may pick on the figures page: those their grants for the
    figures cover (a counsellor's too: the figures then count only the hotlines they serve),
    and the nearest common ancestor of scattered grants (a viewer on a group), in tree order."""
    q = scope.scope_q(user, REPORT_ROLES, "path")
    orgs = [] if q is None else list(Organisation.objects.filter(q).order_by("path"))
    root = scope.common_root(user, REPORT_ROLES)
    if root is not None and all(o.pk != root.pk for o in orgs):
        orgs.insert(0, root)
    return orgs


def pick(user: Any, org: str | None = None, hotline: Any = None) -> tuple[Organisation, Hotline | None]:
    """The organisation (by code; default: the root of the user's reach) and the hotline (by
    id, optional; it must lie under the organisation) the figures are for. ``NotInScope`` (404)
    for a code or id that does not exist or lies outside the user's reach: never a silent
    fallback to another organisation."""
    offered = organisations(user)
    chosen: Hotline | None = None
    if hotline not in (None, ""):
        text = str(hotline).strip()
        hotline_id = int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None
        chosen = (
            Hotline.objects.for_user(user, "report").select_related("organisation").filter(pk=hotline_id).first()
            if hotline_id
            else None
        )
        if chosen is None:
            raise NotInScope(_("No hotline %(id)s in your reach.") % {"id": text[:20]}, field="hotline")
    if org:
        organisation = next((o for o in offered if o.code == org), None)
        if organisation is None:
            raise NotInScope(
                _("No organisation with the code “%(code)s” in your reach.") % {"code": str(org)[:40]}, field="org"
            )
    elif chosen is not None:
        organisation = chosen.organisation
    else:
        organisation = offered[0] if offered else None
        if organisation is None:
            raise NotInScope(_("No organisation in your reach."), field="org")
    if chosen is not None and not chosen.organisation.path.startswith(organisation.path):
        raise ServiceError(
            _("%(hotline)s is not run under %(org)s.") % {"hotline": chosen.name, "org": organisation.name},
            field="hotline",
        )
    return organisation, chosen


def hotlines(user: Any, organisation: Organisation, hotline: Hotline | None = None) -> list[Hotline]:
    """The hotlines whose figures are summed: ``hotline`` alone, else every hotline under
    ``organisation`` the user may see figures of."""
    qs = Hotline.objects.for_user(user, "report").filter(organisation__path__startswith=organisation.path)
    if hotline is not None:
        qs = qs.filter(pk=hotline.pk)
    return list(qs.select_related("organisation").order_by("organisation__path", "name", "pk"))


# --- the figures --------------------------------------------------------------------------------


def _counts(counter: Counter, choices: Any) -> list[dict[str, Any]]:
    """Every choice in its order with its count (zeros included), then codes not among the
    choices (older data) by count."""
    rows = [{"code": value, "label": str(label), "count": counter.get(value, 0)} for value, label in choices]
    known = {value for value, _label in choices}
    rows += [{"code": code, "label": code, "count": n} for code, n in counter.most_common() if code not in known]
    return rows


def _hours(delta: timedelta) -> float:
    return delta.total_seconds() / 3600


def _one(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _calls(ids: list[int], p: Period) -> dict[str, Any]:
    rows = list(
        Call.objects.filter(hotline_id__in=ids, started_at__gte=p.starts_at, started_at__lt=p.ends_at).values_list(
            "started_at", "ended_at", "line_id", "channel", "caller_kind", "topics", "risk", "outcome"
        )
    )
    per_day: Counter = Counter()
    per_line: Counter = Counter()
    channels: Counter = Counter()
    callers: Counter = Counter()
    topics: Counter = Counter()
    risks: Counter = Counter()
    outcomes: Counter = Counter()
    durations: list[float] = []
    for started, ended, line_id, channel, caller_kind, topic_list, risk, outcome in rows:
        per_day[timezone.localtime(started).date()] += 1
        per_line[line_id] += 1
        channels[channel] += 1
        callers[caller_kind] += 1
        risks[risk] += 1
        outcomes[outcome] += 1
        for topic in set(topic_list or []):
            topics[topic] += 1
        if ended is not None and ended >= started:
            durations.append((ended - started).total_seconds() / 60)
    lines = {
        line.pk: line
        for line in HotlineLine.objects.filter(pk__in=[k for k in per_line if k is not None]).select_related("hotline")
    }
    by_line = [
        {
            "line": line_id,
            "hotline": lines[line_id].hotline.name if line_id in lines else "",
            "label": lines[line_id].label if line_id in lines else _("No line recorded"),
            "number": lines[line_id].number if line_id in lines else "",
            "count": count,
        }
        for line_id, count in per_line.items()
    ]
    by_line.sort(key=lambda r: (r["line"] is None, r["hotline"], -r["count"], r["line"] or 0))
    return {
        "total": len(rows),
        "per_day": [{"day": day.isoformat(), "count": per_day.get(day, 0)} for day in p.days],
        "per_line": by_line,
        "channels": _counts(channels, Channel.choices),
        "callers": _counts(callers, CallerKind.choices),
        "duration": {
            "measured": len(durations),
            "average_minutes": _one(statistics.fmean(durations)) if durations else None,
            "longest_minutes": round(max(durations)) if durations else None,
        },
        "topics": _counts(topics, Topic.choices),
        "risks": _counts(risks, RiskLevel.choices),
        "outcomes": _counts(outcomes, CallOutcome.choices),
    }


def _band_order(scale_code: str) -> list[tuple[str, str]]:
    """(code, label) of a scale's bands in order; [] for a scale no longer installed."""
    from nuanxin.hotline import scales

    try:
        scale = scales.get(scale_code)
    except KeyError:
        return []
    return [(band.code, str(band.label)) for band in scale.bands]


def _assessments(ids: list[int], p: Period, *, with_unattached: bool) -> dict[str, Any]:
    qs = Assessment.objects.filter(created_at__gte=p.starts_at, created_at__lt=p.ends_at)
    if with_unattached:
        from django.db.models import Q

        qs = qs.filter(Q(hotline_id__in=ids) | Q(hotline__isnull=True))
    else:
        qs = qs.filter(hotline_id__in=ids)
    rows = list(qs.values_list("scale", "band", "flagged", "crisis", "source"))
    per_scale: dict[str, dict[str, Any]] = {}
    sources: Counter = Counter()
    for scale, band, flagged, crisis, source in rows:
        entry = per_scale.setdefault(scale, {"scale": scale, "count": 0, "flagged": 0, "crisis": 0, "bands": Counter()})
        entry["count"] += 1
        entry["flagged"] += int(flagged)
        entry["crisis"] += int(crisis)
        entry["bands"][band] += 1
        sources[source] += 1
    scales_out = []
    for code in sorted(per_scale):
        entry = per_scale[code]
        entry["bands"] = _counts(entry["bands"], _band_order(code))
        scales_out.append(entry)
    return {
        "total": len(rows),
        "flagged": sum(e["flagged"] for e in scales_out),
        "crisis": sum(e["crisis"] for e in scales_out),
        "sources": _counts(sources, AssessmentSource.choices),
        "per_scale": scales_out,
    }


def _callbacks(ids: list[int], p: Period, now: datetime) -> dict[str, Any]:
    rows = list(
        Callback.objects.filter(hotline_id__in=ids, created_at__gte=p.starts_at, created_at__lt=p.ends_at).values_list(
            "status", "due_at", "first_contact_at", "severity"
        )
    )
    on_time = late = overdue = waiting = closed = 0
    severities: Counter = Counter()
    for status, due_at, first_contact_at, severity in rows:
        severities[severity or ""] += 1
        if first_contact_at is not None:
            if first_contact_at <= due_at:
                on_time += 1
            else:
                late += 1
        elif CALLBACK_LIFECYCLE.is_active(status):
            if due_at < now:
                overdue += 1
            else:
                waiting += 1
        else:
            closed += 1
    reached = on_time + late
    return {
        "total": len(rows),
        "reached": reached,
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "waiting": waiting,
        "closed_without_contact": closed,
        "done": sum(1 for status, *_rest in rows if status == CallbackStatus.DONE),
        "on_time_percent": round(on_time * 100 / len(rows)) if rows else None,
        "severities": [{"code": code, "count": n} for code, n in sorted(severities.items())],
    }


def _crisis(ids: list[int], p: Period) -> dict[str, Any]:
    opened = CrisisCase.objects.filter(hotline_id__in=ids, created_at__gte=p.starts_at, created_at__lt=p.ends_at)
    rows = list(opened.values_list("risk", "status", "created_at", "first_contact_at", "handover_to"))
    risks: Counter = Counter()
    statuses: Counter = Counter()
    handovers: Counter = Counter()
    waits: list[float] = []
    still_open = 0
    for risk, status, created_at, first_contact_at, handover_to in rows:
        risks[risk] += 1
        statuses[status] += 1
        if handover_to:
            handovers[handover_to] += 1
        if first_contact_at is not None:
            waits.append(max(0.0, _hours(first_contact_at - created_at)))
        if CRISIS_LIFECYCLE.is_active(status):
            still_open += 1
    return {
        "total": len(rows),
        # the cases' status now: a partition of ``total`` (each case in one status)
        "statuses": _counts(statuses, CrisisStatus.choices),
        # still active (open, contacted, handed over, following up): part of ``total``
        "open": still_open,
        "risks": _counts(risks, [(v, label) for v, label in RiskLevel.choices if v in CRISIS_RISKS]),
        # handed over at some time, whatever their status now (part of ``total``)
        "handed_over": sum(handovers.values()),
        "handovers": _counts(handovers, [(v, label) for v, label in HandoverTo.choices if v]),
        "first_contact": {
            "contacted": len(waits),
            "not_yet": len(rows) - len(waits),
            "median_hours": _one(statistics.median(waits)) if waits else None,
            "average_hours": _one(statistics.fmean(waits)) if waits else None,
            "longest_hours": _one(max(waits)) if waits else None,
        },
    }


def _seats(ids: list[int], p: Period) -> dict[str, Any]:
    from nuanxin.hotline.selectors import rota

    shifts = rota.seats_by_shift(ids, p.start, p.end + timedelta(days=1))
    needed = sum(s["min_seats"] for s in shifts)
    filled = sum(min(s["filled"], s["min_seats"]) for s in shifts)
    return {
        "shifts": len(shifts),
        "full": sum(1 for s in shifts if s["filled"] >= s["min_seats"]),
        "short": sum(1 for s in shifts if s["filled"] < s["min_seats"]),
        "empty": sum(1 for s in shifts if s["filled"] == 0),
        "seats_needed": needed,
        "seats_filled": filled,
        "filled_percent": round(filled * 100 / needed) if needed else None,
        "per_shift": [
            {
                "shift": s["shift_id"],
                "hotline": s["hotline_id"],
                "starts_at": s["starts_at"],
                "min_seats": s["min_seats"],
                "filled": s["filled"],
            }
            for s in shifts
        ],
    }


def figures(
    user: Any, organisation: Organisation, p: Period, hotline: Hotline | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """Every figure of the hotlines ``user`` may report on under ``organisation`` (or of
    ``hotline`` alone) over the period. Self-assessments taken through no hotline (the API
    without one) count at the root of the tree only, for those whose reach is the whole tree."""
    chosen = hotlines(user, organisation, hotline)
    ids = [h.pk for h in chosen]
    with_unattached = hotline is None and organisation.is_root() and scope.covers_root(user, REPORT_ROLES)
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "from": p.start.isoformat(),
        "to": p.end.isoformat(),
        "hotlines": [{"id": h.pk, "name": h.name, "organisation": h.organisation.code} for h in chosen],
        "calls": _calls(ids, p),
        "assessments": _assessments(ids, p, with_unattached=with_unattached),
        "callbacks": _callbacks(ids, p, now or timezone.now()),
        "crisis": _crisis(ids, p),
        "seats": _seats(ids, p),
    }
