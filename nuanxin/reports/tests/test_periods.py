"""Periods and deadlines: weeks Monday to Sunday, calendar months (their ends, February in a
leap year), one-off periods, deadlines with fractions of a day, the period given by its first day."""

from __future__ import annotations

import datetime as dt
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from nuanxin.core.errors import ServiceError
from nuanxin.reports.choices import PeriodType
from nuanxin.reports.services import periods

SHANGHAI = ZoneInfo("Asia/Shanghai")


def form(period_type, starts_on=date(2026, 1, 5), *, ends_on=None, once_on=None, deadline="0"):
    return SimpleNamespace(
        period_type=period_type,
        starts_on=starts_on,
        ends_on=ends_on,
        once_on=once_on,
        deadline_days=Decimal(deadline),
    )


def test_week_is_monday_to_sunday():
    weekly = form(PeriodType.WEEKLY)
    assert periods.period_of(weekly, date(2026, 3, 4)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert periods.period_of(weekly, date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert periods.period_of(weekly, date(2026, 3, 8)) == (date(2026, 3, 2), date(2026, 3, 8))
    # Across a year's end.
    assert periods.period_of(weekly, date(2027, 1, 1)) == (date(2026, 12, 28), date(2027, 1, 3))


def test_month_ends():
    monthly = form(PeriodType.MONTHLY)
    assert periods.period_of(monthly, date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert periods.period_of(monthly, date(2028, 2, 29)) == (date(2028, 2, 1), date(2028, 2, 29))
    assert periods.period_of(monthly, date(2026, 4, 30)) == (date(2026, 4, 1), date(2026, 4, 30))
    assert periods.period_of(monthly, date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert periods.previous_period(monthly, date(2026, 3, 1)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert periods.previous_period(monthly, date(2026, 1, 1)) is None  # before the first period


def test_once_is_starts_on_to_once_on():
    once = form(PeriodType.ONCE, date(2026, 1, 20), once_on=date(2026, 2, 18))
    assert periods.period_of(once, date(2026, 5, 1)) == (date(2026, 1, 20), date(2026, 2, 18))
    assert periods.periods(once, until=date(2026, 1, 19)) == []
    assert periods.periods(once, until=date(2026, 1, 20)) == [(date(2026, 1, 20), date(2026, 2, 18))]
    assert periods.previous_period(once, date(2026, 1, 20)) is None


def test_periods_newest_first_from_the_first():
    weekly = form(PeriodType.WEEKLY, date(2026, 2, 18))  # a Wednesday: its week is the first
    assert periods.periods(weekly, until=date(2026, 3, 3)) == [
        (date(2026, 3, 2), date(2026, 3, 8)),
        (date(2026, 2, 23), date(2026, 3, 1)),
        (date(2026, 2, 16), date(2026, 2, 22)),
    ]
    ended = form(PeriodType.MONTHLY, date(2026, 1, 1), ends_on=date(2026, 2, 28))
    assert periods.periods(ended, until=date(2026, 6, 1)) == [
        (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]
    assert periods.periods(ended, until=date(2025, 12, 31)) == []


def test_deadline_fractions_of_a_day(settings):
    weekly = form(PeriodType.WEEKLY, deadline="0.5")
    assert periods.due_at(weekly, date(2026, 3, 2), date(2026, 3, 8)) == dt.datetime(2026, 3, 9, 12, 0, tzinfo=SHANGHAI)
    assert periods.due_at(form(PeriodType.WEEKLY), date(2026, 3, 2), date(2026, 3, 8)) == dt.datetime(
        2026, 3, 9, 0, 0, tzinfo=SHANGHAI
    )
    monthly = form(PeriodType.MONTHLY, deadline="5.25")
    assert periods.due_at(monthly, date(2026, 2, 1), date(2026, 2, 28)) == dt.datetime(
        2026, 3, 6, 6, 0, tzinfo=SHANGHAI
    )
    assert periods.due_at(monthly, date(2026, 2, 1), date(2026, 2, 28)).tzinfo is not None


def test_parse_period():
    weekly = form(PeriodType.WEEKLY, date(2026, 2, 16))
    assert periods.parse_period(weekly, "2026-03-02") == (date(2026, 3, 2), date(2026, 3, 8))
    assert periods.parse_period(weekly, date(2026, 3, 2)) == (date(2026, 3, 2), date(2026, 3, 8))
    with translation.override("en"):
        with pytest.raises(ServiceError) as error:
            periods.parse_period(weekly, "2026-03-04")
        assert error.value.message == (
            "2026-03-04 is not the first day of a period of this form (that period starts on 2026-03-02)."
        )
        with pytest.raises(ServiceError) as error:
            periods.parse_period(weekly, "next week")
        assert error.value.message == "Give the period by its first day, as 2026-11-30."
        with pytest.raises(ServiceError) as error:
            periods.parse_period(weekly, "2026-02-09")
        assert error.value.message == "This form has no period starting on 2026-02-09."
