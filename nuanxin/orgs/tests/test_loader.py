import io

import pytest
import xlsxwriter

from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import loader
from nuanxin.orgs.loader import Action, LineError, OrgRow
from nuanxin.orgs.models import Organisation

HEADER = "code,name,kind,parent_code\n"
TREE = HEADER + (
    "QD,青岛市总工会,city_federation,\n"
    "QD-SN,市南区总工会,区市总工会,QD\n"
    "QD-SN-01,市南区人民医院工会,基层工会,QD-SN\n"
    "QD-YW,青岛市医务工会,产业工会,QD\n"
    "QD-WJW,青岛市卫生健康委员会,卫健委,QD\n"
)


def load(text: str, *, actor=SYSTEM, dry_run=False, name="orgs.csv", encoding="utf-8"):
    rows = loader.read_rows(text.encode(encoding), name)
    return loader.load_organisations(actor=actor, rows=rows, dry_run=dry_run)


def tree() -> list[tuple[str, str, str, str]]:
    return [(o.code, o.name, o.kind, o.parent_code) for o in Organisation.objects.order_by("path")]


def errors(result) -> list[tuple[int, str]]:
    return [(e.line, e.message) for e in result.errors]


def xlsx_bytes(rows: list[list]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("组织")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def loaded(db):
    result = load(TREE)
    assert result.ok
    return result


def test_load_builds_the_tree_parent_before_child_with_kinds_from_chinese_names(db):
    # Children listed before their parents still load: rows are written in tree order.
    text = HEADER + (
        "QD-SN-01,市南区人民医院工会,单位工会,QD-SN\n"
        "QD-SN,市南区总工会,区总工会,QD\n"
        "QD,青岛市总工会,市总工会,\n"
    )
    result = load(text)
    assert result.ok and result.written
    assert [(o.line, o.code, o.action) for o in result.outcomes] == [
        (2, "QD-SN-01", Action.CREATED),
        (3, "QD-SN", Action.CREATED),
        (4, "QD", Action.CREATED),
    ]
    assert tree() == [
        ("QD", "青岛市总工会", "city_federation", ""),
        ("QD-SN", "市南区总工会", "district_federation", "QD"),
        ("QD-SN-01", "市南区人民医院工会", "unit_union", "QD-SN"),
    ]
    assert AuditLog.objects.filter(action="org.create", actor=None).count() == 3


def test_loading_the_same_file_twice_changes_nothing(loaded):
    before = tree()
    audit_rows = AuditLog.objects.count()
    history_rows = Organisation.history.count()
    result = load(TREE)
    assert result.ok
    assert [o.action for o in result.outcomes] == [Action.UNCHANGED] * 5
    assert tree() == before
    assert AuditLog.objects.count() == audit_rows
    assert Organisation.history.count() == history_rows


def test_a_changed_parent_is_a_move_reported_and_audited(loaded):
    text = HEADER + "QD-SN-01,市南区人民医院工会,unit_union,QD-YW\nQD-YW,青岛市医务工会,industry_union,QD\n"
    result = load(text)
    assert result.ok
    assert [(o.line, o.code, o.action, o.old_parent, o.new_parent) for o in result.outcomes] == [
        (2, "QD-SN-01", Action.MOVED, "QD-SN", "QD-YW"),
        (3, "QD-YW", Action.UNCHANGED, "QD", "QD"),
    ]
    assert Organisation.objects.get(code="QD-SN-01").parent_code == "QD-YW"
    move = AuditLog.objects.get(action="org.move")
    assert move.detail == {"from": "QD-SN", "to": "QD-YW"}


def test_renames_and_kind_changes_are_updates(loaded):
    result = load(HEADER + "QD-WJW,青岛市卫健委,其他,QD\n")
    assert [(o.code, o.action) for o in result.outcomes] == [("QD-WJW", Action.UPDATED)]
    org = Organisation.objects.get(code="QD-WJW")
    assert (org.name, org.kind) == ("青岛市卫健委", "other")
    assert AuditLog.objects.filter(action="org.update").count() == 1


def test_every_error_is_reported_by_line_and_nothing_is_written(loaded):
    before = tree()
    audit_rows = AuditLog.objects.count()
    text = HEADER + (
        "QD-NEW,新工会,unit_union,QD\n"  # 2: fine on its own
        "QD-A,甲工会,unit_union,QD-X\n"  # 3: unknown parent
        "QD-B,乙工会,unit_union,QD-C\n"  # 4: cycle
        "QD-C,丙工会,unit_union,QD-B\n"  # 5: cycle
        "QD-D,,unit_union,QD\n"  # 6: empty name
        "QD-E,戊工会,工厂,QD\n"  # 7: unknown kind
        "QD-NEW,重复,unit_union,QD\n"  # 8: duplicate code
        "QD-F,己工会,unit_union,\n"  # 9: a second root
        "QD,青岛市总工会,city_federation,QD-SN\n"  # 10: the root moved
        "QD-SN,市南区总工会,district_federation,QD-SN-01\n"  # 11: under its own child (in the tree)
        ",无代码,unit_union,QD\n"  # 12: empty code
        "QD G,有空格,unit_union,QD\n"  # 13: a space in the code
        "QD-H,自己,unit_union,QD-H\n"  # 14: its own parent
        "QD-I,无类型,,QD\n"  # 15: empty kind
    )
    result = load(text)
    assert not result.ok and not result.written
    assert result.outcomes == []
    assert errors(result) == [
        (3, "unknown parent “QD-X”: it is neither in the file nor in the tree."),
        (4, "“QD-B” would lie under itself: QD-B → QD-C → QD-B."),
        (5, "“QD-C” would lie under itself: QD-C → QD-B → QD-C."),
        (6, "the name is empty."),
        (7, "unknown kind “工厂”; use one of city_federation, district_federation, industry_union, unit_union, "
            "health_bureau, other or its Chinese name."),
        (8, "the code “QD-NEW” already appears on line 2."),
        (9, "“QD-F” has no parent, but the tree already has its root “QD”."),
        (10, "“QD” is the root organisation and cannot be moved."),
        (11, "“QD-SN” would lie under itself: QD-SN → QD-SN-01 → QD-SN."),
        (12, "the code is empty."),
        (13, "the code “QD G” must be 1–64 characters without spaces."),
        (14, "“QD-H” cannot be its own parent."),
        (15, "the kind is empty."),
    ]
    assert str(result.errors[0]) == "Line 3: unknown parent “QD-X”: it is neither in the file nor in the tree."
    assert tree() == before
    assert AuditLog.objects.count() == audit_rows


def test_an_existing_organisation_without_parent_is_an_error(loaded):
    result = load(HEADER + "QD-YW,青岛市医务工会,industry_union,\n")
    assert errors(result) == [(2, "“QD-YW” has no parent, but only the root organisation may have none.")]


def test_an_empty_tree_takes_one_root_only(db):
    result = load(HEADER + "A,甲,other,\nB,乙,other,\n")
    assert errors(result) == [(3, "“B” has no parent, but line 2 already gives the root.")]
    assert Organisation.objects.count() == 0


def test_a_refusal_while_writing_rolls_everything_back(personas):
    p = personas
    before = tree()
    # 乙 may add under 市南区 but not under 市北区: the second line is refused, so the first is undone.
    text = HEADER + "SN-H2,市南区第二医院工会,unit_union,SN\nSB-H2,市北区第二医院工会,unit_union,SB\n"
    result = load(text, actor=p.yi)
    assert errors(result) == [(3, "You may not add organisations here.")]
    assert result.outcomes == []
    assert tree() == before
    result = load(HEADER + "SN-H2,市南区第二医院工会,unit_union,SN\n", actor=p.yi)
    assert [(o.code, o.action) for o in result.outcomes] == [("SN-H2", Action.CREATED)]
    assert AuditLog.objects.get(action="org.create", actor=p.yi).detail["parent_code"] == "SN"


def test_dry_run_reports_and_writes_nothing(db):
    result = load(TREE, dry_run=True)
    assert result.ok and not result.written
    assert [o.action for o in result.outcomes] == [Action.CREATED] * 5
    assert Organisation.objects.count() == 0
    assert AuditLog.objects.count() == 0


def test_gbk_csv_with_bom_less_chinese_headers(db):
    text = "代码,名称,类型,上级代码\nQD,青岛市总工会,市总工会,\nQD-SN,市南区总工会,区（市）总工会,QD\n"
    result = load(text, encoding="gbk")
    assert result.ok
    assert tree() == [("QD", "青岛市总工会", "city_federation", ""),
                      ("QD-SN", "市南区总工会", "district_federation", "QD")]


def test_utf8_with_bom_tabs_blank_lines_and_line_numbers(db):
    text = "\ufeffcode\tname\tkind\tparent_code\n\nQD\t青岛市总工会\tcity_federation\t\n\nQD-X\t\t\tQD\n"
    rows = loader.read_rows(text.encode("utf-8"), "orgs.csv")
    assert rows == [
        OrgRow(line=3, code="QD", name="青岛市总工会", kind="city_federation", parent_code=""),
        OrgRow(line=5, code="QD-X", name="", kind="", parent_code="QD"),
    ]


def test_line_numbers_count_lines_inside_quoted_cells(db):
    text = HEADER + 'QD,"青岛市\n总工会",city_federation,\nQD-A,,unit_union,QD\n'
    result = load(text)
    assert errors(result) == [(4, "the name is empty.")]


def test_full_width_codes_are_normalised(db):
    text = HEADER + "ＱＤ,青岛市总工会,city_federation,\nＱＤ－０１,一号工会,unit_union,ＱＤ\n"
    assert load(text).ok
    assert [o.code for o in Organisation.objects.order_by("path")] == ["QD", "QD-01"]


def test_xlsx_with_numeric_codes_and_labels_in_both_languages(db):
    data = xlsx_bytes([
        ["code", "name", "kind", "parent_code"],
        [100, "青岛市总工会", "City federation of trade unions", None],
        [None, None, None, None],
        [101, "市南区总工会", "district_federation", 100],
        [10101, "市南区人民医院工会", "基层工会", 101],
    ])
    rows = loader.read_rows(data, "组织.xlsx")
    assert [(r.line, r.code, r.parent_code) for r in rows] == [(2, "100", ""), (4, "101", "100"), (5, "10101", "101")]
    result = loader.load_organisations(actor=SYSTEM, rows=rows)
    assert result.ok
    assert tree() == [
        ("100", "青岛市总工会", "city_federation", ""),
        ("101", "市南区总工会", "district_federation", "100"),
        ("10101", "市南区人民医院工会", "unit_union", "101"),
    ]


def test_xlsx_errors_carry_the_spreadsheet_row(db):
    data = xlsx_bytes([
        ["代码", "名称", "类型", "上级代码"],
        ["QD", "青岛", "市总工会", None],
        ["A", "甲", "基层工会", "ZZ"],
    ])
    result = loader.load_organisations(actor=SYSTEM, rows=loader.read_rows(data, "t.xlsx"))
    assert errors(result) == [(3, "unknown parent “ZZ”: it is neither in the file nor in the tree.")]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"code,name\nA,B\n", "x.csv", "The first line must name the columns code, name, kind, parent_code; "
                                       "missing: kind, parent_code."),
        (b"", "x.csv", "The file is empty."),
        (b"code\xff\xff,name\n", "x.csv", "The file is neither UTF-8 nor GBK text."),
        (b"code,name,kind,parent_code\n", "x.pdf", "Unsupported file type “.pdf”: use .csv, .xlsx, .xls or .ods."),
    ],
)
def test_unusable_files_are_refused(db, data, name, message):
    with pytest.raises(ServiceError) as exc:
        loader.read_rows(data, name)
    assert exc.value.message == message


def test_a_broken_spreadsheet_is_refused(db):
    with pytest.raises(ServiceError) as exc:
        loader.read_rows(b"not a zip file", "x.xlsx")
    assert exc.value.message.startswith("The spreadsheet cannot be read: ")


def test_line_error_reads_as_a_sentence():
    assert str(LineError(7, "the name is empty.")) == "Line 7: the name is empty."
