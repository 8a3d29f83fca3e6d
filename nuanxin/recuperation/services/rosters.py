"""A batch's roster for the base (xlsx): who is coming, with their unit and mobile.

A title row first (programme · batch · base · dates), a blank row, then the columns the base
uses: 序号, 姓名, 性别, 单位, 手机, 团队, 状态. The rows are the people coming: those who accepted
the place and those recorded as attended, by unit and name. Offered places not yet answered and
those who did not come are left out (the base uses the file as its arrivals list; the batch's
page shows them). Written with every text cell as a string (never a formula: the same rule as
``core.exports``), audited (``recuperation.roster.export`` with the row count). A city
administrator (who manages the batch and sends the roster to the base) exports it; the file's
name carries the programme, the batch and the day.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed
from nuanxin.core.exports import neutralise
from nuanxin.recuperation.choices import CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate
from nuanxin.registry.choices import Gender, TeamType

ON_ROSTER = [
    CandidateStatus.ACCEPTED.value,
    CandidateStatus.ATTENDED.value,
]


@dataclass(frozen=True)
class Roster:
    content: bytes
    filename: str
    rows: int


def headers() -> list[str]:
    return [
        pgettext("recuperation roster", "No."),
        pgettext("recuperation roster", "Name"),
        pgettext("recuperation roster", "Gender"),
        pgettext("recuperation roster", "Unit"),
        pgettext("recuperation roster", "Mobile"),
        pgettext("recuperation roster", "Team"),
        pgettext("recuperation roster", "Status"),
    ]


def national(mobile: str) -> str:
    """A mobile stored as E.164 (+8613800000001) as people write it (13800000001)."""
    return mobile[3:] if mobile.startswith("+86") else mobile


def title(batch: Batch) -> str:
    """The roster's title row: programme · batch · base · dates."""
    return " · ".join([batch.programme.name, batch.name, batch.base.name,
                       f"{batch.starts_on.isoformat()}–{batch.ends_on.isoformat()}"])


def _workbook(heading: str, columns: list[str], rows: list[list[Any]], sheet_name: str) -> bytes:
    """One sheet: the title (bold) in the first row, a blank row, the bold header row (frozen
    with the title above it), the rows. Text is written as strings (never a formula)."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_string(0, 0, str(neutralise(heading)), bold)
    for col, header in enumerate(columns):
        sheet.write_string(2, col, str(neutralise(header)), bold)
        sheet.set_column(col, col, max(8, min(40, len(header) * 2 + 2)))
    for index, row in enumerate(rows, start=3):
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(index, col, value)
            else:
                sheet.write_string(index, col, str(neutralise(value)))
    sheet.freeze_panes(3, 0)
    if rows:
        sheet.autofilter(2, 0, 2 + len(rows), len(columns) - 1)
    workbook.close()
    return output.getvalue()


def roster_rows(batch: Batch) -> list[list[Any]]:
    order = {status: i for i, status in enumerate(ON_ROSTER)}
    candidates = sorted(
        Candidate.objects.filter(batch=batch, status__in=ON_ROSTER).select_related("worker__organisation"),
        key=lambda c: (order[c.status], c.worker.organisation.path, c.worker.name_pinyin, c.pk),
    )
    rows = []
    for number, candidate in enumerate(candidates, start=1):
        worker = candidate.worker
        rows.append([
            number,
            worker.name,
            str(Gender(worker.gender).label) if worker.gender in Gender.values else "",
            worker.organisation.name,
            national(worker.mobile or ""),
            str(TeamType(worker.team).label) if worker.team in TeamType.values else "",
            str(CandidateStatus(candidate.status).label),
        ])
    return rows


def export_roster(*, actor: Any, batch: Batch) -> Roster:
    """The roster of ``batch`` as xlsx, audited. City administrators only (``NotAllowed``)."""
    if not Batch.policy.allows(actor, "manage", batch):
        raise NotAllowed(_("Only a city administrator exports a batch's roster."))
    rows = roster_rows(batch)
    content = _workbook(title(batch), headers(), rows, pgettext("recuperation roster", "Roster"))
    audit.record(
        actor, "recuperation.roster.export", obj=batch, object_repr=f"batch #{batch.pk}",
        organisation=batch.programme.organisation, detail={"count": len(rows), "format": "xlsx"},
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{batch.programme.name}-{batch.name}-{pgettext('recuperation roster', 'Roster')}-{stamp}.xlsx"
    return Roster(content=content, filename=filename, rows=len(rows))
