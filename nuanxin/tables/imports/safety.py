"""Refusing hostile files before any parser sees them.

Checked on the bytes alone: the size limit, the file's real type against its extension
(magic bytes), and for the zip-based formats (xlsx, ods) the number of entries, the total
uncompressed size, the compression ratio of every entry and any XML entity or DOCTYPE
declaration (entity expansion attacks). The uncompressed size is measured by inflating the
parts, not read from the zip headers, which an attacker controls.

A damaged file (a truncated download, a broken e-mail attachment: corrupt compressed data, a
part whose checksum or size does not match, an undecodable part name, an unknown zip version)
is refused with ``damaged()``, which asks for the file to be saved and uploaded again; so is
a workbook that python-calamine cannot read completely in a bounded child process
(``probe``): native code can abort on such files, which no ``except`` catches.
"""

from __future__ import annotations

import binascii
import os
import struct
import zipfile
import zlib

from django.conf import settings
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError

KINDS = ("xlsx", "xls", "ods", "csv")
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1 << 20
# Entity and DOCTYPE declarations, looked for in lower case (parsers differ in what they accept)
# and in every encoding an XML part may declare, so that a part in UTF-16 cannot hide one.
_DECLARATIONS_UTF8 = (b"<!doctype", b"<!entity")
_DECLARATIONS = tuple(
    word.decode().encode(encoding)
    for word in _DECLARATIONS_UTF8
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_TAIL = max(map(len, _DECLARATIONS))
_HEADER_SLACK = 100  # title, 填报单位 and header rows do not count against the row limit


def limit(name: str) -> int:
    """An import limit from the settings (``NUANXIN_IMPORT_<NAME>``) or its default."""
    defaults = {
        "MAX_BYTES": 20 * 1024 * 1024,
        "MAX_ROWS": 200_000,
        "MAX_ZIP_ENTRIES": 1000,
        "MAX_UNCOMPRESSED": 400 * 1024 * 1024,
        "MAX_RATIO": 200,
    }
    return int(getattr(settings, f"NUANXIN_IMPORT_{name}", defaults[name]))


class FileRefused(ServiceError):
    """The file as a whole is refused; nothing of it was read into the register."""

    code = "file_refused"


def kind_of(filename: str) -> str:
    """The file type its name claims (xlsx, xls, ods, csv); refuses any other."""
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    if ext not in KINDS:
        raise FileRefused(
            _("“%(name)s” is not a table file this importer reads (xlsx, xls, ods or csv).")
            % {"name": os.path.basename(filename or "")}
        )
    return ext


def check_size(size: int | None) -> None:
    """Refuse a file of ``size`` bytes over the limit (None: not known yet)."""
    max_bytes = limit("MAX_BYTES")
    if size is not None and size > max_bytes:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": round(size / 1048576, 1), "limit": round(max_bytes / 1048576, 1)}
        )


def check_file(path, kind: str) -> None:
    """Refuse the file at ``path`` unless it is a harmless ``kind`` file within the limits."""
    size = os.path.getsize(path)
    check_size(size)
    if size == 0:
        raise FileRefused(_("The file is empty."))
    with open(path, "rb") as fh:
        head = fh.read(8)
    if kind in ("xlsx", "ods"):
        if not head.startswith(ZIP_MAGIC):
            raise FileRefused(_not_what_it_says(kind))
        try:
            _check_zip(path, kind)
        except _ZIP_DAMAGE:
            raise damaged() from None
        _probe(path)
    elif kind == "xls":
        if head != OLE2_MAGIC:
            raise FileRefused(_not_what_it_says(kind))
        _probe(path)
    else:
        if head.startswith(ZIP_MAGIC) or head == OLE2_MAGIC:
            raise FileRefused(_not_what_it_says(kind))
        with open(path, "rb") as fh:
            data = fh.read()
        if b"\x00" in data:
            raise FileRefused(_not_what_it_says(kind))
        from nuanxin.tables.imports.reader import check_csv

        check_csv(decode_text(data))  # refuses what is not UTF-8 or GBK text, or not CSV


def decode_text(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRefused(_("The CSV file is neither UTF-8 nor GBK text."))


def damaged() -> FileRefused:
    """The refusal of a damaged file: every kind of damage gives the same advice."""
    return FileRefused(
        _(
            "The file is damaged and cannot be read (an incomplete download or a broken e-mail "
            "attachment, for example). Open it in Excel or WPS, save it again and upload the saved "
            "file, or ask the sender for the file again."
        )
    )


def encrypted() -> FileRefused:
    return FileRefused(_("The file is encrypted; save it without a password and upload it again."))


# What the standard library raises on a damaged zip: a missing or broken directory
# (BadZipFile, EOFError, struct.error), corrupt deflate data (zlib.error), a seek before the
# start of the file (OSError EINVAL), a part name flagged UTF-8 that is not
# (UnicodeDecodeError), an unknown zip version or method (NotImplementedError), a size that
# does not fit (ValueError, OverflowError).
_ZIP_DAMAGE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    struct.error,
    zlib.error,
    OSError,
    UnicodeDecodeError,
    NotImplementedError,
    ValueError,
    OverflowError,
    KeyError,
)


def _probe(path) -> None:
    from nuanxin.tables.imports.probe import probe

    result = probe(path)
    if result == "password":
        raise encrypted()
    if result:
        raise damaged()


def _not_what_it_says(kind: str) -> str:
    return _("The file's content is not a .%(kind)s file as its name says; it was not read.") % {"kind": kind}


def _check_zip(path, kind: str) -> None:
    archive = zipfile.ZipFile(path)  # a file that starts as a zip but is none is damaged
    with archive:
        entries = archive.infolist()
        if len(entries) > limit("MAX_ZIP_ENTRIES"):
            raise FileRefused(
                _("The file holds %(count)s parts; at most %(limit)s are accepted.")
                % {"count": len(entries), "limit": limit("MAX_ZIP_ENTRIES")}
            )
        names = {e.filename for e in entries}
        if kind == "xlsx" and not ({"[Content_Types].xml", "xl/workbook.xml"} <= names):
            raise FileRefused(_not_what_it_says(kind))
        if kind == "ods":
            if "mimetype" not in names or "content.xml" not in names:
                raise FileRefused(_not_what_it_says(kind))
            if b"spreadsheet" not in archive.read("mimetype")[:200]:
                raise FileRefused(_not_what_it_says(kind))
        max_total, max_ratio = limit("MAX_UNCOMPRESSED"), limit("MAX_RATIO")
        total = rows = 0
        for entry in entries:
            if entry.flag_bits & 0x1:
                raise encrypted()
            if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise FileRefused(_not_what_it_says(kind))
            size, entry_rows = _inflate_and_scan(archive, entry, max_total - total, max_ratio)
            total += size
            rows += entry_rows
        if rows > limit("MAX_ROWS") + _HEADER_SLACK:
            raise too_many_rows()


def too_many_rows() -> FileRefused:
    return FileRefused(
        _("The file has more than %(limit)s rows; split it into smaller files.") % {"limit": limit("MAX_ROWS")}
    )


def _bomb() -> FileRefused:
    return FileRefused(
        _("The file unpacks to far more data than a table of this size can hold (a “zip bomb”); it was not read.")
    )


def _inflate_and_scan(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int, max_ratio: int):
    """Inflate one part in chunks, counting the real bytes, and look for entity declarations in
    XML parts. Returns (uncompressed size, rows of a worksheet part)."""
    lower = entry.filename.lower()
    is_xml = lower.endswith((".xml", ".rels", ".vml")) or entry.filename == "mimetype"
    is_sheet = lower.startswith("xl/worksheets/") and lower.endswith(".xml")
    produced = rows = 0
    tail = b""
    # zipfile stops at the size the header claims; inflate the compressed stream ourselves so
    # a lying header cannot hide a larger payload.
    crc = 0
    if archive.filename is None:  # opened from a stream: the checks read the file by its path
        raise zipfile.BadZipFile("no file to read the local headers from")
    with open(archive.filename, "rb") as fh:
        fh.seek(entry.header_offset)
        header = fh.read(30)
        if len(header) < 30 or not header.startswith(ZIP_MAGIC):
            raise zipfile.BadZipFile("no local header")
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        fh.seek(entry.header_offset + 30 + name_len + extra_len)
        remaining = entry.compress_size
        inflater = zlib.decompressobj(-15) if entry.compress_type == zipfile.ZIP_DEFLATED else None
        while remaining > 0:
            block = fh.read(min(_CHUNK, remaining))
            if not block:
                break
            remaining -= len(block)
            out = inflater.decompress(block, _CHUNK * 4) if inflater else block
            while True:
                produced += len(out)
                crc = binascii.crc32(out, crc)
                if produced > budget:
                    raise _bomb()
                if is_xml:
                    window = tail + out
                    lowered = window.lower()
                    words = _DECLARATIONS if b"\x00" in window else _DECLARATIONS_UTF8  # no NUL: not UTF-16/32
                    if any(word in lowered for word in words):
                        raise FileRefused(
                            _("The file declares XML entities, which table files never need; it was not read.")
                        )
                    if is_sheet:
                        # a "<row" split across chunks has at most 4 of its 5 bytes in the tail
                        seam = tail[-4:] + out
                        rows += seam.count(b"<row ") + seam.count(b"<row>")
                    tail = window[-_TAIL:]
                if inflater is None or not inflater.unconsumed_tail:
                    break
                out = inflater.decompress(inflater.unconsumed_tail, _CHUNK * 4)
    if produced > (1 << 20) and produced > max_ratio * max(1, entry.compress_size):
        raise _bomb()
    # A part cut short, or whose content is not what its checksum and size say, is damaged.
    if remaining > 0 or (inflater is not None and not inflater.eof):
        raise zipfile.BadZipFile("part cut short")
    if crc != entry.CRC or produced != entry.file_size:
        raise zipfile.BadZipFile("checksum or size mismatch")
    return produced, rows
