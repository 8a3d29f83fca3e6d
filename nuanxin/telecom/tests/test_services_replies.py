"""The carrier's reply imported: numbers found by their column whatever its header or place,
each number on the carrier's list confirmed, rows matching nothing kept with the reason, and a
bad file refused with nothing written."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import ConfirmedHow, WaiverStatus
from nuanxin.telecom.models import CarrierReply, Waiver
from nuanxin.telecom.services import lists, replies, transitions
from nuanxin.telecom.tests.fixtures import UNICOM, line_of, member, number

pytestmark = pytest.mark.django_db


def workbook(rows: list[list], name: str = "reply.xlsx") -> SimpleUploadedFile:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_numbers": False})
    sheet = book.add_worksheet("回执")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write(r, c, value)
    book.close()
    return SimpleUploadedFile(name, out.getvalue())


def _world(p):
    deps = [member(p.shinan_hospital, f"移动{n}", number(n)) for n in range(1, 5)]
    deps.append(member(p.shinan_hospital, "联通一", UNICOM))
    deps.append(member(p.shibei_hospital, "市北移动", number(9)))
    lists.sync(actor=SYSTEM)
    transitions.send(actor=SYSTEM, carrier="mobile", organisation=p.city)
    return deps


def test_the_reply_confirms_its_numbers_whatever_the_layout(personas):
    deps = _world(personas)
    transitions.confirm(actor=personas.yi, line=line_of(deps[3]))
    upload = workbook([
        ["中国移动青岛分公司 援鄂医疗队员免费通讯回执"],
        [],
        ["备注", "姓名", "号码（已开通免费）", "开通日期"],
        ["", "移动1", 13900010001, "2020-02-12"],  # a number cell, as carriers' files hold them
        ["", "移动2", "139 0001 0002", "2020-02-12"],
        ["", "移动2", "13900010002", ""],  # twice
        ["", "移动4", "13900010004", ""],  # already confirmed by hand
        ["", "联通一", "18600010001", ""],  # on China Unicom's list
        ["", "陌生人", "13700000000", ""],  # on no list
        ["", "市北移动", "13900010009", ""],  # outside 乙's reach: as unknown
        ["", "写错", "1390001000", ""],  # not a mobile number
        ["合计", "", "共 8 个号码", ""],  # words below the numbers: listed too (every row is accounted for)
        ["", "无号", "abc", ""],  # letters: not a number, listed with its name
    ])
    reply = replies.import_reply(actor=personas.yi, carrier="mobile", organisation=personas.shinan,
                                 uploaded_file=upload, no_cutoff=True)
    assert (reply.confirmed, reply.carrier, reply.file_name) == (2, Carrier.MOBILE, "reply.xlsx")
    for dep in deps[:2]:
        line = line_of(dep)
        assert (line.status, line.confirmed_how, line.reply_id, line.no_cutoff_confirmed_at is not None) == (
            WaiverStatus.CONFIRMED, ConfirmedHow.FILE, reply.pk, True)
    assert line_of(deps[2]).status == WaiverStatus.SENT  # not in the reply
    assert line_of(deps[5]).status == WaiverStatus.SENT  # 市北区's: untouched
    # The row number and the row's name (the file's 姓名 column) tell two masked numbers apart.
    assert [(r["line"], r["name"], r["mobile"], r["problem"]) for r in reply.unmatched] == [
        (6, "移动2", "139****0002", "twice"),
        (7, "移动4", "139****0004", "already"),
        (8, "联通一", "186****0001", "other_carrier"),
        (9, "陌生人", "137****0000", "not_listed"),
        (10, "市北移动", "139****0009", "not_listed"),
        (11, "写错", "1390001000", "not_a_number"),
        (12, "", "共 8 个号码", "not_a_number"),
        (13, "无号", "abc", "not_a_number"),
    ]
    row = AuditLog.objects.get(action="telecom.reply.import")
    assert row.detail == {"carrier": "mobile", "file": "reply.xlsx", "rows": 10, "count": 2, "unmatched": 8,
                          "kept": 1, "no_cutoff": True}
    assert AuditLog.objects.filter(action="telecom.waiver.transition", detail__reply=reply.pk).count() == 2


def test_the_same_reply_twice_confirms_nothing_more(personas):
    _world(personas)
    rows = [["手机号"], ["13900010001"]]
    replies.import_reply(actor=personas.yi, carrier="mobile", organisation=personas.shinan,
                         uploaded_file=workbook(rows))
    again = replies.import_reply(actor=personas.yi, carrier="mobile", organisation=personas.shinan,
                                 uploaded_file=workbook(rows))
    assert (again.confirmed, [r["problem"] for r in again.unmatched]) == (0, ["already"])


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("reply.xlsx", b"not a workbook at all"),
         "The file's content is not a .xlsx file as its name says; it was not read."),
        (SimpleUploadedFile("reply.xlsx", b""), "The file is empty."),
        (SimpleUploadedFile("reply.pdf", b"%PDF-1.4"),
         "“reply.pdf” is not a table file this importer reads (xlsx, xls, ods or csv)."),
        (None, "No mobile number was found in this file: is it the carrier's reply? It needs a column of mobile "
               "numbers."),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_written(personas, english, upload, message):
    _world(personas)
    if upload is None:
        upload = workbook([["姓名", "号码"], ["张三", "无"], ["李四", "abc"]])
    before = list(Waiver.objects.order_by("id").values_list("status", flat=True))
    with pytest.raises(ServiceError) as refused:
        replies.import_reply(actor=personas.yi, carrier="mobile", organisation=personas.shinan,
                             uploaded_file=upload)
    assert refused.value.message == message
    assert CarrierReply.objects.count() == 0
    assert list(Waiver.objects.order_by("id").values_list("status", flat=True)) == before


def test_only_the_organisations_in_reach_import(personas):
    _world(personas)
    with pytest.raises(NotAllowed):
        replies.import_reply(actor=personas.bing, carrier="mobile", organisation=personas.shinan,
                             uploaded_file=workbook([["13900010001"]]))
    assert CarrierReply.objects.count() == 0
