"""Write the sample table files a user can try the importer on (reproducible).

    .venv/bin/python docs/samples/make_samples.py

They look like files units really send: a title row, a 填报单位 row, headers with line breaks,
a 序号 column, full-width digits, phones written with spaces, dashes or +86, a family cell
listing two people, a merged worker cell continued on the next row, a person listed twice,
a bad phone, blank rows and a 填表人 footer. The unit is 青岛大学附属医院 (QD-SN-01 in the
demo data), whose care contact is 张联络.

``table1_aid_team_legacy.xls`` holds the same table in the legacy Excel 97–2003 format that
older WPS and Excel installations still save. Writing it needs ``xlwt`` (``.venv/bin/pip install
xlwt``, a tool for this script only, not a dependency of Nuanxin); without it the committed file
is left as it is.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
CREATED = datetime.datetime(2020, 2, 17, 9, 0, 0)  # fixed, so the files are the same on every run
UNIT = "青岛大学附属医院"

TABLE1_HEADERS = ["序号", "职工\n姓名", "性\n别", "人员\n类别", "职务职称", "联系\n方式", "家属\n姓名", "联系\n方式",
                  "工会联系人姓名", "存在困难"]
TABLE1_ROWS = [
    # 序号, name, gender, category, post, phone, family, family phone, contact, difficulty
    [1, "张  伟", "男", "医生", "主治医师", "１３８０５３２１２３４", "李娜（妻）", "139 0532 0001", "张联络",
     "孩子上网课无人照看"],
    [2, "刘洋", "女", "护士", "主管护师", "+86 138-0532-1235", "刘建国(父亲)、陈秀英（母亲）",
     "13905320002、13905320003", "张联络", "无"],
    [3, "陈静", "女", "护士", "护师", "138 0532 1236", "赵强（丈夫）", "13905320004", "", ""],
    [None, "", "", "", "", "", "陈小明（儿子）", "13905320005", "", ""],  # merged worker cells
    None,  # a blank row
    [4, "王芳", "女性", "护理", "护士长", 13805321237, "孙磊（丈夫）", "0086 139 0532 0006", "李老师",
     "父母年迈需要照顾"],
    [5, "张伟", "男", "医生", "主治医师", "138-0532-1234", "李娜（妻）", "13905320001", "张联络", "孩子上网课无人照看"],
    [6, "李强", "男", "医技", "检验技师", "1380532123", "周红（妻）", "13905320007", "", ""],
    [7, "周敏", "女", "护士", "护师", "13805321239", "周建华（父亲）", "13905320008", "", "家中老人独居"],
]

TABLE2_ROWS = [
    [1, "马超", "男 ", "医生", "副主任医师", "138 0532 2001", "马丽(妻子)", "139-0532-2001", "张联络", ""],
    [2, "杨帆", "女", "医技", "检验师", "１３８０５３２２００２", "杨林（父亲）", "13905322002", "", "需要防护用品"],
    [3, "黄磊", "男", "其他", "流调队员", "13805322003", "", "", "", ""],
    [4, "吴倩", "未知", "护士", "护师", "13805322004", "吴刚（哥哥）", "13905322004", "", ""],
    [5, "马超", "男", "医生", "副主任医师", "13805322001", "马丽(妻子)", "13905322001", "张联络", ""],
    [6, "陈静", "女", "护士", "护师", "13805329999", "", "", "", ""],
]

TABLE3_ROWS = [
    [1, "张伟", UNIT, "186 0532 0001", "联通"],
    [2, "刘洋", UNIT, "13905321111", ""],
    [3, "王芳", "", "189-0532-0003", "中国电信"],
    [4, "孙悟空", UNIT, "13905329999", "移动"],
]


def write_table1(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": CREATED})
    ws = wb.add_worksheet("附件1")
    wrap = wb.add_format({"text_wrap": True, "bold": True, "align": "center", "valign": "vcenter", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    cell = wb.add_format({"border": 1})
    ws.write(0, 0, "附件1")
    ws.merge_range(1, 0, 1, 9, "青岛市援鄂医疗队成员联系表", title)
    ws.write(2, 0, f"填报单位：{UNIT}（盖章）        填报日期：2020年2月17日")
    ws.set_row(3, 32)
    ws.write_row(3, 0, TABLE1_HEADERS, wrap)
    line = 4
    for row in TABLE1_ROWS:
        if row is None:
            line += 1
            continue
        for col, value in enumerate(row):
            if value is None or value == "":
                ws.write_blank(line, col, None, cell)
            elif isinstance(value, int) and col == 5:
                ws.write_number(line, col, value, cell)  # a phone typed as a number
            else:
                ws.write(line, col, value, cell)
        line += 1
    # 陈静's name cell merged over her two family rows, as units do
    ws.merge_range(6, 1, 7, 1, "陈静", cell)
    line += 1
    ws.write(line, 0, "填表人：王丽    联系电话：0532-82789000")
    ws.set_column(1, 9, 14)
    wb.close()


def write_table2(path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["抗疫一线医护职工联系表"])
    writer.writerow(["（疾控检测流调团队）"])
    writer.writerow([f"填报单位：{UNIT}", "", "", "", "", "", "填报日期：2020年2月17日"])
    writer.writerow(
        ["序号", "职工姓名", "性别", "人员类别", "职务/职称", "联系电话",
         "家属姓名", "家属电话", "工会联系人", "存在困难"]
    )
    for row in TABLE2_ROWS:
        writer.writerow(row)
    writer.writerow([])
    path.write_bytes(out.getvalue().encode("gbk"))


def write_table3(path: Path) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": CREATED})
    ws = wb.add_worksheet("附件3")
    bold = wb.add_format({"bold": True, "border": 1})
    ws.write(0, 0, "附件3")
    ws.write(1, 0, "青岛市援鄂医疗队成员在鄂期间联系方式统计表")
    ws.write_row(2, 0, ["序号", "姓名", "单位", "在武汉使用的\n手机号", "手机运营商"], bold)
    for i, row in enumerate(TABLE3_ROWS):
        ws.write_row(3 + i, 0, row)
    wb.close()


def write_table1_xls(path: Path) -> bool:
    """The table-1 sample, cell for cell, as a legacy .xls (BIFF8) file."""
    try:
        import xlwt
    except ImportError:
        print("xlwt is not installed: left", path.name, "as it is")
        return False
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("附件1")
    wrap = xlwt.easyxf("font: bold on; align: wrap on, horiz center, vert center")
    ws.write(0, 0, "附件1")
    title = xlwt.easyxf("font: bold on, height 320; align: horiz center")
    ws.write_merge(1, 1, 0, 9, "青岛市援鄂医疗队成员联系表", title)
    ws.write(2, 0, f"填报单位：{UNIT}（盖章）        填报日期：2020年2月17日")
    for col, header in enumerate(TABLE1_HEADERS):
        ws.write(3, col, header, wrap)
    line = 4
    for row in TABLE1_ROWS:
        if row is None:
            line += 1
            continue
        for col, value in enumerate(row):
            if value is not None and value != "" and not (line in (6, 7) and col == 1):
                ws.write(line, col, value)  # a phone typed as a number stays a number
        line += 1
    ws.write_merge(6, 7, 1, 1, "陈静")
    ws.write(line + 1, 0, "填表人：王丽    联系电话：0532-82789000")
    wb.save(str(path))
    return True


def main() -> None:
    write_table1(HERE / "table1_aid_team.xlsx")
    write_table1_xls(HERE / "table1_aid_team_legacy.xls")
    write_table2(HERE / "table2_frontline_gbk.csv")
    write_table3(HERE / "table3_wuhan_phones.xlsx")
    print("wrote", ", ".join(p.name for p in sorted(HERE.glob("table*"))))


if __name__ == "__main__":
    main()
