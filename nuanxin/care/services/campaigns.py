"""Campaigns (关爱行动): create, cadence, declared end. City administrators only."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.care import weeks
from nuanxin.care.choices import (
    Cadence,
    DutyStatus,
)
from nuanxin.care.models import (
    Campaign,
    VisitDuty,
)
from nuanxin.care.services.assignments import sync_unassigned
from nuanxin.care.services.duties import _open_week
from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.registry.choices import TeamType

# --- campaigns ------------------------------------------------------------------------------


def _require_manage(actor, campaign: Campaign | None) -> None:
    """Campaigns belong to the whole city: the campaign policy's root-only "manage" action."""
    Campaign.policy.require(actor, "manage", campaign or Campaign(), _("Only a city administrator may do this."))


def _clean_cadence(cadence: dict | None) -> dict:
    cleaned = {}
    for team, value in (cadence or {}).items():
        if team not in TeamType.values:
            raise ServiceError(_("Unknown frontline team “%(team)s”.") % {"team": team}, field="cadence")
        if value not in Cadence.values:
            raise ServiceError(_("Unknown visit cadence “%(value)s”.") % {"value": value}, field="cadence")
        cleaned[team] = value
    return cleaned


# The days a campaign may start or be declared over on: none began before 2000, and a year
# ahead is planning enough (year 1 or 9999 is a typing mistake, and a start in year 1 would
# make the weekly turn open duties for two thousand years of weeks).
CAMPAIGN_FIRST_DAY = date(2000, 1, 1)
CAMPAIGN_HORIZON = timedelta(days=366)


def _check_campaign_day(day: date, *, field: str, earliest: date = CAMPAIGN_FIRST_DAY) -> None:
    last = timezone.localdate() + CAMPAIGN_HORIZON
    if not earliest <= day <= last:
        raise ServiceError(
            _("Enter a date from %(first)s to %(last)s.") % {"first": earliest.isoformat(), "last": last.isoformat()},
            field=field,
        )


@transaction.atomic
def create_campaign(*, actor, name: str, starts_on: date, cadence: dict | None = None) -> Campaign:
    """Start a care action. Families of aid teams are visited weekly unless ``cadence`` says
    otherwise; other frontline teams only when their cadence is set."""
    _require_manage(actor, None)
    name = plaintext.line(name, field="name", label=_("Name"))
    if not name or len(name) > 200:
        raise ServiceError(_("The name must be 1–200 characters."), field="name")
    if not isinstance(starts_on, date):
        raise ServiceError(_("Enter the start date."), field="starts_on")
    _check_campaign_day(starts_on, field="starts_on")
    campaign = Campaign.objects.create(name=name, starts_on=starts_on, cadence=_clean_cadence(cadence))
    sync_unassigned(campaigns=[campaign])
    audit.record(
        actor,
        "campaign.create",
        obj=campaign,
        detail={"name": name, "starts_on": starts_on.isoformat(), "cadence": campaign.cadence},
    )
    return campaign


@transaction.atomic
def set_cadence(*, actor, campaign: Campaign, cadence: dict, version: int | None = None) -> Campaign:
    """Change the visit cadence of some frontline teams. It applies from the current week on:
    this week's duties are added or withdrawn (done ones stay); past weeks are left as they were.
    ``version``: the version the edit started from (``Conflict`` if changed since)."""
    _require_manage(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    versioning.check_version(campaign, version)
    before = dict(campaign.cadence)
    campaign.cadence = {**before, **_clean_cadence(cadence)}
    campaign.save(update_fields=["cadence", versioning.bump(campaign)])
    week = weeks.current_week()
    withdrawn = 0
    if campaign.covers_week(week):
        teams = campaign.teams_due(week)
        withdrawn, _detail = (
            VisitDuty.objects.filter(campaign=campaign, week__gte=week, status__in=[DutyStatus.DUE, DutyStatus.EXCUSED])
            .exclude(worker__team__in=teams)
            .delete()
        )
        if campaign.duties_opened_through is not None and campaign.duties_opened_through >= week:
            _open_week(campaign, week)
    sync_unassigned(campaigns=[campaign])
    audit.record(
        actor,
        "campaign.cadence",
        obj=campaign,
        detail={"before": before, "after": campaign.cadence, "withdrawn_duties": withdrawn},
    )
    return campaign


@transaction.atomic
def declare_end(*, actor, campaign: Campaign, on: date | None, version: int | None = None) -> Campaign:
    """Declare the epidemic over on ``on``: the week of ``on`` is the last with duties, no
    duty opens from the next week on, and duties already opened after it that were not
    fulfilled by a visit are withdrawn. ``on=None`` withdraws a declaration made by mistake.
    ``version``: the version the form started from (``Conflict`` if changed since)."""
    _require_manage(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    versioning.check_version(campaign, version)
    if on is not None and on < campaign.starts_on:
        raise ServiceError(_("The end cannot be before the campaign's start."), field="on")
    if on is not None:
        _check_campaign_day(on, field="on", earliest=campaign.starts_on)
    before = campaign.declared_end_on
    campaign.declared_end_on = on
    withdrawn = 0
    fields = ["declared_end_on", versioning.bump(campaign)]
    if on is not None:
        last = weeks.monday(on)
        withdrawn, _detail = (
            VisitDuty.objects.filter(campaign=campaign, week__gt=last).exclude(status=DutyStatus.DONE).delete()
        )
        if campaign.duties_opened_through is not None and campaign.duties_opened_through > last:
            campaign.duties_opened_through = last
            fields.append("duties_opened_through")
    campaign.save(update_fields=fields)
    audit.record(
        actor,
        "campaign.declare_end",
        obj=campaign,
        detail={
            "before": before.isoformat() if before else None,
            "on": on.isoformat() if on else None,
            "withdrawn_duties": withdrawn,
        },
    )
    return campaign
