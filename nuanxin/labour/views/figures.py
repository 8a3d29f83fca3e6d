"""The labour-protection hub (``labour:home``: the counts of what the user may see and the tabs
to every labour page), the one menu entry, and the figures (``labour:figures``: counts only,
per organisation rolled up the tree, with a chart; viewers and auditors see them, never a name).

The tabs (``tabs(user)``, drawn by ``templates/labour/_tabs.html``) are built here from the URL
names, each shown only to those its model's policy allows; a page another area has not built
yet (its URL name does not resolve) is left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_safe

from nuanxin.core import access, roles
from nuanxin.core.manifest import MenuEntry
from nuanxin.labour.choices import EmploymentStatus, LegalStatus
from nuanxin.labour.models import Arrangement, EmploymentCase, Lawyer, LegalCase, PartnerEmployer
from nuanxin.labour.selectors import arrangements as arrangement_selectors
from nuanxin.labour.selectors import figures as selectors

HUB_ROLES = roles.LABOUR_VIEW | roles.LABOUR_REFER | roles.LABOUR_FIGURES


def may_use_hub(user: Any) -> bool:
    return (
        Arrangement.policy.may(user, "refer")
        or Arrangement.policy.may(user, "figures")
        or LegalCase.policy.may(user, "view")
        or EmploymentCase.policy.may(user, "view")
    )


MENU = [
    MenuEntry(
        pgettext_lazy("menu", "Labour protection"),
        "labour:home",
        order=297,
        element_id="nx-nav-labour",
        visible=may_use_hub,
    ),
]
COUNTERS: list = []
HOME_PANELS: list = []


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any
    url_name: str
    visible: Any  # (user) -> bool
    prefixes: tuple[str, ...]  # the URL names of the pages under this tab start with one of these


TABS = (
    Tab(
        "arrangements",
        gettext_lazy("Pregnancy and lactation"),
        "labour:arrangement_list",
        lambda u: Arrangement.policy.may(u, "view"),
        ("arrangement",),
    ),
    Tab("legal", gettext_lazy("Legal aid"), "labour:legal_list", lambda u: LegalCase.policy.may(u, "view"), ("legal",)),
    Tab("lawyers", gettext_lazy("Lawyers"), "labour:lawyer_list", lambda u: Lawyer.policy.may(u, "view"), ("lawyer",)),
    Tab(
        "employment",
        gettext_lazy("Employment help"),
        "labour:employment_list",
        lambda u: EmploymentCase.policy.may(u, "view"),
        ("employment",),
    ),
    Tab(
        "employers",
        gettext_lazy("Partner employers"),
        "labour:employer_list",
        lambda u: PartnerEmployer.policy.may(u, "view"),
        ("employer", "lead"),
    ),
    Tab(
        "figures",
        gettext_lazy("Figures"),
        "labour:figures",
        lambda u: Arrangement.policy.may(u, "figures"),
        ("figures",),
    ),
)


@dataclass(frozen=True)
class ShownTab:
    key: str
    label: Any
    url: str
    active: bool


def tabs(user: Any, current: str = "") -> list[ShownTab]:
    """The labour tabs ``user`` may open (``current``: the URL name of the page shown, or a tab's
    key), in order; a tab whose page does not exist yet is left out."""
    shown = []
    for tab in TABS:
        if not tab.visible(user):
            continue
        try:
            url = reverse(tab.url_name)
        except NoReverseMatch:
            continue
        active = current == tab.key or any(current == p or current.startswith(f"{p}_") for p in tab.prefixes)
        shown.append(ShownTab(tab.key, tab.label, url, active))
    return shown


@dataclass
class HubCard:
    key: str
    title: Any
    url: str
    figures: list[tuple[Any, int, str]]  # (label, count, link)


def _url(name: str, query: str = "") -> str:
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def hub_cards(user: Any) -> list[HubCard]:
    """The counts of the hub: each area the user may see, counted in their scope."""
    cards: list[HubCard] = []
    if Arrangement.policy.may(user, "view"):
        counts = arrangement_selectors.open_counts(user)
        base = _url("labour:arrangement_list")
        cards.append(
            HubCard(
                "arrangements",
                _("Pregnancy and lactation arrangements"),
                base,
                [
                    (_("To be agreed"), counts["referred"], base + "?status=referred"),
                    (_("Agreed with the employer"), counts["agreed"], base + "?status=agreed"),
                    (_("Review due soon"), counts["due"], base + "?show=due"),
                    (_("Ending soon"), counts["ending"], base + "?show=ending"),
                ],
            )
        )
    if LegalCase.policy.may(user, "view"):
        rows = LegalCase.objects.for_user(user, "view")
        base = _url("labour:legal_list")
        cards.append(
            HubCard(
                "legal",
                _("Legal aid"),
                base,
                [
                    (_("Open cases"), rows.exclude(status=LegalStatus.CLOSED).count(), base),
                    (_("Closed"), rows.filter(status=LegalStatus.CLOSED).count(), base),
                ],
            )
        )
    if EmploymentCase.policy.may(user, "view"):
        rows = EmploymentCase.objects.for_user(user, "view")
        base = _url("labour:employment_list")
        cards.append(
            HubCard(
                "employment",
                _("Employment help"),
                base,
                [
                    (
                        _("Seeking work"),
                        rows.filter(status__in=[EmploymentStatus.SEEKING, EmploymentStatus.REFERRED]).count(),
                        base,
                    ),
                    (_("Helped into work"), rows.filter(status=EmploymentStatus.EMPLOYED).count(), base),
                ],
            )
        )
    return cards


@access.scoped(*sorted(HUB_ROLES))
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The hub: what the user may see of the green channel, counted, and the tabs."""
    user = request.user
    return render(
        request,
        "labour/home.html",
        {
            "cards": hub_cards(user),
            "may_refer": Arrangement.policy.may(user, "refer") and not Arrangement.policy.may(user, "view"),
            "may_figures": Arrangement.policy.may(user, "figures"),
            "tab": "home",
        },
    )


def chart_data(figures: selectors.Figures) -> dict[str, Any]:
    language = translation.get_language() or ""
    return {
        "locale": "ZH" if language.startswith("zh") else "EN",
        "id": "nx-labour-chart",
        "categories": [r.label for r in figures.rows],
        "series": [
            {"name": _("Arrangements in force or to be agreed"), "data": [r.arrangements_open for r in figures.rows]},
            {"name": _("Open legal-aid cases"), "data": [r.legal_open for r in figures.rows]},
            {"name": _("Helped into work"), "data": [r.employed for r in figures.rows]},
        ],
    }


def _table(figures: selectors.Figures, name: str) -> dict[str, Any]:
    keys = selectors.COLUMNS[name]
    labels = selectors.LABELS[name]
    return {
        "name": name,
        "head": [(k, labels[k]) for k in keys],
        "rows": [(r, r.cells(name, keys)) for r in figures.rows],
        "total": figures.total.cells(name, keys),
    }


@access.scoped(Arrangement, "figures")
@require_safe
def figures(request: HttpRequest) -> HttpResponse:
    """Counts only, per organisation rolled up the tree."""
    data = selectors.figures(request.user)
    tables = {name: _table(data, name) for name in selectors.COLUMNS}
    return render(
        request,
        "labour/figures.html",
        {
            "figures": data,
            "tables": tables,
            "chart": chart_data(data),
            "remind_days": arrangement_selectors.REVIEW_REMIND_DAYS,
            "tab": "figures",
        },
    )


urlpatterns = [
    path("", home, name="home"),
    path("figures/", figures, name="figures"),
]
