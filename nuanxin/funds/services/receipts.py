"""Receipts (发票、收据) of an expenditure: PDF files or photos, checked by their content and
size (``core.attachments``), kept privately and served only by ``/attachments/<id>/`` to those
who may see the entry's detail (``Entry.attachments_action``).

Receipts are attached when the expenditure is recorded (``spending.record_expenditure``) or
later, while the entry awaits approval (``add_receipts``); once approved or rejected the
voucher is closed."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.core import attachments, audit
from nuanxin.core.attachments import MB, AttachmentRefused
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import Attachment
from nuanxin.funds.choices import EntryKind
from nuanxin.funds.models import Entry

KINDS = attachments.DOCUMENTS  # PDF, PNG, JPEG, WebP
MAX_BYTES = 10 * MB  # each file
MAX_FILES = 10  # at once


def check_count(files: Sequence) -> None:
    if len(files) > MAX_FILES:
        raise ServiceError(
            ngettext("Attach at most %(n)d file at once.", "Attach at most %(n)d files at once.", MAX_FILES)
            % {"n": MAX_FILES},
            field="receipts",
        )


def store_receipts(*, actor, entry: Entry, files: Sequence) -> list[Attachment]:
    """Keep ``files`` as receipts of ``entry`` (inside the caller's transaction): each one
    checked by content and size; the first refused one refuses them all, naming the file."""
    check_count(files)
    stored = []
    for upload in files:
        try:
            stored.append(
                attachments.store(actor=actor, owner=entry, uploaded_file=upload, kinds=KINDS, max_bytes=MAX_BYTES)
            )
        except AttachmentRefused as exc:
            for done in stored:  # the transaction rolls back their rows: drop their files too
                attachments.storage().delete(done.storage_name)
            name = attachments.clean_name(getattr(upload, "name", "") or "")
            raise AttachmentRefused(
                _("Receipt “%(name)s”: %(reason)s") % {"name": name, "reason": exc.message}, field="receipts"
            ) from None
    return stored


@transaction.atomic
def add_receipts(*, actor, entry: Entry, files: Sequence) -> list[Attachment]:
    """Attach more receipts to an expenditure that awaits approval (a finance clerk of its
    organisation). Audited ``funds.receipt.add`` with the count (each file: ``attachment.store``)."""
    Entry.policy.require(actor, "record", entry, _("You may not add receipts to this entry."))
    # Read again under the entry's lock: an approval at the same moment waits, or is seen.
    entry = Entry.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=entry.pk)
    if entry.kind != EntryKind.EXPENDITURE:
        raise ServiceError(_("Receipts belong to expenditures."))
    if not entry.is_open:
        raise ServiceError(_("Receipts are added while the entry awaits approval; this one is decided."))
    if not files:
        raise ServiceError(_("Choose at least one file."), field="receipts")
    stored = store_receipts(actor=actor, entry=entry, files=files)
    audit.record(
        actor,
        "funds.receipt.add",
        obj=entry,
        object_repr=f"{entry.kind} #{entry.pk}",
        organisation=entry.organisation,
        detail={"receipt_count": len(stored)},
    )
    return stored


def receipts_of(entry: Entry) -> list[Attachment]:
    """The entry's receipts, oldest first (the caller has checked the entry's detail)."""
    return list(attachments.for_owner(entry).order_by("created_at", "id"))
