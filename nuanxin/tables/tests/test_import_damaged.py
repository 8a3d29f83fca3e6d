"""Damaged files are refused with one clear message and nothing written: the four kinds a
fuzzer found escaping as exceptions (corrupt deflate data, a seek before the file's start, a
part name flagged UTF-8 that is not, an unknown zip version) and the others a broken
download or attachment gives. Each file is made from the sample tables (damaged_files)."""

import io

import pytest
import xlsxwriter
from django.urls import reverse

from nuanxin.accounts.services import create_api_token
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.import_models import ImportBatch, ImportRow
from nuanxin.registry.models import FamilyMember, Worker
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.reader import read_sheets
from nuanxin.tables.imports.safety import FileRefused, check_file
from nuanxin.tables.tests import damaged_files as d
from nuanxin.tables.tests.import_fixtures import import_bytes, table1

pytestmark = pytest.mark.usefixtures("english")

DAMAGED = (
    "The file is damaged and cannot be read (an incomplete download or a broken e-mail attachment, for "
    "example). Open it in Excel or WPS, save it again and upload the saved file, or ask the sender for the "
    "file again."
)
XLSX = "table1_aid_team.xlsx"
ODS = "table1_aid_team.ods"
XLS = "table1_aid_team_legacy.xls"


def _sparse_xlsx() -> bytes:
    """Two cells a whole sheet apart: calamine would ask for 512 GiB and abort the process."""
    buf = io.BytesIO()
    workbook = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = workbook.add_worksheet("附件1")
    sheet.write_string(0, 0, "姓名")
    sheet.write_string(1048575, 16383, "张三")
    workbook.close()
    return buf.getvalue()


# (file name, how the sample table was damaged)
CASES = {
    "deflate.xlsx": lambda: d.corrupt_deflate(d.seed(XLSX)),  # zlib.error before
    "seek.xlsx": lambda: d.negative_header_offset(d.seed(XLSX)),  # OSError [Errno 22] before
    "name.xlsx": lambda: d.utf8_flag_on_bad_name(d.seed(XLSX)),  # UnicodeDecodeError before
    "version.xlsx": lambda: d.unknown_version(d.seed(XLSX)),  # NotImplementedError before
    "checksum.xlsx": lambda: d.wrong_checksum(d.seed(XLSX)),
    "cut.xlsx": lambda: d.truncated(d.seed(XLSX)),
    "no-directory.xlsx": lambda: d.seed(XLSX)[: d.eocd(d.seed(XLSX)) + 10],
    "broken-xml.xlsx": lambda: d.with_part(d.seed(XLSX), "xl/workbook.xml", b"<workbook><sheets><sheet name="),
    "whole-grid.xlsx": _sparse_xlsx,
    "deflate.ods": lambda: d.corrupt_deflate(d.seed(ODS), "content.xml"),
    "cut.ods": lambda: d.truncated(d.seed(ODS), 0.8),
    "seek.ods": lambda: d.negative_header_offset(d.seed(ODS)),
    "cut.xls": lambda: d.truncated(d.seed(XLS)),
    "spliced.xls": d.spliced_xls,  # calamine aborts the process asking for 2 GiB
    "open-quote.csv": lambda: d.seed("table2_frontline_gbk.csv") + b'"' + "长".encode("gbk") * 140_000,
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_damaged_file_is_refused_with_the_damaged_message(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CASES[name]())
    with pytest.raises(FileRefused) as exc:
        check_file(path, d.kind(name))
    assert str(exc.value.message) == DAMAGED


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.xlsx", b"", "The file is empty."),
        ("empty.csv", b"", "The file is empty."),
        ("utf16.csv", "姓名,联系方式\n张三,13800000000\n".encode("utf-16"),
         "The file's content is not a .csv file as its name says; it was not read."),
        ("big5.csv", "姓名\n".encode() + b"\xff\xfe\xfd", "The CSV file is neither UTF-8 nor GBK text."),
        ("cut-head.xls", b"\xd0\xcf\x11\xe0",
         "The file's content is not a .xls file as its name says; it was not read."),
    ],
)
def test_other_broken_files_keep_their_own_clear_message(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(FileRefused) as exc:
        check_file(path, d.kind(name))
    assert str(exc.value.message) == message


def test_the_intact_samples_still_pass_the_check_and_are_read(tmp_path):
    for name in d.SEEDS:
        path = tmp_path / name
        path.write_bytes(d.seed(name))
        check_file(path, d.kind(name))
        sheets: list[dict] = []
        rows = list(pl.iter_file(path, d.kind(name), default_team="", sheets=sheets))
        assert len(rows) == {"table3_wuhan_phones.xlsx": 4, "table2_frontline_gbk.csv": 6}.get(name, 7), name


def test_a_cell_of_a_million_characters_is_read_and_its_row_rejected(tmp_path):
    huge = "张" * 1_000_000
    path = tmp_path / "huge.xlsx"
    path.write_bytes(table1([[1, huge, "男", "医生", "", "13800000000"], [2, "王芳", "女", "护士", "", "13800000001"]]))
    check_file(path, "xlsx")
    rows = list(pl.iter_file(path, "xlsx", default_team="", sheets=[]))
    assert [(r.line, [x["code"] for x in r.reasons]) for r in rows] == [(3, ["name_too_long"]), (4, [])]


def test_the_reader_refuses_a_damaged_workbook_read_without_the_check(tmp_path):
    """The reader's own second line, for a file that skipped ``check_file``."""
    path = tmp_path / "cut.xls"
    path.write_bytes(d.truncated(d.seed(XLS)))
    with pytest.raises(FileRefused) as exc:
        list(read_sheets(path, "xls"))
    assert str(exc.value.message) == DAMAGED


# --- nothing written, whichever way the file came ---------------------------------------------------


def _nothing_written():
    assert (ImportBatch.objects.count(), ImportRow.objects.count()) == (0, 0)
    assert (Worker.objects.count(), FamilyMember.objects.count()) == (0, 0)


ISSUE_CASES = ["deflate.xlsx", "seek.xlsx", "name.xlsx", "version.xlsx", "spliced.xls", "cut.ods"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ISSUE_CASES)
def test_the_service_refuses_and_writes_nothing_but_the_refusal_audit(world, name):
    with pytest.raises(FileRefused) as exc:
        import_bytes(world.p.yi, world.unit, CASES[name](), filename=name)
    assert str(exc.value.message) == DAMAGED
    _nothing_written()
    row = AuditLog.objects.get(action="import.refuse")
    assert (row.actor_id, row.detail["file"], row.detail["reason"]) == (world.p.yi.pk, name, DAMAGED)


@pytest.mark.django_db
def test_the_command_prints_the_message_without_a_traceback_and_exits_1(world, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "deflate.xlsx"
    path.write_bytes(CASES["deflate.xlsx"]())
    with pytest.raises(SystemExit) as exc:
        call_command("import_tables", str(path), "--org", "QD-SN-01")
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"Refused: {DAMAGED}\n")
    _nothing_written()


@pytest.mark.django_db
def test_the_page_shows_the_message(client, world):
    client.force_login(world.p.yi)
    client.cookies["nuanxin_language"] = "en"
    f = io.BytesIO(CASES["version.xlsx"]())
    f.name = "version.xlsx"
    response = client.post(reverse("tables:imports:list"), {"file": f, "organisation": str(world.unit.pk)})
    assert response.status_code == 200
    assert DAMAGED in response.content.decode()
    _nothing_written()


@pytest.mark.django_db
def test_the_api_answers_400_with_the_message(client, world):
    _token, plaintext = create_api_token(actor=SYSTEM, user=world.p.yi, expires_days=1)
    f = io.BytesIO(CASES["name.xlsx"]())
    f.name = "name.xlsx"
    response = client.post(
        "/api/v1/imports",
        {"file": f, "org": "QD-SN-01"},
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["message"]) == ("file_refused", DAMAGED)
    _nothing_written()
