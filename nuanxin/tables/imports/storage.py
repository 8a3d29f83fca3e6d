"""Where an upload waits for its dry run: an attachment of its batch (``core.attachments``:
``STORAGES["private"]``, the local file system under var/private by default or an S3-compatible
store), never served by URL and deleted once read. Any process on any machine reads it through
the storage API; the readers that need a path (calamine, the probe's child process) get a
private temporary copy of their own (``attachments.local_copy``)."""

from __future__ import annotations

from contextlib import contextmanager

from nuanxin.core import attachments
from nuanxin.core.attachments import Kind
from nuanxin.tables.imports import safety

# The table files the importer reads: the extension picks the kind, ``safety.check_file`` proves
# it on a private local copy (magic bytes, zip limits, the bounded child process).
TABLE_KINDS = tuple(
    Kind(name, content_type, (name,), check=safety.check_file)
    for name, content_type in (
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("xls", "application/vnd.ms-excel"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("csv", "text/csv"),
    )
)


def store_upload(*, actor, batch, upload, filename: str):
    """Keep ``upload`` for ``batch`` (checked by content first: ``safety.FileRefused`` if not)."""
    return attachments.store(actor=actor, owner=batch, uploaded_file=upload, kinds=TABLE_KINDS, name=filename)


def upload_of(batch):
    """The batch's upload waiting for its dry run, or None (read and deleted, or never kept)."""
    return attachments.for_owner(batch).order_by("pk").first()


@contextmanager
def local_path(attachment):
    """A path to a private temporary copy of the upload, removed on exit."""
    with attachments.local_copy(attachment) as path:
        yield path


def remove_upload(*, actor, batch) -> None:
    """Delete the batch's upload (once read, or when the batch is refused)."""
    attachments.delete_for(actor=actor, owner=batch)
