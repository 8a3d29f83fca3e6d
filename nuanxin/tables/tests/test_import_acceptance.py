"""The importer as a reviewer tries it: tables filled in by hand, the dry run against what the
apply writes, importing again, undo, and what a district administrator may do with a batch
planned by someone whose scope is wider."""

import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.accounts.services import create_api_token
from nuanxin.care.models import CareAssignment, Difficulty
from nuanxin.core.errors import NotAllowed
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.models import Deployment, FamilyMember, Worker
from nuanxin.tables.imports import display, services
from nuanxin.tables.imports.safety import FileRefused, check_file
from nuanxin.tables.tests.import_fixtures import TABLE1_HEADER, import_bytes, outcomes, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _register() -> dict:
    """Every field of every register record the importer writes (updated_at aside)."""
    found = {}
    for model in (Worker, FamilyMember, Deployment, CareAssignment, Difficulty):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
        found[model.__name__] = {v["id"]: v for v in model.objects.order_by("pk").values(*fields)}
    return found


def _history() -> tuple:
    return tuple(m.history.count() for m in (Worker, FamilyMember, Deployment, CareAssignment, Difficulty))


MESSY = [
    ["附件1"],
    ["青岛市援鄂医疗队成员联系表"],
    ["填报单位：青岛大学附属医院    填报日期：2020年2月17日"],
    TABLE1_HEADER,
    [
        1,
        "王 小明",
        "男",
        "医师",
        "主治医师",
        "１３８ ０５３２ １０１１",
        "李四（妻）、王五(母亲)",
        "13805329011、13805329012",
        "张联络",
        "孩子无人照看",
    ],
    [2, "刘芳", "女性", "护理", "主管护师", "+86 138-0532-1012", "刘父", "0532-85669120", "赵六", "无"],
    [3, "陈静", "女", "护士", "护师", "0086 13805321013", "陈丈夫", "138 0532 9013", "", "/"],
    [4, "孙伟", "男", "医技", "技师", 13805321014, "孙母", 13805329014, " 张 联络 ", "老人独居，需要买药"],
    [5, "周杰", "男", "管理", "科长", "13805321015", "周妻（妻子）", "13805329015", "", ""],
    [None, None, None, None, None, None, "周子（儿子）", "13805329016", None, None],
    [6, "王小明", "男", "医生", "主治医师", "13805321011", "王六（父亲）", "13805329017", "", ""],
    [7, "吴错号", "男", "医生", "", "1380532123", "", "", "", ""],
    [],
    ["填表人：张三", None, None, None, None, "联系电话：13805320000"],
]


def test_a_hand_filled_table_round_trip(world):
    """Dry run, apply, import again, undo: the register ends exactly as it began, the apply
    writes what the dry run showed and the second import changes nothing."""
    before, history_before = _register(), _history()
    data = xlsx_bytes(MESSY, sheet="附件1")
    batch = import_bytes(world.p.yi, world.unit, data)
    assert outcomes(batch) == [
        (5, "create"),
        (6, "create"),
        (7, "create"),
        (8, "create"),
        (9, "create"),
        (11, "update"),
        (12, "reject"),
    ]
    assert batch.counts["total"] == 7  # the 填表人 row in the 序号 column is no row
    shown = {r.line: display.describe(r) for r in batch.rows.all()}
    # in the columns' order on PostgreSQL too (jsonb keeps keys in an order of its own)
    assert shown[8] == [
        "Gender: — → Male",
        "Personnel category: — → Medical technician",
        "Post and title: — → 技师",
        "Frontline team: — → Hubei aid medical team",
        "Add family member 孙母 13805329014",
        "Assign care contact 张联络",
        "Open a difficulty: 老人独居，需要买药",
    ]
    services.apply_batch(actor=world.p.yi, batch=batch)
    wang = Worker.objects.get(name="王小明")
    assert (wang.mobile, wang.gender, wang.category, wang.post_title, wang.team) == (
        "+8613805321011",
        "male",
        "doctor",
        "主治医师",
        "hubei_aid",
    )
    assert list(wang.family.order_by("pk").values_list("name", "relation", "mobile", "is_primary")) == [
        ("李四", "妻", "+8613805329011", True),
        ("王五", "母亲", "+8613805329012", False),
        ("王六", "父亲", "+8613805329017", False),
    ]
    liu = Worker.objects.get(name="刘芳")
    assert (liu.mobile, liu.contact_name_hint) == ("+8613805321012", "赵六")
    assert list(liu.family.values_list("mobile", flat=True)) == ["+8653285669120"]
    assert Worker.objects.get(name="孙伟").mobile == "+8613805321014"
    assert list(Worker.objects.get(name="周杰").family.order_by("pk").values_list("name", "relation")) == [
        ("周妻", "妻子"),
        ("周子", "儿子"),
    ]
    assert sorted(Difficulty.objects.values_list("description", flat=True)) == ["孩子无人照看", "老人独居，需要买药"]
    assert sorted(CareAssignment.objects.values_list("worker__name", "contact__full_name")) == [
        ("孙伟", "张联络"),
        ("王小明", "张联络"),
    ]
    applied, history_applied = _register(), _history()

    again = import_bytes(world.p.yi, world.unit, data)
    assert [o for _line, o in outcomes(again)] == ["unchanged"] * 6 + ["reject"]
    services.apply_batch(actor=world.p.yi, batch=again)
    assert (_register(), _history()) == (applied, history_applied)

    services.undo_batch(actor=world.p.yi, batch=batch)
    assert _register() == before
    assert _history() != history_before  # the undo is recorded, not erased


def test_a_footer_typed_into_the_seq_column_is_skipped(world):
    data = xlsx_bytes(
        [
            TABLE1_HEADER,
            [1, "甲乙", "女", "护士", "", "13805321001", "", "", "", ""],
            ["填表人：张三", None, None, None, None, "联系电话：13805320000"],
            ["合计", "1人"],
        ]
    )
    batch = import_bytes(world.p.yi, world.unit, data)
    assert outcomes(batch) == [(2, "create")]


def test_two_table3_rows_for_a_worker_the_file_creates_give_one_deployment(world):
    """The second row updates the deployment the first creates, as the dry run shows; it was
    written as a second deployment."""
    data = xlsx_bytes(
        [],
        sheets={
            "附件1": [TABLE1_HEADER, [1, "新人甲", "男", "医生", "", "13805323001", "", "", "", ""]],
            "附件3": [
                ["姓名", "在武汉使用的手机号", "手机运营商"],
                ["新人甲", "13900033333", "联通"],
                ["新人甲", "13900033334", "移动"],
            ],
        },
    )
    batch = import_bytes(world.p.yi, world.unit, data)
    assert [display.describe(r) for r in batch.rows.filter(table=3)] == [
        ["Mobile used in Wuhan: — → 13900033333", "Carrier: — → China Unicom"],
        ["Mobile used in Wuhan: 139****3333 → 13900033334", "Carrier: China Unicom → China Mobile"],
    ]
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert list(Deployment.objects.values_list("worker__name", "deployed_mobile", "carrier")) == [
        ("新人甲", "+8613900033334", "mobile")
    ]
    assert Deployment.history.count() == 1
    services.undo_batch(actor=world.p.yi, batch=batch)
    assert (Worker.objects.count(), Deployment.objects.count()) == (0, 0)


def test_an_entity_declaration_in_a_utf16_part_is_refused(tmp_path):
    data = xlsx_bytes([TABLE1_HEADER])
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = part.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
                part = text.replace("?>", '?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1).encode("utf-16")
            z.writestr(info, part)
    path = tmp_path / "utf16.xlsx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(FileRefused) as exc:
        check_file(path, "xlsx")
    assert exc.value.message == "The file declares XML entities, which table files never need; it was not read."


def test_a_lower_case_doctype_is_refused(tmp_path):
    data = xlsx_bytes([TABLE1_HEADER])
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "xl/sharedStrings.xml":
                part = part.replace(b"?>", b'?><!DocType x [<!Entity a SYSTEM "file:///etc/passwd">]>', 1)
            z.writestr(info, part)
    path = tmp_path / "mixed.xlsx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(FileRefused):
        check_file(path, "xlsx")


def _cross_district(world):
    """A worker of 市北区's hospital, and the city administrator's dry run of a file of 市南区's
    hospital that names him (an update: the person is registered elsewhere, the unit is kept)."""
    rows = [[1, "跨区人", "女", "护士", "护师", "13805326001", "", "", "", ""]]
    services.apply_batch(
        actor=world.p.bing,
        batch=import_bytes(world.p.bing, world.p.shibei_hospital, xlsx_bytes([TABLE1_HEADER, *rows])),
    )
    rows[0][4], rows[0][6], rows[0][7] = "副主任护师", "跨区家属", "13805326901"
    return import_bytes(world.p.jia, world.unit, xlsx_bytes([TABLE1_HEADER, *rows]))


def test_a_district_admin_cannot_apply_a_plan_that_writes_to_another_district(world):
    batch = _cross_district(world)
    assert outcomes(batch) == [(2, "update")]
    before = _register()
    with pytest.raises(NotAllowed) as exc:
        services.apply_batch(actor=world.p.yi, batch=batch)
    assert exc.value.message == (
        "Sheet1!2: This person is already in the register under an organisation outside your scope; "
        "ask that organisation or a city administrator."
    )
    assert _register() == before
    batch.refresh_from_db()
    assert batch.status == "planned"
    services.apply_batch(actor=world.p.jia, batch=batch)
    with pytest.raises(NotAllowed):
        services.undo_batch(actor=world.p.yi, batch=batch)
    assert Worker.objects.get(name="跨区人").post_title == "副主任护师"


def _api(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")


def test_the_api_shows_a_district_admin_nothing_of_another_districts_worker(world):
    """The API answers in Chinese (the default language)."""
    batch = _cross_district(world)
    mine = _api(world.p.yi).get(f"/api/v1/imports/{batch.pk}").json()["rows"]
    assert [(r["outcome"], r["worker"], r["messages"], r["changes"]) for r in mine] == [
        (
            "update",
            None,
            ["此人已登记在您范围以外的组织下；请联系该组织或市总工会管理员。"],
            [],
        )
    ]
    theirs = _api(world.p.jia).get(f"/api/v1/imports/{batch.pk}").json()["rows"]
    assert theirs[0]["changes"] == ["职务职称: 护师 → 副主任护师", "新增家属 跨区家属 13805326901"]
    answer = _api(world.p.yi).post(f"/api/v1/imports/{batch.pk}/apply", data={}, content_type="application/json")
    assert answer.status_code == 403
    assert Worker.objects.get(name="跨区人").post_title == "护师"


def test_the_page_shows_a_district_admin_nothing_of_another_districts_worker(world):
    batch = _cross_district(world)
    services.apply_batch(actor=world.p.jia, batch=batch)  # applied: the page would link the record
    worker = Worker.objects.get(name="跨区人")
    client = Client()
    client.force_login(world.p.yi)
    client.cookies["nuanxin_language"] = "en"
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "already in the register under an organisation outside your scope" in page
    assert "副主任护师" not in page and "跨区家属" not in page
    assert reverse("registry:worker_detail", args=[worker.pk]) not in page
    client.force_login(world.p.jia)
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "Post and title: 护师 → 副主任护师" in page
    assert reverse("registry:worker_detail", args=[worker.pk]) in page


def test_the_api_says_which_field_is_missing_without_an_organisation(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("t.xlsx", xlsx_bytes([TABLE1_HEADER]))
    answer = _api(world.p.yi).post("/api/v1/imports", data={"file": upload})
    assert answer.status_code == 400
    assert json.loads(answer.content) == {
        "code": "invalid",
        "message": "组织代码不存在或不在您的范围内。",
        "field": "org",
    }


def test_a_difficulty_is_kept_as_written_and_not_opened_twice(world):
    text = "老人独居，需要买药（每周两次）"
    row = [1, "孙伟", "男", "医技", "技师", "13805321014", "", "", "", f"  {text} "]
    data = xlsx_bytes([TABLE1_HEADER, row])
    services.apply_batch(actor=world.p.yi, batch=import_bytes(world.p.yi, world.unit, data))
    assert list(Difficulty.objects.values_list("description", flat=True)) == [text]
    again = import_bytes(world.p.yi, world.unit, data)
    assert outcomes(again) == [(2, "unchanged")]
    # the default team was not used (the worker is registered), so no note says it was
    assert [n["code"] for n in again.rows.get().reasons] == ["difficulty_exists"]


def test_deciding_a_row_is_the_person_an_earlier_row_creates_takes_its_phone(world):
    """As for a person already in the register, the phone becomes the row's."""
    data = xlsx_bytes(
        [
            TABLE1_HEADER,
            [1, "赵重名", "女", "护士", "护师", "13805324001", "", "", "", ""],
            [2, "赵重名", "女", "护士", "主管护师", "13805324002", "", "", "", ""],
        ]
    )
    batch = import_bytes(world.p.yi, world.unit, data)
    assert outcomes(batch) == [(2, "create"), (3, "review")]
    row = services.decide_row(actor=world.p.yi, batch=batch, row=batch.rows.get(line=3), decision="same")
    assert display.describe(row) == ["Post and title: 护师 → 主管护师", "Mobile: 138****4001 → 13805324002"]
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert list(Worker.objects.values_list("name", "mobile", "mobile_tail", "post_title")) == [
        ("赵重名", "+8613805324002", "4002", "主管护师")
    ]


# --- export, re-import -------------------------------------------------------------------------


def _registered_table2_workers(world):
    """Two table 2 workers of two teams, with cells an export must neutralise (= + - @) and two
    open difficulties (the export joins them with "；")."""
    from nuanxin.care.services import open_difficulty
    from nuanxin.registry import services as registry_services
    from nuanxin.registry.tests.helpers import make_worker

    qian = make_worker(world.unit, "钱一", mobile="13805327001", team="cdc", gender="male", post_title="@司机")
    registry_services.add_family_member(actor=SYSTEM, worker=qian, name="钱二", relation="妻", mobile="13905327001")
    sun = make_worker(world.unit, "孙三", mobile="13805327002", team="ambulance", post_title="-",
                      contact_name_hint="=王工会")
    open_difficulty(actor=SYSTEM, worker=sun, description="+老人独居")
    open_difficulty(actor=SYSTEM, worker=sun, description="孩子无人照看")
    return qian, sun


def test_an_exported_table_2_imports_back_unchanged_without_choosing_a_team(world):
    """docs/export.md: the exported tables import back as "unchanged". The apostrophes the export
    put before = + - @ go again, the two open difficulties joined in one cell are the open ones,
    and no default team (none was chosen: 其他一线团队) replaces a registered worker's team."""
    from nuanxin.tables import exports

    _registered_table2_workers(world)
    content = exports.export_table(actor=world.p.yi, organisation=world.unit, table=2).content
    assert xlsx_rows(content)[4][4] == "'@司机"  # as exported, neutralised
    assert xlsx_rows(content)[5][4:10:5] == ["'-", "'+老人独居；孩子无人照看"]
    batch = import_bytes(world.p.yi, world.unit, content, filename="表2.xlsx")
    assert outcomes(batch) == [(5, "unchanged"), (6, "unchanged")]
    assert [(r.changes, [n["code"] for n in r.reasons]) for r in batch.rows.order_by("index")] == [
        ({}, []),
        ({}, ["contact_kept", "difficulty_exists"]),
    ]
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert sorted(Worker.objects.values_list("name", "team", "post_title", "contact_name_hint")) == [
        ("孙三", "ambulance", "-", "=王工会"), ("钱一", "cdc", "@司机", ""),
    ]
    assert Difficulty.objects.count() == 2


TABLE2_HEADER = ["序号", "职工姓名", "性别", "人员类别", "职务职称", "联系方式", "家属姓名", "联系方式"]


@pytest.mark.parametrize("chosen", ["", "ambulance"])
def test_the_default_team_is_only_for_the_workers_an_import_creates(world, chosen):
    """A table 2 sheet that names no team: the chosen default team (or 其他一线团队) for a new
    worker, with a note on that row only; a registered worker keeps their team."""
    _registered_table2_workers(world)
    data = xlsx_bytes([
        ["抗疫一线医护职工联系表"], TABLE2_HEADER,
        [1, "钱一", "男", "", "@司机", "13805327001", "钱二", "13905327001"],
        [2, "周四", "女", "护士", "护师", "13805327003", "", ""],
    ])
    batch = import_bytes(world.p.yi, world.unit, data, default_team=chosen)
    team = chosen or "other"
    assert outcomes(batch) == [(3, "unchanged"), (4, "create")]
    unchanged, created = batch.rows.order_by("index")
    assert (unchanged.changes, unchanged.reasons) == ({}, [])
    assert created.changes["worker"]["team"] == ["", team]
    assert created.reasons == [{"code": "team_default", "params": {"team": team}}]
    assert display.shown(world.p.yi, [created])[0]["messages"] == [
        {"": "The sheet does not say which team; Other frontline team was used.",
         "ambulance": "The sheet does not say which team; 120 transfer team was used."}[chosen]
    ]
    services.apply_batch(actor=world.p.yi, batch=batch)
    assert sorted(Worker.objects.values_list("name", "team")) == [
        ("周四", team), ("孙三", "ambulance"), ("钱一", "cdc"),
    ]


@pytest.mark.parametrize("how", ["column", "subtitle"])
def test_a_team_the_file_names_still_updates_a_registered_worker(world, how):
    qian, _sun = _registered_table2_workers(world)
    if how == "column":
        rows = [["抗疫一线医护职工联系表"], [*TABLE2_HEADER, "团队"],
                [1, "钱一", "男", "", "", "13805327001", "", "", "120转运团队"]]
    else:
        rows = [["抗疫一线医护职工联系表"], ["（120转运团队）"], TABLE2_HEADER,
                [1, "钱一", "男", "", "", "13805327001", "", ""]]
    batch = import_bytes(world.p.yi, world.unit, xlsx_bytes(rows), default_team="designated_hospital")
    row = batch.rows.get()
    assert (row.outcome, row.changes, row.reasons) == ("update", {"worker": {"team": ["cdc", "ambulance"]}}, [])
    services.apply_batch(actor=world.p.yi, batch=batch)
    qian.refresh_from_db()
    assert qian.team == "ambulance"


def xlsx_rows(content: bytes, sheet: int = 0) -> list[list]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(sheet).to_python()


# --- the rejected rows, downloaded, import again ---------------------------------------------


def test_rejected_rows_of_table_1_download_as_table_1_and_import_again(world):
    """The rejects file has the table's title (so it is read as table 1 again: 援鄂医疗队), the
    填报单位 row, the header as written, and the reasons in a column the importer ignores."""
    data = xlsx_bytes([
        ["青岛市援鄂医疗队成员联系表"], ["填报单位：青岛大学附属医院"], TABLE1_HEADER,
        [1, "王一", "未知", "医生", "", "1380000123", "", "", "", ""],
        [2, "王二", "男", "医生", "", "13800001234", "", "", "", ""],
    ])
    batch = import_bytes(world.p.yi, world.unit, data)
    assert outcomes(batch) == [(4, "reject"), (5, "create")]
    content = services.export_rejected_rows(actor=world.p.yi, batch=batch)
    empty = [""] * 11
    assert xlsx_rows(content) == [
        ["青岛市援鄂医疗队成员联系表", *empty],
        ["填报单位：青岛大学附属医院", *empty],
        ["Row", "序号", "职工 姓名", "性 别", "人员 类别", "职务职称", "联系 方式", "家属 姓名", "联系 方式",
         "工会联系人姓名", "存在困难", "Reason"],
        [4.0, "1", "王一", "未知", "医生", "", "1380000123", "", "", "", "",
         "联系方式: “1380000123” is not a valid phone number. Gender “未知” is neither 男 nor 女."],
    ]
    # as it is: table 1 again, the same reasons (the reason column is not read)
    again = import_bytes(world.p.yi, world.unit, content, filename="rejects.xlsx")
    assert [(s["table"], s["unit"], s["rows"]) for s in again.sheets] == [(1, "青岛大学附属医院", 1)]
    assert [x["code"] for x in again.rows.get().reasons] == ["bad_phone", "bad_gender"]
    # corrected
    fixed = xlsx_rows(content)
    fixed[3][3], fixed[3][6] = "男", "13800001230"
    corrected = import_bytes(world.p.yi, world.unit, xlsx_bytes(fixed), filename="rejects.xlsx")
    assert outcomes(corrected) == [(4, "create")]
    services.apply_batch(actor=world.p.yi, batch=corrected)
    assert list(Worker.objects.filter(name="王一").values_list("team", "gender", "organisation")) == [
        ("hubei_aid", "male", world.unit.pk)
    ]


def test_rejected_rows_of_several_sheets_keep_each_sheets_table_and_header(world):
    data = xlsx_bytes([], sheets={
        "附件1": [["青岛市援鄂医疗队成员联系表"], TABLE1_HEADER,
                [1, "王一", "男", "医生", "", "13800001234", "", "", "", ""],
                [2, "王二", "男", "医生", "", "", "", "", "", ""]],
        "附件2": [["抗疫一线医护职工联系表"], ["（疾控检测流调团队）"], ["填报单位：青岛大学附属医院"],
                ["职工姓名", "性别", "联系方式"], ["李一", "未知", "13800002222"]],
        "附件3": [["青岛市援鄂医疗队成员在鄂期间联系方式统计表"], ["姓名", "单位", "在武汉使用的手机号", "手机运营商"],
                ["孙悟空", "", "18600001111", "联通"]],
    })
    batch = import_bytes(world.p.yi, world.unit, data)
    assert [(r.sheet, r.line, r.outcome) for r in batch.rows.order_by("index")] == [
        ("附件1", 3, "create"), ("附件1", 4, "reject"), ("附件2", 5, "reject"), ("附件3", 3, "reject"),
    ]
    content = services.export_rejected_rows(actor=world.p.yi, batch=batch)
    from python_calamine import CalamineWorkbook

    assert CalamineWorkbook.from_filelike(io.BytesIO(content)).sheet_names == ["附件1", "附件2", "附件3"]
    assert [row[:2] for row in xlsx_rows(content, 1)] == [
        ["抗疫一线医护职工联系表", ""], ["（疾控检测流调团队）", ""], ["填报单位：青岛大学附属医院", ""],
        ["Row", "职工姓名"], [5.0, "李一"],
    ]
    assert xlsx_rows(content, 2)[1:] == [
        ["Row", "姓名", "单位", "在武汉使用的手机号", "手机运营商", "Reason"],
        [3.0, "孙悟空", "", "18600001111", "联通",
         "No Hubei aid-team worker named “孙悟空” in 青岛大学附属医院工会; import table 1 first."],
    ]
    again = import_bytes(world.p.yi, world.unit, content, filename="rejects.xlsx")
    assert [(s["name"], s["table"], s["team"], s["rows"]) for s in again.sheets] == [
        ("附件1", 1, "", 1), ("附件2", 2, "cdc", 1), ("附件3", 3, "", 1),
    ]
    assert [(r.sheet, r.line, [x["code"] for x in r.reasons]) for r in again.rows.order_by("index")] == [
        ("附件1", 3, ["missing_mobile"]), ("附件2", 5, ["bad_gender"]), ("附件3", 3, ["no_aid_worker"]),
    ]


def test_rejected_rows_of_table_2_keep_the_default_team_chosen_for_the_upload(world):
    data = xlsx_bytes([["抗疫一线医护职工联系表"], ["职工姓名", "性别", "联系方式"], ["李一", "未知", "13800002222"]])
    batch = import_bytes(world.p.yi, world.unit, data, default_team="ambulance")
    content = services.export_rejected_rows(actor=world.p.yi, batch=batch)
    assert [row[0] for row in xlsx_rows(content)] == ["抗疫一线医护职工联系表", "（120转运团队）", "Row", 3.0]
    fixed = xlsx_rows(content)
    fixed[3][2] = "女"
    again = import_bytes(world.p.yi, world.unit, xlsx_bytes(fixed))
    assert (again.sheets[0]["team"], outcomes(again)) == ("ambulance", [(4, "create")])
    assert again.rows.get().changes["worker"]["team"] == ["", "ambulance"]


def test_reasons_in_one_cell_are_sentences_one_after_the_other():
    assert services.join_messages(["联系方式：号码无效。", "性别“未知”既不是男也不是女。"]) == (
        "联系方式：号码无效。性别“未知”既不是男也不是女。"
    )
    assert services.join_messages(["The name is empty.", "Gender “x” is neither 男 nor 女."]) == (
        "The name is empty. Gender “x” is neither 男 nor 女."
    )
    assert services.join_messages(["One"]) == "One"


def test_deciding_a_row_is_the_person_an_earlier_row_creates_with_the_same_difficulty(world):
    data = xlsx_bytes([
        TABLE1_HEADER,
        [1, "赵重名", "女", "护士", "护师", "13805324001", "", "", "", "孩子无人照看"],
        [2, "赵重名", "女", "护士", "护师", "13805324002", "", "", "", "孩子无人照看"],
    ])
    batch = import_bytes(world.p.yi, world.unit, data)
    row = services.decide_row(actor=world.p.yi, batch=batch, row=batch.rows.get(line=3), decision="same")
    assert [n["code"] for n in row.reasons] == ["likely_duplicate", "difficulty_in_row", "decided_same"]
    assert row.reasons[1]["params"] == {"line": 2, "sheet": "Sheet1"}
    assert "difficulty" not in row.changes
