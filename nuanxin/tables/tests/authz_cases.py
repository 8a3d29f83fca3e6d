"""Authorization cases of the official tables' pages and API operations: the importer's and
the export page. Batches are made in 市南区's hospital (乙's scope); 丙 (市北区) is the
other organisation; the care contact holds no change role."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from nuanxin.core.policy import SYSTEM
from nuanxin.tables.imports import services
from tests.authz import Case


def _file(names: list[tuple[str, str]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("附件1")
    ws.write_row(0, 0, ["青岛市援鄂医疗队成员联系表"])
    ws.write_row(1, 0, ["序号", "职工姓名", "性别", "人员类别", "职务职称", "联系方式", "家属姓名", "联系方式"])
    for i, (name, mobile) in enumerate(names):
        ws.write_row(2 + i, 0, [i + 1, name, "女", "护士", "护师", mobile, "", ""])
    ws.write_row(2 + len(names), 0, [9, "坏号码", "女", "护士", "护师", "123", "", ""])
    wb.close()
    return buf.getvalue()


def cases(p) -> list[Case]:
    org = p.shinan_hospital

    def batch(names, apply=False):
        b = services.create_batch(
            actor=SYSTEM, organisation=org, upload=io.BytesIO(_file(names)), filename="t.xlsx", background=False
        )
        if apply:
            b = services.apply_batch(actor=SYSTEM, batch=b)
        return b

    shown = batch([("授权导入甲", "13800110001")])
    page_apply = batch([("授权导入乙", "13800110002")])
    page_undo = batch([("授权导入丙", "13800110003")], apply=True)
    api_apply = batch([("授权导入戊", "13800110005")])
    api_undo = batch([("授权导入己", "13800110006")], apply=True)
    # a likely duplicate to decide: same name and unit as an applied worker, another phone
    batch([("授权导入庚", "13800110007")], apply=True)
    review = batch([("授权导入庚", "13800110008")])
    review_row = review.rows.get(outcome="review")
    to_skip = batch([("授权导入庚", "13800110009")])  # a row waiting for a decision, to skip

    def upload(name: str, mobile: str) -> SimpleUploadedFile:
        return SimpleUploadedFile("authz.xlsx", _file([(name, mobile)]))

    change = {"allowed": p.yi, "denied": p.care}
    obj = {"other_org": p.bing, **change}
    return [
        Case("tables:export", **change),
        # 丙 choosing 市南区 is refused by the form (shown again: nothing exported or recorded).
        Case("tables:export", method="post", data={"table": "3", "org": "SN", "by_carrier": "on"},
             audits="registry.export", other_org=p.bing, other_org_status=200, **change),
        Case("tables:imports:list", **change),
        # A real upload: the allowed user gets a dry run (a batch); 丙 cannot pick 乙's unit
        # (the form offers only 丙's organisations: shown again, nothing stored).
        Case("tables:imports:list", method="post",
             data={"organisation": str(org.pk), "file": upload("授权导入辛", "13800110010")},
             other_org=p.bing, other_org_status=200, **change),
        Case("tables:imports:detail", kwargs={"pk": shown.pk}, **obj),
        Case("tables:imports:detail", kwargs={"pk": shown.pk}, query="outcome=reject&page=1", **obj),
        Case("tables:imports:progress", kwargs={"pk": shown.pk}, **obj),
        Case("tables:imports:rejects", kwargs={"pk": shown.pk}, audits="import.export_rejected", **obj),
        Case("tables:imports:apply", kwargs={"pk": page_apply.pk}, method="post", **obj),
        Case("tables:imports:undo", kwargs={"pk": page_undo.pk}, method="post", **obj),
        Case("tables:imports:skip", kwargs={"pk": to_skip.pk}, method="post", **obj),
        Case(
            "tables:imports:decide",
            kwargs={"pk": review.pk, "row_pk": review_row.pk},
            method="post",
            data={"decision": "new"},
            **obj,
        ),
        # A multipart upload: the allowed user gets a dry run (201); 丙 meets 乙's unit as missing.
        Case("POST /api/v1/imports", query="org=SN-H1", data={"file": upload("授权导入壬", "13800110011")},
             ok_status=frozenset({201}), **obj),
        Case("GET /api/v1/imports/{import_id}", kwargs={"import_id": shown.pk}, **obj),
        Case("POST /api/v1/imports/{import_id}/apply", kwargs={"import_id": api_apply.pk}, **obj),
        Case("POST /api/v1/imports/{import_id}/undo", kwargs={"import_id": api_undo.pk}, **obj),
    ]
