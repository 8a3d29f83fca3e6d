"""A carrier's reply, imported: the carrier's own xlsx (or xls, ods, csv) listing the numbers it
confirmed. The numbers are found by their column, whatever its header or position: the column
with the most mainland mobile numbers, in every sheet. Each number on the carrier's list (listed
or sent, in the importer's reach and organisation) becomes confirmed (from the file); the rows
that match nothing are kept with the reason and shown. A file that cannot be read, is empty or
holds no column of mobile numbers is refused with a message and nothing is written.

The file goes through the table importer's checks (``tables.imports.safety``: size, type, zip
bombs, a damaged workbook) and reader (python-calamine)."""

from __future__ import annotations

import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import is_system
from nuanxin.registry import normalise
from nuanxin.registry.choices import Carrier
from nuanxin.tables.imports import reader, safety
from nuanxin.telecom.choices import ConfirmedHow, WaiverStatus
from nuanxin.telecom.models import CarrierReply, Waiver
from nuanxin.telecom.services.common import LISTS, OTHER, carrier_q, in_reach, list_of, save

# Why a row of the reply confirmed nothing.
NOT_A_NUMBER = "not_a_number"
NOT_LISTED = "not_listed"
OTHER_CARRIER = "other_carrier"
NOT_OPEN = "not_open"
ALREADY = "already"
TWICE = "twice"
PROBLEMS = (NOT_A_NUMBER, NOT_LISTED, OTHER_CARRIER, NOT_OPEN, ALREADY, TWICE)


def problem_label(code: str) -> str:
    labels = {
        NOT_A_NUMBER: _("Not a mobile number"),
        NOT_LISTED: _("Not on the list"),
        OTHER_CARRIER: _("On another carrier's list"),
        NOT_OPEN: _("Number changed or ended"),
        ALREADY: _("Already confirmed"),
        TWICE: _("Listed twice in the file"),
    }
    return labels.get(code, code)


@dataclass
class _Row:
    line: int  # spreadsheet row number
    sheet: str
    text: str
    mobile: str  # E.164, or "" when the cell is not a mobile number
    name: str = ""  # the row's name cell (姓名, 客户名称, …) when the file has such a column


NAME_HEADERS = re.compile(r"姓名|名称|户名|客户|机主|^\s*name\s*$", re.IGNORECASE)


def _mobile(text: str) -> str:
    try:
        value = normalise.phone(text)
    except normalise.InvalidValue:
        return ""
    return value if normalise.is_mainland_mobile(value) else ""


def _name_column(rows: list[tuple[int, list[str]]], before: int, mobile_column: int) -> int | None:
    """The column headed like a name (姓名, 客户名称, …) in the rows above the first number."""
    for _number, cells in rows[:before]:
        for col, cell in enumerate(cells):
            if col != mobile_column and cell and len(cell) <= 20 and NAME_HEADERS.search(cell):
                return col
    return None


def _rows_of(path: str, kind: str) -> list[_Row]:
    """The mobile column's cells of every sheet (the column with the most mobile numbers). The
    rows above the first number are the title and the header; from the first number on, every
    row with anything in it is a row of the reply: a number, or a row that confirms nothing
    ("not a number", listed with its row number)."""
    found: list[_Row] = []
    for sheet in reader.read_sheets(path, kind):
        rows = [(number, cells) for number, cells in sheet.rows]
        counts: Counter[int] = Counter()
        for _number, cells in rows:
            for col, cell in enumerate(cells):
                if cell and _mobile(cell):
                    counts[col] += 1
        if not counts:
            continue
        column = counts.most_common(1)[0][0]
        first = next(i for i, (_n, cells) in enumerate(rows)
                     if column < len(cells) and cells[column] and _mobile(cells[column]))
        name_col = _name_column(rows, first, column)
        for number, cells in rows[first:]:
            if not any((cell or "").strip() for cell in cells):
                continue
            text = (cells[column] or "").strip() if column < len(cells) else ""
            name = (cells[name_col] or "").strip()[:40] if name_col is not None and name_col < len(cells) else ""
            found.append(_Row(line=number, sheet=sheet.name, text=text[:40], mobile=_mobile(text) if text else "",
                              name=name))
    return found


def _unmatched(row: _Row, shown: str, problem: str) -> dict[str, Any]:
    """A row that confirmed nothing, as kept on the reply: its row number, the row's name cell
    (when the file has a name column) so that two rows can be told apart, and the number masked."""
    return {"line": row.line, "sheet": row.sheet, "mobile": shown, "name": row.name, "problem": problem}


def read_reply(uploaded_file: Any) -> list[_Row]:
    """The rows of the reply file (``safety`` checks first); ``FileRefused`` when it cannot be read."""
    name = os.path.basename(getattr(uploaded_file, "name", "") or "")
    kind = safety.kind_of(name)
    safety.check_size(getattr(uploaded_file, "size", None))
    if getattr(uploaded_file, "oversize", False):
        safety.check_size(uploaded_file.size)
    with tempfile.NamedTemporaryFile(suffix=f".{kind}", delete=False) as tmp:
        for chunk in uploaded_file.chunks():
            tmp.write(chunk)
        path = tmp.name
    try:
        safety.check_file(path, kind)
        rows = _rows_of(path, kind)
    finally:
        os.unlink(path)
    if not rows:
        raise ServiceError(
            _("No mobile number was found in this file: is it the carrier's reply? It needs a column of mobile "
              "numbers."),
            field="file",
        )
    return rows


@transaction.atomic
def import_reply(*, actor: Any, carrier: str, organisation: Any, uploaded_file: Any,
                 no_cutoff: bool = False, now: Any = None) -> CarrierReply:
    """Import ``carrier``'s reply for ``organisation``'s subtree (module docstring); with
    ``no_cutoff`` the reply also confirms "no cut-off" for every number it confirms."""
    if carrier not in LISTS:
        raise ServiceError(_("Choose the carrier's list: China Mobile, China Unicom, China Telecom or other."),
                           field="carrier")
    organisation = type(organisation).objects.get(pk=organisation.pk)
    if not is_system(actor):
        CarrierReply.policy.require_in(actor, "manage", organisation,
                                       _("You may not import replies for this organisation."))
    rows = read_reply(uploaded_file)
    now = now or timezone.now()
    reach = in_reach(actor, "manage", organisation)
    mobiles = {r.mobile for r in rows if r.mobile}
    by_mobile: dict[str, list[Waiver]] = {}
    for line in reach.filter(mobile__in=mobiles).select_for_update(of=("self",)).select_related(
        "worker__organisation"
    ).order_by("id"):
        by_mobile.setdefault(line.mobile, []).append(line)
    ours = set(reach.filter(carrier_q(carrier), mobile__in=mobiles).values_list("pk", flat=True))
    reply = CarrierReply.objects.create(
        organisation=organisation, carrier=carrier if carrier != OTHER else Carrier.OTHER,
        file_name=os.path.basename(uploaded_file.name)[:200], created_by=None if is_system(actor) else actor,
    )
    confirmed: list[Waiver] = []
    unmatched: list[dict[str, Any]] = []
    seen: set[str] = set()
    already = 0
    for row in rows:
        if not row.mobile:
            unmatched.append(_unmatched(row, row.text, NOT_A_NUMBER))
            continue
        shown = normalise.mask(row.mobile)
        if row.mobile in seen:
            unmatched.append(_unmatched(row, shown, TWICE))
            continue
        seen.add(row.mobile)
        lines = by_mobile.get(row.mobile, [])
        mine = [line for line in lines if line.pk in ours]
        waiting = [line for line in mine if line.status in (WaiverStatus.LISTED, WaiverStatus.SENT)]
        if waiting:
            for line in waiting:
                before = line.status
                line.status = WaiverStatus.CONFIRMED
                line.confirmed_at = now
                line.confirmed_how = ConfirmedHow.FILE
                line.reply = reply
                fields = ["status", "confirmed_at", "confirmed_how", "reply"]
                if no_cutoff and line.no_cutoff_confirmed_at is None:
                    line.no_cutoff_confirmed_at = now
                    fields.append("no_cutoff_confirmed_at")
                save(line, actor, fields)
                line._before = before  # type: ignore[attr-defined]
                confirmed.append(line)
            continue
        if any(line.status == WaiverStatus.CONFIRMED for line in mine):
            already += 1
            unmatched.append(_unmatched(row, shown, ALREADY))
        elif mine:
            unmatched.append(_unmatched(row, shown, NOT_OPEN))
        elif lines:
            unmatched.append({**_unmatched(row, shown, OTHER_CARRIER), "carrier": list_of(lines[0].carrier)})
        else:
            unmatched.append(_unmatched(row, shown, NOT_LISTED))
    reply.confirmed = len(confirmed)
    reply.unmatched = unmatched
    reply.save(update_fields=["confirmed", "unmatched"])
    audit.record(actor, "telecom.reply.import", obj=reply, organisation=organisation,
                 detail={"carrier": carrier, "file": reply.file_name, "rows": len(rows), "count": len(confirmed),
                         "unmatched": len(unmatched), "kept": already, "no_cutoff": no_cutoff})
    audit.record_many(
        actor, "telecom.waiver.transition",
        [(line, line.worker.organisation,
          {"from": line._before, "to": WaiverStatus.CONFIRMED, "step": "confirm",  # type: ignore[attr-defined]
           "confirmed_how": ConfirmedHow.FILE, "reply": reply.pk}) for line in confirmed],
    )
    return reply
