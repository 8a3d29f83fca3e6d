"""The funds' own navigation: one menu entry (专项资金) and tabs on its pages — the funds, the
approvals (finance roles), the spending list and the figures — shown to whoever may open each.

    {% load funds_nav %}{% funds_tabs "spending" %}
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nuanxin.funds.models import Entry, Fund

register = template.Library()

TABS = (
    ("funds", _("Funds"), "funds:fund_list", lambda u: Fund.policy.may(u, "view")),
    (
        "approvals",
        _("Approvals"),
        "funds:approval_queue",
        lambda u: Entry.policy.may(u, "record") or Entry.policy.may(u, "approve"),
    ),
    ("spending", _("Spending"), "funds:spending_org", lambda u: Entry.policy.may(u, "view")),
    ("figures", _("Fund figures"), "funds:figures", lambda u: Fund.policy.may(u, "view")),
)


@register.inclusion_tag("funds/_tabs.html", takes_context=True)
def funds_tabs(context, active: str) -> dict:
    user = context["request"].user
    tabs = [
        {"key": key, "label": label, "url": reverse(url_name), "active": key == active}
        for key, label, url_name, visible in TABS
        if visible(user)
    ]
    return {"tabs": tabs}
