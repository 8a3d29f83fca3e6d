"""Reading the rows of every sheet of a checked file.

xlsx, xls and ods go through python-calamine; csv is decoded as UTF-8 or GBK and split with
the csv module. Every cell comes out as text: numbers typed into cells (phones) lose their
".0", dates become ISO dates. Merged cells give their value in the top-left cell only, the
rest read as empty, which the row parser handles as continuation rows.

A file that cannot be read is refused as damaged (``safety.damaged``): ``safety.check_file``
has already read a workbook completely in a bounded child process (``probe``), so the errors
caught here are a second line, for a file read without that check.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass

from nuanxin.core.exports import FORMULA_PREFIXES
from nuanxin.tables.imports.safety import FileRefused, damaged, decode_text, encrypted, limit, too_many_rows
from nuanxin.tables.imports.timing import phase


@dataclass
class Sheet:
    name: str
    rows: Iterator[tuple[int, list[str]]]  # (spreadsheet row number, cells as text)
    height: int = 0  # rows in the sheet (for the progress bar)


# What ``core.exports.neutralise`` puts before a cell that could run as a formula: the tables
# Nuanxin exports write "'=1+2" and "'@司机"; read back, the apostrophe goes again (and only
# before those characters: "'abc" keeps it).
_NEUTRALISED = tuple("'" + c for c in FORMULA_PREFIXES)


def unneutralise(text: str) -> str:
    """A cell's text without the apostrophe an export put before a would-be formula."""
    return text[1:] if text.startswith(_NEUTRALISED) else text


def cell_text(value) -> str:
    if value is None or value == "":
        return ""
    if type(value) is str:
        return unneutralise(value.replace("\x00", ""))  # PostgreSQL text cannot hold NUL
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value).replace("\x00", "")  # PostgreSQL text cannot hold NUL


def read_sheets(path, kind: str) -> Iterator[Sheet]:
    """Every sheet of the file, in order. Stops with ``FileRefused`` past the row limit."""
    counter = _RowCounter(limit("MAX_ROWS"))
    if kind == "csv":
        with open(path, "rb") as fh:
            text = decode_text(fh.read())
        yield Sheet(name="CSV", rows=counter.wrap(_csv_rows(text)), height=text.count("\n") + 1)
        return
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        kinds = {m.name: m.typ for m in workbook.sheets_metadata}
    except PasswordError:
        raise encrypted() from None
    except BaseException as exc:  # calamine raises its own error types for every broken file
        raise _calamine_failure(exc) from None
    for name in workbook.sheet_names:
        try:
            with phase("read"):
                sheet = workbook.get_sheet_by_name(name)
        except PasswordError:
            raise encrypted() from None
        except BaseException as exc:
            failure = _calamine_failure(exc)
            if kinds.get(name, SheetTypeEnum.WorkSheet) == SheetTypeEnum.WorkSheet:
                raise failure from None
            continue  # a chart or macro sheet: skip it, keep the others
        yield Sheet(name=name, rows=_calamine_rows(sheet, counter), height=sheet.height)
        del sheet


def _calamine_failure(exc: BaseException) -> FileRefused:
    """A damaged-file refusal for what calamine raised; lets interrupts through. A Rust panic
    arrives as pyo3's ``PanicException``, a ``BaseException``."""
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        raise exc
    return damaged()


class _RowCounter:
    """Counts the rows of all sheets together against the limit."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows + 100  # title, 填报单位 and header rows
        self.seen = 0

    def wrap(self, rows):
        for item in rows:
            self.seen += 1
            if self.seen > self.max_rows:
                raise too_many_rows()
            yield item


def _calamine_rows(sheet, counter: _RowCounter) -> Iterator[tuple[int, list[str]]]:
    # iter_rows starts at the first used row; start gives its 0-based position.
    start = sheet.start[0] if getattr(sheet, "start", None) else 0
    line = start
    rows = sheet.iter_rows()
    while True:
        with phase("read"):
            try:
                row = next(rows, None)
            except BaseException as exc:  # a cell calamine cannot convert
                raise _calamine_failure(exc) from None
            if row is None:
                return
            counter.seen += 1
            if counter.seen > counter.max_rows:
                raise too_many_rows()
            line += 1
            # Most cells are text already: convert only the others (numbers, dates, booleans), and
            # text that needs cleaning (a NUL, an export's apostrophe).
            cells = [v if type(v) is str and "\x00" not in v and v[:1] != "'" else cell_text(v) for v in row]
        yield line, cells


def check_csv(text: str) -> None:
    """Split the whole text as the importer will: refuses a CSV file the csv module cannot read."""
    for _row in _csv_rows(text):
        pass


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for line, cells in enumerate(reader, start=1):
            yield line, [unneutralise(c) if c[:1] == "'" else c for c in cells]
    except csv.Error:  # a field past the csv module's limit: most often a quote never closed
        raise damaged() from None
