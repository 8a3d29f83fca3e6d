"""The hotline's figures for the reports (``reports.figures``): calls answered and callbacks made
by the hotlines of an organisation's subtree in a period (no user scoping, counts only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from nuanxin.care.selectors.report_figures import day_range, merge, rollup, subtree_q
from nuanxin.hotline.choices import CallbackStatus
from nuanxin.hotline.models import Call, Callback

FIGURES: dict[str, tuple[Any, str]] = {
    "hotline_calls": (_("Hotline calls answered"), "count"),
    "hotline_callbacks": (_("Hotline callbacks made"), "count"),
}


def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, int | Decimal]]:
    """path -> the hotline figures of its subtree over [start, end]: two queries."""
    if not paths:
        return {}
    since, until = day_range(start, end)
    key = "hotline__organisation__path"
    calls = (
        Call.objects.filter(subtree_q(key, paths), started_at__gte=since, started_at__lt=until)
        .values(key)
        .annotate(n=Count("id"))
        .order_by()
    )
    callbacks = (
        Callback.objects.filter(
            subtree_q(key, paths), status=CallbackStatus.DONE, closed_at__gte=since, closed_at__lt=until
        )
        .values(key)
        .annotate(n=Count("id"))
        .order_by()
    )
    return merge(
        rollup(calls, paths, path_key=key, fields={"hotline_calls": "n"}),
        rollup(callbacks, paths, path_key=key, fields={"hotline_callbacks": "n"}),
    )
