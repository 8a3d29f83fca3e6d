"""The admins' and viewers' reports: the weekly overview (completion per sub-organisation,
missed and still-due lists, unassigned families, open difficulties by age and category) and
the completion chart. Viewers get the figures only, no personal detail."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nuanxin.care import pages, selectors
from nuanxin.care.models import VisitDuty
from nuanxin.care.views.common import week_nav
from nuanxin.core import access, roles
from nuanxin.registry.models import Worker


def _filters(request):
    """The organisation, campaign and week the report pages show (defaults: the root of the
    user's scope, the current campaign, this week)."""
    picker = pages.org_picker(request.user, roles.CARE_REPORT, request.GET.get("org"))
    all_campaigns = pages.campaigns()
    campaign = pages.pick_campaign(all_campaigns, request.GET.get("campaign"))
    week = pages.pick_week(request.GET.get("week"))
    return picker, all_campaigns, campaign, week


@access.scoped(VisitDuty, "report")
def overview(request):
    """This week's completion per sub-organisation, the missed and still-due lists,
    unassigned families and open difficulties by age and category. Viewers get the
    figures only (no names)."""
    user = request.user
    picker, all_campaigns, campaign, week = _filters(request)
    org = picker.selected
    by = "unit" if request.GET.get("by") == "unit" else "child"
    people = Worker.policy.may(user, "change")  # names: the register's admins, not the viewers
    context = {
        **week_nav(week),
        "picker": picker,
        "org": org,
        "campaigns": all_campaigns,
        "campaign": campaign,
        "by": by,
        "people": people,
    }
    if org is not None:
        context["extra_query"] = urlencode(
            [("org", org.code), *([("campaign", campaign.pk)] if campaign else []), ("by", by)]
        )
        context.update(pages.overview_reads(user, org, week, campaign, by=by, people=people))
    return render(request, "care/overview.html", context)


@access.scoped(VisitDuty, "report")
def chart(request):
    """Weekly completion over the campaign per sub-organisation (Apache ECharts), fed from a
    JSON block; the same figures in a table for those without JavaScript."""
    user = request.user
    picker, all_campaigns, campaign, _week = _filters(request)
    org = picker.selected
    data = None
    rows = []
    if org is not None and campaign is not None:
        series = selectors.completion_series(user, org, campaign)
        for s in series["series"]:
            done, owed = sum(s["done"]), sum(s["owed"])
            rows.append(
                {"name": s["name"], "done": done, "owed": owed, "percent": round(done * 100 / owed) if owed else None}
            )
        data = {
            "locale": "ZH" if (get_language() or "").startswith("zh") else "EN",
            "weeks": series["weeks"],
            "current": series["current"],
            "series": [
                {"name": s["name"], "percent": s["percent"], "done": s["done"], "owed": s["owed"]}
                for s in series["series"]
            ],
            "labels": {
                "yAxis": _("Completion (%)"),
                "xAxis": _("Week"),
                "done": _("Visited"),
                "owed": _("Owed"),
                # this week is still going on: its figure is not a final one
                "inProgress": _("this week so far: day %(day)s of 7") % {"day": series["days_so_far"]},
            },
        }
    return render(
        request,
        "care/chart.html",
        {"picker": picker, "org": org, "campaigns": all_campaigns, "campaign": campaign, "chart": data, "rows": rows},
    )
