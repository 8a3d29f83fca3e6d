"""Uploads larger than the limit are not kept while they arrive.

Django's own handlers keep a whole upload (in memory, then in a temporary file) before any
view sees it, so a file over the limit would first fill the disk. ``LimitedUploadHandler``
runs first (``FILE_UPLOAD_HANDLERS``): it passes each chunk on to Django's handlers until the
file grows past ``NUANXIN_IMPORT_MAX_BYTES`` (the only uploads are table files), then drops
the rest and hands the view an empty ``OversizeUpload`` that knows the size that arrived.
The import service refuses it with its usual message (the file is N MB; the limit is M MB).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


def max_upload_bytes() -> int:
    return int(settings.NUANXIN_IMPORT_MAX_BYTES)


class OversizeUpload(UploadedFile):
    """An upload that was over the limit: its name and the size that arrived, no content."""

    oversize = True

    def __init__(self, name: str, size: int, content_type: str | None = None):
        from io import BytesIO

        super().__init__(BytesIO(b""), name=name, content_type=content_type, size=size)

    def chunks(self, chunk_size=None):
        return iter(())


class LimitedUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.over = False

    def receive_data_chunk(self, raw_data, start):
        if self.over or start + len(raw_data) > max_upload_bytes():
            self.over = True
            return None  # Django's handlers after this one keep nothing more
        return raw_data

    def file_complete(self, file_size):
        if self.over:
            return OversizeUpload(self.file_name, file_size, self.content_type)
        return None  # the next handler (memory or temporary file) returns the upload
