"""The figures catalogue of the reports: every figure a report form's computed field may name,
with where it comes from. Each app has a ``selectors/report_figures.py`` with ``FIGURES`` (code
-> (label, unit)) and ``report_figures(paths, start, end)`` (path -> that subtree's figures over
[start, end], a fixed number of queries, read on the organisation's behalf: no user scoping, no
names). ``compute`` asks each app that owns one of the codes once; ``compute_many`` does the same
for many organisations at once (rates, dashboards, the parent's sum of its children).

Codes are stable: report forms store them (``FormField.metric``) and submitted reports keep
their frozen values under their field keys.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import ModuleType
from typing import Any

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

Number = int | Decimal

# (group, module) in display order. Volunteers' module is written by the volunteers app.
SOURCES: tuple[tuple[str, str], ...] = (
    ("care", "nuanxin.care.selectors.report_figures"),
    ("funds", "nuanxin.funds.selectors.report_figures"),
    ("hotline", "nuanxin.hotline.selectors.report_figures"),
    ("recuperation", "nuanxin.recuperation.selectors.report_figures"),
    ("produce", "nuanxin.produce.selectors.report_figures"),
    ("volunteers", "nuanxin.volunteers.selectors.report_figures"),
    ("honours", "nuanxin.honours.selectors.report_figures"),
    ("labour", "nuanxin.labour.selectors.report_figures"),
)

GROUP_LABELS = {
    "care": _("Care visits and difficulties"),
    "funds": _("Funds"),
    "hotline": _("Psychological hotline"),
    "recuperation": _("Recuperation"),
    "produce": _("Produce scheme"),
    "volunteers": _("Volunteer service"),
    "honours": _("Honours"),
    "labour": _("Labour rights"),
}

# Figures whose fall is good news (fewer families missed): no comment is asked for when they fall.
LOWER_IS_BETTER = frozenset({"families_missed"})

UNITS = {"count": _("people or items"), "yuan": _("yuan"), "hours": _("hours")}

# The volunteers' codes as agreed (DESIGN.md), used only while their module is missing.
_VOLUNTEERS_FALLBACK: dict[str, tuple[Any, str]] = {
    "volunteer_teams": (_("Volunteer teams"), "count"),
    "volunteers": (_("Volunteers"), "count"),
    "volunteers_active": (_("Active volunteers (8 hours or more in 30 days)"), "count"),
    "volunteer_hours": (_("Volunteer hours"), "hours"),
    "people_served": (_("People served by volunteers"), "count"),
}


@dataclass(frozen=True)
class Metric:
    code: str  # "families_visited"
    label: Any  # lazy, English msgid
    unit: str  # "count" | "yuan" | "hours"
    group: str  # "care" | "funds" | …

    @property
    def zero(self) -> Number:
        return Decimal("0.00") if self.unit == "yuan" else (Decimal("0") if self.unit == "hours" else 0)

    @property
    def whole(self) -> bool:
        """Counted in whole numbers (people, items), not an amount."""
        return self.unit == "count"


def _load(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:  # a broken import inside the module: not the missing-module case
            raise
        return None


def _catalogue() -> tuple[dict[str, Metric], dict[str, Callable[..., dict[str, dict[str, Number]]]]]:
    metrics: dict[str, Metric] = {}
    sources: dict[str, Callable[..., dict[str, dict[str, Number]]]] = {}
    for group, name in SOURCES:
        module = _load(name)
        if module is None:
            if group != "volunteers":
                raise ImportError(name)
            figures: dict[str, tuple[Any, str]] = _VOLUNTEERS_FALLBACK
            source: Callable[..., dict[str, dict[str, Number]]] = _zeros(_VOLUNTEERS_FALLBACK)
        else:
            figures = module.FIGURES
            source = module.report_figures
        for code, (label, unit) in figures.items():
            metrics[code] = Metric(code=code, label=label, unit=unit, group=group)
        sources[group] = source
    return metrics, sources


def _zeros(figures: dict[str, tuple[Any, str]]) -> Callable[..., dict[str, dict[str, Number]]]:
    def report_figures(paths: list[str], start: date, end: date) -> dict[str, dict[str, Number]]:
        return {p: {c: (Decimal("0") if unit == "hours" else 0) for c, (_l, unit) in figures.items()} for p in paths}

    return report_figures


METRICS, _SOURCES = _catalogue()


def groups() -> list[tuple[str, Any, list[Metric]]]:
    """(group, label, metrics) in display order: the form builder's choices."""
    out: list[tuple[str, Any, list[Metric]]] = []
    for group, _module in SOURCES:
        out.append((group, GROUP_LABELS[group], [m for m in METRICS.values() if m.group == group]))
    return out


def choices() -> list[tuple[Any, list[tuple[str, Any]]]]:
    """Grouped (code, label) choices for a select."""
    return [(label, [(m.code, m.label) for m in metrics]) for _g, label, metrics in groups() if metrics]


def unknown(codes: Iterable[str]) -> list[str]:
    return [c for c in codes if c not in METRICS]


def compute_paths(codes: Iterable[str], paths: list[str], start: date, end: date) -> dict[str, dict[str, Number]]:
    """path -> {code: value} for ``codes`` over [start, end]; only the apps owning a code are asked."""
    wanted = list(dict.fromkeys(codes))
    missing = unknown(wanted)
    if missing:
        raise KeyError(missing[0])
    paths = list(dict.fromkeys(paths))
    out: dict[str, dict[str, Number]] = {p: {} for p in paths}
    by_group: dict[str, list[str]] = {}
    for code in wanted:
        by_group.setdefault(METRICS[code].group, []).append(code)
    if not paths:
        return out
    for group, group_codes in by_group.items():
        found = _SOURCES[group](paths, start, end)
        for path in paths:
            figures = found.get(path, {})
            for code in group_codes:
                value = figures.get(code)
                out[path][code] = METRICS[code].zero if value is None else value
    return out


def compute(codes: Iterable[str], organisation: Any, start: date, end: date) -> dict[str, Number]:
    """The figures ``codes`` for ``organisation``'s whole subtree over [start, end] (inclusive)."""
    return compute_paths(codes, [organisation.path], start, end)[organisation.path]


def compute_many(
    codes: Iterable[str], organisations: Iterable[Any], start: date, end: date
) -> dict[int, dict[str, Number]]:
    """organisation id -> ``compute(codes, organisation, start, end)``, in a fixed number of queries."""
    organisations = list(organisations)
    by_path = compute_paths(codes, [o.path for o in organisations], start, end)
    return {o.pk: dict(by_path[o.path]) for o in organisations}
