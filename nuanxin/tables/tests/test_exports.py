"""Tables 1–3 in the official layout, read back with python-calamine, cell by cell."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from nuanxin.care.models import Difficulty
from nuanxin.care.services import open_difficulty
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services
from nuanxin.registry.models import Worker
from nuanxin.registry.tests.helpers import assign, make_worker
from nuanxin.tables import exports

pytestmark = pytest.mark.django_db

TABLE12_HEADER = [
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
]
TABLE3_HEADER = ["序号", "姓名", "单位", "在武汉使用的手机号", "手机运营商"]


def sheets(content: bytes) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.fixture
def register(personas):
    sn, sb = personas.shinan_hospital, personas.shibei_hospital
    zhang = make_worker(sn, "张三", mobile="13812345678", gender="female", category="nurse", post_title="主管护师")
    services.add_family_member(actor=SYSTEM, worker=zhang, name="李明", relation="丈夫", mobile="13900001111")
    services.add_family_member(actor=SYSTEM, worker=zhang, name="张母", relation="母亲", mobile="13900002222")
    assign(zhang, personas.care)
    open_difficulty(actor=SYSTEM, worker=zhang, description="孩子无人照看")
    open_difficulty(actor=SYSTEM, worker=zhang, description="老人需要送药")
    closed = open_difficulty(actor=SYSTEM, worker=zhang, description="已解决的困难")
    Difficulty.objects.filter(pk=closed.pk).update(status="closed")
    li = make_worker(
        sn,
        "李四",
        mobile="13800004321",
        gender="male",
        category="doctor",
        contact_name_hint="王工会",
        post_title='=HYPERLINK("http://x")',
    )
    make_worker(sn, "王五", mobile="13800005555", team="cdc", category="technician")
    make_worker(sn, "钱七", mobile="13800007777", team="hubei_aid", status="archived")
    zhao = make_worker(sb, "赵六", mobile="13800006666", team="hubei_aid")
    services.save_deployment(
        actor=SYSTEM, worker=zhang, batch="第一批", deployed_mobile="18600001234", departed_on="2020-02-09"
    )
    services.save_deployment(actor=SYSTEM, worker=li, batch="第二批", deployed_mobile="13900003333")
    services.save_deployment(actor=SYSTEM, worker=zhao, batch="第一批", deployed_mobile="+86 189 0000 5678")
    return personas


@time_machine.travel(datetime.datetime(2020, 2, 17, 10, tzinfo=datetime.UTC))
def test_table1_official_layout(register):
    p = register
    result = exports.export_table(actor=p.yi, organisation=p.shinan, table=1)
    assert result.rows == 2
    assert result.filename == "青岛市援鄂医疗队成员联系表_SN_20200217.xlsx"
    book = sheets(result.content)
    assert list(book) == ["附件1"]
    assert book["附件1"] == [
        ["青岛市援鄂医疗队成员联系表", "", "", "", "", "", "", "", "", ""],
        ["填报单位：市南区总工会", "", "", "", "", "填报日期：2020年2月17日", "", "", "", ""],
        TABLE12_HEADER,
        ["1", "李四", "男", "医生", '\'=HYPERLINK("http://x")', "13800004321", "", "", "王工会", ""],
        [
            "2",
            "张三",
            "女",
            "护士",
            "主管护师",
            "13812345678",
            "李明",
            "13900001111",
            "联系人",
            "孩子无人照看；老人需要送药",
        ],
    ]
    row = AuditLog.objects.get(action="registry.export")
    assert (row.actor, row.organisation, row.detail) == (
        p.yi,
        p.shinan,
        {"table": 1, "rows": 2, "by_carrier": False, "psychological_shown": 0, "health_shown": 0, "withheld": 0},
    )


@time_machine.travel(datetime.datetime(2020, 2, 17, 10, tzinfo=datetime.UTC))
def test_table2_is_the_other_frontline_teams(register):
    p = register
    result = exports.export_table(actor=p.jia, organisation=p.city, table=2)
    assert sheets(result.content)["附件2"] == [
        ["抗疫一线医护职工联系表", "", "", "", "", "", "", "", "", ""],
        ["（定点医疗机构确诊病例救治团队、疾控检测流调团队、120转运团队）", "", "", "", "", "", "", "", "", ""],
        ["填报单位：青岛市总工会", "", "", "", "", "填报日期：2020年2月17日", "", "", "", ""],
        TABLE12_HEADER,
        ["1", "王五", "", "医技", "", "13800005555", "", "", "", ""],
    ]


@time_machine.travel(datetime.datetime(2020, 2, 17, 10, tzinfo=datetime.UTC))
def test_table3_and_its_carrier_split(register):
    p = register
    result = exports.export_table(actor=p.jia, organisation=p.city, table=3)
    assert result.rows == 3
    assert sheets(result.content)["附件3"] == [
        ["青岛市援鄂医疗队成员在鄂期间联系方式统计表", "", "", "", ""],
        ["填报单位：青岛市总工会", "", "", "填报日期：2020年2月17日", ""],
        TABLE3_HEADER,
        ["1", "赵六", "市北区人民医院工会", "18900005678", "电信"],
        ["2", "李四", "市南区人民医院工会", "13900003333", "移动"],
        ["3", "张三", "市南区人民医院工会", "18600001234", "联通"],
    ]
    split = exports.export_table(actor=p.jia, organisation=p.city, table=3, by_carrier=True)
    assert split.rows == 3
    assert split.filename == "青岛市援鄂医疗队成员在鄂期间联系方式统计表_按运营商_CITY_20200217.xlsx"
    book = sheets(split.content)
    assert list(book) == ["移动", "联通", "电信"]
    assert book["移动"][3:] == [["1", "李四", "市南区人民医院工会", "13900003333", "移动"]]
    assert book["联通"][3:] == [["1", "张三", "市南区人民医院工会", "18600001234", "联通"]]
    assert book["电信"][3:] == [["1", "赵六", "市北区人民医院工会", "18900005678", "电信"]]
    assert book["电信"][2] == TABLE3_HEADER
    # 丙 sees 市北区 only; a number without a carrier gets its own sheet.
    zhao_dep = p.shibei_hospital.workers.get().deployments.get()
    services.save_deployment(actor=SYSTEM, worker=zhao_dep.worker, deployment=zhao_dep, carrier="broadnet")
    book = sheets(exports.export_table(actor=p.bing, organisation=p.shibei, table=3, by_carrier=True).content)
    assert list(book) == ["移动", "联通", "电信", "广电"]
    assert [len(rows) - 3 for rows in book.values()] == [0, 0, 0, 1]
    rows = AuditLog.objects.filter(action="registry.export").order_by("id")
    assert [r.detail for r in rows] == [
        {"table": 3, "rows": 3, "by_carrier": False},
        {"table": 3, "rows": 3, "by_carrier": True},
        {"table": 3, "rows": 1, "by_carrier": True},
    ]


@time_machine.travel(datetime.datetime(2020, 2, 17, 10, tzinfo=datetime.UTC))
def test_table3_lists_only_the_aid_teams_deployments(register):
    """Table 3 is the aid team's table: a deployment recorded for a worker of another team (or
    left on a worker moved to another team) is not listed, plain or split by carrier, since
    the importer refuses table 3 rows that match no aid-team worker."""
    p = register
    wang = Worker.objects.get(name="王五")  # 疾控检测流调团队
    services.save_deployment(actor=SYSTEM, worker=wang, batch="第一批", deployed_mobile="13900007777")
    li = Worker.objects.get(name="李四")
    services.update_worker(actor=SYSTEM, worker=li, team="designated_hospital")
    result = exports.export_table(actor=p.jia, organisation=p.city, table=3)
    assert result.rows == 2
    assert sheets(result.content)["附件3"][3:] == [
        ["1", "赵六", "市北区人民医院工会", "18900005678", "电信"],
        ["2", "张三", "市南区人民医院工会", "18600001234", "联通"],
    ]
    split = exports.export_table(actor=p.jia, organisation=p.city, table=3, by_carrier=True)
    assert split.rows == 2
    book = sheets(split.content)
    assert {name: rows[3:] for name, rows in book.items()} == {
        "移动": [],
        "联通": [["1", "张三", "市南区人民医院工会", "18600001234", "联通"]],
        "电信": [["1", "赵六", "市北区人民医院工会", "18900005678", "电信"]],
    }
    assert [r.detail["rows"] for r in AuditLog.objects.filter(action="registry.export").order_by("id")] == [2, 2]


def test_phones_are_text_cells(register):
    content = exports.export_table(actor=SYSTEM, organisation=register.city, table=1).content
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    values = book.get_sheet_by_name("附件1").to_python()
    assert all(isinstance(cell, str) for row in values for cell in row)


def test_export_scope(register):
    p = register
    with pytest.raises(NotAllowed):
        exports.export_table(actor=p.bing, organisation=p.shinan, table=1)
    with pytest.raises(NotAllowed):
        exports.export_table(actor=p.care, organisation=p.shinan_hospital, table=1)
    with pytest.raises(ServiceError):
        exports.export_table(actor=p.yi, organisation=p.shinan, table=4)
    with pytest.raises(ServiceError):
        exports.export_table(actor=p.yi, organisation=p.shinan, table=1, by_carrier=True)
    assert AuditLog.objects.filter(action="registry.export").count() == 0


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formulas_are_neutralised(value):
    assert exports.safe_cell(value) == "'" + value
    assert exports.safe_cell("张三") == "张三"


def test_export_page_downloads(register):
    client = Client()
    client.force_login(register.yi)
    response = client.get(reverse("tables:export"))
    assert [code for code, _label in response.context["form"].fields["org"].choices] == ["SN", "SN-H1"]
    response = client.post(reverse("tables:export"), {"table": "1", "org": "SN-H1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    assert [row[1] for row in sheets(response.content)["附件1"][3:]] == ["李四", "张三"]
    response = client.post(reverse("tables:export"), {"table": "1", "org": "SB"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["org"]


def test_export_command(register, tmp_path):
    out = tmp_path / "table3.xlsx"
    call_command("export_tables", "--org", "CITY", "--table", "3", "--out", str(out), "--by-carrier")
    assert list(sheets(out.read_bytes())) == ["移动", "联通", "电信"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"  # full phone numbers: the operator's eyes only
    row = AuditLog.objects.get(action="registry.export")
    assert (row.actor, row.actor_name, row.detail["rows"]) == (None, "system:cli", 3)
    out1 = tmp_path / "table1.xlsx"
    call_command("export_tables", "--org", "SN", "--table", "1", "--out", str(out1), "--user", "yi")
    assert [row[1] for row in sheets(out1.read_bytes())["附件1"][3:]] == ["李四", "张三"]
    assert AuditLog.objects.filter(action="registry.export", actor=register.yi).count() == 1


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_export_command_errors(register, tmp_path, english):
    out = tmp_path / "t.xlsx"
    with pytest.raises(CommandError) as exc:
        call_command("export_tables", "--org", "NOPE", "--table", "1", "--out", str(out))
    assert (str(exc.value), exc.value.returncode) == ("No organisation has the code “NOPE”.", 2)
    with pytest.raises(CommandError, match="may not export"):
        call_command("export_tables", "--org", "SN", "--table", "1", "--out", str(out), "--user", "bing")
    with pytest.raises(CommandError) as exc:
        call_command("export_tables", "--org", "SN", "--table", "1", "--out", str(out), "--user", "nobody")
    assert (str(exc.value), exc.value.returncode) == ("No active account has the username “nobody”.", 2)
    with pytest.raises(CommandError) as exc:
        call_command("export_tables", "--org", "SN", "--table", "1", "--out", str(tmp_path / "no" / "t.xlsx"))
    assert (str(exc.value), exc.value.returncode) == (f"The folder {tmp_path / 'no'} does not exist.", 2)
    assert not out.exists()


def test_export_command_prints_file_title_and_rows(register, tmp_path, capsys, english):
    out = tmp_path / "t.xlsx"
    call_command("export_tables", "--org", "SN", "--table", "1", "--out", str(out))
    assert capsys.readouterr().out == f"{out}: 青岛市援鄂医疗队成员联系表, 2 rows\n"
    call_command("export_tables", "--org", "SN-H1", "--table", "2", "--out", str(out))
    assert capsys.readouterr().out == f"{out}: 抗疫一线医护职工联系表, 1 row\n"


def test_export_command_speaks_the_default_language(register, tmp_path, capsys):
    """No language is activated: the command answers in LANGUAGE_CODE (Chinese), like every
    command of the project."""
    out = tmp_path / "t.xlsx"
    with pytest.raises(CommandError) as exc:
        call_command("export_tables", "--org", "NOPE", "--table", "1", "--out", str(out))
    assert str(exc.value) == "没有代码为“NOPE”的组织。"
    call_command("export_tables", "--org", "SN", "--table", "1", "--out", str(out))
    with translation.override("zh-hans"):
        expected = translation.ngettext(
            "%(path)s: %(title)s, %(count)s row", "%(path)s: %(title)s, %(count)s rows", 2
        ) % {"path": out, "title": "青岛市援鄂医疗队成员联系表", "count": 2}
    assert capsys.readouterr().out == expected + "\n"


@pytest.mark.parametrize("table", [1, 2, 3])
def test_exported_tables_import_back_unchanged(personas, table):
    """The round trip: what the export writes, the importer reads as the same people."""
    from nuanxin.tables.imports import services as import_services

    p = personas
    sn = p.shinan_hospital
    zhang = make_worker(sn, "张三", mobile="13812345678", gender="female", category="nurse", post_title="主管护师")
    services.add_family_member(actor=SYSTEM, worker=zhang, name="李明", relation="丈夫", mobile="13900001111")
    services.save_deployment(actor=SYSTEM, worker=zhang, batch="第一批", deployed_mobile="18600001234")
    make_worker(sn, "李四", mobile="13800004321", gender="male", category="doctor", contact_name_hint="王工会")
    make_worker(sn, "王五", mobile="13800005555", team="cdc", category="technician")
    content = exports.export_table(actor=p.yi, organisation=sn, table=table).content
    # Table 2 has no team column: say which team its rows are (else the importer's default applies).
    batch = import_services.create_batch(
        actor=p.yi,
        organisation=sn,
        upload=io.BytesIO(content),
        filename="export.xlsx",
        background=False,
        default_team="cdc" if table == 2 else "",
    )
    outcomes = sorted(r.outcome for r in batch.rows.all())
    assert outcomes == {1: ["unchanged", "unchanged"], 2: ["unchanged"], 3: ["unchanged"]}[table]
