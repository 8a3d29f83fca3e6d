"""The importer through HTTP (page flow, API) and the command line (exit codes, --json)."""

import io
import json
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from nuanxin.accounts.services import create_api_token
from nuanxin.core.models import Attachment, AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.import_models import BatchStatus, ImportBatch, Outcome
from nuanxin.registry.models import Deployment, Worker
from nuanxin.tables.imports import display
from nuanxin.tables.tests.import_fixtures import sample, table1

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _login(client, user):
    client.force_login(user)
    client.cookies["nuanxin_language"] = "en"
    return client


def _upload(client, world, name="table1_aid_team.xlsx", data=None, **extra):
    f = io.BytesIO(data if data is not None else sample(name).read_bytes())
    f.name = name
    return client.post(
        reverse("tables:imports:list"), {"file": f, "organisation": str(world.unit.pk), **extra}
    )


# --- the page ----------------------------------------------------------------------------------


def test_page_flow_upload_dry_run_apply_undo(client, world):
    _login(client, world.p.yi)
    assert client.get(reverse("tables:imports:list")).status_code == 200
    response = _upload(client, world)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tables:imports:detail", args=[batch.pk])
    assert Worker.objects.count() == 0  # a dry run first
    page = client.get(response["Location"]).content.decode()
    for text in ("张伟", "刘洋", "周敏", "1380532123", "nx-import-counts", "Apply this import"):
        assert text in page
    rejected = client.get(reverse("tables:imports:detail", args=[batch.pk]) + "?outcome=reject").content.decode()
    assert "李强" in rejected and "周敏" not in rejected
    assert client.post(reverse("tables:imports:apply", args=[batch.pk])).status_code == 302
    assert Worker.objects.count() == 5
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "Undo this import" in page
    assert client.post(reverse("tables:imports:undo", args=[batch.pk])).status_code == 302
    assert Worker.objects.count() == 0
    batch.refresh_from_db()
    assert batch.status == BatchStatus.UNDONE


def test_the_outcome_of_a_new_worker_is_its_own_word_not_the_create_button(client, world):
    """docs/import.md calls it 新建; the generic button "Create" is 创建. The outcome label has
    its own msgctxt ("import outcome"), so the two translate apart (the committed catalogue)."""
    assert (Outcome.CREATE.label, Outcome.CREATE.label == "Create") == ("Create", True)  # English
    client.force_login(world.p.yi)
    client.cookies["nuanxin_language"] = "zh-hans"
    _upload(client, world)
    batch = ImportBatch.objects.get()
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    with translation.override("zh-hans"):
        assert (str(Outcome.CREATE.label), translation.gettext("Create")) == ("新建", "创建")
    assert page.count('<span class="badge text-bg-success">新建</span>') == 5
    assert "创建" not in page


def test_progress_partial_asks_for_a_refresh_when_done(client, world):
    _login(client, world.p.yi)
    _upload(client, world)
    batch = ImportBatch.objects.get()
    response = client.get(reverse("tables:imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_progress_poll_also_refreshes_the_status_badge(client, world):
    """The heading's badge said "Waiting to be read" for the whole read while the bar below it
    said "Reading the file…": each poll now swaps the badge too (htmx out of band)."""
    _login(client, world.p.yi)
    _upload(client, world)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.PLANNING)
    response = client.get(reverse("tables:imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and not response.has_header("HX-Refresh")
    assert page.count('id="nx-import-status"') == 1
    badge = '<span class="badge text-bg-secondary fs-6" id="nx-import-status" hx-swap-oob="true">'
    assert badge + "Reading the file</span>" in page
    # The page itself has the badge once, without the out-of-band marker.
    detail = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert detail.count('id="nx-import-status"') == 1 and "hx-swap-oob" not in detail


def test_rejected_rows_download_has_reasons_and_no_formulas(client, world):
    _login(client, world.p.yi)
    rows = [
        [1, "王一", "男", "医生", "", "=1+2", "", "", "", ""],
        [2, "王二", "男", "医生", "", "13800001234", "", "", "", ""],
    ]
    _upload(client, world, name="evil.xlsx", data=table1(rows))
    batch = ImportBatch.objects.get()
    response = client.get(reverse("tables:imports:rejects", args=[batch.pk]))
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    # the table's title (read as table 1 again), then the header as written between 行 and 原因
    assert sheet[0][0] == "青岛市援鄂医疗队成员联系表"
    assert sheet[1][1:3] == ["序号", "职工 姓名"] and sheet[1][-1] in ("Reason", "原因")
    assert len(sheet) == 3
    assert sheet[2][6] == "'=1+2"
    assert "=1+2" in sheet[2][-1]
    # The download holds full phone numbers as written: it is audited with its row count.
    row = AuditLog.objects.get(action="import.export_rejected")
    assert (row.actor_id, row.object_id, row.detail) == (world.p.yi.pk, str(batch.pk), {"rows": 1})


def test_an_outside_next_address_is_ignored_after_an_action(client, world):
    _login(client, world.p.yi)
    _upload(client, world)
    batch = ImportBatch.objects.get()
    detail = reverse("tables:imports:detail", args=[batch.pk])
    response = client.post(reverse("tables:imports:apply", args=[batch.pk]), {"next": "https://evil.example/"})
    assert (response.status_code, response["Location"]) == (302, detail)
    response = client.post(reverse("tables:imports:undo", args=[batch.pk]), {"next": "/tables/imports/"})
    assert (response.status_code, response["Location"]) == (302, "/tables/imports/")


def test_the_preview_masks_numbers_already_in_the_register():
    row = SimpleNamespace(changes={
        "worker": {"mobile": ["+8613800001234", "+8613900005678"]},
        "family_update": [{"name": "李娜", "mobile": ["+8613700002222", "+8613600003333"]}],
        "deployment": {"deployed_mobile": ["+8615000004444", "+8615100005555"]},
    })
    assert display.describe(row) == [
        "Mobile: 138****1234 → 13900005678",
        "Family member: Mobile 137****2222 → 13600003333",
        "Mobile used in Wuhan: 150****4444 → 15100005555",
    ]


def test_a_refused_file_shows_its_reason_on_the_form(client, world):
    _login(client, world.p.yi)
    response = _upload(client, world, name="fake.xlsx", data=b"not a zip")
    assert response.status_code == 200
    assert ".xlsx" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_an_upload_over_the_limit_is_refused_by_its_size_without_being_kept(client, world, settings):
    """The upload handler drops what arrives beyond the limit; the page still says how big the
    file was and what the limit is, and nothing is stored."""
    settings.NUANXIN_IMPORT_MAX_BYTES = 1024 * 1024
    _login(client, world.p.yi)
    response = _upload(client, world, name="big.csv", data=b"x" * (3 * 1024 * 1024))
    assert response.status_code == 200
    assert "The file is 3.0 MB; the limit is 1.0 MB. Split it into smaller files." in response.content.decode()
    assert ImportBatch.objects.count() == 0 and Attachment.objects.count() == 0
    assert not AuditLog.objects.filter(action="attachment.store").exists()  # nothing was ever stored
    row = AuditLog.objects.get(action="import.refuse")
    assert (row.actor_id, row.detail["size"], row.detail["file"]) == (world.p.yi.pk, 3 * 1024 * 1024, "big.csv")


def test_a_district_admin_cannot_pick_another_district(client, world):
    _login(client, world.p.bing)
    response = _upload(client, world)
    assert response.status_code == 200  # form error: the organisation is not a choice
    assert ImportBatch.objects.count() == 0


def test_deciding_a_likely_duplicate_in_the_page(client, world):
    _login(client, world.p.yi)
    _upload(client, world)
    client.post(reverse("tables:imports:apply", args=[ImportBatch.objects.get().pk]))
    _upload(client, world, name="table2_frontline_gbk.csv")
    batch = ImportBatch.objects.latest("id")
    page = client.get(reverse("tables:imports:detail", args=[batch.pk])).content.decode()
    assert "Same person as" in page and "Skip the undecided rows" in page
    row = batch.rows.get(outcome="review")
    client.post(reverse("tables:imports:decide", args=[batch.pk, row.pk]), {"decision": "skip"})
    row.refresh_from_db()
    assert (row.outcome, row.decision) == ("reject", "skip")
    client.post(reverse("tables:imports:apply", args=[batch.pk]))
    assert Worker.objects.count() == 8


# --- the API -----------------------------------------------------------------------------------


def _api(client, user):
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_api_upload_get_apply_undo(client, world):
    _api(client, world.p.yi)
    f = io.BytesIO(sample("table1_aid_team.xlsx").read_bytes())
    f.name = "table1.xlsx"
    response = client.post("/api/v1/imports", {"file": f, "org": "QD-SN-01"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["counts"]["create"], body["counts"]["reject"], body["rows_count"]) == (
        "planned", 5, 1, 7
    )
    batch_id = body["id"]
    got = client.get(f"/api/v1/imports/{batch_id}?outcome=reject").json()
    assert [(r["line"], r["outcome"]) for r in got["rows"]] == [(12, "reject")]
    assert got["rows"][0]["messages"][0].startswith("联系方式")
    applied = client.post(f"/api/v1/imports/{batch_id}/apply", "{}", content_type="application/json").json()
    assert applied["status"] == "applied" and Worker.objects.count() == 5
    undone = client.post(f"/api/v1/imports/{batch_id}/undo").json()
    assert undone["status"] == "undone" and Worker.objects.count() == 0
    again = client.post(f"/api/v1/imports/{batch_id}/undo")
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_api_upload_applied_at_once_and_errors(client, world):
    _api(client, world.p.yi)
    f = io.BytesIO(sample("table1_aid_team.xlsx").read_bytes())
    f.name = "table1.xlsx"
    body = client.post("/api/v1/imports", {"file": f, "org": "QD-SN-01", "dry_run": "false"}).json()
    assert body["status"] == "applied" and Worker.objects.count() == 5
    bad = io.BytesIO(b"PK\x03\x04garbage")
    bad.name = "x.xlsx"
    refused = client.post("/api/v1/imports", {"file": bad, "org": "QD-SN-01"})
    assert refused.status_code == 400 and refused.json()["code"] == "file_refused"
    missing = client.post("/api/v1/imports", {"org": "SB-H1"})
    assert missing.status_code == 404


def test_api_apply_with_a_form_body_is_400_and_applies_nothing(client, world, caplog):
    _api(client, world.p.yi)
    f = io.BytesIO(sample("table1_aid_team.xlsx").read_bytes())
    f.name = "table1.xlsx"
    batch_id = client.post("/api/v1/imports", {"file": f, "org": "QD-SN-01"}).json()["id"]
    not_json = {
        "code": "invalid",
        "message": "The request body must be JSON, sent with “Content-Type: application/json” (form fields and "
        "multipart bodies are not read here).",
    }
    # curl -F undecided=skip (multipart: was a 500) and curl -d undecided=skip (a form).
    multipart = client.post(f"/api/v1/imports/{batch_id}/apply", {"undecided": "skip"})
    assert (multipart.status_code, multipart.json()) == (400, not_json)
    form = client.post(
        f"/api/v1/imports/{batch_id}/apply", "undecided=skip", content_type="application/x-www-form-urlencoded"
    )
    assert (form.status_code, form.json()) == (400, not_json)
    assert [r for r in caplog.records if r.levelname == "ERROR"] == []
    assert (ImportBatch.objects.get(pk=batch_id).status, Worker.objects.count()) == (BatchStatus.PLANNED, 0)
    # curl -d '{"undecided": "skip"}' without a Content-Type header: JSON, read as such.
    applied = client.post(
        f"/api/v1/imports/{batch_id}/apply", '{"undecided": "skip"}', content_type="application/x-www-form-urlencoded"
    )
    assert (applied.status_code, applied.json()["status"], Worker.objects.count()) == (200, "applied", 5)


# --- the command -------------------------------------------------------------------------------


def test_command_applies_and_prints_json(world, capsys):
    call_command("import_tables", str(sample("table1_aid_team.xlsx")), "--org", "QD-SN-01", "--user", "yi", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["applied"] is True
    assert out["counts"] == {"create": 5, "update": 0, "unchanged": 1, "reject": 1, "review": 0, "total": 7}
    assert [(r["line"], r["outcome"]) for r in out["rows"]][5] == (12, "reject")
    assert Worker.objects.count() == 5
    call_command("import_tables", str(sample("table3_wuhan_phones.xlsx")), "--org", "QD-SN-01")
    assert Deployment.objects.count() == 3


def test_command_dry_run_writes_nothing(world, capsys):
    call_command("import_tables", str(sample("table1_aid_team.xlsx")), "--org", "QD-SN-01", "--dry-run")
    out = capsys.readouterr().out
    assert "5 create" in out and "附件1!12" in out
    assert Worker.objects.count() == 0


def test_command_exit_codes(world, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(SystemExit) as exc:
        call_command("import_tables", str(bad), "--org", "QD-SN-01")
    assert exc.value.code == 1
    with pytest.raises(CommandError) as usage:
        call_command("import_tables", str(bad), "--org", "NOPE")
    assert (str(usage.value), usage.value.returncode) == ("No organisation has the code “NOPE”.", 2)
    with pytest.raises(CommandError) as denied:
        call_command("import_tables", str(sample("table1_aid_team.xlsx")), "--org", "QD-SN-01", "--user", "bing")
    assert denied.value.returncode == 2
    with pytest.raises(CommandError) as nobody:
        call_command("import_tables", str(bad), "--org", "QD-SN-01", "--user", "nobody")
    assert (str(nobody.value), nobody.value.returncode) == ("No active account has the username “nobody”.", 2)
    with pytest.raises(CommandError) as missing:
        call_command("import_tables", str(tmp_path / "none.xlsx"), "--org", "QD-SN-01")
    assert (str(missing.value), missing.value.returncode) == (f"No such file: {tmp_path / 'none.xlsx'}", 2)
