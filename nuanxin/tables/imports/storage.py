"""Where an upload waits for its dry run: the private import directory (never served)."""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)


def import_dir() -> Path:
    path = Path(getattr(settings, "NUANXIN_IMPORT_DIR", Path(settings.VAR_DIR) / "imports"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _store_upload(upload, kind: str) -> tuple[Path, int, str]:
    """Write the upload to the private import directory (never served)."""
    path = import_dir() / f"{uuid.uuid4().hex}.{kind}"
    digest = hashlib.sha256()
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
        for chunk in chunks:
            size += len(chunk)
            digest.update(chunk)
            out.write(chunk)
    return path, size, digest.hexdigest()


def _remove(path) -> None:
    try:
        if path:
            os.unlink(path)
    except FileNotFoundError:
        pass
