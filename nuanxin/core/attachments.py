"""Private files, once for every app: receipts, photos, legal documents, uploaded tables,
generated exports (settings and backup: docs/operations.md, 私有文件（附件）).

A file belongs to one record, its *owner* (any model with a ``policy``), and is kept through
Django's storage API in ``STORAGES["private"]``: a directory under ``var/`` by default, an
S3-compatible bucket when ``NUANXIN_S3_BUCKET`` is set. Nothing here relies on a local path,
so every process (web, worker, scheduler, another host) reads what any other one stored.

- ``store(actor=, owner=, uploaded_file=, kinds=, max_bytes=)`` checks the file *by its
  content* against the kinds the caller accepts (magic bytes, and a kind's own deeper check on
  a private temporary copy: the tables app passes the importer's checks), refuses with a
  message for the user (``AttachmentRefused``), keeps it under a random name and writes
  ``attachment.store``. A storage that is full (ENOSPC, quota) is ``StorageFull``, a message
  for the user (507 in the API) with nothing kept: the part already written is removed.
- ``open(attachment)`` / ``local_copy(attachment)`` read it back (server side, no access check:
  the caller has already resolved the owner).
- ``delete(actor=, attachment=)`` removes the row (``attachment.delete``) and, once the
  transaction commits, the file.
- ``serve`` (``/attachments/<id>/``) and ``download(user, attachment)`` give the file to a user
  only when the owner's policy allows ``view`` (``Model.attachments_action`` overrides it) on
  the owner: anything else, a wrong role included, is the same 404 as a missing file (the id
  alone says nothing). A read is audited (``attachment.read``) when the owner says it is
  sensitive (``owner.attachments_sensitive``, an attribute or property).
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import logging
import os
import tempfile
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import models, transaction
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from nuanxin.core import access, audit
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import Attachment

STORAGE_ALIAS = "private"
_HEAD = 16
_CHUNK = 1 << 16
# The private storage's disk (or quota) is full: the write failed part-way.
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT}

logger = logging.getLogger(__name__)


class AttachmentRefused(ServiceError):
    """The file is not stored: wrong type for its content, too large, empty, damaged."""

    code = "file_refused"


class StorageFull(ServiceError):
    """The private storage has no room left for the file: nothing was kept (the part written is
    removed), the caller's transaction rolls back; the operator must free space."""

    code = "storage_full"
    status = 507  # Insufficient Storage


def storage_full_message() -> str:
    return _(
        "The server has no storage space left for this file, so nothing was saved. "
        "Tell your administrator; try again once space has been freed."
    )


@dataclass(frozen=True)
class Kind:
    """A type of file a caller accepts. ``magic`` tests the first bytes; ``check(path, name)``
    (raising a ``ServiceError``) inspects a private local copy further. A kind has one or both:
    a kind without magic (CSV) is recognised by its extension and proven by its check."""

    name: str
    content_type: str
    extensions: tuple[str, ...]
    max_bytes: int | None = None
    magic: Callable[[bytes], bool] | None = None
    check: Callable[[str, str], None] | None = None

    def __post_init__(self):
        if self.magic is None and self.check is None:
            raise ValueError(f"Attachment kind {self.name!r} needs a magic test or a check.")


MB = 1024 * 1024
PDF = Kind("pdf", "application/pdf", ("pdf",), 20 * MB, magic=lambda head: head.startswith(b"%PDF-"))
PNG = Kind("png", "image/png", ("png",), 10 * MB, magic=lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"))
JPEG = Kind("jpeg", "image/jpeg", ("jpg", "jpeg"), 10 * MB, magic=lambda head: head.startswith(b"\xff\xd8\xff"))
WEBP = Kind(
    "webp", "image/webp", ("webp",), 10 * MB, magic=lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"
)
IMAGES = (PNG, JPEG, WEBP)
DOCUMENTS = (PDF, *IMAGES)  # a scan or a photo of a paper
_KINDS: dict[str, Kind] = {kind.name: kind for kind in DOCUMENTS}


def register_kind(kind: Kind) -> None:
    """Make ``kind`` known by its name (an app's ``ready()``: e.g. the tables app's xlsx/xls/ods/csv
    with the importer's checks). A caller may also pass ``Kind`` objects to ``store`` directly."""
    _KINDS[kind.name] = kind


def kind(name: str) -> Kind:
    return _KINDS[name]


def storage() -> Storage:
    return storages[STORAGE_ALIAS]


# --- storing -------------------------------------------------------------------------------


def store(
    *,
    actor,
    owner: models.Model,
    uploaded_file,
    kinds: Iterable[Kind | str],
    max_bytes: int | None = None,
    name: str | None = None,
    organisation=None,
) -> Attachment:
    """Keep ``uploaded_file`` (an upload, a ``File``, or bytes with ``name``) for ``owner``.

    The file's extension says which of ``kinds`` it claims to be, and its content must prove it
    (``Kind.magic``, ``Kind.check``); its size must be within ``max_bytes`` and the kind's own
    limit. Refusals are ``AttachmentRefused`` with a message for the user. ``organisation``
    defaults to the owner's (through its policy's path). Audited as ``attachment.store``."""
    accepted = [k if isinstance(k, Kind) else _KINDS[k] for k in kinds]
    if not accepted:
        raise ValueError("store() needs at least one accepted kind.")
    if isinstance(uploaded_file, bytes | bytearray):
        uploaded_file = ContentFile(bytes(uploaded_file))
    original = clean_name(name or getattr(uploaded_file, "name", "") or "")
    chosen = _kind_for_name(original, accepted)
    limits = [x for x in (max_bytes, chosen.max_bytes) if x is not None]
    limit = min(limits) if limits else None
    declared = getattr(uploaded_file, "size", None)
    if getattr(uploaded_file, "oversize", False) or (limit is not None and declared is not None and declared > limit):
        raise _too_large(declared or 0, limit or 0)
    with _local_copy_of(uploaded_file, limit) as (path, size, digest):
        if size == 0:
            raise AttachmentRefused(_("The file is empty."))
        with open_local(path) as fh:
            head = fh.read(_HEAD)
        if chosen.magic is not None and not chosen.magic(head):
            raise AttachmentRefused(
                _("The file's content is not a .%(kind)s file as its name says; it was not stored.")
                % {"kind": os.path.splitext(original)[1].lower().lstrip(".")}
            )
        if chosen.check is not None:
            chosen.check(path, chosen.name)
        stored_name = _save(_storage_name(owner, chosen), path, original)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                owner_type=ContentType.objects.get_for_model(owner),
                owner_id=owner.pk,
                organisation=organisation if organisation is not None else organisation_of(owner),
                storage_name=stored_name,
                original_name=original,
                kind=chosen.name,
                content_type=chosen.content_type,
                size=size,
                sha256=digest,
                created_by=actor if _is_user(actor) else None,
            )
            _record(actor, "attachment.store", attachment, owner)
    except BaseException:
        storage().delete(stored_name)
        raise
    return attachment


def _save(name: str, path: str, original: str) -> str:
    """Copy the local file at ``path`` into the private storage as ``name``. A write that fails
    part-way (the disk full, an I/O error) leaves no partial file behind; a full disk or quota is
    ``StorageFull`` (a message for the user, an error in the log for the operator)."""
    try:
        with open_local(path) as fh:
            return storage().save(name, File(fh, name=original))
    except OSError as exc:
        _discard(name)
        if exc.errno in _FULL_ERRNOS:
            logger.error("Private storage full: could not store %s (%s)", name, exc.strerror or exc)
            raise StorageFull(storage_full_message()) from exc
        raise


def _discard(name: str) -> None:
    """Remove what a failed save left under ``name``, if anything (never raises)."""
    try:
        if storage().exists(name):
            storage().delete(name)
    except OSError:
        logger.warning("Could not remove the partial file %s from the private storage", name)


def clean_name(name: str) -> str:
    """The name a user gave the file, safe to keep and to send back: no folders, no control or
    invisible characters, one line, at most 200 characters with its extension kept."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name if ch.isspace() or unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    stem, ext = os.path.splitext(name)
    if len(name) > 200:
        name = stem[: 200 - len(ext)] + ext
    return name


def _kind_for_name(name: str, accepted: list[Kind]) -> Kind:
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    for candidate in accepted:
        if ext and ext in candidate.extensions:
            return candidate
    names = ", ".join(e for k in accepted for e in k.extensions[:1])
    raise AttachmentRefused(
        _("“%(name)s” is not a type of file accepted here (%(kinds)s).") % {"name": name or "?", "kinds": names}
    )


def _too_large(size: int, limit: int) -> AttachmentRefused:
    return AttachmentRefused(
        _("The file is %(size)s; the limit for this kind of file is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
    )


@contextmanager
def _local_copy_of(uploaded_file, limit: int | None) -> Iterator[tuple[str, int, str]]:
    """The upload copied to a private temporary file of this process (deleted on exit), counted
    and hashed as it is copied; stops at the first byte over ``limit``."""
    digest = hashlib.sha256()
    size = 0
    fd, path = tempfile.mkstemp(prefix="nuanxin-attachment-")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            if hasattr(uploaded_file, "seek"):
                uploaded_file.seek(0)
            chunks = uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else iter([uploaded_file.read()])
            for chunk in chunks:
                size += len(chunk)
                if limit is not None and size > limit:
                    raise _too_large(size, limit)
                digest.update(chunk)
                out.write(chunk)
        yield path, size, digest.hexdigest()
    finally:
        os.unlink(path)


def open_local(path: str):
    return builtins.open(path, "rb")  # this module's own ``open`` reads attachments


def _storage_name(owner: models.Model, chosen: Kind) -> str:
    """A random name under the owner's model and the month: nothing personal in it."""
    meta = owner._meta
    now = timezone.now()
    return f"{meta.app_label}/{meta.model_name}/{now:%Y/%m}/{uuid.uuid4().hex}.{chosen.extensions[0]}"


# --- reading and deleting ------------------------------------------------------------------


def open(attachment: Attachment):  # attachments.open, like storage.open
    """The stored file, opened for reading (binary); close it (``with``)."""
    return storage().open(attachment.storage_name, "rb")


@contextmanager
def local_copy(attachment: Attachment) -> Iterator[str]:
    """A private temporary copy of the file on this process's disk, for a reader that needs a
    path (a parser in a child process); removed on exit."""
    fd, path = tempfile.mkstemp(prefix="nuanxin-attachment-", suffix=f".{attachment.kind}")
    try:
        with os.fdopen(fd, "wb") as out, open(attachment) as source:
            for chunk in source.chunks(_CHUNK):
                out.write(chunk)
        yield path
    finally:
        os.unlink(path)


def for_owner(owner: models.Model):
    """The owner's attachments, oldest first."""
    return Attachment.objects.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk)


def delete(*, actor, attachment: Attachment) -> None:
    """Remove the attachment: its row now (audited ``attachment.delete``), its file once the
    transaction commits (a rollback keeps both)."""
    owner = attachment.owner
    with transaction.atomic():
        _record(actor, "attachment.delete", attachment, owner)
        name = attachment.storage_name
        attachment.delete()
        transaction.on_commit(lambda: storage().delete(name))


def delete_for(*, actor, owner: models.Model) -> int:
    """Remove every attachment of ``owner`` (call it where the owner itself is deleted)."""
    count = 0
    for attachment in for_owner(owner):
        delete(actor=actor, attachment=attachment)
        count += 1
    return count


def sweep_orphans(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete stored files that no row names and that are older than ``older_than``: what a
    transaction that stored a file and then rolled back left behind. Returns how many."""
    store_ = storage()
    known = set(Attachment.objects.values_list("storage_name", flat=True))
    cutoff = timezone.now() - older_than
    removed = 0
    for name in _walk(store_, ""):
        if name in known:
            continue
        if store_.get_modified_time(name) < cutoff:
            store_.delete(name)
            removed += 1
    return removed


def _walk(store_: Storage, folder: str) -> Iterator[str]:
    try:
        folders, files = store_.listdir(folder)
    except FileNotFoundError:
        return
    for file_name in files:
        yield f"{folder}/{file_name}" if folder else file_name
    for sub in folders:
        yield from _walk(store_, f"{folder}/{sub}" if folder else sub)


# --- serving -------------------------------------------------------------------------------


def readable(user, pk) -> tuple[Attachment, models.Model]:
    """The attachment ``pk`` and its owner if ``user`` may view the owner; else ``Http404`` (a
    missing file, a missing owner, an owner without a policy, a user without the role or
    outside the scope all look the same)."""
    attachment = Attachment.objects.filter(pk=pk).select_related("owner_type").first()
    owner = attachment.owner if attachment is not None else None
    if attachment is None or owner is None or not may_view(user, owner):
        raise Http404
    return attachment, owner


def may_view(user, owner: models.Model) -> bool:
    policy = getattr(type(owner), "policy", None)
    if policy is None:
        return False  # fail closed: a model that declares no policy serves no files
    action = getattr(type(owner), "attachments_action", "view")
    return bool(policy.allows(user, action, owner))


def download(user, attachment: Attachment, owner: models.Model | None = None) -> FileResponse:
    """The file as a download for ``user`` (the caller has checked the owner's policy):
    ``Content-Disposition: attachment``, ``nosniff``, never cached; ``attachment.read`` is
    written first when the owner is sensitive."""
    if owner is None:
        owner = attachment.owner
    if getattr(owner, "attachments_sensitive", False):
        _record(user, "attachment.read", attachment, owner)
    response = FileResponse(
        open(attachment), as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_safe
def _serve(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    attachment, owner = readable(request.user, pk)
    return download(request.user, attachment, owner)


# ``/attachments/<id>/``: the file, when the user may view its owner (else 404). Scoped by the
# owner's policy, resolved per file: a wrong role is a 404 too.
serve = access.mark(_serve, access.SCOPED)


# --- helpers -------------------------------------------------------------------------------


def organisation_of(owner: models.Model):
    """The owner's organisation: through its policy's ``path`` lookup (``organisation__path`` →
    ``owner.organisation``), else its ``organisation`` attribute, else None."""
    model = type(owner)
    path = getattr(getattr(model, "policy", None), "path", None) or getattr(model, "scope_path", None)
    if path:
        parts = path.split("__")[:-1]  # drop the final "path"
        target: Any = owner
        for part in parts:
            target = getattr(target, part, None)
            if target is None:
                return None
        return target
    return getattr(owner, "organisation", None)


def _is_user(actor) -> bool:
    return isinstance(actor, get_user_model()) and actor.pk is not None


def _record(actor, action: str, attachment: Attachment, owner) -> None:
    """An attachment's audit row: the kind and size, which record it belongs to; never the file's
    name (it may name a person, and the trail is append-only)."""
    audit.record(
        actor,
        action,
        obj=attachment,
        object_repr=f"{attachment.kind} {attachment.size} B",
        organisation=organisation_of(owner) if owner is not None else attachment.organisation,
        detail={
            "owner": f"{attachment.owner_type.app_label}.{attachment.owner_type.model}",
            "owner_id": attachment.owner_id,
            "kind": attachment.kind,
            "size": attachment.size,
        },
    )
