"""The funds' figures page (资金统计): an organisation and its subtree over whole months — income,
received from above, allocated down, spent by category, remaining — as a chart (Apache
ECharts, fed from a JSON block) and tables, with its children side by side. Amounts only
(``selectors/figures.py``, read from the subtree totals): everyone with the funds' "view"
action sees them, viewers included; never an entry, a payee or a beneficiary."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nuanxin.core import access, treelabels
from nuanxin.core.errors import ServiceError
from nuanxin.core.manifest import HomePanel
from nuanxin.funds.models import Fund
from nuanxin.funds.selectors import figures as selectors
from nuanxin.orgs import scope


def _chart(figures: dict[str, Any]) -> dict[str, Any]:
    """The chart's data for ``funds-figures.js``: spending per category stacked per month (bars)
    and what remained at each month's end (a line on its own axis). Amounts in yuan."""
    months = figures["months"]
    series = [
        {
            "name": row["label"],
            "data": [float(m["by_category"].get(row["category"], 0)) for m in months],
        }
        for row in figures["by_category"]
    ]
    return {
        "locale": "ZH" if (get_language() or "").startswith("zh") else "EN",
        "months": [m["month"].strftime("%Y-%m") for m in months],
        "spent": series,
        "remaining": {"name": _("Remaining"), "data": [float(m["remaining"]) for m in months]},
        "axis_spent": _("Spent (¥)"),
        "axis_remaining": _("Remaining (¥)"),
    }


@access.scoped(Fund, "view")
def figures_page(request: HttpRequest) -> HttpResponse:
    """The figures for ``?org=&from=&to=`` (default: the root of the user's reach, the twelve
    months up to the last month with figures). An organisation outside the reach is a 404 with
    a message; a month that is not one is said on the page."""
    user = request.user
    context: dict[str, Any] = {
        "choices": [(o.code, label) for o, label in treelabels.labelled(selectors.organisations(user))],
        "values": {k: request.GET.get(k, "") for k in ("org", "from", "to")},
    }
    status = 200
    try:
        organisation = selectors.pick(user, request.GET.get("org") or None)
        parts = selectors.parts(user, organisation)
        p = selectors.period(
            request.GET.get("from") or None,
            request.GET.get("to") or None,
            latest=selectors.latest_month([o.pk for o in parts]),
        )
    except selectors.NotInScope as exc:
        context["error"] = exc.message
        status = 404
    except ServiceError as exc:
        context["error"] = exc.message
    else:
        figures = selectors.figures(user, organisation, p)
        context.update(
            org=organisation,
            figures=figures,
            period=p,
            chart=_chart(figures),
            categories=figures["by_category"],
        )
        context["values"].update(
            {"org": organisation.code, "from": p.first.strftime("%Y-%m"), "to": p.last.strftime("%Y-%m")}
        )
    return render(request, "funds/figures.html", context, status=status)


def home_panel(request: HttpRequest) -> dict[str, Any] | None:
    """The home page's card: what was spent (投入资金) and what remains in the subtree the
    user's grants for the figures cover (the whole city's for a city user)."""
    user = request.user
    if not user.is_authenticated or not Fund.policy.may(user, "view"):
        return None
    root = scope.common_root(user, selectors.ROLES)
    if root is None:
        return None
    parts = selectors.parts(user, root)
    if parts != [root]:  # scattered grants: the figures page adds up the parts
        return {"org": root, "partial": True}
    return {
        "org": root,
        "partial": False,
        "spent": selectors.total_spent(root),
        "remaining": selectors.remaining(root),
    }


urlpatterns = [path("figures/", figures_page, name="figures")]
MENU: list = []  # the figures are a tab of the funds' pages (templatetags/funds_nav.py)
COUNTERS: list = []
HOME_PANELS: list = [HomePanel("funds/_home_figures.html", home_panel, order=160)]
