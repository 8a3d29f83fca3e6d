"""Damaged and hostile table files, made from the sample tables (docs/samples) the importer
tests use: the four kinds of damage a fuzzer found escaping the importer as exceptions, and
the others a damaged download or attachment produces. Shared by test_import_damaged and
test_import_fuzz."""

from __future__ import annotations

import io
import zipfile
from functools import cache
from xml.sax.saxutils import escape

from nuanxin.tables.tests.import_fixtures import sample

_EOCD = b"PK\x05\x06"
_CENTRAL = b"PK\x01\x02"


@cache
def seed(name: str) -> bytes:
    """A sample table's bytes; ``table1_aid_team.ods`` is the table 1 sample written as ODS."""
    if name == "table1_aid_team.ods":
        return ods_bytes(_sample_rows("table1_aid_team.xlsx"))
    return sample(name).read_bytes()


SEEDS = (
    "table1_aid_team.xlsx",
    "table3_wuhan_phones.xlsx",
    "table1_aid_team_legacy.xls",
    "table1_aid_team.ods",
    "table2_frontline_gbk.csv",
)


def kind(name: str) -> str:
    return name.rsplit(".", 1)[1]


def _sample_rows(name: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(sample(name)))
    return workbook.get_sheet_by_index(0).to_python()


def ods_bytes(rows: list[list], sheet: str = "附件1") -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice and WPS save) with the given rows."""
    cells = []
    for row in rows:
        out = []
        for value in row:
            if value in ("", None):
                out.append("<table:table-cell/>")
            elif isinstance(value, (int, float)):
                out.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>'
                    "</table:table-cell>"
                )
            else:
                out.append(
                    f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p>'
                    "</table:table-cell>"
                )
        cells.append("<table:table-row>" + "".join(out) + "</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">'
        + "".join(cells)
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# --- finding the parts of a zip -----------------------------------------------------------------


def eocd(data: bytes) -> int:
    """Offset of the end-of-central-directory record."""
    return data.rindex(_EOCD)


def central_entries(data: bytes) -> dict[str, int]:
    """{part name: offset of its central directory entry}."""
    at = int.from_bytes(data[eocd(data) + 16 : eocd(data) + 20], "little")
    entries = {}
    while data[at : at + 4] == _CENTRAL:
        name_len, extra_len, comment_len = (int.from_bytes(data[at + o : at + o + 2], "little") for o in (28, 30, 32))
        entries[data[at + 46 : at + 46 + name_len].decode()] = at
        at += 46 + name_len + extra_len + comment_len
    return entries


def data_offset(data: bytes, name: str) -> int:
    """Offset of the compressed data of a part (after its local header)."""
    local = int.from_bytes(data[central_entries(data)[name] + 42 : central_entries(data)[name] + 46], "little")
    name_len, extra_len = (int.from_bytes(data[local + o : local + o + 2], "little") for o in (26, 28))
    return local + 30 + name_len + extra_len


def _patch(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


# --- the damage -----------------------------------------------------------------------------------


def corrupt_deflate(data: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A part whose deflate stream starts with an invalid block type (``zlib.error``)."""
    return _patch(data, data_offset(data, name), b"\xff")


def wrong_checksum(data: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A part whose content does not match the CRC-32 the directory gives for it."""
    at = central_entries(data)[name] + 16
    return _patch(data, at, bytes([data[at] ^ 0x01]))


def negative_header_offset(data: bytes) -> bytes:
    """The end record claims the directory starts 1000 bytes later than it does: the parts'
    local headers then lie before the start of the file (``OSError: [Errno 22]`` on seek)."""
    at = eocd(data) + 16
    offset = int.from_bytes(data[at : at + 4], "little")
    return _patch(data, at, (offset + 1000).to_bytes(4, "little"))


def utf8_flag_on_bad_name(data: bytes, name: str = "xl/styles.xml") -> bytes:
    """A part whose name is flagged UTF-8 but is not (``UnicodeDecodeError`` in zipfile)."""
    at = central_entries(data)[name]
    flags = int.from_bytes(data[at + 8 : at + 10], "little") | 0x800
    return _patch(_patch(data, at + 8, flags.to_bytes(2, "little")), at + 46, b"\xff")


def unknown_version(data: bytes, name: str = "xl/styles.xml") -> bytes:
    """A part that needs zip version 25.5 to extract (``NotImplementedError`` in zipfile)."""
    return _patch(data, central_entries(data)[name] + 6, b"\xff")


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    """A download cut off part of the way through."""
    return data[: int(len(data) * keep)]


def spliced_xls() -> bytes:
    """128 bytes of the xlsx sample spliced into the xls sample: calamine then asks for 2 GiB
    and the process aborts (found by the fuzzer)."""
    xls, xlsx = seed("table1_aid_team_legacy.xls"), seed("table1_aid_team.xlsx")
    return xls[:4270] + xlsx[2133:2261] + xls[4270:]


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The zip ``data`` with one part's content replaced (a valid zip: right checksums)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, content if info.filename == name else src.read(info))
    return buf.getvalue()
