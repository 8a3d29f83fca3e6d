"""Spreadsheet exports (CSV and xlsx) that are safe to open in Excel or WPS.

Every text cell is neutralised against formula injection: a value typed into Nuanxin such as
``=HYPERLINK(...)`` or ``@SUM(...)`` must reach the reader as text, never run as a formula in
their spreadsheet. Numbers, dates and booleans are written as such (they cannot be formulas).

Use ``csv_response`` / ``xlsx_response`` from views; ``write_csv`` / ``build_xlsx`` for files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

# A cell starting with one of these may be taken for a formula (or a DDE command).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_MAX_CELL = 32767
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """Text that could be read as a formula gets a leading apostrophe; ``None`` becomes "".
    Other values are returned unchanged."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _text(value: Any) -> Any:
    """A cell value for either format: numbers and dates kept, anything else neutralised text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date):
        return value
    return neutralise(str(value))


def write_csv(stream, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UTF-8 CSV with a byte-order mark, so Excel on a Chinese Windows opens it correctly."""
    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow([_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])


def _csv_cell(value: Any) -> Any:
    value = _text(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if timezone.is_aware(value) else value
    return value


def build_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet_name: str = "Sheet1") -> bytes:
    """An .xlsx workbook with one sheet: a bold, frozen header row and the rows below it.
    Text is written with ``write_string`` (never parsed as a formula, number or URL)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "remove_timezone": True,
        },
    )
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    widths = [max(8, min(40, len(str(h)) * 2 + 2)) for h in headers]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, _text(header), bold)
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        for col, raw in enumerate(row):
            value = _text(raw)
            if isinstance(value, datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value)
                sheet.write_datetime(row_index, col, value, when)
            elif isinstance(value, date):
                sheet.write_datetime(row_index, col, value, day)
            elif isinstance(value, bool):
                sheet.write_boolean(row_index, col, value)
            elif isinstance(value, int | float | Decimal):
                sheet.write_number(row_index, col, float(value))
            else:
                if len(value) > XLSX_MAX_CELL:
                    value = value[: XLSX_MAX_CELL - 1] + "…"
                sheet.write_string(row_index, col, value)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, max(row_index, 1), len(headers) - 1)
    workbook.close()
    return output.getvalue()


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename) or ""
    response["Cache-Control"] = "no-store"
    return response


def file_response(content: bytes, filename: str, content_type: str = XLSX_CONTENT_TYPE) -> HttpResponse:
    """A download of content already built (and audited) by a service."""
    return _attachment(HttpResponse(content, content_type=content_type), filename)


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    buffer = io.StringIO()
    write_csv(buffer, headers, rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    return _attachment(response, filename)


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  sheet_name: str = "Sheet1") -> HttpResponse:
    response = HttpResponse(build_xlsx(headers, rows, sheet_name=sheet_name), content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, filename)
