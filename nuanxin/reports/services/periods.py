"""A report form's periods: weekly (Monday to Sunday), monthly (the calendar month) or once
(``starts_on`` .. ``once_on``), and each period's deadline: the end of its last day (local
midnight) plus ``deadline_days`` (fractions allowed: 0.5 = 12:00 of the next day)."""

from __future__ import annotations

import calendar
import datetime as dt
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.reports.choices import PeriodType

Period = tuple[date, date]


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _previous_month_start(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def period_of(form: Any, day: date) -> Period:
    """The period of ``form`` containing ``day`` (for ONCE: starts_on .. once_on, whatever the day)."""
    if form.period_type == PeriodType.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if form.period_type == PeriodType.MONTHLY:
        return day.replace(day=1), month_end(day)
    return form.starts_on, form.once_on or form.starts_on


def previous_period(form: Any, period_start: date) -> Period | None:
    """The period before the one starting on ``period_start`` (none before the first, or for ONCE)."""
    if form.period_type == PeriodType.ONCE:
        return None
    if form.period_type == PeriodType.WEEKLY:
        start = period_start - timedelta(days=7)
    else:
        start = _previous_month_start(period_start)
    first = period_of(form, form.starts_on)[0]
    if start < first:
        return None
    return period_of(form, start)


def periods(form: Any, *, until: date) -> list[Period]:
    """Every period of ``form`` from its first (the one containing ``starts_on``) to the one
    containing ``until`` (or the last one, ``ends_on``'s), newest first."""
    if form.period_type == PeriodType.ONCE:
        return [period_of(form, form.starts_on)] if form.starts_on <= until else []
    last_day = min(until, form.ends_on) if form.ends_on else until
    if last_day < form.starts_on:
        return []
    out: list[Period] = []
    current: Period | None = period_of(form, last_day)
    while current is not None:
        out.append(current)
        current = previous_period(form, current[0])
    return out


def due_at(form: Any, start: date, end: date) -> dt.datetime:
    """The deadline of the period [start, end]: the end of ``end`` (local midnight) plus the form's
    ``deadline_days`` (0.5 = noon of the next day), aware."""
    tz = timezone.get_current_timezone()
    midnight = dt.datetime.combine(end + timedelta(days=1), dt.time.min)
    seconds = int((Decimal(form.deadline_days or 0) * 86400).to_integral_value())
    return timezone.make_aware(midnight + timedelta(seconds=seconds), tz)


def parse_period(form: Any, value: Any) -> Period:
    """The period of ``form`` starting on ``value`` (an ISO date or a date); ``ServiceError``
    unless it is the first day of one of the form's periods."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ServiceError(_("Give the period by its first day, as 2026-11-30."), field="period") from None
    start, end = period_of(form, day)
    if start != day:
        raise ServiceError(
            _("%(day)s is not the first day of a period of this form (that period starts on %(start)s).")
            % {"day": day.isoformat(), "start": start.isoformat()},
            field="period",
        )
    first = period_of(form, form.starts_on)[0]
    if start < first or (form.ends_on and start > form.ends_on):
        raise ServiceError(_("This form has no period starting on %(day)s.") % {"day": day.isoformat()}, field="period")
    return start, end
