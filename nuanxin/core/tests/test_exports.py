"""Spreadsheet exports: every text cell is neutralised against formula injection."""

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from python_calamine import CalamineWorkbook

from nuanxin.core import exports

DANGEROUS = ["=1+1", "+86 138 0000 0000", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\",\"点我\")"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_dangerous_text_gets_a_leading_apostrophe(value):
    assert exports.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "13800000000", "a=b", " =1", "'quoted", "", "市南区-1"])
def test_harmless_text_is_unchanged(value):
    assert exports.neutralise(value) == value


def test_none_and_numbers():
    assert exports.neutralise(None) == ""
    assert exports.neutralise(-5) == -5
    assert exports.neutralise(Decimal("-1.50")) == Decimal("-1.50")


def read_xlsx(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


ROWS = [
    ["=1+1", -5, Decimal("2.50"), date(2020, 2, 10), datetime(2020, 2, 10, 1, 30, tzinfo=ZoneInfo("UTC")), None, True],
    ["@cmd", "+86 138", "-x", "\tt", "\rr", "普通", False],
]
HEADERS = ["=H1", "b", "c", "d", "e", "f", "g"]


def test_xlsx_cells_are_neutralised_and_typed():
    rows = read_xlsx(exports.build_xlsx(HEADERS, ROWS, sheet_name="审计"))
    assert rows == [
        ["'=H1", "b", "c", "d", "e", "f", "g"],
        ["'=1+1", -5.0, 2.5, date(2020, 2, 10), datetime(2020, 2, 10, 9, 30), "", True],
        ["'@cmd", "'+86 138", "'-x", "'\tt", "'\rr", "普通", False],
    ]


def test_xlsx_never_stores_a_formula():
    data = exports.build_xlsx(HEADERS, ROWS)
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_csv_has_a_bom_and_neutralised_cells():
    buffer = io.StringIO()
    exports.write_csv(buffer, HEADERS, ROWS)
    text = buffer.getvalue()
    assert text.startswith("\ufeff")
    assert text[1:].splitlines() == [
        "'=H1,b,c,d,e,f,g",
        "'=1+1,-5,2.50,2020-02-10,2020-02-10 09:30:00,,True",
        "'@cmd,'+86 138,'-x,'\tt,\"'",
        "r\",普通,False",
    ]


def test_responses_are_attachments_with_a_utf8_filename():
    response = exports.xlsx_response("审计日志.xlsx", ["a"], [["b"]])
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E5%AE%A1%E8%AE%A1%E6%97%A5%E5%BF%97.xlsx"
    assert response["Cache-Control"] == "no-store"
    response = exports.csv_response("audit.csv", ["a"], [["=b"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="audit.csv"'
    assert response.content.decode("utf-8") == "\ufeffa\r\n'=b\r\n"
