"""The scheme's member list: header found by its texts, matched by ID number else name and
mobile, unmatched rows shown with the reason, bad files refused with nothing written."""

from datetime import date

import pytest

from nuanxin.core.audit import AuditLog
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.welfare.choices import EnrolmentSource, ImportStatus
from nuanxin.welfare.models import Enrolment, EnrolmentImport
from nuanxin.welfare.services import enrolments, imports
from nuanxin.welfare.tests.fixtures import ID_1, ID_2, ID_OTHER, upload, xlsx

pytestmark = pytest.mark.django_db


def check(w, content, actor=None, org=None):
    return imports.check_list(actor=actor or w.p.yi, scheme=w.scheme, organisation=org or w.p.shinan,
                              uploaded_file=upload(content))


def test_match_by_id_then_name_and_mobile(w):
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital, workers=[w.aid2])
    content = xlsx([
        [1, "张援鄂", ID_1, "", "市南医院"],  # by ID
        [2, "李援鄂", ID_2, "13800000002", ""],  # enrolled already
        [3, "王援鄂", "", "138 0000 0003", ""],  # by name and mobile
        [4, "孙援鄂", "", "13900000005", ""],  # outside 乙's scope: not found
        [5, "无名氏", ID_OTHER, "", ""],
        [6, "张三", ID_1, "", ""],  # ID of another name
        [7, "钱某", "12345", "", ""],
        [8, "张援鄂", ID_1, "", ""],  # the same person again
        [9, "周某", "", "", ""],
    ], title="青岛市职工互助保障 2020 年会员名单")
    imp = check(w, content)
    got = [(r["line"], r["problem"], r["worker"], r["by"]) for r in imp.rows]
    assert got == [
        (4, "", w.aid1.pk, "id"),
        (5, "already", w.aid2.pk, "id"),
        (6, "", w.aid3.pk, "name_mobile"),
        (7, "not_found", None, ""),
        (8, "not_found", None, ""),
        (9, "name_differs", None, ""),
        (10, "bad_id", None, ""),
        (11, "duplicate", None, "id"),
        (12, "no_key", None, ""),
    ]
    assert (imp.matched, imp.already, imp.unmatched, imp.status) == (2, 1, 6, ImportStatus.PREVIEW)
    assert imp.rows[0]["id"] == "370202********1237"
    assert Enrolment.objects.count() == 1  # nothing enrolled by the check
    assert imports.problem_label("not_found") == "您所辖单位中没有该身份证号或该姓名与手机号的人员"
    read = AuditLog.objects.get(action="worker.sensitive_read", detail__page="welfare_import")
    assert read.detail["workers"] == sorted([w.aid1.pk, w.aid2.pk])

    imp = imports.apply_list(imp, actor=w.p.yi)
    assert imp.status == ImportStatus.APPLIED
    got = {e.worker_id: (e.source, e.contribution) for e in Enrolment.objects.filter(imported_from=imp)}
    assert got == {w.aid1.pk: (EnrolmentSource.IMPORTED, 0), w.aid3.pk: (EnrolmentSource.IMPORTED, 0)}
    with pytest.raises(ServiceError) as exc:
        imports.apply_list(imp, actor=w.p.yi)
    assert exc.value.message == "该名单已导入或已放弃。"


def test_enrolled_meanwhile_is_skipped_and_dates_kept(w):
    content = xlsx([["张援鄂", ID_1, "2020-03-01"]], ["姓名", "身份证号", "参保日期"])
    imp = check(w, content)
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital, workers=[w.aid1])
    imports.apply_list(imp, actor=w.p.yi)
    assert Enrolment.objects.get(worker=w.aid1).source == EnrolmentSource.ENROLLED
    imp2 = check(w, xlsx([["王援鄂", "13800000003", "2020-03-01"]], ["姓名", "手机", "参保日期"]))
    imports.apply_list(imp2, actor=w.p.yi)
    assert Enrolment.objects.get(worker=w.aid3).enrolled_on == date(2020, 3, 1)


def test_found_by_mobile_but_another_id_on_record(w):
    imp = check(w, xlsx([["张援鄂", ID_OTHER, "13800000001"]], ["姓名", "身份证号", "手机号"]))
    assert [r["problem"] for r in imp.rows] == ["id_differs"]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "文件为空。"),
        (b"name,mobile\n1,2\n", "无法作为 Excel 工作簿（.xlsx）读取此文件。请另存为 .xlsx 后重试。"),
        (b"PK\x03\x04garbage", "无法作为 Excel 工作簿（.xlsx）读取此文件。请另存为 .xlsx 后重试。"),
        ("wrong", "未找到表头行：名单的前几行中需要有“姓名”列以及“身份证号”或“手机号”列。"),
        ("empty", "名单有表头行，但下面没有人员。"),
    ],
)
def test_bad_files_write_nothing(w, content, message):
    if content == "wrong":
        content = xlsx([["张援鄂", "x"]], ["名字啊", "别的"])
    elif content == "empty":
        content = xlsx([], ["姓名", "身份证号"])
    with pytest.raises(ServiceError) as exc:
        check(w, content)
    assert exc.value.message == message
    assert EnrolmentImport.objects.count() == 0 and Enrolment.objects.count() == 0


def test_scope(w):
    with pytest.raises(NotAllowed):
        check(w, xlsx([["张援鄂", ID_1]], ["姓名", "身份证号"]), actor=w.p.bing)
    imp = check(w, xlsx([["张援鄂", ID_1]], ["姓名", "身份证号"]))
    with pytest.raises(NotAllowed):
        imports.apply_list(imp, actor=w.p.bing)
    imports.discard_list(imp, actor=w.p.yi)
    assert EnrolmentImport.objects.get().status == ImportStatus.DISCARDED
    assert Enrolment.objects.count() == 0


def test_over_the_upload_limit(w, settings):
    settings.NUANXIN_IMPORT_MAX_BYTES = 1024 * 1024
    content = xlsx([["张援鄂", ID_1]], ["姓名", "身份证号"])
    big = content + b"\0" * (1024 * 1024)
    with pytest.raises(ServiceError) as exc:
        check(w, big)
    assert exc.value.message == "文件大小为 1.0 MB，上限为 1 MB。"
    assert EnrolmentImport.objects.count() == 0


def test_an_unusable_id_number_falls_back_to_name_and_mobile_with_a_note(w):
    content = xlsx([
        [1, "张援鄂", ID_1[:-1] + "8", "13800000001", ""],  # a well-formed number, wrong check digit
        [2, "王援鄂", "37020219900101", "13800000003", ""],  # malformed
        [3, "李援鄂", "370202198503150029", "13800000099", ""],  # wrong check digit, nobody of this mobile
        [4, "钱某", "12345", "", ""],  # no mobile to fall back on
        [5, "赵某", "12345", "abc", ""],  # nor a valid one
    ])
    imp = check(w, content)
    got = [(r["line"], r["problem"], r["worker"], r["by"], r["note"], r["id"]) for r in imp.rows]
    assert got == [
        (2, "", w.aid1.pk, "name_mobile", "id_unusable", ""),
        (3, "", w.aid3.pk, "name_mobile", "id_unusable", ""),
        (4, "not_found", None, "", "id_unusable", ""),
        (5, "bad_id", None, "", "", ""),
        (6, "bad_id", None, "", "", ""),
    ]
    assert (imp.matched, imp.already, imp.unmatched) == (2, 0, 3)
    assert imports.note_label("id_unusable") == "身份证号无法使用（格式不对或校验位错误），已改按姓名和手机号匹配"
    imports.apply_list(imp, actor=w.p.yi)
    assert set(Enrolment.objects.values_list("worker_id", flat=True)) == {w.aid1.pk, w.aid3.pk}
