"""Receipts: real PDF and PNG files accepted, a file whose content is not what its name says
refused, too large refused, nothing kept on a refusal; added later only while the entry awaits
approval; served only to who may see the entry's detail."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from nuanxin.core import attachments
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import Attachment, AuditLog
from nuanxin.funds.models import Entry
from nuanxin.funds.services import receipts, spending
from nuanxin.funds.tests.authz_spending import pdf_bytes, pdf_upload, png_upload
from nuanxin.funds.tests.fixtures import PASSWORD, approve_fully, fund_with

pytestmark = pytest.mark.django_db

ON = date(2020, 2, 3)


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture(autouse=True)
def fresh_storage(settings):
    """An empty private store of this test's own (counting what is kept)."""
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}


@pytest.fixture
def entry(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    return spending.record_expenditure(
        actor=fp.clerk, fund=fund, amount="500", category="protective", on=ON, payee="某公司", payee_kind="supplier"
    )


def stored_files() -> int:
    return sum(1 for _ in attachments._walk(attachments.storage(), ""))


def test_a_real_pdf_and_png_are_kept(fp, entry):
    stored = receipts.add_receipts(actor=fp.clerk, entry=entry, files=[pdf_upload(), png_upload()])
    assert [(a.kind, a.content_type) for a in stored] == [("pdf", "application/pdf"), ("png", "image/png")]
    assert stored_files() == 2
    assert AuditLog.objects.get(action="funds.receipt.add").detail == {"receipt_count": 2}
    assert AuditLog.objects.filter(action="attachment.store").count() == 2


def test_a_pdf_that_is_really_text_is_refused_and_nothing_kept(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    before = Entry.objects.count()
    fake = SimpleUploadedFile("发票.pdf", b"just some text, not a PDF\n", content_type="application/pdf")
    with pytest.raises(ServiceError) as refused:
        spending.record_expenditure(
            actor=fp.clerk, fund=fund, amount="500", category="protective", on=ON, payee="某公司",
            payee_kind="supplier", files=[png_upload(), fake],
        )
    assert refused.value.message == (
        "Receipt “发票.pdf”: The file's content is not a .pdf file as its name says; it was not stored."
    )
    assert refused.value.field == "receipts"
    assert Entry.objects.count() == before and not Attachment.objects.exists() and stored_files() == 0


def test_a_file_over_the_limit_is_refused(fp, entry):
    big = SimpleUploadedFile("扫描.pdf", pdf_bytes() + b"\0" * receipts.MAX_BYTES, content_type="application/pdf")
    with pytest.raises(ServiceError) as refused:
        receipts.add_receipts(actor=fp.clerk, entry=entry, files=[big])
    assert refused.value.message == (
        "Receipt “扫描.pdf”: The file is 10.0\xa0MB; the limit for this kind of file is 10.0\xa0MB."
    )
    assert not Attachment.objects.exists() and stored_files() == 0


def test_another_type_is_refused(fp, entry):
    with pytest.raises(ServiceError) as refused:
        receipts.add_receipts(actor=fp.clerk, entry=entry, files=[SimpleUploadedFile("a.docx", b"PK\x03\x04")])
    assert refused.value.message == (
        "Receipt “a.docx”: “a.docx” is not a type of file accepted here (pdf, png, jpg, webp)."
    )


def test_receipts_are_added_only_while_the_entry_awaits_approval(fp, entry):
    approve_fully(entry, fp.approver)
    with pytest.raises(ServiceError) as refused:
        receipts.add_receipts(actor=fp.clerk, entry=entry, files=[pdf_upload()])
    assert refused.value.message == "Receipts are added while the entry awaits approval; this one is decided."


def test_the_page_adds_receipts_and_they_are_served_by_the_entrys_policy(personas, fp, entry):
    c = Client()
    c.login(username=fp.clerk.username, password=PASSWORD)
    response = c.post(reverse("funds:receipt_add", kwargs={"pk": entry.pk}), {"receipts": [pdf_upload()]})
    assert response.status_code == 302
    receipt = attachments.for_owner(entry).get()
    url = reverse("attachments:serve", kwargs={"pk": receipt.pk})
    for user, status in ((fp.approver, 200), (personas.yi, 200), (personas.auditor, 200), (personas.viewer, 404),
                         (personas.care, 404), (fp.bing_clerk, 404)):
        other = Client()
        other.login(username=user.username, password=PASSWORD)
        assert other.get(url).status_code == status, user.username


def test_the_entry_page_shows_its_receipts_and_beneficiaries(personas, fp):
    from decimal import Decimal

    from nuanxin.funds.services.ledger import Payment
    from nuanxin.funds.tests.authz_spending import worker

    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "10000")
    zhang = worker(personas.shinan_hospital, "张三", "13800001111")
    entry = spending.record_expenditure(
        actor=fp.clerk, fund=fund, amount="800", category="living", on=ON, payee_kind="person",
        beneficiaries=[Payment(zhang, Decimal("800"))], files=[pdf_upload()],
    )
    receipt = attachments.for_owner(entry).get()
    url = reverse("funds:entry_detail", kwargs={"pk": entry.pk})
    for user, may_add in ((fp.clerk, True), (fp.approver, False)):
        c = Client()
        c.login(username=user.username, password=PASSWORD)
        html = c.get(url).content.decode()
        assert reverse("attachments:serve", kwargs={"pk": receipt.pk}) in html
        assert f'data-worker="{zhang.pk}"' in html and "张三" in html and "¥800.00" in html
        assert ('id="nx-entry-add-receipts"' in html) is may_add
