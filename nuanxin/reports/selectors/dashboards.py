"""A dashboard per organisation: the campaign's key figures over time, from the report forms'
computed fields (the weekly care figures per week, funds spent per month, volunteers' hours,
produce parcels …), for the organisation's whole subtree, each figure over the form's last
periods. Counts and amounts only, never a name: viewers read it.

The figures are computed from the apps' selectors (``reports.figures.compute``: a fixed number
of queries per app and period), ``PERIODS`` periods per form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from nuanxin.orgs.models import Organisation
from nuanxin.reports import figures
from nuanxin.reports.choices import FieldKind, FormSource, PeriodType
from nuanxin.reports.models import ReportForm
from nuanxin.reports.selectors.rates import visible_forms
from nuanxin.reports.services import periods

PERIODS = 12


@dataclass
class Figure:
    code: str
    label: str
    unit: str
    values: list[int | Decimal]  # oldest period first

    @property
    def latest(self) -> int | Decimal:
        return self.values[-1] if self.values else 0

    @property
    def previous(self) -> int | Decimal | None:
        return self.values[-2] if len(self.values) > 1 else None

    @property
    def total(self) -> int | Decimal:
        return sum(self.values, start=figures.METRICS[self.code].zero if self.code in figures.METRICS else 0)


@dataclass
class Panel:
    form: ReportForm
    spans: list[tuple[date, date]]  # oldest first
    figures: list[Figure]

    @property
    def categories(self) -> list[str]:
        if self.form.period_type == PeriodType.MONTHLY:
            return [f"{s:%Y-%m}" for s, _e in self.spans]
        if self.form.period_type == PeriodType.WEEKLY:
            return [f"{s:%m-%d}" for s, _e in self.spans]
        return [f"{s:%Y-%m-%d}–{e:%m-%d}" for s, e in self.spans]

    def by_unit(self) -> list[tuple[str, list[Figure]]]:
        """The figures grouped by unit (one chart per unit: people, yuan, hours)."""
        out: dict[str, list[Figure]] = {}
        for f in self.figures:
            out.setdefault(f.unit, []).append(f)
        return list(out.items())


def dashboard_forms(user: Any, form_id: Any = None) -> list[ReportForm]:
    """The active forms filled in with computed figures the user reads (or the one asked for)."""
    forms = visible_forms(user).filter(active=True, source=FormSource.FILLED).prefetch_related("fields")
    if form_id not in (None, ""):
        forms = forms.filter(pk=form_id)
    return [
        f for f in forms if any(x.kind == FieldKind.COMPUTED and x.metric in figures.METRICS for x in f.fields.all())
    ]


def panel(form: ReportForm, organisation: Organisation, *, count: int = PERIODS, today: date | None = None) -> Panel:
    """``form``'s computed figures for ``organisation``'s subtree over its last ``count`` periods
    (up to the current one)."""
    today = today or timezone.localdate()
    spans = list(reversed(periods.periods(form, until=today)[:count]))
    fields = [
        f
        for f in sorted(form.fields.all(), key=lambda x: (x.position, x.pk))
        if f.kind == FieldKind.COMPUTED and f.metric in figures.METRICS
    ]
    codes = list(dict.fromkeys(f.metric for f in fields))
    series: dict[str, list[int | Decimal]] = {code: [] for code in codes}
    for start, end in spans:
        found = figures.compute(codes, organisation, start, end)
        for code in codes:
            series[code].append(found.get(code, figures.METRICS[code].zero))
    labels = {f.metric: f.label for f in fields}
    return Panel(
        form=form,
        spans=spans,
        figures=[
            Figure(
                code=c, label=labels[c] or str(figures.METRICS[c].label), unit=figures.METRICS[c].unit, values=series[c]
            )
            for c in codes
        ],
    )
