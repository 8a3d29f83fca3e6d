"""The hotline API: the figures (``GET /api/v1/hotline/stats``), the same as the figures page,
under the same policy (``Hotline.policy`` "report"). Aggregates only: never a record."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from nuanxin.core import apiutils
from nuanxin.hotline.models import Hotline
from nuanxin.hotline.selectors import stats

router = apiutils.ScopedRouter(tags=["hotline"])


class StatsFilter(Schema):
    org: str | None = Field(
        None, description="Organisation code: the hotlines of its whole subtree (default: the root of your reach)."
    )
    hotline: int | None = Field(None, description="One hotline's id (under org, when both are given).")
    from_: date | None = Field(None, alias="from", description="First day, YYYY-MM-DD (default: 29 days before to).")
    to: date | None = Field(None, description="Last day, YYYY-MM-DD, included (default: today). At most 366 days.")


class Coded(Schema):
    code: str
    label: str
    count: int


class OrgRef(Schema):
    code: str
    name: str


class HotlineRef(Schema):
    id: int
    name: str
    organisation: str


class DayCount(Schema):
    day: date
    count: int


class LineCount(Schema):
    line: int | None = Field(description="The line's id; null for calls recorded without a line.")
    hotline: str
    label: str
    number: str
    count: int


class Duration(Schema):
    measured: int = Field(description="Calls with an end time.")
    average_minutes: float | None
    longest_minutes: int | None


class CallFigures(Schema):
    total: int
    per_day: list[DayCount]
    per_line: list[LineCount]
    channels: list[Coded]
    callers: list[Coded]
    duration: Duration
    topics: list[Coded] = Field(description="A call with several topics counts once under each.")
    risks: list[Coded]
    outcomes: list[Coded]


class ScaleFigures(Schema):
    scale: str
    count: int
    flagged: int
    crisis: int
    bands: list[Coded]


class AssessmentFigures(Schema):
    total: int
    flagged: int
    crisis: int
    sources: list[Coded]
    per_scale: list[ScaleFigures]


class SeverityCount(Schema):
    code: str
    count: int


class CallbackFigures(Schema):
    total: int
    reached: int
    on_time: int = Field(description="First contact at or before the due time.")
    late: int
    overdue: int = Field(description="Not reached yet and past due.")
    waiting: int = Field(description="Not reached yet, not due yet.")
    closed_without_contact: int
    done: int
    on_time_percent: int | None
    severities: list[SeverityCount]


class FirstContact(Schema):
    contacted: int
    not_yet: int
    median_hours: float | None
    average_hours: float | None
    longest_hours: float | None


class CrisisFigures(Schema):
    total: int
    statuses: list[Coded] = Field(description="The cases by their status now: the counts sum to total.")
    open: int = Field(description="Still active (open, contacted, handed over or following up): part of total.")
    risks: list[Coded]
    handed_over: int = Field(description="Handed over at some time, whatever the status now: part of total.")
    handovers: list[Coded]
    first_contact: FirstContact


class ShiftSeats(Schema):
    shift: int
    hotline: int
    starts_at: datetime
    min_seats: int
    filled: int


class SeatFigures(Schema):
    shifts: int
    full: int
    short: int
    empty: int
    seats_needed: int
    seats_filled: int
    filled_percent: int | None
    per_shift: list[ShiftSeats]


class StatsOut(Schema):
    organisation: OrgRef
    from_: date = Field(alias="from")
    to: date
    hotlines: list[HotlineRef]
    calls: CallFigures
    assessments: AssessmentFigures
    callbacks: CallbackFigures
    crisis: CrisisFigures
    seats: SeatFigures


@router.get(
    "/hotline/stats",
    model=Hotline,
    action="report",
    response=StatsOut,
    by_alias=True,
    operation_id="hotline_stats",
    summary="The hotline's figures for a period",
)
def hotline_stats(request: HttpRequest, filters: Query[StatsFilter]) -> dict[str, Any]:
    """Calls per day and per line, their average and longest duration, topics, risk levels,
    outcomes; self-assessments taken and their bands per scale; callbacks reached on time;
    crisis cases and the hours to their first contact; seats filled per shift. For the
    hotlines under ``org`` you may see figures of (administrators, viewers and auditors of
    the organisation, and a hotline's members), or ``hotline`` alone. An organisation or
    hotline outside your reach is a 404, as a missing one."""
    organisation, hotline = stats.pick(request.user, filters.org, filters.hotline)
    p = stats.period(filters.from_, filters.to)
    return stats.figures(request.user, organisation, p, hotline)
