"""Loading the organisation tree from a file: ``nuanxin orgs load FILE``.

The file (CSV, or a spreadsheet: xlsx, xls, ods) has a header row naming the columns
``code``, ``name``, ``kind``, ``parent_code`` (Chinese headers such as 代码 / 名称 / 类型 /
上级代码 are accepted too). Every line is checked before anything is written; when any line
is wrong, nothing is written and every wrong line is reported with its line number. Loading
the same file twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.orgs import services
from nuanxin.orgs.choices import ORG_KIND_ALIASES, OrgKind
from nuanxin.orgs.models import Organisation
from nuanxin.orgs.scope import STEPLEN

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
SUFFIXES = {".csv", ".txt"} | SPREADSHEET_SUFFIXES
COLUMNS = ("code", "name", "kind", "parent_code")
HEADER_ALIASES = {
    "code": {"code", "代码", "编码", "组织代码", "组织编码", "单位代码", "工会代码"},
    "name": {"name", "名称", "组织名称", "单位名称", "工会名称"},
    "kind": {"kind", "类型", "类别", "组织类型", "工会类型"},
    "parent_code": {"parent_code", "parent", "上级代码", "上级编码", "上级组织代码", "上级组织编码", "上级"},
}
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # gb18030 is a superset of GBK and GB2312


@dataclass(frozen=True)
class OrgRow:
    """One line of an organisation file, as read (``line`` is the file's line number)."""

    line: int
    code: str
    name: str
    kind: str
    parent_code: str


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class Action:
    CREATED = "created"
    UPDATED = "updated"
    MOVED = "moved"
    UPDATED_MOVED = "updated_moved"
    UNCHANGED = "unchanged"


@dataclass
class RowOutcome:
    line: int
    code: str
    action: str
    old_parent: str = ""
    new_parent: str = ""


@dataclass
class LoadResult:
    """What a load did (or, on a dry run or on errors, would have done / did not do)."""

    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def count(self, *actions: str) -> int:
        return sum(1 for o in self.outcomes if o.action in actions)


# --- reading -------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number comes back as 101.0
    return str(value).strip()


def _header_key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _normalise_code(text: str) -> str:
    # Full-width letters, digits and dashes typed with a Chinese input method.
    return unicodedata.normalize("NFKC", text).strip()


def _decode(data: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ServiceError(_("The file is neither UTF-8 nor GBK text."))


def _csv_records(data: bytes) -> Iterable[tuple[int, list[str]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;，", key=first_line.count) if first_line else ","
    if delimiter == "，":  # a full-width comma cannot be a csv delimiter: translate it
        text, delimiter = text.replace("，", ","), ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    for record in reader:
        yield line, [_cell(v) for v in record]
        line = reader.line_num + 1


def _sheet_records(data: bytes) -> Iterable[tuple[int, list[str]]]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except (CalamineError, ValueError, OSError) as exc:
        raise ServiceError(_("The spreadsheet cannot be read: %(error)s") % {"error": exc}) from exc
    for index, row in enumerate(rows, start=1):
        yield index, [_cell(v) for v in row]


def read_rows(data: bytes, filename: str) -> list[OrgRow]:
    """Parse an organisation file. Raises ServiceError when the file or its header is unusable."""
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise ServiceError(
            _("Unsupported file type “%(suffix)s”: use .csv, .xlsx, .xls or .ods.") % {"suffix": suffix or filename}
        )
    records = _sheet_records(data) if suffix in SPREADSHEET_SUFFIXES else _csv_records(data)
    columns: dict[str, int] | None = None
    rows: list[OrgRow] = []
    for line, cells in records:
        if not any(cells):
            continue
        if columns is None:
            columns = _columns(cells)
            continue
        values = {name: cells[index] if index < len(cells) else "" for name, index in columns.items()}
        rows.append(OrgRow(line=line, code=_normalise_code(values["code"]), name=values["name"],
                           kind=values["kind"], parent_code=_normalise_code(values["parent_code"])))
    if columns is None:
        raise ServiceError(_("The file is empty."))
    return rows


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        key = _header_key(text)
        for column, aliases in HEADER_ALIASES.items():
            if key in aliases and column not in found:
                found[column] = index
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise ServiceError(
            _("The first line must name the columns code, name, kind, parent_code; missing: %(missing)s.")
            % {"missing": ", ".join(missing)}
        )
    return found


# --- the kind column -----------------------------------------------------------------------


def _kind_lookup() -> dict[str, str]:
    """Every accepted spelling of a kind: its code, the Chinese aliases, and its label in
    each interface language."""
    from django.conf import settings

    lookup = {_header_key(value): value for value in OrgKind.values}
    lookup.update({_header_key(alias): str(kind) for alias, kind in ORG_KIND_ALIASES.items()})
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in OrgKind.choices:
                lookup.setdefault(_header_key(str(label)), value)
    return lookup


def parse_kind(text: str, lookup: dict[str, str] | None = None) -> str | None:
    """The OrgKind value ``text`` names, or None."""
    return (lookup or _kind_lookup()).get(_header_key(text))


# --- checking and writing ------------------------------------------------------------------


@dataclass
class _Existing:
    pk: int
    name: str
    kind: str
    parent_code: str


def _existing_tree() -> dict[str, _Existing]:
    orgs = list(Organisation.objects.order_by("path").values_list("pk", "code", "name", "kind", "path"))
    code_by_path = {path: code for _pk, code, _name, _kind, path in orgs}
    return {
        code: _Existing(pk=pk, name=name, kind=kind, parent_code=code_by_path.get(path[:-STEPLEN], ""))
        for pk, code, name, kind, path in orgs
    }


def _check(rows: list[OrgRow], existing: dict[str, _Existing]) -> tuple[list[LineError], dict[str, str]]:
    """Every error of every line, and each row's kind value."""
    errors: list[LineError] = []
    kinds: dict[str, str] = {}
    lookup = _kind_lookup()
    first_line: dict[str, int] = {}
    root_code = next((code for code, org in existing.items() if not org.parent_code), None)
    new_root_line = None

    def error(row: OrgRow, message: str) -> None:
        errors.append(LineError(row.line, message))

    for row in rows:
        if not row.code:
            error(row, _("the code is empty."))
            continue
        if row.code in first_line:
            error(row, _("the code “%(code)s” already appears on line %(first)s.")
                  % {"code": row.code, "first": first_line[row.code]})
            continue
        first_line[row.code] = row.line
        if len(row.code) > 64 or any(ch.isspace() for ch in row.code):
            error(row, _("the code “%(code)s” must be 1–64 characters without spaces.") % {"code": row.code})
        if not row.name:
            error(row, _("the name is empty."))
        elif len(row.name) > 200:
            error(row, _("the name is longer than 200 characters."))
        kind = parse_kind(row.kind, lookup)
        if not row.kind:
            error(row, _("the kind is empty."))
        elif kind is None:
            error(row, _("unknown kind “%(kind)s”; use one of %(kinds)s or its Chinese name.")
                  % {"kind": row.kind, "kinds": ", ".join(OrgKind.values)})
        else:
            kinds[row.code] = kind

    in_file = {row.code: row for row in rows if row.code and first_line.get(row.code) == row.line}
    for row in in_file.values():
        current = existing.get(row.code)
        if not row.parent_code:
            if current is not None and not current.parent_code:
                continue  # the existing root, listed again
            if current is not None:
                error(row, _("“%(code)s” has no parent, but only the root organisation may have none.")
                      % {"code": row.code})
            elif root_code is not None:
                error(row, _("“%(code)s” has no parent, but the tree already has its root “%(root)s”.")
                      % {"code": row.code, "root": root_code})
            elif new_root_line is not None:
                error(row, _("“%(code)s” has no parent, but line %(first)s already gives the root.")
                      % {"code": row.code, "first": new_root_line})
            else:
                new_root_line = row.line
            continue
        if current is not None and not current.parent_code:
            error(row, _("“%(code)s” is the root organisation and cannot be moved.") % {"code": row.code})
            continue
        if row.parent_code == row.code:
            error(row, _("“%(code)s” cannot be its own parent.") % {"code": row.code})
            continue
        if row.parent_code not in in_file and row.parent_code not in existing:
            error(row, _("unknown parent “%(parent)s”: it is neither in the file nor in the tree.")
                  % {"parent": row.parent_code})

    def parent_of(code: str) -> str:
        if code in in_file:
            return in_file[code].parent_code
        return existing[code].parent_code if code in existing else ""

    for row in in_file.values():
        if not row.parent_code or row.parent_code == row.code:
            continue
        chain = [row.code]
        code = row.parent_code
        while code and code not in chain:
            chain.append(code)
            code = parent_of(code)
        if code == row.code:
            error(row, _("“%(code)s” would lie under itself: %(chain)s.")
                  % {"code": row.code, "chain": " → ".join([*chain, row.code])})
    errors.sort(key=lambda e: e.line)
    return errors, kinds


def _depths(rows: list[OrgRow], existing: dict[str, _Existing]) -> dict[str, int]:
    parents = {code: org.parent_code for code, org in existing.items()}
    parents.update({row.code: row.parent_code for row in rows})
    depths: dict[str, int] = {}

    def depth(code: str) -> int:
        if code not in depths:
            chain = []
            while code and code not in depths:
                chain.append(code)
                code = parents.get(code, "")
            base = depths.get(code, -1) if code else -1
            for offset, item in enumerate(reversed(chain), start=1):
                depths[item] = base + offset
        return depths[code] if code in depths else 0

    for row in rows:
        depth(row.code)
    return depths


class _Rollback(Exception):
    pass


def load_organisations(*, actor, rows: list[OrgRow], dry_run: bool = False) -> LoadResult:
    """Create, update and move organisations as ``rows`` say, all or nothing.

    Every row is checked first (unknown parents, cycles, duplicate codes, bad kinds, empty
    names); with any error nothing is written. Then rows are written parent before child
    through the organisation services (which check ``actor``'s rights and write the audit
    rows), in one transaction that a dry run, or any refusal, rolls back. Not decorated with
    ``transaction.atomic``: the transaction is opened here so that it can be rolled back while
    the result is still returned."""
    result = LoadResult(dry_run=dry_run)
    existing = _existing_tree()
    result.errors, kinds = _check(rows, existing)
    if result.errors:
        return result
    depths = _depths(rows, existing)
    ordered = sorted(rows, key=lambda r: (depths[r.code], r.line))
    try:
        with transaction.atomic():
            # The tree's lock first, before any rename locks a row that a parallel move is
            # waiting to rewrite (the move holds the tree's lock: each would wait for the other).
            services.lock_tree()
            for row in ordered:
                try:
                    result.outcomes.append(_write(actor, row, kinds[row.code], existing.get(row.code)))
                except ServiceError as exc:
                    result.errors.append(LineError(row.line, str(exc.message)))
                    raise _Rollback from exc
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    result.outcomes.sort(key=lambda o: o.line)
    if result.errors:
        result.outcomes = []
    return result


def _write(actor, row: OrgRow, kind: str, current: _Existing | None) -> RowOutcome:
    parent = Organisation.objects.get(code=row.parent_code) if row.parent_code else None
    if current is None:
        services.create_organisation(actor=actor, code=row.code, name=row.name, kind=kind, parent=parent)
        return RowOutcome(row.line, row.code, Action.CREATED, new_parent=row.parent_code)
    org = Organisation.objects.get(pk=current.pk)
    updated = current.name != row.name or current.kind != kind
    if updated:
        org = services.update_organisation(actor=actor, org=org, name=row.name, kind=kind)
    moved = parent is not None and current.parent_code != row.parent_code
    if moved and parent is not None:
        services.move_organisation(actor=actor, org=org, new_parent=parent)
    action = {
        (False, False): Action.UNCHANGED,
        (True, False): Action.UPDATED,
        (False, True): Action.MOVED,
        (True, True): Action.UPDATED_MOVED,
    }[(updated, moved)]
    return RowOutcome(row.line, row.code, action, old_parent=current.parent_code, new_parent=row.parent_code)


def load_file(*, actor, path: str | Path, dry_run: bool = False) -> LoadResult:
    """Read ``path`` and load it (see ``load_organisations``)."""
    path = Path(path)
    rows = read_rows(path.read_bytes(), path.name)
    return load_organisations(actor=actor, rows=rows, dry_run=dry_run)
