"""Authorization cases of the fee waiver's pages and API: lines of members of 市南区人民医院工会
(SN-H1), listed by the sync; 乙 (市南区) manages them, 丙 (市北区) is the other organisation
(the same 404 as a missing line, or a form that offers only 市北区's organisations), the
viewer sees the figures only."""

from __future__ import annotations

import io
from typing import Any

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from nuanxin.core.policy import SYSTEM
from nuanxin.orgs.models import Organisation
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.models import CarrierReply, Dispatch, Waiver
from nuanxin.telecom.services import lists, replies, transitions
from nuanxin.telecom.tests.fixtures import line_of, member
from tests.authz import Case, standard_cases


def _reply_file(mobile: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, "手机号码")
    sheet.write_string(1, 0, mobile)
    book.close()
    return SimpleUploadedFile("回执.xlsx", out.getvalue())


def cases(p: Any) -> list[Case]:
    unit = Organisation.objects.get(code="SN-H1")  # read back: other cases may have moved paths
    district = Organisation.objects.get(code="SN")
    shown = member(unit, "授权通讯甲", "13900020001")
    moved = member(unit, "授权通讯乙", "13900020002")
    ticked = member(unit, "授权通讯丙", "13900020003")
    by_api = member(unit, "授权通讯丁", "13900020004")
    member(unit, "授权通讯戊", "18900020005", carrier=Carrier.TELECOM)  # the list the send page sends
    sent = member(unit, "授权通讯己", "18600020006", carrier=Carrier.UNICOM)
    to_confirm = member(unit, "授权通讯庚", "18600020007", carrier=Carrier.UNICOM)
    lists.sync(actor=SYSTEM)
    dispatch = transitions.send(actor=SYSTEM, carrier="unicom", organisation=district)
    reply = replies.import_reply(actor=SYSTEM, carrier="unicom", organisation=district,
                                 uploaded_file=_reply_file("18600020006"))
    line, moving, tick, api_line = (line_of(d) for d in (shown, moved, ticked, by_api))
    assert line_of(sent).status == "confirmed" and line_of(to_confirm).status == "sent"

    def later_member() -> None:  # a deployment the sync has not listed yet
        member(unit, "授权通讯新", "13900020099")

    return [
        # --- pages
        *standard_cases(p, "telecom:home", model=Waiver, action="report", allowed=p.yi),
        *standard_cases(p, "telecom:waiver_list", model=Waiver, action="view", allowed=p.yi),
        *standard_cases(p, "telecom:waiver_detail", model=Waiver, action="view", obj=line, allowed=p.yi),
        *standard_cases(p, "telecom:waiver_transition", model=Waiver, action="manage", obj=moving, allowed=p.yi,
                        method="post", data={"transition": "confirm", "version": str(moving.version)}),
        Case("telecom:confirm_many", allowed=p.yi, method="post", data={"lines": [str(tick.pk)]},
             denied=p.auditor, other_org=p.bing),
        Case("telecom:sync", allowed=p.yi, method="post", data={}, denied=p.auditor, before_allowed=later_member),
        *standard_cases(p, "telecom:dispatch_create", model=Dispatch, action="manage", allowed=p.yi,
                        data={"carrier": "telecom", "organisation": str(unit.pk)},
                        other_org=p.bing, other_org_status=200),
        *standard_cases(p, "telecom:dispatch_detail", model=Dispatch, action="view", obj=dispatch, allowed=p.yi),
        *standard_cases(p, "telecom:dispatch_download", model=Dispatch, action="view", obj=dispatch, allowed=p.yi,
                        audits="telecom.dispatch.export"),
        *standard_cases(p, "telecom:reply_create", model=CarrierReply, action="manage", allowed=p.yi,
                        data={"carrier": "unicom", "organisation": str(unit.pk),
                              "file": _reply_file("18600020007")},
                        other_org=p.bing, other_org_status=200),
        *standard_cases(p, "telecom:reply_detail", model=CarrierReply, action="view", obj=reply, allowed=p.yi),
        *standard_cases(p, "telecom:figures", model=Waiver, action="report", allowed=p.viewer),
        # --- API
        *standard_cases(p, "GET /api/v1/telecom/waivers", model=Waiver, action="view", allowed=p.yi),
        *standard_cases(p, "POST /api/v1/telecom/waivers/{waiver_id}/transitions", model=Waiver, action="manage",
                        obj=api_line, lookup="waiver_id", allowed=p.yi,
                        data={"transition": "confirm", "version": api_line.version}),
    ]
