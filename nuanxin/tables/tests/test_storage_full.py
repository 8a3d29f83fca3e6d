"""An upload while the private storage is full (docs/operations.md, 故障演练): the user reads a
clear message, and nothing is written — no batch, no attachment row, no partial file.

The full disk is a file-system storage in a temporary directory whose writes stop with ENOSPC
after part of the file (as a real full disk does); scripts/drills.py ``storage-full`` does the
same on a tiny tmpfs through a running server."""

import errno
import io
import os

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from nuanxin.core import attachments
from nuanxin.core.models import Attachment, AuditLog
from nuanxin.registry.import_models import ImportBatch
from nuanxin.tables.imports import batches
from nuanxin.tables.tests.import_fixtures import sample

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MESSAGE = (
    "The server has no storage space left for this file, so nothing was saved. "
    "Tell your administrator; try again once space has been freed."
)


class FullDiskStorage(FileSystemStorage):
    """Writes the first bytes of a file, then fails as a full disk does (``OSError`` ENOSPC,
    ``error_number`` overridable by the test), leaving the partial file where it was written."""

    error_number = errno.ENOSPC

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as out:
            out.write(content.read(100))
        raise OSError(self.error_number, os.strerror(self.error_number), path)


@pytest.fixture
def full_disk(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": f"{__name__}.FullDiskStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path


def _files(root) -> list[str]:
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


def _nothing_written(root) -> None:
    assert ImportBatch.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert not AuditLog.objects.filter(action__in=["import.upload", "attachment.store"]).exists()
    assert _files(root) == []  # the part written before the disk filled up was removed


def test_the_upload_page_says_the_storage_is_full_and_nothing_is_written(client, world, full_disk, caplog):
    client.force_login(world.p.yi)
    client.cookies["nuanxin_language"] = "en"
    f = io.BytesIO(sample("table1_aid_team.xlsx").read_bytes())
    f.name = "table1_aid_team.xlsx"
    response = client.post(reverse("tables:imports:list"), {"file": f, "organisation": str(world.unit.pk)})
    assert response.status_code == 200  # the form again, with the message on the file
    assert MESSAGE in response.content.decode()
    _nothing_written(full_disk)
    # the operator learns why from the log
    assert any(r.levelname == "ERROR" and "Private storage full" in r.getMessage() for r in caplog.records)


def test_the_api_answers_507_storage_full(client, world, full_disk):
    from nuanxin.accounts.services import create_api_token
    from nuanxin.core.policy import SYSTEM

    _token, plaintext = create_api_token(actor=SYSTEM, user=world.p.yi, expires_days=1)
    f = io.BytesIO(sample("table1_aid_team.xlsx").read_bytes())
    f.name = "table1.xlsx"
    response = client.post(
        "/api/v1/imports",
        {"file": f, "org": "QD-SN-01"},
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 507, response.content
    assert response.json()["code"] == "storage_full" and response.json()["message"] == MESSAGE
    assert ImportBatch.objects.count() == 0 and Attachment.objects.count() == 0
    assert _files(full_disk) == []


def test_the_service_raises_storage_full(world, full_disk):
    with pytest.raises(attachments.StorageFull) as caught:
        batches.create_batch(
            actor=world.p.yi,
            organisation=world.unit,
            upload=io.BytesIO(sample("table1_aid_team.xlsx").read_bytes()),
            filename="table1_aid_team.xlsx",
        )
    assert caught.value.message == MESSAGE
    _nothing_written(full_disk)


def test_another_write_error_leaves_no_partial_file_either(world, full_disk):
    """An I/O error other than a full disk is not the user's to fix (a 500 for the operator),
    but it leaves no partial file behind either."""
    FullDiskStorage.error_number = errno.EIO
    try:
        with pytest.raises(OSError) as caught:
            batches.create_batch(
                actor=world.p.yi,
                organisation=world.unit,
                upload=io.BytesIO(sample("table1_aid_team.xlsx").read_bytes()),
                filename="table1_aid_team.xlsx",
            )
    finally:
        FullDiskStorage.error_number = errno.ENOSPC
    assert caught.value.errno == errno.EIO and not isinstance(caught.value, attachments.StorageFull)
    _nothing_written(full_disk)
