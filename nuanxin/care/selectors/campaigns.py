"""Which campaign is current."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from nuanxin.care import weeks
from nuanxin.care.models import (
    Campaign,
)

# --- campaigns ------------------------------------------------------------------------------


def running_campaign(today: date | None = None) -> Campaign | None:
    """The most recently started campaign running ``today`` (the one an import assigns care
    contacts in), if any."""
    return Campaign.objects.running(today or timezone.localdate()).order_by("-starts_on", "-pk").first()


def current_campaign(today: date | None = None) -> Campaign | None:
    """The campaign the pages show by default: the running one (``running_campaign``), else
    the most recently started one."""
    today = today or timezone.localdate()
    return (
        running_campaign(today) or Campaign.objects.filter(starts_on__lte=today).order_by("-starts_on", "-pk").first()
    )


def campaign_weeks(campaign: Campaign, today: date | None = None) -> list[date]:
    """The weeks of a campaign so far (start week to this week or the declared end)."""
    this_week = weeks.current_week(today)
    last = this_week if campaign.last_week is None else min(this_week, campaign.last_week)
    return weeks.weeks_between(campaign.starts_on, last) if campaign.start_week <= last else []


