"""The roster in the scheme's layout (masked without sensitive rights, audited) and the
contributions charged once to a fund."""

import io
from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from nuanxin.core.audit import AuditLog
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.funds.choices import Category, EntryStatus
from nuanxin.funds.models import Entry
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import build_people, fund_with, open_fund
from nuanxin.welfare.models import Enrolment
from nuanxin.welfare.selectors.figures import figures
from nuanxin.welfare.services import charges, enrolments, imports, roster
from nuanxin.welfare.tests.fixtures import ID_1, upload, xlsx

pytestmark = pytest.mark.django_db


def rows_of(content):
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_roster_layout_full_and_masked(w):
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital, on=date(2020, 4, 1),
                          team_name="=HYPERLINK(\"x\")")
    out = roster.export_roster(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan)
    rows = rows_of(out.content)
    assert rows[0] == ["序号", "姓名", "性别", "身份证号", "手机号", "单位", "参保方式", "参保日期", "缴费金额"]
    assert out.rows == 3 and len(rows) == 4
    first = rows[1]
    assert first[1:6] == ["李援鄂", "女", "370202198503150021", "13800000002", "市南区人民医院工会"]
    assert first[6] == "以团队名义参保：=HYPERLINK(\"x\")"  # text, never a formula
    assert first[8] == 30.0
    assert AuditLog.objects.filter(action="welfare.roster.export", detail__rows=3).count() == 1
    read = AuditLog.objects.get(action="worker.sensitive_read", detail__page="welfare_roster")
    assert read.detail["workers"] == sorted([w.aid1.pk, w.aid2.pk])
    # The auditor reads the roster with ID numbers and mobiles masked, no sensitive read.
    out = roster.export_roster(actor=w.p.auditor, scheme=w.scheme, organisation=w.p.city)
    masked = rows_of(out.content)[1]
    assert masked[3:5] == ["370202********0021", "138****0002"]
    assert AuditLog.objects.filter(action="worker.sensitive_read", actor=w.p.auditor).count() == 0
    with pytest.raises(NotAllowed):
        roster.export_roster(actor=w.p.bing, scheme=w.scheme, organisation=w.p.shinan)
    with pytest.raises(NotAllowed):
        roster.export_roster(actor=w.p.viewer, scheme=w.scheme, organisation=w.p.shinan_hospital)


def test_charge_once_to_a_fund(w):
    fp = build_people(w.p)
    enrolments.enrol_unit(actor=w.p.yi, scheme=w.scheme, organisation=w.p.shinan_hospital)
    imp = imports.check_list(actor=w.p.bing, scheme=w.scheme, organisation=w.p.shibei,
                             uploaded_file=upload(xlsx([["孙援鄂", "13900000005"]], ["姓名", "手机号"])))
    imports.apply_list(imp, actor=w.p.bing)  # a member already: nothing to charge
    fund = fund_with(fp.clerk, fp.approver, w.p.shinan, "1000")
    assert charges.pending(w.scheme, w.p.shinan) == charges.Pending(3, Decimal("90.00"))
    assert [f.pk for f in charges.chargeable_funds(fp.clerk)] == [fund.pk]
    entry = charges.charge_contributions(actor=fp.clerk, scheme=w.scheme, fund=fund, on=date(2020, 5, 1))
    assert (entry.amount, entry.category, entry.status, entry.on) == (
        Decimal("90.00"), Category.MUTUAL_AID, EntryStatus.PENDING, date(2020, 5, 1))
    assert set(Enrolment.objects.filter(expenditure=entry).values_list("worker__name", flat=True)) == {
        "张援鄂", "李援鄂", "王援鄂"}
    with pytest.raises(ServiceError) as exc:
        charges.charge_contributions(actor=fp.clerk, scheme=w.scheme, fund=fund)
    assert exc.value.message == "本保障在该资金所属组织内的缴费均已记账。"
    assert Entry.objects.filter(category=Category.MUTUAL_AID).count() == 1
    # Rejected: the contributions may be charged again.
    ledger.reject(actor=fp.approver, entry=entry, reason="金额有误")
    again = charges.charge_contributions(actor=fp.clerk, scheme=w.scheme, fund=fund)
    assert again.amount == Decimal("90.00")
    # An administrator (no "record" on the fund) may not.
    with pytest.raises(NotAllowed):
        charges.charge_contributions(actor=w.p.yi, scheme=w.scheme, fund=fund)
    f = figures(w.p.jia, w.scheme)
    assert [(r.label, r.eligible, r.enrolled, r.imported, r.by_union, r.charged) for r in f.rows] == [
        ("市北区总工会", 1, 1, 1, 0, 0), ("市南区总工会", 3, 3, 0, 3, 3)]
    assert (f.total.eligible, f.total.enrolled) == (4, 4)


def test_fund_without_the_category(w):
    fp = build_people(w.p)
    open_fund(fp.clerk, w.p.shinan, "慰问金", categories=[Category.CONDOLENCE])
    assert charges.chargeable_funds(fp.clerk) == []


def test_roster_id_1_constant():
    assert ID_1.endswith("1237")
