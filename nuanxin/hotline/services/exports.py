"""Exporting a hotline's personal records: a supervisor's action (``Call.policy`` "export"),
with a reason, audited with the row count and the reason's length (never its words).

The workbook (xlsx) holds two sheets: the call records and the assessments of the hotline
taken in the date range. Every text cell is neutralised against formula injection
(``core.exports.neutralise``): a note typed as ``=HYPERLINK(...)`` reaches the reader as text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nuanxin.core import audit, plaintext
from nuanxin.core.errors import ServiceError
from nuanxin.core.exports import XLSX_MAX_CELL, neutralise
from nuanxin.hotline.choices import (
    AgeBand,
    AssessmentSource,
    CallerKind,
    CallOutcome,
    Channel,
    Gender,
    Intervention,
    RiskLevel,
    Topic,
)
from nuanxin.hotline.models import Assessment, Call, Hotline
from nuanxin.hotline.selectors.calls import band_label, day_bounds

REASON_MIN = 5
REASON_LIMIT = 500
MAX_DAYS = 3 * 366  # one export covers at most about three years (the retention period)


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    calls: int
    assessments: int

    @property
    def rows(self) -> int:
        return self.calls + self.assessments


def _label(choices: Any, code: str) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code


def _labels(choices: Any, codes: Iterable[str]) -> str:
    return "、".join(_label(choices, code) for code in codes)


def _person(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())


def call_headers() -> list[str]:
    return [
        _("Record"), _("Started"), _("Ended"), _("Minutes"), pgettext("hotline", "Line"), _("Channel"), _("Caller"),
        _("Counsellor"), _("Gender"), _("Age"), _("Topics"), _("Other topic"), _("What was done"),
        _("Technique"), _("Risk"), _("Consents to a callback"), _("Number to call back"),
        _("Asks for the same counsellor"), _("Outcome"), _("Linked to"), _("Notes"),
    ]


def call_row(call: Call) -> list[Any]:
    linked = ""
    if call.worker_id and call.worker is not None:
        linked = call.worker.name
    elif call.family_member_id and call.family_member is not None:
        linked = call.family_member.name
    return [
        call.pk,
        call.started_at,
        call.ended_at,
        call.duration_minutes,
        str(call.line) if call.line_id else "",
        _label(Channel, call.channel),
        _label(CallerKind, call.caller_kind),
        _person(call.counsellor),
        _label(Gender, call.gender),
        _label(AgeBand, call.age_band),
        _labels(Topic, call.topics),
        call.topic_note,
        _labels(Intervention, call.interventions),
        call.technique,
        _label(RiskLevel, call.risk),
        _yes_no(call.callback_consent),
        call.callback_number,
        _yes_no(call.same_counsellor),
        _label(CallOutcome, call.outcome),
        linked,
        call.notes,
    ]


def assessment_headers() -> list[str]:
    return [
        _("Record"), _("Taken"), _("Scale"), _("Score"), _("Standard score"), _("Band"),
        _("At or above the cut-off"), _("Crisis answer"), pgettext("hotline", "Source"), pgettext("hotline", "Call"),
        _("Consents to a callback"), pgettext("hotline", "Mobile"),
    ]


def _yes_no(value: Any) -> str:
    """是 / 否 (Yes / No) for a yes-or-no cell, never 1/0 or TRUE/FALSE."""
    return _("Yes") if value else _("No")


def assessment_row(assessment: Assessment) -> list[Any]:
    return [
        assessment.pk,
        assessment.created_at,
        assessment.scale,
        assessment.score,
        assessment.standard_score,
        band_label(assessment.scale, assessment.band) if assessment.band else "",
        _yes_no(assessment.flagged),
        _yes_no(assessment.crisis),
        _label(AssessmentSource, assessment.source),
        assessment.call_id,
        _yes_no(assessment.callback_consent),
        assessment.mobile,
    ]


def workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """An xlsx workbook of several sheets (bold frozen header row each), every text cell
    written as a string and neutralised, so nothing is read as a formula, number or URL."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        },
    )
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for name, headers, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        for col, header in enumerate(headers):
            sheet.write_string(0, col, str(neutralise(header)), bold)
            sheet.set_column(col, col, max(8, min(30, len(header) * 2 + 2)))
        for row_index, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None:
                    sheet.write_blank(row_index, col, None)
                elif isinstance(value, datetime):
                    local = timezone.localtime(value) if timezone.is_aware(value) else value
                    sheet.write_datetime(row_index, col, local, when)
                elif isinstance(value, bool):
                    sheet.write_boolean(row_index, col, value)
                elif isinstance(value, int | float | Decimal):
                    sheet.write_number(row_index, col, float(value))
                else:
                    text = str(neutralise(str(value)))
                    if len(text) > XLSX_MAX_CELL:
                        text = text[: XLSX_MAX_CELL - 1] + "…"
                    sheet.write_string(row_index, col, text)
        sheet.freeze_panes(1, 0)
    book.close()
    return output.getvalue()


def _check_range(start: Any, end: Any) -> tuple[date, date]:
    if not isinstance(start, date) or not isinstance(end, date):
        raise ServiceError(_("Give the first and the last day."), field="start")
    if end < start:
        raise ServiceError(_("The last day is before the first."), field="end")
    if end > timezone.localdate():
        raise ServiceError(_("The last day cannot be in the future."), field="end")
    if (end - start) > timedelta(days=MAX_DAYS):
        raise ServiceError(_("One export covers at most %(days)d days.") % {"days": MAX_DAYS}, field="start")
    return start, end


def _check_reason(reason: Any) -> str:
    text = plaintext.notes(reason or "", field="reason", label=_("reason"))
    if len(text) < REASON_MIN:
        raise ServiceError(
            _("Say why the records are exported (at least %(min)d characters).") % {"min": REASON_MIN}, field="reason"
        )
    if len(text) > REASON_LIMIT:
        raise ServiceError(
            _("At most %(limit)d characters, now %(count)d.") % {"limit": REASON_LIMIT, "count": len(text)},
            field="reason",
        )
    return text


@transaction.atomic
def export_records(*, actor: Any, hotline: Hotline, start: date, end: date, reason: str) -> Export:
    """The call records and assessments of ``hotline`` from ``start`` to ``end`` (local days)
    as an xlsx workbook, for a supervisor of the hotline giving a ``reason``. Audited
    (``hotline.export``) with the row counts and the reason's length."""
    hotline = Hotline.objects.select_related("organisation").get(pk=hotline.pk)
    Call.policy.require(
        actor, "export", Call(hotline=hotline), _("Only a supervisor of this hotline exports its records.")
    )
    start, end = _check_range(start, end)
    reason = _check_reason(reason)
    first, last = day_bounds(start, end)
    calls = list(
        Call.objects.filter(hotline=hotline, started_at__gte=first, started_at__lt=last)
        .select_related("line", "counsellor", "worker", "family_member")
        .order_by("started_at", "id")
    )
    assessments = list(
        Assessment.objects.filter(hotline=hotline, created_at__gte=first, created_at__lt=last).order_by(
            "created_at", "id"
        )
    )
    content = workbook(
        [
            (pgettext("hotline", "Calls"), call_headers(), (call_row(c) for c in calls)),
            (_("Assessments"), assessment_headers(), (assessment_row(a) for a in assessments)),
        ]
    )
    audit.record(
        actor,
        "hotline.export",
        obj=hotline,
        organisation=hotline.organisation,
        detail={
            "hotline": hotline.pk,
            "from": start.isoformat(),
            "to": end.isoformat(),
            "calls": len(calls),
            "assessments": len(assessments),
            "rows": len(calls) + len(assessments),
            "reason": audit.text_marker(reason)["chars"],
        },
    )
    filename = f"hotline-{hotline.pk}-{start.isoformat()}-{end.isoformat()}.xlsx"
    return Export(content=content, filename=filename, calls=len(calls), assessments=len(assessments))
