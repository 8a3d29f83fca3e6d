"""An upload over the limit is dropped as it arrives; one within it is kept whole."""

import os

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings

from nuanxin.core.uploads import OversizeUpload


def _files(data: bytes, name: str = "table.csv"):
    request = RequestFactory().post("/upload", {"file": SimpleUploadedFile(name, data), "org": "QD"})
    return request.POST, request.FILES


@override_settings(NUANXIN_IMPORT_MAX_BYTES=1000, FILE_UPLOAD_MAX_MEMORY_SIZE=100)
def test_an_upload_within_the_limit_arrives_whole():
    data = b"a,b\n" * 250  # exactly 1,000 bytes: at the limit is allowed
    post, files = _files(data)
    upload = files["file"]
    assert not isinstance(upload, OversizeUpload)
    assert (upload.name, upload.size, upload.read()) == ("table.csv", 1000, data)
    assert post["org"] == "QD"


@override_settings(NUANXIN_IMPORT_MAX_BYTES=1000, FILE_UPLOAD_MAX_MEMORY_SIZE=100)
def test_an_upload_over_the_limit_keeps_its_size_and_no_content():
    post, files = _files(b"x" * 300_001)
    upload = files["file"]
    assert isinstance(upload, OversizeUpload)
    assert (upload.name, upload.size, upload.read(), list(upload.chunks())) == ("table.csv", 300_001, b"", [])
    assert post["org"] == "QD"  # the other fields still arrive


@override_settings(NUANXIN_IMPORT_MAX_BYTES=1000, FILE_UPLOAD_MAX_MEMORY_SIZE=100)
def test_no_temporary_file_holds_more_than_the_limit(monkeypatch, tmp_path):
    from django.core.files import uploadedfile

    made = []
    real = uploadedfile.TemporaryUploadedFile.__init__

    def record(self, *args, **kwargs):
        real(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(uploadedfile.TemporaryUploadedFile, "__init__", record)
    _files(b"x" * 300_001)
    assert len(made) == 1  # Django's handler began a temporary file, as for any large upload
    made[0].file.flush()
    assert os.path.getsize(made[0].temporary_file_path()) <= 1000
