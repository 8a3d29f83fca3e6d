"""Reading files: hostile files refused before parsing, formats and encodings, the header
recogniser and the row normalisers (with hypothesis)."""

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nuanxin.tables.imports import headers as h
from nuanxin.tables.imports import rows as r
from nuanxin.tables.imports.safety import FileRefused, check_file, kind_of
from nuanxin.tables.tests.import_fixtures import TABLE1_HEADER, table1, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _refused(tmp_path, name: str, data: bytes) -> str:
    path = _write(tmp_path, name, data)
    with pytest.raises(FileRefused) as exc:
        check_file(path, kind_of(name))
    return str(exc.value.message)


# --- hostile files ---------------------------------------------------------------------------


def test_unknown_extension_is_refused():
    with pytest.raises(FileRefused):
        kind_of("table.exe")


def test_over_the_size_limit_is_refused(tmp_path, settings):
    settings.NUANXIN_IMPORT_MAX_BYTES = 1000
    assert "limit" in _refused(tmp_path, "big.csv", b"a,b\n" * 400)


def test_content_not_matching_the_extension_is_refused(tmp_path):
    assert ".xlsx" in _refused(tmp_path, "fake.xlsx", b"name,phone\n")
    assert ".xls" in _refused(tmp_path, "fake.xls", b"PK\x03\x04 not ole2")
    assert ".csv" in _refused(tmp_path, "fake.csv", table1([]))
    assert ".ods" in _refused(tmp_path, "fake.ods", table1([]))  # a zip, but no ODS mimetype
    assert ".csv" in _refused(tmp_path, "nul.csv", b"a,b\x00\n")


def test_a_zip_that_is_no_workbook_is_refused(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    _refused(tmp_path, "plain.xlsx", buf.getvalue())


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    data = table1([])
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info))
        z.writestr("xl/media/padding.xml", b"<a>" + b" " * (30 * 1024 * 1024) + b"</a>")
    assert "zip bomb" in _refused(tmp_path, "bomb.xlsx", buf.getvalue())


def test_too_many_zip_entries_are_refused(tmp_path, settings):
    settings.NUANXIN_IMPORT_MAX_ZIP_ENTRIES = 20
    data = table1([])
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info))
        for i in range(30):
            z.writestr(f"xl/extra{i}.bin", b"x")
    assert "parts" in _refused(tmp_path, "many.xlsx", buf.getvalue())


def test_xml_entity_declarations_are_refused(tmp_path):
    data = table1([])
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "xl/workbook.xml":
                content = content.replace(
                    b"?>", b'?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>', 1
                )
            z.writestr(info, content)
    assert "entities" in _refused(tmp_path, "entities.xlsx", buf.getvalue())


def test_row_limit_is_checked_before_parsing(tmp_path, settings):
    settings.NUANXIN_IMPORT_MAX_ROWS = 10
    data = table1([[i, f"人{i}", "男", "医生", "", f"138{i:08d}", "", "", "", ""] for i in range(120)])
    assert "rows" in _refused(tmp_path, "long.xlsx", data)


def test_a_real_workbook_and_csv_pass(tmp_path):
    check_file(_write(tmp_path, "ok.xlsx", table1([])), "xlsx")
    check_file(_write(tmp_path, "ok.csv", "姓名,电话\n张三,13800000000\n".encode("gbk")), "csv")


# --- header recogniser -----------------------------------------------------------------------


def test_official_headers_with_line_breaks_and_two_phone_columns():
    columns = h.assign_columns(TABLE1_HEADER)
    assert columns == {
        h.SEQ: 0, h.NAME: 1, h.GENDER: 2, h.CATEGORY: 3, h.POST: 4, h.WORKER_PHONE: 5, h.FAMILY_NAME: 6,
        h.FAMILY_PHONE: 7, h.CONTACT: 8, h.DIFFICULTY: 9,
    }


def test_table3_headers_and_synonyms():
    columns = h.assign_columns(["姓名", "单位", "在武汉使用的\n手机号", "手机 运营商"])
    assert columns == {h.NAME: 0, h.UNIT: 1, h.DEPLOYED_PHONE: 2, h.CARRIER: 3}
    assert h.table_of(columns, "", "Sheet1") == (3, False)


def test_title_decides_between_table_1_and_2():
    columns = h.assign_columns(["姓名", "性别", "手机", "家属姓名", "家属电话"])
    assert h.table_of(columns, "青岛市援鄂医疗队成员联系表", "") == (1, True)
    assert h.table_of(columns, "抗疫一线医护职工联系表", "") == (2, True)


SYNONYM_SPELLINGS = st.sampled_from(
    [("姓名", h.NAME), ("职工姓名", h.NAME), ("电话", h.WORKER_PHONE), ("手机", h.WORKER_PHONE),
     ("联系电话", h.WORKER_PHONE), ("联系方式", h.WORKER_PHONE), ("性别", h.GENDER), ("职务职称", h.POST),
     ("存在困难", h.DIFFICULTY), ("工会联系人姓名", h.CONTACT)]
)


@settings(max_examples=200, deadline=None)
@given(
    word=SYNONYM_SPELLINGS,
    breaks=st.lists(st.sampled_from(["\n", " ", "\u3000", "\r\n", ""]), min_size=1, max_size=4),
    positions=st.lists(st.integers(min_value=0, max_value=8), min_size=1, max_size=4),
)
def test_header_words_survive_line_breaks_and_spaces(word, breaks, positions):
    text, key = word
    chars = list(text)
    for brk, pos in zip(breaks, positions, strict=False):
        chars.insert(min(pos, len(chars)), brk)
    spelled = "".join(chars)
    expected = h.PHONE if key == h.WORKER_PHONE else key
    assert h.header_key(spelled) == expected
    assert h.header_key(" " + spelled.upper() + "（必填）") == expected


def test_find_layout_skips_title_and_unit_rows():
    rows = [
        (1, ["附件2", "", ""]),
        (2, ["抗疫一线医护职工联系表"]),
        (3, ["（120转运团队）"]),
        (4, ["填报单位：", "青岛市急救中心", "填报日期：2月17日"]),
        (5, ["序号", "职工姓名", "性别", "人员类别", "职务职称", "联系方式", "家属姓名", "联系方式", "工会联系人姓名",
             "存在困难"]),
    ]
    layout = h.find_layout(rows, "Sheet1")
    assert (layout.header_line, layout.table, layout.unit_text, layout.team) == (5, 2, "青岛市急救中心", "ambulance")


# --- row values ------------------------------------------------------------------------------

MOBILE = st.from_regex(r"1(3[0-9]|5[0-35-9]|8[0-9])[0-9]{8}", fullmatch=True)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@settings(max_examples=200, deadline=None)
@given(mobile=MOBILE, style=st.sampled_from(["plain", "spaces", "dashes", "+86", "0086", "fullwidth", "86"]))
def test_phone_spellings_normalise_to_one_number(mobile, style):
    spelled = {
        "plain": mobile,
        "spaces": f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}",
        "dashes": f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
        "+86": f"+86 {mobile}",
        "0086": f"0086{mobile}",
        "fullwidth": mobile.translate(FULLWIDTH),
        "86": f"86{mobile}",
    }[style]
    reasons: list = []
    assert r.phone_value(spelled, "联系方式", reasons) == "+86" + mobile
    assert reasons == []


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(st.text(alphabet="张王李赵刘陈杨黄周吴伟芳娜敏静丽强磊军洋", min_size=2, max_size=3), min_size=1,
                   max_size=4, unique=True),
    sep=st.sampled_from(["、", "，", ",", ";", "；", "/", "\n"]),
    relation=st.sampled_from(["", "妻", "母亲", "父亲"]),
)
def test_family_cells_listing_several_people_split(names, sep, relation):
    rel = f"（{relation}）" if relation else ""
    mobiles = [f"1390000{i:04d}" for i in range(len(names))]
    reasons: list = []
    members = r.split_family(sep.join(n + rel for n in names), "、".join(mobiles), "", reasons)
    assert reasons == []
    assert [(m["name"], m["relation"], m["mobile"]) for m in members] == [
        (n, relation, "+86" + p) for n, p in zip(names, mobiles, strict=True)
    ]


def test_family_cell_example_of_the_issue():
    reasons: list = []
    members = r.split_family("李四（妻）、王五(母亲)", "13800000000、13900000000", "", reasons)
    assert [(m["name"], m["relation"], m["mobile"]) for m in members] == [
        ("李四", "妻", "+8613800000000"), ("王五", "母亲", "+8613900000000"),
    ]
    assert reasons == []


def test_more_family_phones_than_names_is_a_reason():
    reasons: list = []
    r.split_family("李四", "13800000000、13900000000", "", reasons)
    assert [x["code"] for x in reasons] == ["family_phone_without_name"]


@pytest.mark.parametrize(
    ("raw", "value"), [("男", "male"), (" 女 ", "female"), ("女性", "female"), ("Ｍ", "male"), ("", "")]
)
def test_gender_words(raw, value):
    reasons: list = []
    assert r.alias_value(raw, r.GENDER_ALIASES, "bad_gender", reasons) == value
    assert reasons == []


def test_xlsx_helper_writes_several_sheets():
    data = xlsx_bytes([], sheets={"附件1": [["a"]], "附件3": [["b"]]})
    assert zipfile.ZipFile(io.BytesIO(data)).namelist().count("xl/worksheets/sheet2.xml") == 1


NEUTRALISED = ["'=1+2", "'+86 138", "'-5", "'@司机", "'\t制表", "'\r回车", "'abc", "'", "''=x", "=1+2"]
READ_BACK = ["=1+2", "+86 138", "-5", "@司机", "\t制表", "\r回车", "'abc", "'", "''=x", "=1+2"]


def test_the_apostrophe_an_export_puts_before_a_formula_is_dropped_on_reading(tmp_path):
    """Exports write "'@司机" for "@司机" (core.exports.neutralise); read back, the cell is
    "@司机" again, in xlsx and csv alike. An apostrophe before anything else stays."""
    from nuanxin.tables.imports.reader import read_sheets

    xlsx = _write(tmp_path, "t.xlsx", xlsx_bytes([NEUTRALISED]))
    assert [cells for _line, cells in next(read_sheets(xlsx, "xlsx")).rows] == [READ_BACK]
    csv_path = _write(tmp_path, "t.csv", ",".join(f'"{c}"' for c in NEUTRALISED).encode("utf-8") + b"\n")
    assert [cells for _line, cells in next(read_sheets(csv_path, "csv")).rows] == [READ_BACK]


# --- fast paths of the normalisers agree with the libraries --------------------------------------


@settings(max_examples=500, deadline=None)
@given(digits=st.from_regex(r"1[0-9]{10}", fullmatch=True), plus=st.booleans())
def test_mobile_fast_path_agrees_with_phonenumbers(digits, plus):
    import phonenumbers

    from nuanxin.registry import normalise

    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        expected = None
    else:
        expected = (
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            if phonenumbers.is_valid_number(number)
            else None
        )
    try:
        got = normalise._parse_phone(("+86" if plus else "") + digits)
    except ValueError:
        got = None
    assert got == expected


NAME_CHARS = "张王李赵刘陈杨单曾解朴仇区查乐长重行传藏都长音乐银行重庆朝阳会计和平安乐天下一二三Ａａb"


@settings(max_examples=500, deadline=None)
@given(name=st.text(alphabet=NAME_CHARS, min_size=1, max_size=5))
def test_pinyin_fast_path_agrees_with_pypinyin(name):
    from pypinyin import Style, lazy_pinyin

    from nuanxin.registry import normalise

    key = normalise.name_key(name)
    if not key:
        return
    full = "".join(lazy_pinyin(key, errors=lambda chars: list(chars))).lower()
    initials = "".join(lazy_pinyin(key, style=Style.FIRST_LETTER, errors=lambda chars: list(chars))).lower()
    normalise.pinyin.cache_clear()
    assert normalise.pinyin(name) == (full, initials)
