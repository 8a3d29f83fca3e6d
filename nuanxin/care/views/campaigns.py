"""The campaigns (city administrators): the list, a new campaign, the visit cadence per
frontline team, the declared end.

Campaigns belong to the whole city: the campaign policy's "manage" needs a grant covering the
root (a city administrator over the city)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nuanxin.care import forms, services, weeks
from nuanxin.care.models import Campaign
from nuanxin.care.views.common import posted, submit
from nuanxin.core import access, idempotency
from nuanxin.registry.choices import TeamType


@access.scoped(Campaign, "manage")
def campaign_list(request):
    this_week = weeks.current_week()
    campaigns = Campaign.objects.annotate(
        families=Count("assignments", filter=Q(assignments__ended_at__isnull=True), distinct=True),
    ).order_by("-starts_on", "-pk")
    running = set(Campaign.objects.running().values_list("pk", flat=True))
    rows = [
        {
            "campaign": c,
            "running": c.pk in running,
            "cadence": [(label, c.cadence_for(team)) for team, label in TeamType.choices],
        }
        for c in campaigns
    ]
    return render(request, "care/campaign_list.html", {"rows": rows, "this_week": weeks.label(this_week)})


@access.scoped(Campaign, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def campaign_create(request):
    form = forms.CampaignCreateForm(posted(request), initial={"starts_on": timezone.localdate()})
    return submit(
        request,
        form,
        services.create_campaign,
        lambda data: {"name": data["name"], "starts_on": data["starts_on"], "cadence": form.cadence()},
        done=lambda campaign: _("Campaign “%(name)s” created.") % {"name": campaign.name},
        to=reverse("care:campaign_list"),
    ) or render(request, "care/campaign_form.html", {"form": form, "title": _("New campaign")})


@access.scoped(Campaign, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign: Campaign):
    """The visit cadence per frontline team (from this week on)."""
    form = forms.CampaignEditForm(posted(request), campaign=campaign, version=campaign.version)
    return submit(
        request,
        form,
        services.set_cadence,
        lambda data: {"campaign": campaign, "cadence": form.cadence(), "version": data["version"]},
        done=_("Visit cadence saved; it applies from this week on."),
        to=reverse("care:campaign_list"),
    ) or render(request, "care/campaign_form.html", {"form": form, "campaign": campaign, "title": campaign.name})


def _end_declared(campaign: Campaign, on) -> str:
    if on:
        return _("The end of “%(name)s” is declared: the week %(week)s is its last with visits.") % {
            "name": campaign.name,
            "week": weeks.label(weeks.monday(on)),
        }
    return _("The declared end of “%(name)s” is withdrawn.") % {"name": campaign.name}


@access.scoped(Campaign, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def campaign_declare_end(request, campaign: Campaign):
    """Declare the epidemic over: no duty opens after the week of that date."""
    form = forms.DeclareEndForm(
        posted(request), initial={"on": campaign.declared_end_on or timezone.localdate()}, version=campaign.version
    )
    return submit(
        request,
        form,
        services.declare_end,
        lambda data: {"campaign": campaign, "on": data["on"], "version": data["version"]},
        done=lambda _campaign: _end_declared(campaign, form.cleaned_data["on"]),
        to=reverse("care:campaign_list"),
    ) or render(request, "care/campaign_end.html", {"form": form, "campaign": campaign})
