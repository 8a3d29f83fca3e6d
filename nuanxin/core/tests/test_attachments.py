"""Private files (nuanxin/core/attachments.py): stored through the storage API (the local file
system and an in-memory store standing in for S3), checked by content, served only through the
owner's policy, reads of sensitive owners audited."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.core import attachments
from nuanxin.core.attachments import AttachmentRefused, Kind
from nuanxin.core.exports import build_xlsx
from nuanxin.core.models import Attachment, AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.uploads import OversizeUpload
from nuanxin.registry import services as register
from nuanxin.registry.choices import TeamType
from nuanxin.registry.models import Worker
from nuanxin.tables.imports import safety

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40

# The tables app's kinds: the importer's own checks (magic bytes, zip bombs, entities, a
# bounded parse), called, not copied.
TABLES = tuple(
    Kind(name, content_type, (name,), check=safety.check_file)
    for name, content_type in (
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("xls", "application/vnd.ms-excel"),
        ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
        ("csv", "text/csv"),
    )
)


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def memory_storage(settings):
    """Standing in for an S3-compatible store: nothing is on this disk."""
    settings.STORAGES = {**settings.STORAGES, "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    store = attachments.storage()
    assert isinstance(store, InMemoryStorage)
    return store


@pytest.fixture
def disk_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": tmp_path / "private",
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        },
    }
    return tmp_path / "private"


@pytest.fixture
def worker(personas):
    return register.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="张三", team=TeamType.DESIGNATED_HOSPITAL
    )


def upload(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def stored_files(store, folder="") -> list[str]:
    return list(attachments._walk(store, folder))


# --- storing -------------------------------------------------------------------------------


def test_a_file_is_kept_on_the_local_disk_privately(disk_storage, personas, worker):
    att = attachments.store(
        actor=personas.yi, owner=worker, uploaded_file=upload(PDF, "../../etc/收据 2026.pdf"), kinds=["pdf"]
    )
    att.refresh_from_db()
    assert att.owner == worker
    assert att.organisation == personas.shinan_hospital
    assert (att.original_name, att.kind, att.content_type) == ("收据 2026.pdf", "pdf", "application/pdf")
    assert (att.size, att.sha256) == (len(PDF), hashlib.sha256(PDF).hexdigest())
    assert att.created_by == personas.yi
    # A random name under the owner's model: nothing of the original name on disk.
    assert att.storage_name.startswith("registry/worker/") and att.storage_name.endswith(".pdf")
    assert "收据" not in att.storage_name
    path = disk_storage / att.storage_name
    assert path.read_bytes() == PDF
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with attachments.open(att) as fh:
        assert fh.read() == PDF
    row = AuditLog.objects.get(action="attachment.store")
    assert row.actor == personas.yi and row.organisation == personas.shinan_hospital
    assert row.detail == {"owner": "registry.worker", "owner_id": worker.pk, "kind": "pdf", "size": len(PDF)}
    assert "收据" not in row.object_repr + str(row.detail)


def test_nothing_relies_on_a_local_path(memory_storage, personas, worker):
    """Through an S3-like store (in memory: no path, no disk) the same calls store, read, copy
    for a parser, serve and delete."""
    att = attachments.store(actor=personas.yi, owner=worker, uploaded_file=upload(PNG, "photo.png"), kinds=["png"])
    assert memory_storage.exists(att.storage_name)
    assert not os.path.exists(memory_storage.path(att.storage_name))  # a reader by path would fail
    with attachments.open(att) as fh:
        assert fh.read() == PNG
    with attachments.local_copy(att) as path:
        assert open(path, "rb").read() == PNG
    assert not os.path.exists(path)
    client = Client()
    client.force_login(personas.yi)
    response = client.get(reverse("attachments:serve", kwargs={"pk": att.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG


def test_a_generated_export_is_stored_the_same_way(memory_storage, personas, worker):
    content = build_xlsx(["姓名"], [["张三"]])
    att = attachments.store(actor=SYSTEM, owner=worker, uploaded_file=content, name="导出.xlsx", kinds=TABLES)
    assert (att.kind, att.size, att.created_by) == ("xlsx", len(content), None)
    assert AuditLog.objects.get(action="attachment.store").actor_name.startswith("system")


@pytest.mark.parametrize(
    ("content", "name", "kinds"),
    [(PDF, "a.pdf", ["pdf"]), (PNG, "a.PNG", attachments.IMAGES), (JPEG, "a.jpeg", ["jpeg"]),
     (JPEG, "a.jpg", attachments.DOCUMENTS), (WEBP, "a.webp", ["webp"])],
)
def test_each_kind_is_recognised_by_its_content(memory_storage, worker, content, name, kinds):
    att = attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(content, name), kinds=kinds)
    assert att.content_type.split("/")[1] in {"pdf", "png", "jpeg", "webp"}


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "kinds", "message"),
    [
        (PNG, "scan.pdf", ["pdf"], "The file's content is not a .pdf file as its name says"),
        (b"MZ\x90\x00 a program", "photo.png", attachments.IMAGES, "not a .png file as its name says"),
        (PDF, "photo.jpg", ["png"], "“photo.jpg” is not a type of file accepted here (png)."),
        (PDF, "tool.exe", ["pdf"], "“tool.exe” is not a type of file accepted here (pdf)."),
        (PDF, "no extension", ["pdf", "png"], "is not a type of file accepted here (pdf, png)."),
        (b"", "empty.pdf", ["pdf"], "The file is empty."),
        (b"<html><script>alert(1)</script>", "page.jpeg", ["jpeg"], "not a .jpeg file as its name says"),
    ],
)
def test_type_is_checked_by_content(memory_storage, personas, worker, content, name, kinds, message):
    with pytest.raises(AttachmentRefused, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        attachments.store(actor=personas.yi, owner=worker, uploaded_file=upload(content, name), kinds=kinds)
    assert Attachment.objects.count() == 0
    assert stored_files(memory_storage) == []
    assert not AuditLog.objects.filter(action="attachment.store").exists()


def test_size_limits_per_kind_and_per_call(memory_storage, personas, worker):
    big = PDF + b"0" * 2000
    with pytest.raises(AttachmentRefused, match=r"The file is 2\.0.KB; the limit for this kind of file is 1000.bytes"):
        attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(big, "a.pdf"), kinds=["pdf"], max_bytes=1000)
    small_kind = Kind("pdf", "application/pdf", ("pdf",), max_bytes=100, magic=attachments.PDF.magic)
    with pytest.raises(AttachmentRefused, match=r"the limit for this kind of file is 100.bytes"):
        attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(big, "a.pdf"), kinds=[small_kind])
    # A file whose announced size is wrong is still counted as it is copied.
    lying = upload(big, "a.pdf")
    lying.size = 10
    with pytest.raises(AttachmentRefused, match=r"the limit for this kind of file is 1000.bytes"):
        attachments.store(actor=SYSTEM, owner=worker, uploaded_file=lying, kinds=["pdf"], max_bytes=1000)
    # An upload the upload handler already cut off (core/uploads.py) is refused by its size.
    with pytest.raises(AttachmentRefused, match=r"The file is 30\.0.MB"):
        attachments.store(
            actor=SYSTEM, owner=worker, uploaded_file=OversizeUpload("a.pdf", 30 * 1024 * 1024), kinds=["pdf"]
        )
    assert Attachment.objects.count() == 0 and stored_files(memory_storage) == []


def test_tables_are_checked_by_the_importers_checks(memory_storage, worker):
    xlsx = build_xlsx(["姓名"], [["张三"]])
    att = attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(xlsx, "t.xlsx"), kinds=TABLES)
    assert att.kind == "xlsx"
    csv = "姓名,手机\n张三,13800000000\n".encode("gbk")
    att = attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(csv, "t.csv"), kinds=TABLES)
    assert (att.kind, att.content_type) == ("csv", "text/csv")
    # A zip that is no workbook, a workbook named .csv, an image named .xls: the importer's messages.
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("readme.txt", "hello")
    wrong = ((plain_zip.getvalue(), "t.xlsx", "xlsx"), (xlsx, "t.csv", "csv"), (PNG, "t.xls", "xls"))
    for content, name, kind in wrong:
        with pytest.raises(safety.FileRefused, match=f"not a .{kind} file as its name says"):
            attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(content, name), kinds=TABLES)
    # ... and a zip bomb.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    with pytest.raises(safety.FileRefused, match="zip bomb"):
        attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(bomb.getvalue(), "t.xlsx"), kinds=TABLES)
    assert Attachment.objects.count() == 2


def test_names_are_cleaned():
    assert attachments.clean_name("C:\\Users\\张三\\Desktop\\报销\u202e单.pdf") == "报销单.pdf"
    assert attachments.clean_name("a\nb\tc .pdf") == "a b c .pdf"
    long = "长" * 300 + ".jpeg"
    assert attachments.clean_name(long) == "长" * 195 + ".jpeg"
    assert attachments.clean_name(" ../.. ") == ""


# --- serving -------------------------------------------------------------------------------


def _stored(personas, worker, content=PDF, name="报销单.pdf"):
    return attachments.store(actor=personas.yi, owner=worker, uploaded_file=upload(content, name), kinds=["pdf"])


def test_the_serve_view_sends_a_private_download(memory_storage, personas, worker):
    att = _stored(personas, worker)
    client = Client()
    client.force_login(personas.yi)
    response = client.get(reverse("attachments:serve", kwargs={"pk": att.pk}))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E6%8A%A5%E9%94%80%E5%8D%95.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert client.post(reverse("attachments:serve", kwargs={"pk": att.pk})).status_code == 405


def test_outside_the_owners_policy_is_a_404(memory_storage, personas, worker):
    att = _stored(personas, worker)
    url = reverse("attachments:serve", kwargs={"pk": att.pk})
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    # Another district's admin, and a role that never sees the register: the same 404 as a
    # file that does not exist.
    for user in (personas.bing, personas.counsellor):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client = Client()
    client.force_login(personas.yi)
    assert client.get(reverse("attachments:serve", kwargs={"pk": att.pk + 1000})).status_code == 404
    # An owner that is gone, or a model that declares no policy: 404 (fail closed).
    Attachment.objects.filter(pk=att.pk).update(owner_id=worker.pk + 1000)
    assert client.get(url).status_code == 404
    from nuanxin.core.models import SchedulerLease

    lease = SchedulerLease.objects.create(name="x", holder="y", expires_at="2030-01-01T00:00Z")
    orphan = attachments.store(actor=SYSTEM, owner=lease, uploaded_file=upload(PDF, "a.pdf"), kinds=["pdf"])
    assert client.get(reverse("attachments:serve", kwargs={"pk": orphan.pk})).status_code == 404


def test_reads_of_a_sensitive_owner_are_audited(memory_storage, personas, worker, monkeypatch):
    att = _stored(personas, worker)
    url = reverse("attachments:serve", kwargs={"pk": att.pk})
    yi = Client()
    yi.force_login(personas.yi)
    assert yi.get(url).status_code == 200
    assert not AuditLog.objects.filter(action="attachment.read").exists()  # not sensitive

    monkeypatch.setattr(Worker, "attachments_sensitive", True, raising=False)
    bing = Client()
    bing.force_login(personas.bing)
    assert bing.get(url).status_code == 404
    assert not AuditLog.objects.filter(action="attachment.read").exists()  # a refused read is no read
    assert yi.get(url).status_code == 200
    row = AuditLog.objects.get(action="attachment.read")
    assert (row.actor, row.organisation, row.object_id) == (personas.yi, personas.shinan_hospital, str(att.pk))
    assert row.detail == {"owner": "registry.worker", "owner_id": worker.pk, "kind": "pdf", "size": len(PDF)}


def test_an_owner_may_ask_for_another_action(memory_storage, personas, worker, monkeypatch):
    """``Model.attachments_action``: e.g. files readable only by those who may change the owner."""
    att = _stored(personas, worker)
    monkeypatch.setattr(Worker, "attachments_action", "no such action", raising=False)
    client = Client()
    client.force_login(personas.yi)
    assert client.get(reverse("attachments:serve", kwargs={"pk": att.pk})).status_code == 404


# --- deleting ------------------------------------------------------------------------------


def test_delete_is_audited_and_removes_the_file_on_commit(
    disk_storage, personas, worker, django_capture_on_commit_callbacks
):
    att = _stored(personas, worker)
    path = disk_storage / att.storage_name
    with django_capture_on_commit_callbacks(execute=True):
        attachments.delete(actor=personas.yi, attachment=att)
    assert not Attachment.objects.exists()
    assert not path.exists()
    row = AuditLog.objects.get(action="attachment.delete")
    assert (row.actor, row.organisation) == (personas.yi, personas.shinan_hospital)


def test_a_rolled_back_delete_keeps_the_file(memory_storage, personas, worker, django_capture_on_commit_callbacks):
    att = _stored(personas, worker)
    pk = att.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            attachments.delete(actor=personas.yi, attachment=att)
            raise RuntimeError("rolled back")
    assert callbacks == []
    assert Attachment.objects.filter(pk=pk).exists() and memory_storage.exists(att.storage_name)


def test_delete_for_an_owner(memory_storage, personas, worker, django_capture_on_commit_callbacks):
    _stored(personas, worker)
    attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(PNG, "b.png"), kinds=["png"])
    assert list(attachments.for_owner(worker).values_list("kind", flat=True)) == ["pdf", "png"]
    with django_capture_on_commit_callbacks(execute=True):
        assert attachments.delete_for(actor=personas.yi, owner=worker) == 2
    assert stored_files(memory_storage) == []
    assert AuditLog.objects.filter(action="attachment.delete").count() == 2


def test_orphans_of_a_rolled_back_store_are_swept(memory_storage, personas, worker, time_machine):
    kept = _stored(personas, worker)
    with pytest.raises(RuntimeError), transaction.atomic():
        attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(PNG, "b.png"), kinds=["png"])
        raise RuntimeError("rolled back")
    assert Attachment.objects.count() == 1 and len(stored_files(memory_storage)) == 2
    assert attachments.sweep_orphans() == 0  # too young: perhaps a transaction still running
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert attachments.sweep_orphans() == 1
    assert stored_files(memory_storage) == [kept.storage_name]


def test_a_daily_job_sweeps_the_orphans(memory_storage, personas, worker, time_machine):
    from nuanxin.core import tasks
    from nuanxin.core.periodic import discover_jobs

    job = {job.name: job for job in discover_jobs()}["core.sweep_orphan_files"]
    assert (str(job.schedule), job.task) == ("daily at 03:45", tasks.sweep_orphan_files)
    kept = _stored(personas, worker)
    with pytest.raises(RuntimeError), transaction.atomic():
        attachments.store(actor=SYSTEM, owner=worker, uploaded_file=upload(PNG, "b.png"), kinds=["png"])
        raise RuntimeError("rolled back")
    time_machine.move_to(timezone.now() + timedelta(days=2))
    assert job.task.call() == 1
    assert stored_files(memory_storage) == [kept.storage_name]


# --- the storage the settings choose ---------------------------------------------------------

_SHOW_STORAGE = """
import django, json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "nuanxin.settings"
django.setup()
from nuanxin.core import attachments
s = attachments.storage()
print(json.dumps({"class": type(s).__name__, **{k: str(getattr(s, k, None)) for k in (
    "location", "file_permissions_mode", "bucket_name", "endpoint_url", "region_name",
    "default_acl", "addressing_style", "file_overwrite")}}))
"""


def _storage_settings(tmp_path, **env) -> dict:
    import json

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NUANXIN_S3_", "NUANXIN_PRIVATE"))}
    clean.update(NUANXIN_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **env)
    out = subprocess.run(
        [sys.executable, "-c", _SHOW_STORAGE], env=clean, capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_default_private_storage_is_a_private_directory_under_var(tmp_path):
    shown = _storage_settings(tmp_path)
    assert shown["class"] == "FileSystemStorage"
    assert shown["location"] == str(tmp_path / "private")
    assert shown["file_permissions_mode"] == str(0o600)


def test_an_s3_bucket_is_used_when_set(tmp_path):
    """Only the settings: the storage is built without contacting any service."""
    shown = _storage_settings(
        tmp_path,
        NUANXIN_S3_BUCKET="nuanxin-files",
        NUANXIN_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        NUANXIN_S3_REGION="cn-qingdao",
        NUANXIN_S3_ADDRESSING_STYLE="path",
    )
    assert shown["class"] == "S3Storage"
    assert (shown["bucket_name"], shown["endpoint_url"], shown["region_name"]) == (
        "nuanxin-files", "http://127.0.0.1:9000", "cn-qingdao"
    )
    assert (shown["location"], shown["default_acl"], shown["addressing_style"], shown["file_overwrite"]) == (
        "private", "None", "path", "False"
    )
