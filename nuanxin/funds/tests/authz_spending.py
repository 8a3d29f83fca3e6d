"""Authorization cases of the funds' spending pages (expenditures, receipts, condolence
rounds, the spending list and its export), and the small builders the spending tests share.

Everything lives in 市南区: a fund of 市南区总工会 with money, a clerk and an approver there,
aid-team workers of its hospital. A finance clerk of 市北区 holds the role but not the fund
(404, nothing changed); a union admin (乙) may see the detail but records nothing (403 on the
clerk's pages); a viewer sees the spending list of funds in their scope only (the medical
group: 市南区's fund is outside it) and never exports."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.models import CondolenceRound, Entry, Fund
from nuanxin.funds.services import ledger
from nuanxin.funds.services import spending as spending_services
from nuanxin.funds.tests.fixtures import fund_with, user
from nuanxin.registry import services as register
from nuanxin.registry.choices import TeamType
from tests.authz import Case, standard_cases

ON = date(2020, 2, 10)


# --- builders the spending tests share ---------------------------------------------------------


def worker(org, name: str, mobile: str = "", team: str = TeamType.HUBEI_AID, status: str = "deployed"):
    return register.create_worker(actor=SYSTEM, organisation=org, name=name, team=team, mobile=mobile, status=status)


def pdf_bytes() -> bytes:
    """A real (tiny, valid) one-page PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def pdf_upload(name: str = "发票.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name: str = "收据.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


# --- the cases ---------------------------------------------------------------------------------


def cases(p) -> list[Case]:
    clerk = user("authz-spend-clerk", p.shinan, Role.FUND_CLERK, "支出经办人")
    approver = user("authz-spend-approver", p.shinan, Role.FUND_APPROVER, "支出审批人")
    other_clerk = user("authz-spend-bclerk", p.shibei, Role.FUND_CLERK, "北支出经办人")
    fund = fund_with(clerk, approver, p.shinan, "40000", name="支出授权测试资金")
    aid = [worker(p.shinan_hospital, name) for name in ("授权甲", "授权乙", "授权丙")]
    expenditure = spending_services.record_expenditure(
        actor=clerk, fund=fund, amount="500", category="protective", on=ON, payee="某医疗器械公司",
        payee_kind="supplier", quantity="100", unit="瓶",
    )
    round_ = ledger.record_round(
        actor=clerk, fund=fund, name="授权测试慰问", amount_per_person="2000", on=ON, workers=aid[:1]
    )
    expenditure_form = {
        "amount": "300", "category": "comfort", "on": "2020-02-11", "payee_kind": "supplier", "payee": "某食品公司",
        "quantity": "", "unit": "", "description": "盒饭", "action": "save",
    }
    round_form = {
        "name": "授权新慰问", "amount_per_person": "1000", "on": "2020-02-12", "workers": [aid[1].pk],
        "action": "save", "pasted": "",
    }
    outsider = (other_clerk,)
    return [
        *standard_cases(p, "funds:expenditure_create", model=Fund, action="record", obj=fund, lookup="fund_pk",
                        allowed=clerk, other_org=outsider),
        *standard_cases(p, "funds:expenditure_create", model=Fund, action="record", obj=fund, lookup="fund_pk",
                        allowed=clerk, other_org=outsider, method="post", data=expenditure_form),
        *standard_cases(p, "funds:receipt_add", model=Entry, action="record", obj=expenditure, allowed=clerk,
                        other_org=outsider),
        *standard_cases(p, "funds:receipt_add", model=Entry, action="record", obj=expenditure, allowed=clerk,
                        other_org=outsider, method="post", data={"receipts": pdf_upload()}),
        *standard_cases(p, "funds:round_create", model=Fund, action="record", obj=fund, lookup="fund_pk",
                        allowed=clerk, other_org=outsider),
        *standard_cases(p, "funds:round_create", model=Fund, action="record", obj=fund, lookup="fund_pk",
                        allowed=clerk, other_org=outsider, method="post", data=round_form),
        *standard_cases(p, "funds:round_detail", model=CondolenceRound, action="detail", obj=round_, allowed=p.yi),
        *standard_cases(p, "funds:round_add", model=CondolenceRound, action="record", obj=round_, allowed=clerk,
                        other_org=outsider),
        *standard_cases(p, "funds:round_add", model=CondolenceRound, action="record", obj=round_, allowed=clerk,
                        other_org=outsider, method="post",
                        data={"on": "2020-02-13", "workers": [aid[2].pk], "action": "save", "pasted": ""}),
        *standard_cases(p, "funds:spending_list", model=Fund, action="view", obj=fund, lookup="fund_pk",
                        allowed=approver),
        *standard_cases(p, "funds:spending_export", model=Fund, action="export", obj=fund, lookup="fund_pk",
                        allowed=clerk, audits="funds.spending.export"),
        Case("funds:spending_org", allowed=p.yi, query="org=SN", denied=p.counsellor, other_org=p.bing),
        Case("funds:spending_org_export", allowed=approver, query="org=SN", denied=p.viewer, other_org=p.bing,
             audits="funds.spending.export"),
    ]


