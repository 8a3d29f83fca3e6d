"""Spending: expenditures with beneficiaries and receipts (service and page), the spending list
(names for the detail roles only) and its export (formula-safe, audited with the row count)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.core import attachments
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import Attachment, AuditLog
from nuanxin.funds.choices import EntryStatus
from nuanxin.funds.models import Beneficiary, Entry
from nuanxin.funds.services import spending
from nuanxin.funds.services.ledger import Payment
from nuanxin.funds.tests.authz_spending import pdf_upload, png_upload, worker
from nuanxin.funds.tests.fixtures import PASSWORD, approve_fully, fund_with

pytestmark = pytest.mark.django_db

ON = date(2020, 2, 3)


@pytest.fixture(autouse=True)
def english(english):
    return english


def client_for(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture
def setup(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    zhang = worker(personas.shinan_hospital, "张三", "13800001111")
    li = worker(personas.shinan_hospital, "李四", "13800002222")
    wang = worker(personas.shibei_hospital, "王五", "13800003333")  # 市北区: outside the fund's subtree
    return fund, zhang, li, wang


def test_an_expenditure_pays_its_beneficiaries(fp, setup):
    fund, zhang, li, _wang = setup
    entry = spending.record_expenditure(
        actor=fp.clerk, fund=fund, amount="5000", category="living", on=ON, payee_kind="person",
        description="生活补贴", beneficiaries=[Payment(zhang, Decimal("2000")), Payment(li, Decimal("3000"))],
    )
    assert entry.status == EntryStatus.PENDING and entry.payee_kind == "person"
    assert sorted(Beneficiary.objects.filter(entry=entry).values_list("worker__name", "amount")) == [
        ("张三", Decimal("2000.00")), ("李四", Decimal("3000.00")),
    ]
    row = AuditLog.objects.get(action="funds.entry.record", object_id=str(entry.pk))
    assert row.detail == {"fund": fund.pk, "kind": "expenditure", "amount": "5000.00", "category": "living",
                          "beneficiaries": 2}
    assert "张三" not in str(row.detail) and row.object_repr == f"expenditure #{entry.pk}"


def test_amounts_that_do_not_add_up_are_refused(fp, setup):
    fund, zhang, li, _wang = setup
    before = Entry.objects.count()
    with pytest.raises(ServiceError) as refused:
        spending.record_expenditure(
            actor=fp.clerk, fund=fund, amount="5000", category="living", on=ON, payee_kind="person",
            beneficiaries=[Payment(zhang, Decimal("2000")), Payment(li, Decimal("2999.99"))],
        )
    assert refused.value.message == "The beneficiaries' amounts must add up to the amount."
    assert refused.value.field == "beneficiaries"
    assert Entry.objects.count() == before and not Beneficiary.objects.exists()


def test_a_worker_outside_the_funds_subtree_is_refused(fp, setup):
    fund, zhang, _li, wang = setup
    with pytest.raises(ServiceError) as refused:
        spending.record_expenditure(
            actor=fp.clerk, fund=fund, amount="2000", category="living", on=ON, payee_kind="person",
            beneficiaries=[Payment(zhang, Decimal("1000")), Payment(wang, Decimal("1000"))],
        )
    # The same nameless message as an unknown id: the name of someone out of reach is never echoed.
    assert refused.value.message == "Unknown worker, or outside your scope."
    assert "王五" not in refused.value.message and refused.value.field == "beneficiaries"
    assert not Beneficiary.objects.exists()


def test_a_supplier_needs_a_name_and_has_no_beneficiaries(fp, setup):
    fund, zhang, _li, _wang = setup
    with pytest.raises(ServiceError) as refused:
        spending.record_expenditure(actor=fp.clerk, fund=fund, amount="10", category="other", on=ON,
                                    payee_kind="supplier")
    assert refused.value.message == "Name the supplier."
    with pytest.raises(ServiceError) as refused:
        spending.record_expenditure(
            actor=fp.clerk, fund=fund, amount="10", category="other", on=ON, payee_kind="supplier", payee="某公司",
            beneficiaries=[Payment(zhang, Decimal("10"))],
        )
    assert refused.value.message == "A payment to a supplier has no beneficiaries."


def test_the_page_records_goods_with_receipts(fp, setup):
    fund, *_ = setup
    response = client_for(fp.clerk).post(
        reverse("funds:expenditure_create", kwargs={"fund_pk": fund.pk}),
        {"amount": "2600", "category": "protective", "on": "2020-02-03", "payee_kind": "supplier",
         "payee": "某医疗器械公司", "quantity": "260000", "unit": "瓶", "description": "消毒液",
         "receipts": [pdf_upload(), png_upload()], "action": "save"},
    )
    assert response.status_code == 302
    entry = Entry.objects.get(kind="expenditure")
    assert (entry.amount, entry.quantity, entry.unit, entry.payee) == (
        Decimal("2600.00"), Decimal("260000.00"), "瓶", "某医疗器械公司",
    )
    assert sorted(attachments.for_owner(entry).values_list("kind", "original_name")) == [
        ("pdf", "发票.pdf"), ("png", "收据.png"),
    ]
    assert AuditLog.objects.get(action="funds.receipt.add").detail == {"receipt_count": 2}


def test_the_page_adds_beneficiaries_and_records_them(fp, setup):
    fund, zhang, li, wang = setup
    c = client_for(fp.clerk)
    url = reverse("funds:expenditure_create", kwargs={"fund_pk": fund.pk})
    form = {"amount": "3000", "category": "living", "on": "2020-02-03", "payee_kind": "person", "payee": "",
            "description": "补贴"}
    found = c.post(url, {**form, "pick-q": "zhangsan", "action": "search"})
    assert found.status_code == 200 and f'name="add" value="{zhang.pk}"' in found.content.decode()
    added = c.post(url, {**form, "add": str(zhang.pk)})
    assert f'name="b_worker" value="{zhang.pk}"' in added.content.decode()
    # 王五 of 市北区 cannot be added, even by a forged id
    forged = c.post(url, {**form, "b_worker": [str(zhang.pk)], "b_amount": ["1000"], "add": str(wang.pk)})
    assert f'value="{wang.pk}"' not in forged.content.decode()
    saved = c.post(url, {**form, "b_worker": [str(zhang.pk), str(li.pk)], "b_amount": ["1000", "2000"],
                         "action": "save"})
    assert saved.status_code == 302
    entry = Entry.objects.get(kind="expenditure")
    assert sorted(entry.beneficiaries.values_list("worker__name", "amount")) == [
        ("张三", Decimal("1000.00")), ("李四", Decimal("2000.00")),
    ]


def test_bad_input_keeps_what_was_typed_and_changes_nothing(fp, setup):
    fund, zhang, _li, _wang = setup
    before = (Entry.objects.count(), Attachment.objects.count())
    response = client_for(fp.clerk).post(
        reverse("funds:expenditure_create", kwargs={"fund_pk": fund.pk}),
        {"amount": "3000", "category": "living", "on": "2020-02-03", "payee_kind": "person", "payee": "",
         "description": "慰问困难职工家庭", "b_worker": [str(zhang.pk)], "b_amount": ["2500"],
         "receipts": [pdf_upload()], "action": "save"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The beneficiaries&#x27; amounts must add up to the amount." in html
    assert "慰问困难职工家庭" in html and 'value="2500"' in html and 'value="3000"' in html
    assert "Files you had chosen were not kept: choose the receipts again before saving." in html
    assert (Entry.objects.count(), Attachment.objects.count()) == before


def test_the_spending_list_shows_names_to_the_detail_roles_only(personas, fp, setup):
    fund, zhang, _li, _wang = setup
    entry = spending.record_expenditure(
        actor=fp.clerk, fund=fund, amount="2000", category="living", on=ON, payee_kind="person", payee="张三家属",
        description="张三生活补贴", beneficiaries=[Payment(zhang, Decimal("2000"))],
    )
    approve_fully(entry, fp.approver)
    url = reverse("funds:spending_list", kwargs={"fund_pk": fund.pk})
    detail = client_for(fp.approver).get(url).content.decode()
    assert "张三家属" in detail and "¥2,000.00" in detail
    # a viewer whose scope covers the fund: figures, never a name
    from nuanxin.core.policy import SYSTEM
    from nuanxin.orgs import services as org_services

    org_services.grant_role(actor=SYSTEM, user=personas.viewer, role="viewer", organisation=personas.shinan)
    figures = client_for(personas.viewer).get(url)
    html = figures.content.decode()
    assert figures.status_code == 200 and "¥2,000.00" in html
    assert "张三" not in html and "nx-spending-export" not in html
    export = client_for(personas.viewer).get(reverse("funds:spending_export", kwargs={"fund_pk": fund.pk}))
    assert export.status_code == 403


def test_the_export_is_formula_safe_and_audited_with_the_row_count(fp, setup):
    fund, zhang, _li, _wang = setup
    spending.record_expenditure(actor=fp.clerk, fund=fund, amount="100", category="comfort", on=ON,
                                payee_kind="supplier", payee="=HYPERLINK(\"http://x\")")
    spending.record_expenditure(actor=fp.clerk, fund=fund, amount="200", category="living", on=date(2020, 3, 2),
                                payee_kind="person", beneficiaries=[Payment(zhang, Decimal("200"))])
    c = client_for(fp.approver)
    url = reverse("funds:spending_export", kwargs={"fund_pk": fund.pk})
    response = c.get(url)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    strings = zipfile.ZipFile(io.BytesIO(content)).read("xl/sharedStrings.xml").decode() if (
        "xl/sharedStrings.xml" in zipfile.ZipFile(io.BytesIO(content)).namelist()) else ""
    text = sheet + strings
    assert "'=HYPERLINK" in text and "<f>" not in sheet and "张三 ¥200.00" in text
    row = AuditLog.objects.get(action="funds.spending.export")
    assert row.detail == {"spending_rows": 2} and row.object_repr == f"fund #{fund.pk}"
    c.get(url + "?month=2020-03&category=living")
    assert AuditLog.objects.filter(action="funds.spending.export").order_by("-id").first().detail == {
        "spending_rows": 1, "category": "living", "spending_month": "2020-03",
    }


def test_a_payment_may_go_to_a_family_member_of_the_worker(fp, setup):
    from nuanxin.core.policy import SYSTEM
    from nuanxin.registry import services as register

    fund, zhang, li, _wang = setup
    wife = register.add_family_member(actor=SYSTEM, worker=zhang, name="张妻", relation="配偶")
    other = register.add_family_member(actor=SYSTEM, worker=li, name="李母", relation="母亲")
    c = client_for(fp.clerk)
    url = reverse("funds:expenditure_create", kwargs={"fund_pk": fund.pk})
    form = {"amount": "1000", "category": "condolence", "on": "2020-02-03", "payee_kind": "person", "payee": ""}
    shown = c.post(url, {**form, "add": str(zhang.pk)}).content.decode()
    assert f'<option value="{wife.pk}">张妻' in shown and "李母" not in shown
    # another worker's family member is not taken for this worker
    c.post(url, {**form, "b_worker": [str(zhang.pk)], "b_amount": ["1000"], "b_family": [str(other.pk)],
                 "action": "save"})
    assert Beneficiary.objects.get().family_member is None
    saved = c.post(url, {**form, "on": "2020-02-04", "b_worker": [str(zhang.pk)], "b_amount": ["1000"],
                         "b_family": [str(wife.pk)], "action": "save"})
    assert saved.status_code == 302
    assert Beneficiary.objects.order_by("-id").first().family_member == wife


def test_the_subtree_list_and_export_hold_the_subtrees_spending_only(personas, fp, setup):
    fund, *_ = setup
    hospital = fund_with(fp.clerk, fp.approver, personas.shinan_hospital, "5000", name="医院专项资金")
    north = fund_with(fp.bing_clerk, fp.bing_approver, personas.shibei, "5000", name="市北区专项资金")
    for f, clerk, payee in ((fund, fp.clerk, "区里供应商"), (hospital, fp.clerk, "医院供应商"),
                            (north, fp.bing_clerk, "市北供应商")):
        spending.record_expenditure(actor=clerk, fund=f, amount="100", category="comfort", on=ON,
                                    payee_kind="supplier", payee=payee)
    html = client_for(personas.yi).get(reverse("funds:spending_org") + "?org=SN").content.decode()
    assert "区里供应商" in html and "医院供应商" in html and "市北供应商" not in html
    assert "2 expenditures" in html
    response = client_for(fp.approver).get(reverse("funds:spending_org_export") + "?org=SN&status=pending")
    assert response.status_code == 200
    row = AuditLog.objects.get(action="funds.spending.export")
    assert row.detail == {"spending_rows": 2, "status": "pending"}
    assert row.object_repr == f"organisation #{personas.shinan.pk}"
