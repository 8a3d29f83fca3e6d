"""The three attachment tables of notice 001 (青工办〔2020〕8号), written back in their official
layout: a title row, a 填报单位 / 日期 row, the official header texts with a 序号 column, one
row per worker (tables 1 and 2) or per deployment of an aid-team (援鄂医疗队) worker (table 3).
Table 3 can also be split into one sheet per carrier, for the fee-waiver request of measure 7.

Every cell is written as text (phones stay 13812345678, never 1.38E+10) and no cell can run
as a formula: values beginning with = + - @ tab or CR are neutralised by
``nuanxin.core.exports.neutralise``. The official layout (title, merged rows) needs its own
writer rather than ``core.exports.build_xlsx``. Every export writes a
``registry.export`` audit row with the table and the row count.

The 存在困难 column of tables 1 and 2 lists the open difficulties. Health (就医) and
psychological ones are sensitive records (PIPL art. 28): their text is written only when the
exporting user may read them on the care pages (``care.pages.difficulty_reader``), each one
written is an audited read (``care.health_read`` / ``care.psychological_read``, page
"export"), and the export's row counts them: ``psychological_shown``, ``health_shown`` and
``withheld`` (left out of the file).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import xlsxwriter
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.exports import XLSX_CONTENT_TYPE, neutralise
from nuanxin.registry import normalise
from nuanxin.registry.choices import Carrier, TeamType, WorkerStatus
from nuanxin.registry.models import Deployment, FamilyMember, Worker

TITLES = {
    1: "青岛市援鄂医疗队成员联系表",
    2: "抗疫一线医护职工联系表",
    3: "青岛市援鄂医疗队成员在鄂期间联系方式统计表",
}
SUBTITLES = {2: "（定点医疗机构确诊病例救治团队、疾控检测流调团队、120转运团队）"}
HEADERS = {
    1: [
        "序号",
        "职工姓名",
        "性别",
        "人员类别",
        "职务职称",
        "联系方式",
        "家属姓名",
        "联系方式",
        "工会联系人姓名",
        "存在困难",
    ],
    3: ["序号", "姓名", "单位", "在武汉使用的手机号", "手机运营商"],
}
HEADERS[2] = HEADERS[1]
SHEET_NAMES = {1: "附件1", 2: "附件2", 3: "附件3"}
COLUMN_WIDTHS = {
    1: [6, 12, 6, 10, 16, 15, 12, 15, 14, 40],
    3: [6, 12, 28, 20, 12],
}
COLUMN_WIDTHS[2] = COLUMN_WIDTHS[1]

# The words of the official tables: data in Chinese whatever the interface language.
GENDER_WORDS = {"male": "男", "female": "女"}
CATEGORY_WORDS = {
    "doctor": "医生",
    "nurse": "护士",
    "technician": "医技",
    "management": "管理",
    "logistics": "后勤",
    "other": "其他",
}
CARRIER_WORDS = {
    Carrier.MOBILE: "移动",
    Carrier.UNICOM: "联通",
    Carrier.TELECOM: "电信",
    Carrier.BROADNET: "广电",
    Carrier.OTHER: "其他",
}
NO_CARRIER = "未填写"
# The three carriers the waiver is requested from always get a sheet, even an empty one.
MAIN_CARRIERS = (Carrier.MOBILE, Carrier.UNICOM, Carrier.TELECOM)
OPEN_DIFFICULTY = ("open", "in_progress")
CHUNK = 2000


def safe_cell(value) -> str:
    """A cell's text that no spreadsheet will evaluate (formula injection): the platform's
    ``neutralise``, always as text."""
    return str(neutralise("" if value is None else str(value)))


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    rows: int
    content_type: str = XLSX_CONTENT_TYPE


# --- rows -----------------------------------------------------------------------------------


def _workers_for(actor, organisation):
    qs = Worker.objects.for_user(actor)
    return qs.filter(organisation__path__startswith=organisation.path).exclude(status=WorkerStatus.ARCHIVED)


@dataclass
class SensitiveTally:
    """The health and psychological difficulties an export met: written (their ids, for the
    audited reads) and withheld (how many were left out)."""

    reader: Callable = lambda difficulty: True
    shown: list = field(default_factory=list)
    withheld: int = 0

    def text(self, difficulty) -> str | None:
        """The difficulty's text for the file, or ``None`` when it is left out."""
        from nuanxin.care.pages import is_sensitive

        if not is_sensitive(difficulty):
            return difficulty.description
        if not self.reader(difficulty):
            self.withheld += 1
            return None
        self.shown.append(difficulty)
        return difficulty.description


def worker_rows(workers, tally: SensitiveTally | None = None) -> Iterator[list[str]]:
    """Rows of tables 1 and 2 (without 序号): the worker, their primary family member, the
    union contact (the current care contact's name, else the name as written) and the open
    difficulties (a health or psychological one only if ``tally`` lets it through). Prefetched
    per chunk, so 100,000 workers cost a few dozen queries."""
    from nuanxin.care.models import CareAssignment, Difficulty

    tally = tally or SensitiveTally()

    workers = (
        workers.select_related("organisation")
        .prefetch_related(
            Prefetch("family", queryset=FamilyMember.objects.filter(is_primary=True), to_attr="nx_primary"),
            Prefetch(
                "care_assignments",
                queryset=CareAssignment.objects.current().select_related("contact").order_by("started_at", "id"),
                to_attr="nx_assignments",
            ),
            Prefetch(
                "difficulties",
                queryset=Difficulty.objects.filter(status__in=OPEN_DIFFICULTY).order_by("created_at", "id"),
                to_attr="nx_open_difficulties",
            ),
        )
        .order_by("organisation__path", "name_pinyin", "id")
    )
    for worker in workers.iterator(chunk_size=CHUNK):
        primary = worker.nx_primary[0] if worker.nx_primary else None
        contacts = []
        for assignment in worker.nx_assignments:
            name = assignment.contact.display_name
            if name not in contacts:
                contacts.append(name)
        yield [
            worker.name,
            GENDER_WORDS.get(worker.gender, ""),
            CATEGORY_WORDS.get(worker.category, ""),
            worker.post_title,
            normalise.national(worker.mobile),
            primary.name if primary else "",
            normalise.national(primary.mobile) if primary else "",
            "、".join(contacts) or worker.contact_name_hint,
            "；".join(text for d in worker.nx_open_difficulties if (text := tally.text(d)) is not None),
        ]


def deployment_rows(deployments) -> Iterator[tuple[str, list[str]]]:
    """(carrier, row without 序号) of table 3, one per deployment."""
    deployments = deployments.select_related("worker__organisation").order_by(
        "worker__organisation__path", "worker__name_pinyin", "worker_id", "departed_on", "id"
    )
    for dep in deployments.iterator(chunk_size=CHUNK):
        yield (
            dep.carrier,
            [
                dep.worker.name,
                dep.worker.organisation.name,
                normalise.national(dep.deployed_mobile),
                CARRIER_WORDS.get(dep.carrier, ""),
            ],
        )


# --- the workbook ---------------------------------------------------------------------------


def _date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _Writer:
    """One workbook in the official layout; sheets are written row by row (constant memory)."""

    def __init__(self, target):
        self.book = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.title = self.book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.subtitle = self.book.add_format({"align": "center", "valign": "vcenter"})
        self.meta = self.book.add_format({"align": "left", "valign": "vcenter"})
        self.header = self.book.add_format(
            {
                "bold": True,
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
                "bg_color": "#F2F2F2",
            }
        )
        self.cell = self.book.add_format({"border": 1, "valign": "vcenter", "text_wrap": True, "num_format": "@"})

    def sheet(self, name: str, table: int, unit: str, day: date, rows: Iterable[list[str]]) -> int:
        headers = HEADERS[table]
        last = len(headers) - 1
        ws = self.book.add_worksheet(name)
        for col, width in enumerate(COLUMN_WIDTHS[table]):
            ws.set_column(col, col, width)
        row = 0
        ws.set_row(row, 30)
        ws.merge_range(row, 0, row, last, TITLES[table], self.title)
        row += 1
        if table in SUBTITLES:
            ws.merge_range(row, 0, row, last, SUBTITLES[table], self.subtitle)
            row += 1
        split = max(last // 2, 1)
        ws.merge_range(row, 0, row, split, safe_cell(f"填报单位：{unit}"), self.meta)
        ws.merge_range(row, split + 1, row, last, f"填报日期：{_date_text(day)}", self.meta)
        row += 1
        for col, text in enumerate(headers):
            ws.write_string(row, col, text, self.header)
        ws.freeze_panes(row + 1, 0)
        count = 0
        for values in rows:
            row += 1
            count += 1
            ws.write_string(row, 0, str(count), self.cell)
            for col, value in enumerate(values, start=1):
                ws.write_string(row, col, safe_cell(value), self.cell)
        return count

    def close(self) -> None:
        self.book.close()


def _by_carrier(rows: Iterable[tuple[str, list[str]]]) -> dict[str, list[list[str]]]:
    groups: dict[str, list[list[str]]] = {CARRIER_WORDS[c]: [] for c in MAIN_CARRIERS}
    for carrier, values in rows:
        groups.setdefault(CARRIER_WORDS.get(carrier, NO_CARRIER), []).append(values)
    order = [*CARRIER_WORDS.values(), NO_CARRIER]
    return {name: groups[name] for name in order if name in groups}


def write_table(
    target,
    *,
    table: int,
    organisation,
    workers,
    by_carrier: bool = False,
    day: date,
    tally: SensitiveTally | None = None,
) -> int:
    """Write table ``table`` for the workers of ``workers`` (a queryset) into ``target`` (a path
    or a binary file); returns the number of data rows. ``tally`` decides and counts the
    sensitive difficulties of tables 1 and 2 (default: all written, nothing recorded)."""
    writer = _Writer(target)
    try:
        if table in (1, 2):
            teams = [TeamType.HUBEI_AID] if table == 1 else [t for t in TeamType.values if t != TeamType.HUBEI_AID]
            count = writer.sheet(
                SHEET_NAMES[table], table, organisation.name, day, worker_rows(workers.filter(team__in=teams), tally)
            )
        else:
            # Table 3 is the aid team's: a deployment left on a worker moved to another team
            # is not listed (the importer would refuse it: table 3 rows match aid-team workers).
            deployments = Deployment.objects.filter(worker__in=workers.filter(team=TeamType.HUBEI_AID))
            rows = deployment_rows(deployments)
            if by_carrier:
                count = 0
                for name, values in _by_carrier(rows).items():
                    count += writer.sheet(name, 3, organisation.name, day, values)
            else:
                count = writer.sheet(SHEET_NAMES[3], 3, organisation.name, day, (values for _c, values in rows))
    finally:
        writer.close()
    return count


@transaction.atomic
def export_table(*, actor, organisation, table: int, by_carrier: bool = False, day: date | None = None) -> Export:
    """Table 1, 2 or 3 of ``organisation``'s subtree, as the actor may see it, in the official
    layout (xlsx). Only register administrators (``Worker.policy``'s "change") export; audited, with
    the sensitive difficulties written and withheld counted (module docstring)."""
    from nuanxin.care import pages as care_pages

    if table not in TITLES:
        raise ServiceError(_("Choose table 1, 2 or 3."), field="table")
    if by_carrier and table != 3:
        raise ServiceError(_("Only table 3 can be split by carrier."), field="by_carrier")
    organisation = type(organisation).objects.get(pk=organisation.pk)  # a fresh path for the scope check
    Worker.policy.require_in(actor, "change", organisation, _("You may not export the register of this organisation."))
    day = day or timezone.localdate()
    output = io.BytesIO()
    tally = SensitiveTally(reader=care_pages.difficulty_reader(actor))
    rows = write_table(
        output,
        table=table,
        organisation=organisation,
        workers=_workers_for(actor, organisation),
        by_carrier=by_carrier,
        day=day,
        tally=tally,
    )
    detail = {"table": table, "rows": rows, "by_carrier": by_carrier}
    if table in (1, 2):
        shown = care_pages.record_sensitive_reads(actor, tally.shown, page="export")
        detail.update(
            psychological_shown=shown[care_pages.DifficultyCategory.PSYCHOLOGICAL],
            health_shown=shown[care_pages.DifficultyCategory.MEDICAL],
            withheld=tally.withheld,
        )
    audit.record(
        actor,
        "registry.export",
        object_type="registry.table",
        object_id=table,
        object_repr=TITLES[table],
        organisation=organisation,
        detail=detail,
    )
    suffix = "_按运营商" if by_carrier else ""
    filename = f"{TITLES[table]}{suffix}_{organisation.code}_{day:%Y%m%d}.xlsx"
    return Export(content=output.getvalue(), filename=filename, rows=rows)
