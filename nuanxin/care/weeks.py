"""ISO weeks, Monday to Sunday, in the project's time zone (Asia/Shanghai).

A week is represented by the date of its Monday, in the database and in code; ``2020-W05``
is its label in URLs and in the API.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from django.utils import timezone

WEEK = timedelta(days=7)
_LABEL = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
# The days a page or the API may be asked about: pages step a week back and forth, and
# "the end of a day" is the next midnight, which the calendar's first and last weeks lack.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def check_day(day: date) -> date:
    """``day`` itself when it lies within FIRST_DAY and LAST_DAY; ``ValueError`` otherwise."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day} is outside {FIRST_DAY} to {LAST_DAY}")
    return day


def monday(day: date) -> date:
    """The Monday of the ISO week ``day`` lies in."""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return day - timedelta(days=day.weekday())


def current_week(today: date | None = None) -> date:
    """The Monday of this week (local date)."""
    return monday(today or timezone.localdate())


def sunday(week: date) -> date:
    return week + timedelta(days=6)


def label(week: date) -> str:
    """``2020-W05`` for the week starting 2020-01-27."""
    year, number, _weekday = week.isocalendar()
    return f"{year}-W{number:02d}"


def parse(value: str) -> date:
    """The Monday of an ISO week label (``2020-W05``, ``2020W05``) or of the week a date
    (``2020-01-29``) falls in. Raises ``ValueError`` for anything else, and for a day outside
    ``FIRST_DAY`` to ``LAST_DAY``."""
    value = (value or "").strip()
    match = _LABEL.match(value)
    if match:
        return check_day(date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1))
    return monday(check_day(date.fromisoformat(value)))


def weeks_between(first: date, last: date) -> list[date]:
    """Every Monday from ``first``'s week to ``last``'s week, both included."""
    first, last = monday(first), monday(last)
    result = []
    while first <= last:
        result.append(first)
        first += WEEK
    return result


def start_of(day: date) -> datetime:
    """Local midnight at the start of ``day`` as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (local midnight of the next day)."""
    return start_of(day + timedelta(days=1))
