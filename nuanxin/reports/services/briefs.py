"""A brief of a period (简报): the figures of a form for an organisation and each of its obliged
children, as a PDF ready to send to the health commission (title, issuing union, date, the
figures, the children's rows, bar charts drawn as inline SVG; WeasyPrint through
``core.pdf``) and as an xlsx (``core.exports``). Figures only, never a person's name.

A report that is submitted or approved gives its frozen figures; otherwise the figures are
computed now (``reports.figures.compute_many``: a fixed number of queries for all the
organisations), and the entered values are the draft's. Each download is audited.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from unicodedata import east_asian_width

from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, exports, pdf
from nuanxin.core.errors import ServiceError
from nuanxin.orgs.models import Organisation
from nuanxin.reports import figures
from nuanxin.reports.choices import EDITABLE, FieldKind, PeriodType, ReportStatus
from nuanxin.reports.models import FormField, Report, ReportForm
from nuanxin.reports.services import obligations, periods
from nuanxin.reports.services.reports import may_read_texts

TEMPLATE = "reports/brief_pdf.html"
CHART_FIELDS = 6  # bar charts drawn, one per numeric field, in the form's order
TABLE_COLUMNS = 5  # numeric fields per table of the children's rows (A4 portrait)
BAR_WIDTH = 300  # the longest bar, in the SVG's units
CHART_FONT = 11  # the labels' font size, in the SVG's units (a CJK character is as wide)
LABEL_CHARS = 16  # names longer than this many full-width characters end in "…" in the charts


@dataclass
class Column:
    field: FormField
    unit: str  # "count" | "yuan" | "hours" | "" (text)

    @property
    def numeric(self) -> bool:
        return self.field.kind != FieldKind.TEXT


@dataclass
class OrgFigures:
    organisation: Organisation
    status: str  # a ReportStatus value, or "" when no report was opened
    values: dict[str, Any]

    @property
    def status_label(self) -> str:
        return str(dict(ReportStatus.choices).get(self.status, _("Not opened")))


@dataclass
class Bar:
    label: str
    value: Any
    y: int
    width: int
    x: int = 0  # where the bar starts: after the label column
    value_x: int = 0  # where its value is written: after the bar


@dataclass
class Chart:
    title: str
    bars: list[Bar]
    height: int
    width: int = 0  # the SVG's width in its units: the label column, the longest bar, the value


@dataclass
class Brief:
    form: ReportForm
    organisation: Organisation
    period_start: date
    period_end: date
    issued_on: date
    columns: list[Column]
    own: OrgFigures
    children: list[OrgFigures]
    charts: list[Chart] = field(default_factory=list)

    @property
    def numeric_columns(self) -> list[Column]:
        return [c for c in self.columns if c.numeric]

    @property
    def text_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.numeric]

    @property
    def column_chunks(self) -> list[list[Column]]:
        """The numeric fields in as few tables as ``TABLE_COLUMNS`` allows, of even sizes (8: 4 + 4)."""
        cols = self.numeric_columns
        if not cols:
            return []
        count = -(-len(cols) // TABLE_COLUMNS)
        size = -(-len(cols) // count)
        return [cols[i : i + size] for i in range(0, len(cols), size)]

    @property
    def own_rows(self) -> list[tuple[Column, Any]]:
        return [(c, self.own.values.get(c.field.key, "")) for c in self.numeric_columns]

    @property
    def own_texts(self) -> list[tuple[Column, Any]]:
        return [
            (c, self.own.values.get(c.field.key, "")) for c in self.text_columns if self.own.values.get(c.field.key)
        ]

    @property
    def tables(self) -> list[tuple[list[Column], list[tuple[OrgFigures, list[Any]]]]]:
        """The children's rows, ``TABLE_COLUMNS`` numeric fields per table."""
        return [
            (chunk, [(r, [r.values.get(c.field.key, "") for c in chunk]) for r in self.children])
            for chunk in self.column_chunks
        ]

    @property
    def period_label(self) -> str:
        if self.period_start == self.period_end:
            return self.period_start.isoformat()
        return f"{self.period_start.isoformat()} – {self.period_end.isoformat()}"

    @property
    def filename_stem(self) -> str:
        return f"{self.form.name}-{self.organisation.name}-{self.period_start.isoformat()}"


def _unit(f: FormField) -> str:
    if f.kind == FieldKind.COMPUTED:
        metric = figures.METRICS.get(f.metric)
        return metric.unit if metric else "count"
    units: dict[str, str] = {FieldKind.NUMBER: "count", FieldKind.AMOUNT: "yuan"}
    return units.get(f.kind, "")


def _number(value: Any) -> Any:
    """A stored value as a number when it is one (JSON keeps amounts as strings)."""
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(value) if "." in value else int(value)
        except (ValueError, ArithmeticError):
            return value
    return value


def text_width(text: str) -> float:
    """``text``'s width in full-width characters (a CJK character 1, a Latin letter or digit ½)."""
    return sum(1.0 if east_asian_width(ch) in "WF" else 0.6 for ch in text)


def chart_label(name: str, limit: int = LABEL_CHARS) -> str:
    """``name`` as a chart's label: whole when it fits in ``limit`` full-width characters, else
    cut with an ellipsis so that it never runs under the bars."""
    if text_width(name) <= limit:
        return name
    out = ""
    for ch in name:
        if text_width(out + ch) > limit - 1:
            break
        out += ch
    return out + "…"


def _chart(title: str, rows: list[tuple[str, Any]]) -> Chart:
    top = max((float(v) for _l, v in rows if isinstance(v, int | Decimal)), default=0.0)
    labels = [chart_label(str(label)) for label, _v in rows]
    # The label column is as wide as the longest (possibly cut) label, plus a gap.
    label_width = round(max((text_width(lb) for lb in labels), default=0) * CHART_FONT) + 8
    bars = []
    for i, ((_label, value), label) in enumerate(zip(rows, labels, strict=True)):
        width = round(BAR_WIDTH * float(value) / top) if top and isinstance(value, int | Decimal) else 0
        bars.append(
            Bar(label=label, value=value, y=10 + 22 * i, width=width, x=label_width, value_x=label_width + width + 6)
        )
    return Chart(title=title, bars=bars, height=20 + 22 * len(rows), width=label_width + BAR_WIDTH + 80)


def check_period(form: ReportForm, day: date, today: date) -> None:
    """Refuse a brief for a day outside ``form``'s periods (before ``starts_on``, after
    ``ends_on`` or a one-off's ``once_on``) or in a period that has not begun by ``today``."""
    last = form.once_on if form.period_type == PeriodType.ONCE else form.ends_on
    if day < form.starts_on or (last is not None and day > last):
        if last is None:
            raise ServiceError(
                _("No brief for %(day)s: this form's periods start on %(start)s.")
                % {"day": day.isoformat(), "start": form.starts_on.isoformat()},
                field="period",
            )
        raise ServiceError(
            _("No brief for %(day)s: this form's periods run from %(start)s to %(end)s.")
            % {"day": day.isoformat(), "start": form.starts_on.isoformat(), "end": last.isoformat()},
            field="period",
        )
    if periods.period_of(form, day)[0] > today:
        raise ServiceError(
            _("No brief for %(day)s: that period has not begun yet.") % {"day": day.isoformat()}, field="period"
        )


def brief(form: ReportForm, organisation: Organisation, period_start: date, *, texts: bool = True) -> Brief:
    """The figures of ``form``'s period containing ``period_start`` for ``organisation`` and its
    nearest obliged descendants (the reports its own rolls up). A fixed number of queries.
    Without ``texts`` (a viewer's or auditor's brief) the text fields are left out: a unit may
    have typed a person's name there."""
    start, end = periods.period_of(form, period_start)
    columns = [
        Column(field=f, unit=_unit(f))
        for f in form.fields.order_by("position", "pk")
        if texts or f.kind != FieldKind.TEXT
    ]
    children = obligations.obliged_children(form, organisation)
    orgs = [organisation, *children]
    reports = {
        r.organisation_id: r
        for r in Report.objects.filter(form=form, period_start=start, organisation__in=[o.pk for o in orgs])
    }
    codes = [
        c.field.metric for c in columns if c.field.kind == FieldKind.COMPUTED and c.field.metric in figures.METRICS
    ]
    live_orgs = [o for o in orgs if o.pk not in reports or reports[o.pk].status in EDITABLE]
    live = figures.compute_many(codes, live_orgs, start, end) if codes and live_orgs else {}

    def values_of(org: Organisation) -> OrgFigures:
        report = reports.get(org.pk)
        frozen = report is not None and report.status not in EDITABLE
        values: dict[str, Any] = {}
        for c in columns:
            f = c.field
            if f.kind == FieldKind.COMPUTED:
                if frozen and report is not None and f.key in report.computed:
                    values[f.key] = _number(report.computed[f.key])
                else:
                    values[f.key] = live.get(org.pk, {}).get(f.metric, "")
            else:
                raw = report.values.get(f.key, "") if report is not None else ""
                values[f.key] = _number(raw) if c.numeric else raw
        return OrgFigures(organisation=org, status=report.status if report else "", values=values)

    own = values_of(organisation)
    rows = [values_of(c) for c in children]
    charts = [
        _chart(c.field.label, [(r.organisation.name, r.values.get(c.field.key, "")) for r in rows])
        for c in [c for c in columns if c.numeric][:CHART_FIELDS]
        if rows
    ]
    return Brief(
        form=form,
        organisation=organisation,
        period_start=start,
        period_end=end,
        issued_on=timezone.localdate(),
        columns=columns,
        own=own,
        children=rows,
        charts=charts,
    )


def _record(actor: Any, action: str, b: Brief) -> None:
    audit.record(
        actor,
        action,
        obj=b.form,
        organisation=b.organisation,
        detail={"period": b.period_start.isoformat(), "organisations": 1 + len(b.children)},
    )


def brief_pdf(*, actor: Any, form: ReportForm, organisation: Organisation, period_start: date) -> tuple[bytes, str]:
    """The brief as a PDF and its file name; audited (``reports.brief.pdf``)."""
    Report.policy.require_in(actor, "view", organisation)
    b = brief(form, organisation, period_start, texts=may_read_texts(actor, organisation))
    content = pdf.render(TEMPLATE, {"brief": b})
    _record(actor, "reports.brief.pdf", b)
    return content, f"{b.filename_stem}.pdf"


def xlsx_table(b: Brief) -> tuple[list[str], list[list[Any]]]:
    # A count's label says what is counted ("…家庭数"); amounts and hours get their unit.
    headers = [_("Organisation"), _("Report status")] + [
        _("%(label)s (%(unit)s)") % {"label": c.field.label, "unit": figures.UNITS[c.unit]}
        if c.unit in figures.UNITS and c.unit != "count"
        else str(c.field.label)
        for c in b.columns
    ]
    rows = [
        [r.organisation.name, r.status_label] + [r.values.get(c.field.key, "") for c in b.columns]
        for r in [b.own, *b.children]
    ]
    return headers, rows


def brief_xlsx(*, actor: Any, form: ReportForm, organisation: Organisation, period_start: date) -> tuple[bytes, str]:
    """The brief as an xlsx (the organisation's row, then its children's) and its file name;
    audited (``reports.brief.xlsx``)."""
    Report.policy.require_in(actor, "view", organisation)
    b = brief(form, organisation, period_start, texts=may_read_texts(actor, organisation))
    headers, rows = xlsx_table(b)
    content = exports.build_xlsx(headers, rows, sheet_name=_("Brief"))
    _record(actor, "reports.brief.xlsx", b)
    return content, f"{b.filename_stem}.xlsx"
