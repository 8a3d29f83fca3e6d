"""Reads of the care work, for the pages, the API and the reminders, by concept. Every function
that takes a ``user`` applies the user's scope (``for_user``) itself, so a page can be thin.

Aggregates for admins and viewers (``week_overview``, ``completion_series``,
``difficulty_summary``) are one query each and show no personal detail.
"""

from nuanxin.care.selectors.as_of import (
    duties,
    latest_week_with_duties,
    with_status_as_of,
)
from nuanxin.care.selectors.campaigns import (
    campaign_weeks,
    current_campaign,
    running_campaign,
)
from nuanxin.care.selectors.difficulties import (
    AGE_BUCKETS,
    difficulties,
    difficulty_summary,
    difficulty_timeline,
)
from nuanxin.care.selectors.overview import (
    DutyCounts,
    Overview,
    completion_series,
    contacts_for,
    missed_duties,
    suggest_contacts,
    unassigned,
    unassigned_families,
    week_overview,
    without_contact,
)
from nuanxin.care.selectors.timeline import (
    TimelineEntry,
    family_timeline,
)
from nuanxin.care.selectors.week import (
    my_families,
    my_week,
)

__all__ = [
    "AGE_BUCKETS",
    "DutyCounts",
    "Overview",
    "TimelineEntry",
    "campaign_weeks",
    "completion_series",
    "contacts_for",
    "current_campaign",
    "difficulties",
    "difficulty_summary",
    "difficulty_timeline",
    "duties",
    "family_timeline",
    "latest_week_with_duties",
    "missed_duties",
    "my_families",
    "my_week",
    "running_campaign",
    "suggest_contacts",
    "unassigned",
    "unassigned_families",
    "week_overview",
    "with_status_as_of",
    "without_contact",
]
