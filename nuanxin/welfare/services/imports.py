"""The scheme's own member list (its xlsx) read in two steps: checked, then applied.

``check_list`` reads the workbook's first sheet, finds the header row by its texts (姓名,
身份证号, 手机号 …, wherever it is in the first rows) and matches each row to a worker of the
uploader's organisations: by ID-card number where one is given, else by name and mobile (the
register's identity rule; an ID number that is not usable — malformed, wrong check digit — is
set aside with a note and the row matched by name and mobile). Each row is kept with its
outcome (matched, enrolled already, not matched and why) in an ``EnrolmentImport`` in status
preview; nothing is enrolled. ``apply_list``
enrols the matched rows as members already (source "imported"), skipping anyone enrolled
meanwhile. A file that cannot be used (not an xlsx workbook, too big, empty, no header row)
is refused with a message and nothing is written.

ID-card numbers are sensitive data: the numbers of the workers a check matched by ID are
recorded as read (``worker.sensitive_read``, one row per unit listing them)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.policy import user_of
from nuanxin.core.uploads import max_upload_bytes
from nuanxin.registry import normalise
from nuanxin.registry.models import Worker, WorkerSensitive
from nuanxin.welfare.choices import EnrolmentSource, ImportStatus
from nuanxin.welfare.models import Enrolment, EnrolmentImport, Scheme
from nuanxin.welfare.services.enrolments import _locked_scheme, create_enrolments

MAX_ROWS = 5000
HEADER_SEARCH = 20  # the header row is looked for in the first rows
FILE_NAME_MAX = 200

# Header texts (compared without spaces, full-width brackets or asterisks) per column.
HEADERS = {
    "name": ("姓名", "名字", "职工姓名", "会员姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "身份证", "公民身份号码", "证件号码", "证件号", "idnumber"),
    "mobile": ("手机号", "手机号码", "手机", "联系电话", "电话", "联系方式", "mobile"),
    "unit": ("单位", "工作单位", "所在单位", "单位名称", "unit"),
    "enrolled_on": ("参保日期", "入会日期", "参加日期", "参保时间", "生效日期"),
}

# Row outcomes (``EnrolmentImport.rows[i]["problem"]``; "" = matched).
MATCHED = ""
ALREADY = "already"
NOT_FOUND = "not_found"
NO_KEY = "no_key"
BAD_ID = "bad_id"
BAD_MOBILE = "bad_mobile"
NAME_DIFFERS = "name_differs"
DUPLICATE = "duplicate"
NO_NAME = "no_name"
ID_DIFFERS = "id_differs"

# Row notes (``rows[i]["note"]``): said beside the outcome, whatever it is.
ID_UNUSABLE = "id_unusable"


def problem_label(code: str) -> str:
    return {
        MATCHED: _("Matched"),
        ALREADY: _("Enrolled in this scheme already"),
        NOT_FOUND: _("No worker of your organisations has this ID number, or this name and mobile"),
        NO_KEY: _("Neither an ID number nor a mobile: cannot be matched"),
        BAD_ID: _("The ID-card number is not valid"),
        BAD_MOBILE: _("The mobile number is not valid"),
        NAME_DIFFERS: _("The ID number belongs to a worker of another name"),
        DUPLICATE: _("The same person appears on an earlier row"),
        NO_NAME: _("The name is empty"),
        ID_DIFFERS: _("A worker of this name and mobile has another ID number in the register"),
    }.get(code, code)


def note_label(code: str) -> str:
    return {
        ID_UNUSABLE: _("The ID-card number is not usable (malformed or its check digit is wrong): matched by name "
                       "and mobile instead"),
    }.get(code, code)


@dataclass
class _Row:
    line: int
    name: str
    id_number: str
    mobile: str
    unit: str
    enrolled_on: str


def _key(text: str) -> str:
    return "".join(str(text).split()).replace("*", "").replace("（", "(").replace("）", ")").lower()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e17 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\x00", "").strip()
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]  # an export's neutralising apostrophe
    return text


def _bad_file() -> ServiceError:
    return ServiceError(_("This file cannot be read as an Excel workbook (.xlsx). Save it as .xlsx and try again."),
                        field="file")


def read_rows(data: bytes) -> list[_Row]:
    """The rows below the header row of the workbook's first sheet (``ServiceError`` for a file
    that is not a workbook, has no header row or no row)."""
    if not data:
        raise ServiceError(_("The file is empty."), field="file")
    if not data.startswith(b"PK\x03\x04"):
        raise _bad_file()
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        raw = sheet.to_python(skip_empty_area=False)
    except BaseException as exc:  # calamine raises its own types, a Rust panic a BaseException
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        raise _bad_file() from None
    columns: dict[str, int] | None = None
    rows: list[_Row] = []
    for index, values in enumerate(raw, start=1):
        cells = [_cell(v) for v in values]
        if columns is None:
            if index > HEADER_SEARCH:
                break
            found: dict[str, int] = {}
            for col, text in enumerate(cells):
                key = _key(text)
                for field_name, names in HEADERS.items():
                    if field_name not in found and key in names:
                        found[field_name] = col
            if "name" in found and ("id_number" in found or "mobile" in found):
                columns = found
            continue
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ServiceError(
                _("The list has more than %(count)d rows: split it into smaller files.") % {"count": MAX_ROWS},
                field="file",
            )

        got = {
            name: cells[col] if col < len(cells) else "" for name, col in columns.items()
        }
        rows.append(_Row(index, got.get("name", ""), got.get("id_number", ""), got.get("mobile", ""),
                         got.get("unit", ""), got.get("enrolled_on", "")))
    if columns is None:
        raise ServiceError(
            _("No header row found: the list needs a column 姓名 and a column 身份证号 or 手机号 in its first rows."),
            field="file",
        )
    if not rows:
        raise ServiceError(_("The list has a header row but no member below it."), field="file")
    return rows


def _date(text: str) -> date | None:
    text = text.strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    return None


def _scope(actor: Any, organisation: Any) -> Any:
    """The workers the uploader may enrol, within ``organisation``'s subtree."""
    return Worker.objects.for_user(actor, "change").filter(organisation__path__startswith=organisation.path)


@transaction.atomic
def check_list(*, actor: Any, scheme: Scheme, organisation: Any, uploaded_file: Any) -> EnrolmentImport:
    """Read and match the scheme's member list for ``organisation``'s subtree (module
    docstring). Returns the ``EnrolmentImport`` in preview; nothing is enrolled yet."""
    if not Enrolment.policy.allows_in(actor, "enrol", organisation):
        raise NotAllowed(_("You may not enrol the workers of this organisation."))
    if uploaded_file is None:
        raise ServiceError(_("Choose the scheme's list (an .xlsx file)."), field="file")
    size = getattr(uploaded_file, "size", 0) or 0
    limit = max_upload_bytes()
    if getattr(uploaded_file, "oversize", False) or size > limit:
        raise ServiceError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": size / 1048576, "limit": limit / 1048576},
            field="file",
        )
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(
            _("The file is %(size).1f MB; the limit is %(limit).0f MB.")
            % {"size": len(data) / 1048576, "limit": limit / 1048576},
            field="file",
        )
    read = read_rows(data)
    scope = _scope(actor, organisation)
    # ID numbers as the register keeps them (validated, upper-case X).
    # An ID number that is not usable (malformed, wrong check digit) is set aside and the row
    # matched by name and mobile, with a note; without a usable mobile either, it is refused.
    parsed: list[tuple[_Row, str, str, str]] = []  # row, id, e164, problem
    notes: dict[int, str] = {}  # row's line → note
    for row in read:
        problem = ""
        id_number = e164 = ""
        bad_id = bad_mobile = False
        try:
            id_number = normalise.id_number(row.id_number)
        except normalise.InvalidValue:
            bad_id = True
        try:
            e164 = normalise.phone(row.mobile)
        except normalise.InvalidValue:
            bad_mobile = True
        if bad_id and (bad_mobile or not e164):
            problem = BAD_ID
        elif bad_mobile:
            problem = BAD_MOBILE
        elif bad_id:
            notes[row.line] = ID_UNUSABLE
        if not normalise.name_key(row.name):
            problem = NO_NAME
        elif not problem and not id_number and not e164:
            problem = NO_KEY
        parsed.append((row, id_number, e164, problem))
    ids = {p[1] for p in parsed if p[1] and not p[3]}
    by_id: dict[str, Worker] = {}
    if ids:
        for sensitive in WorkerSensitive.objects.filter(id_number__in=ids, worker__in=scope).select_related(
            "worker__organisation"
        ):
            by_id[sensitive.id_number] = sensitive.worker
    # Else (no ID number, or one the register does not hold): by name and mobile.
    pairs = {
        (normalise.name_key(p[0].name), p[2]) for p in parsed if p[2] and not p[3] and (not p[1] or p[1] not in by_id)
    }
    by_pair: dict[tuple[str, str], Worker] = {}
    if pairs:
        q = Q()
        for key, e164 in pairs:
            q |= Q(name_key=key, mobile=e164)
        for worker in scope.filter(q).select_related("organisation").order_by("id"):
            by_pair.setdefault((worker.name_key, worker.mobile), worker)
    # A worker found by name and mobile whose register holds another ID number is not the same.
    recorded = dict(
        WorkerSensitive.objects.filter(worker__in=[w.pk for w in by_pair.values()])
        .exclude(id_number="")
        .values_list("worker_id", "id_number")
    )
    found_ids = {w.pk for w in by_id.values()} | {w.pk for w in by_pair.values()}
    enrolled = set(
        Enrolment.objects.filter(scheme=scheme, worker_id__in=found_ids).values_list("worker_id", flat=True)
    )
    seen: set[int] = set()
    rows: list[dict[str, Any]] = []
    read_by_id: list[tuple[Any, int]] = []
    counts = {"matched": 0, "already": 0, "unmatched": 0}
    for row, id_number, e164, problem in parsed:
        worker = None
        how = ""
        if not problem:
            if id_number and id_number in by_id:
                worker = by_id[id_number]
                how = "id"
                if worker.name_key != normalise.name_key(row.name):
                    problem, worker = NAME_DIFFERS, None
            elif e164:
                worker = by_pair.get((normalise.name_key(row.name), e164))
                how = "name_mobile"
                if worker is not None and id_number and recorded.get(worker.pk, id_number) != id_number:
                    read_by_id.append((worker.organisation, worker.pk))
                    problem, worker = ID_DIFFERS, None
            if worker is None and not problem:
                problem = NOT_FOUND
        if worker is not None:
            if how == "id":
                read_by_id.append((worker.organisation, worker.pk))
            if worker.pk in seen:
                problem = DUPLICATE
            elif worker.pk in enrolled:
                problem = ALREADY
            seen.add(worker.pk)
        if problem == ALREADY:
            counts["already"] += 1
        elif problem:
            counts["unmatched"] += 1
        else:
            counts["matched"] += 1
        on = _date(row.enrolled_on) if row.enrolled_on else None
        rows.append({
            "line": row.line,
            "name": row.name[:50],
            "unit": row.unit[:100],
            "mobile": normalise.mask(e164) if e164 else "",
            "id": (id_number[:6] + "********" + id_number[-4:]) if id_number else "",
            "worker": worker.pk if worker is not None and problem in (MATCHED, ALREADY) else None,
            "worker_unit": worker.organisation.name if worker is not None and problem in (MATCHED, ALREADY) else "",
            "by": how if worker is not None else "",
            "on": on.isoformat() if on else "",
            "problem": problem,
            "note": notes.get(row.line, "") if problem != NO_NAME else "",
        })
    name = (getattr(uploaded_file, "name", "") or "xlsx").rsplit("/", 1)[-1][:FILE_NAME_MAX]
    imp = EnrolmentImport.objects.create(
        scheme=scheme, organisation=organisation, file_name=name, rows=rows, matched=counts["matched"],
        unmatched=counts["unmatched"], already=counts["already"], created_by=user_of(actor),
    )
    audit.record_reads(actor, "worker.sensitive_read", read_by_id, object_type="registry.worker", key="workers",
                       page="welfare_import")
    audit.record(
        actor, "welfare.import.check", obj=imp, object_repr=f"import #{imp.pk}", organisation=organisation,
        detail={"welfare_scheme": scheme.pk, "file": name, "rows": len(rows), **counts},
    )
    return imp


@transaction.atomic
def apply_list(imp: EnrolmentImport, *, actor: Any) -> EnrolmentImport:
    """Enrol the matched rows of a checked list as members already (source "imported", no
    contribution to charge). Anyone enrolled meanwhile, or no longer in the uploader's
    organisations, is skipped. A list is applied once."""
    imp = EnrolmentImport.objects.select_for_update().get(pk=imp.pk)
    if not EnrolmentImport.policy.allows(actor, "enrol", imp):
        raise NotAllowed(_("You may not enrol the workers of this organisation."))
    if imp.status != ImportStatus.PREVIEW:
        raise ServiceError(_("This list was applied or discarded already."))
    scheme = _locked_scheme(imp.scheme)
    wanted = {r["worker"]: r for r in imp.rows if r.get("worker") and r.get("problem") == MATCHED}
    workers = list(_scope(actor, imp.organisation).filter(pk__in=list(wanted)).select_related("organisation"))
    dates = {w.pk: date.fromisoformat(wanted[w.pk]["on"]) for w in workers if wanted[w.pk].get("on")}
    result = create_enrolments(
        actor=actor, scheme=scheme, workers=workers, source=EnrolmentSource.IMPORTED, imported_from=imp,
        dates=dates,
    )
    imp.status = ImportStatus.APPLIED
    imp.applied_at = timezone.now()
    imp.save(update_fields=["status", "applied_at"])
    audit.record(
        actor, "welfare.import.apply", obj=imp, object_repr=f"import #{imp.pk}", organisation=imp.organisation,
        detail={"welfare_scheme": scheme.pk, "count": len(result.enrolments),
                "kept": len(wanted) - len(result.enrolments)},
    )
    return imp


@transaction.atomic
def discard_list(imp: EnrolmentImport, *, actor: Any) -> EnrolmentImport:
    """Set a checked list aside without enrolling anyone."""
    imp = EnrolmentImport.objects.select_for_update().get(pk=imp.pk)
    if not EnrolmentImport.policy.allows(actor, "enrol", imp):
        raise NotAllowed(_("You may not enrol the workers of this organisation."))
    if imp.status != ImportStatus.PREVIEW:
        raise ServiceError(_("This list was applied or discarded already."))
    imp.status = ImportStatus.DISCARDED
    imp.save(update_fields=["status"])
    audit.record(actor, "welfare.import.discard", obj=imp, object_repr=f"import #{imp.pk}",
                 organisation=imp.organisation, detail={"welfare_scheme": imp.scheme_id})
    return imp
