"""``{% labour_tabs as tabs %}``: the labour tabs the signed-in user may open, the page shown
marked active (``templates/labour/_tabs.html`` uses it; see ``views/figures.py``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def labour_tabs(context: Any, current: str = "") -> list:
    from nuanxin.labour.views.figures import tabs

    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    if not current:
        match = getattr(request, "resolver_match", None)
        current = match.url_name if match is not None and match.url_name else ""
    return tabs(request.user, current)
