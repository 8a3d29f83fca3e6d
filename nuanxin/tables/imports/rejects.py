"""The rejected rows of a batch as xlsx, laid out as the official table they were read as."""

from __future__ import annotations

import io
import logging
from collections import Counter

import xlsxwriter
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.exports import XLSX_MAX_CELL, neutralise
from nuanxin.registry.choices import TeamType
from nuanxin.registry.import_models import ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import display
from nuanxin.tables.imports.messages import join_messages

log = logging.getLogger(__name__)


def outcome_counts(rows) -> Counter:
    return Counter(r.outcome for r in rows)


def export_rejected_rows(*, actor, batch: ImportBatch) -> bytes:
    """The rejected rows of a batch as xlsx, ready to be corrected and imported again as they
    are: one sheet for each sheet of the file that had rejected rows, laid out as the official
    table it was read as (its title; table 2's team subtitle, the sheet's or else the upload's
    default team; the 填报单位 row; the header as written), each row a 行 column (the row in the
    file), the cells as written (full phone numbers included) and a 原因 column, which the
    importer ignores. Every cell is neutralised against formulas. The download is audited like
    any export, with its row count."""
    from nuanxin.tables.exports import TITLES

    def text(value) -> str:
        value = str(neutralise("" if value is None else str(value)))
        return value if len(value) <= XLSX_MAX_CELL else value[: XLSX_MAX_CELL - 1] + "…"

    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    bold = book.add_format({"bold": True})
    names: set[str] = set()
    written = 0
    for info in batch.sheets:
        if not info.get("table"):
            continue
        rows = ImportRow.objects.filter(batch=batch, outcome=Outcome.REJECT, sheet=info["name"][:100]).order_by("index")
        headers = info.get("headers") or []
        ws = None
        line = 0
        for r in rows.iterator(chunk_size=2000):
            if ws is None:
                ws = book.add_worksheet(_sheet_name(info["name"], names))
                top = [TITLES[info["table"]]]
                # the team the sheet named, else the default team chosen for the upload
                team = (info.get("team") or batch.default_team) if info["table"] == 2 else ""
                if team and team != TeamType.OTHER:  # 其他一线团队 is what a sheet naming none gets
                    top.append(f"（{_team_words(team)}）")
                if info.get("unit"):
                    top.append(f"填报单位：{info['unit']}")
                for line, title in enumerate(top):
                    ws.write_string(line, 0, text(title), bold)
                line = len(top)
                for col, header in enumerate([_("Row"), *headers, _("Reason")]):
                    ws.write_string(line, col, text(header), bold)
                ws.freeze_panes(line + 1, 0)
            line += 1
            written += 1
            cells = list(r.raw)[: len(headers)]
            ws.write_number(line, 0, r.line)
            for col, value in enumerate(cells, start=1):
                if value:
                    ws.write_string(line, col, text(value))
            ws.write_string(line, len(headers) + 1, text(join_messages(display.messages_of(r))))
    if not written:
        ws = book.add_worksheet(_sheet_name(_("Rejected rows"), names))
        ws.write_string(0, 0, text(_("Row")), bold)
        ws.write_string(0, 1, text(_("Reason")), bold)
    book.close()
    audit.record(
        actor,
        "import.export_rejected",
        obj=batch,
        organisation=batch.organisation,
        detail={"rows": written},
    )
    return output.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as a worksheet name (31 characters, none of []:*?/\\), not one of ``taken``."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'")[:31] or "Sheet"
    found, n = base, 1
    while found.lower() in taken:
        n += 1
        found = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    taken.add(found.lower())
    return found


def _team_words(team: str) -> str:
    """The team's name as table 2 subtitles write it (疾控检测流调团队), which the header reader
    recognises again."""
    from nuanxin.registry.choices import TEAM_ALIASES

    return max((alias for alias, value in TEAM_ALIASES.items() if value == team), key=len, default=team)
