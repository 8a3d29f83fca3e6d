"""The document of a dispatch: the list sent to one carrier, in table 3's official layout (the
register's table-3 writer, ``tables.exports``: title, 填报单位 / 日期 row, header, every cell
text and formula-safe) with the waiver period added — 序号, 姓名, 单位, 在武汉使用的手机号,
手机运营商, 免费起始日期, 结束日期. The table-3 export split by carrier stays on the tables page;
this list is what is sent. Full numbers only for those who send lists ("manage"); an auditor's
download is masked. Every download is audited (``telecom.dispatch.export``, row count)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction

from nuanxin.core import audit
from nuanxin.core.policy import is_system
from nuanxin.registry import normalise
from nuanxin.tables import exports as table_exports
from nuanxin.telecom.models import Dispatch, Waiver
from nuanxin.telecom.services.transitions import require_view

TITLE = table_exports.TITLES[3]
HEADERS = [*table_exports.HEADERS[3], "免费起始日期", "结束日期"]
WIDTHS = [*table_exports.COLUMN_WIDTHS[3], 14, 14]
STILL_DEPLOYED = "在鄂期间"  # the end of the period while the member is still deployed
WORDS: dict[str, str] = {str(code): word for code, word in table_exports.CARRIER_WORDS.items()}


class _ListWriter(table_exports._Writer):
    """The table-3 writer's workbook and formats, with the list's two more columns."""

    def list_sheet(self, name: str, unit: str, day: date, rows: Iterable[list[str]]) -> int:
        last = len(HEADERS) - 1
        ws = self.book.add_worksheet(name[:31])
        for col, width in enumerate(WIDTHS):
            ws.set_column(col, col, width)
        ws.set_row(0, 30)
        ws.merge_range(0, 0, 0, last, TITLE, self.title)
        split = max(last // 2, 1)
        ws.merge_range(1, 0, 1, split, table_exports.safe_cell(f"填报单位：{unit}"), self.meta)
        ws.merge_range(1, split + 1, 1, last, f"填报日期：{table_exports._date_text(day)}", self.meta)
        for col, text in enumerate(HEADERS):
            ws.write_string(2, col, text, self.header)
        ws.freeze_panes(3, 0)
        count = 0
        for count, values in enumerate(rows, start=1):
            ws.write_string(2 + count, 0, str(count), self.cell)
            for col, value in enumerate(values, start=1):
                ws.write_string(2 + count, col, table_exports.safe_cell(value), self.cell)
        return count


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def rows(lines: Any, *, full: bool = True) -> Iterable[list[str]]:
    """The list's rows; the numbers in full for those who send the list (``full``), masked
    (138****5678) for anyone else who may read it (an auditor)."""
    for line in lines.select_related("worker__organisation").order_by(
        "worker__organisation__path", "worker__name_pinyin", "worker_id", "id"
    ):
        yield [
            line.worker.name,
            line.worker.organisation.name,
            normalise.national(line.mobile) if full else normalise.mask(line.mobile),
            WORDS.get(line.carrier, table_exports.NO_CARRIER),
            _day(line.period_from),
            _day(line.period_to) or STILL_DEPLOYED,
        ]


def write(target: Any, *, dispatch: Dispatch, full: bool = True) -> int:
    writer = _ListWriter(target)
    try:
        return writer.list_sheet(WORDS.get(dispatch.carrier, "其他"), dispatch.organisation.name, dispatch.sent_on,
                                 rows(Waiver.objects.filter(dispatch=dispatch), full=full))
    finally:
        writer.close()


def filename(dispatch: Dispatch) -> str:
    carrier = WORDS.get(dispatch.carrier, "其他")
    return f"通讯免费名单_{carrier}_{dispatch.organisation.code}_{dispatch.sent_on:%Y%m%d}.xlsx"


@transaction.atomic
def export(*, actor: Any, dispatch: Dispatch) -> table_exports.Export:
    """The dispatch's list as xlsx (the lines it sent, as they are now). The numbers in full only
    for those who may send lists to carriers ("manage" on the dispatch); masked for anyone else
    who may read it (an auditor), as the mutual-aid roster. Audited either way."""
    require_view(actor, dispatch)
    full = is_system(actor) or Dispatch.policy.allows(actor, "manage", dispatch)
    output = io.BytesIO()
    count = write(output, dispatch=dispatch, full=full)
    audit.record(actor, "telecom.dispatch.export", obj=dispatch, organisation=dispatch.organisation,
                 detail={"carrier": dispatch.carrier, "rows": count, "telecom_masked": 0 if full else count})
    return table_exports.Export(content=output.getvalue(), filename=filename(dispatch), rows=count)
