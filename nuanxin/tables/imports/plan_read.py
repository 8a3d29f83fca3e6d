"""The dry run, part one: reading a file into parsed rows (``Parsed``), a sheet at a time,
recognising the official tables' layouts and merging the rows that only continue a family.
Pure of the database. The planner (``planner.py``) plans what this yields."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from nuanxin.registry.choices import TeamType
from nuanxin.tables.imports import headers as h
from nuanxin.tables.imports import rows as r
from nuanxin.tables.imports.messages import reason
from nuanxin.tables.imports.reader import read_sheets
from nuanxin.tables.imports.safety import FileRefused
from nuanxin.tables.imports.timing import phase

LAYOUT_ROWS = 30


@dataclass(slots=True)
class Parsed:
    """One data row of the file, parsed."""

    sheet: str
    line: int
    table: int
    raw: list
    data: dict
    reasons: list
    notes: list = field(default_factory=list)
    unit_hint: str = ""
    unit_refused: str = ""


def _no_table():
    from django.utils.translation import gettext as _

    return FileRefused(
        _(
            "No official table was found in the file: no sheet has a header row with 姓名 and the "
            "columns of table 1, 2 or 3."
        )
    )


def iter_file(path, kind: str, *, default_team: str, sheets: list[dict], on_sheet=None):
    """Yield the data rows of every sheet in file order, one at a time; ``sheets`` is filled
    with a description of each sheet as it is read, ``on_sheet(rows)`` is told the size of each
    sheet as it is opened. A row that only continues the family of the row above is merged
    into it before that row is yielded."""
    for sheet in read_sheets(path, kind):
        if on_sheet is not None:
            on_sheet(sheet.height)
        head = list(itertools.islice(sheet.rows, LAYOUT_ROWS))
        with phase("recognise"):
            layout = h.find_layout(head, sheet.name)
        if layout is None:
            if any(any(c.strip() for c in cells) for _line, cells in head):
                sheets.append({"name": sheet.name, "table": None, "rows": 0})
            for _item in sheet.rows:  # count the rows against the limit all the same
                pass
            continue
        team = layout.team or ""
        info = {
            "name": sheet.name,
            "table": layout.table,
            "header_line": layout.header_line,
            "headers": layout.headers,
            "unit": layout.unit_text,
            "team": team,
            "rows": 0,
        }
        sheets.append(info)
        # A table 2 sheet that names no team: the upload's default team (else 其他一线团队) for the
        # workers it creates, noted on their rows by the planner; never a change to a registered one.
        fallback = "" if team or layout.table != 2 else str(default_team or TeamType.OTHER)
        previous: Parsed | None = None
        columns = layout.columns
        table = layout.table
        for line, cells in itertools.chain(head[layout.header_index + 1 :], sheet.rows):
            with phase("normalise"):
                if r.skip_row(cells, columns):
                    continue
                if table == 3:
                    data, reasons = r.parse_deployment(cells, columns)
                else:
                    if previous is not None and r.is_continuation(cells, columns):
                        extra: list = []
                        r.refuse_invisible(cells, columns, extra)
                        previous.data["family"].extend(
                            r.split_family(
                                r.cell(cells, columns, h.FAMILY_NAME),
                                r.cell(cells, columns, h.FAMILY_PHONE),
                                r.cell(cells, columns, h.RELATION),
                                extra,
                            )
                        )
                        previous.reasons.extend(extra)
                        previous.notes.append(reason("family_continued", line=line))
                        continue
                    data, reasons = r.parse_person(
                        cells, columns, table=table, sheet_team=team, default_team=fallback
                    )
                notes = data.pop("notes")
                row = Parsed(
                    sheet=sheet.name,
                    line=line,
                    table=table,
                    raw=cells,
                    data=data,
                    reasons=reasons,
                    notes=list(notes) if notes else [],
                    unit_hint=layout.unit_text,
                )
                info["rows"] += 1
            if previous is not None:
                yield previous
                previous = None
            if table == 3:
                yield row
            else:
                previous = row
        if previous is not None:
            yield previous


def read_file(path, kind: str, *, default_team: str) -> tuple[list[dict], list[Parsed]]:
    """Read every sheet: (sheets described, data rows in file order)."""
    sheets: list[dict] = []
    parsed = list(iter_file(path, kind, default_team=default_team, sheets=sheets))
    if not any(s.get("table") for s in sheets):
        raise _no_table()
    return sheets, parsed
