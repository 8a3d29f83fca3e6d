"""A batch's life: the upload recorded, the dry run (read, plan, store every row a chunk at a
time), its counts and states, and the stored plan read back in row order."""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.attachments import AttachmentRefused
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.models import AuditOutcome
from nuanxin.core.policy import SYSTEM, user_of
from nuanxin.registry.choices import TeamType
from nuanxin.registry.import_models import BatchStatus, ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import bulk, storage
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.safety import FileRefused, check_size, kind_of
from nuanxin.tables.imports.timing import fewer_full_collections, phase

log = logging.getLogger(__name__)


ROW_CHUNK = 2000


def inline_bytes() -> int:
    return int(getattr(settings, "NUANXIN_IMPORT_INLINE_BYTES", 256 * 1024))


def inline_apply_rows() -> int:
    return int(getattr(settings, "NUANXIN_IMPORT_INLINE_APPLY_ROWS", 3000))


_user = user_of  # the author of the rows (None for the system)


def create_batch(
    *,
    actor,
    organisation,
    upload,
    filename: str,
    default_team: str = "",
    auto_apply: bool = False,
    background: bool | None = None,
) -> ImportBatch:
    """Take an uploaded file: refuse it at once if it is hostile, otherwise record a batch and
    run the dry run (inline for a small file, as a background task for a large one, or as
    ``background`` says)."""
    ImportBatch.policy.require_in(
        actor, "change", organisation, _("You may not import into %(org)s.") % {"org": organisation.name}
    )
    if default_team and default_team not in TeamType.values:
        raise ServiceError(_("Unknown frontline team."), field="default_team")
    filename = os.path.basename(filename or "upload")[:200]
    kind = kind_of(filename)
    size = getattr(upload, "size", None)
    try:
        with phase("check"), transaction.atomic():
            # An upload over the limit arrives without its content (core.uploads): refused by
            # the size that arrived, before anything is stored.
            check_size(size)
            batch = ImportBatch.objects.create(
                organisation=organisation,
                filename=filename,
                file_kind=kind,
                file_size=size or 0,
                default_team=default_team,
                auto_apply=auto_apply,
                created_by=_user(actor),
            )
            # kept as the batch's attachment once its content proved harmless (safety.check_file
            # on a private copy); a refusal rolls the batch back and keeps nothing
            try:
                upload_file = storage.store_upload(actor=actor, batch=batch, upload=upload, filename=filename)
            except AttachmentRefused as exc:  # its own refusals (empty, wrong name): the importer's kind
                raise FileRefused(exc.message) from None
            size = upload_file.size
            batch.file_size, batch.sha256 = upload_file.size, upload_file.sha256
            batch.save(update_fields=["file_size", "sha256"])
            audit.record(
                actor,
                "import.upload",
                obj=batch,
                organisation=organisation,
                detail={"file": filename, "size": size, "sha256": batch.sha256, "auto_apply": auto_apply},
            )
    except FileRefused as exc:
        audit.record(
            actor,
            "import.refuse",
            object_type="registry.importbatch",
            object_repr=filename,
            organisation=organisation,
            outcome=AuditOutcome.FAILURE,
            detail={"file": filename, "size": size, "reason": str(exc.message)},
        )
        raise
    with transaction.atomic():
        if background is None:
            background = size > inline_bytes()
        if background:
            from nuanxin.tables.imports.tasks import plan_import

            batch_id = batch.pk
            transaction.on_commit(lambda: plan_import.enqueue(batch_id))
    if not background:
        plan_batch(batch_id=batch.pk)
        batch.refresh_from_db()
    return batch


def _set(batch_id: int, **fields) -> None:
    ImportBatch.objects.filter(pk=batch_id).update(**fields)


def plan_batch(*, batch_id: int) -> None:
    """The dry run of a batch: read the stored file, plan every row, store the plan. Runs in the
    request for small files and in the task worker for large ones; commits in chunks so the
    page can show progress."""
    batch = ImportBatch.objects.select_related("organisation", "created_by").get(pk=batch_id)
    if batch.status != BatchStatus.QUEUED:
        return
    _set(batch.pk, status=BatchStatus.PLANNING, progress_done=0, progress_total=0)
    actor = batch.created_by or SYSTEM  # a batch the system made (the command) is planned by it
    upload = storage.upload_of(batch)
    try:
        if upload is None:  # nothing kept for it (cannot happen to a queued batch: say so, not crash)
            raise FileNotFoundError(f"import batch {batch.pk} has no upload")
        with fewer_full_collections(), storage.local_path(upload) as path:
            counts, sheets = _plan(batch, actor, path)
        if not any(s.get("table") for s in sheets):
            raise pl._no_table()
        with phase("finish"), transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=BatchStatus.PLANNED,
                sheets=sheets,
                counts=counts,
                planned_at=timezone.now(),
                progress_done=counts["total"],
                progress_total=counts["total"],
            )
            audit.record(actor, "import.plan", obj=batch, organisation=batch.organisation, detail={"counts": counts})
    except FileRefused as exc:
        ImportRow.objects.filter(batch_id=batch.pk).delete()
        _set(batch.pk, status=BatchStatus.REFUSED, message=str(exc.message))
        audit.record(
            actor,
            "import.refuse",
            obj=batch,
            organisation=batch.organisation,
            outcome=AuditOutcome.FAILURE,
            detail={"reason": str(exc.message)},
        )
        return
    except Exception:
        log.exception("import batch %s failed", batch.pk)
        ImportRow.objects.filter(batch_id=batch.pk).delete()
        _set(batch.pk, status=BatchStatus.FAILED, message=_("The file could not be processed."))
        return
    finally:
        storage.remove_upload(actor=actor or SYSTEM, batch=batch)
    if batch.auto_apply and counts.get(Outcome.REVIEW, 0) == 0:
        from nuanxin.tables.imports.apply import apply_batch  # the apply builds on the batch

        batch.refresh_from_db()
        apply_batch(actor=actor, batch=batch)


def _plan(batch: ImportBatch, actor, path) -> tuple[dict, list[dict]]:
    """Read, plan and store the rows of the batch's file (a local copy at ``path``): (counts,
    sheets described)."""
    sheets: list[dict] = []
    size = [0]

    def on_sheet(rows: int) -> None:
        size[0] += rows
        _set(batch.pk, progress_total=size[0])

    rows = pl.iter_file(
        path, batch.file_kind, default_team=batch.default_team, sheets=sheets, on_sheet=on_sheet
    )
    with phase("lookup"):
        planner = pl.Planner(organisation=batch.organisation, actor=actor)
    return _write_rows(batch, planner.iter_plan(rows)), sheets


ROW_COLUMNS = [
    "batch", "index", "sheet", "line", "table", "outcome", "decision", "reasons", "raw", "data", "worker",
    "ref_index", "candidates", "changes", "versions", "applied",
]


def _write_rows(batch: ImportBatch, chunks) -> dict:
    """Store the planned rows a chunk at a time as they come (the page's progress counts them;
    each chunk commits on its own, the batch stays "planning" until all are stored). Returns
    the counts of every outcome."""
    counts = {o: 0 for o in Outcome.values}
    done = 0
    columns = [f"{c}_id" if c in ("batch", "worker") else c for c in ROW_COLUMNS]
    postgres = bulk.is_postgres()
    for chunk in chunks:
        with phase("store"):
            for p in chunk:
                counts[p.outcome] += 1
            if postgres:
                bulk.copy_lines(ImportRow._meta.db_table, [ImportRow._meta.get_field(c).column for c in columns],
                                _row_lines(batch.pk, chunk))
            else:
                rows = []
                for p in chunk:
                    reasons, raw, data = p.stored()
                    rows.append([batch.pk, p.index, p.sheet[:100], p.line, p.table, p.outcome, "", reasons, raw, data,
                                 p.worker_id, p.ref_index, p.candidates, p.changes, p.versions, {}])
                bulk.insert_dicts(ImportRow, columns, rows)
            done += len(chunk)
            _set(batch.pk, progress_done=done)
    counts["total"] = done
    return counts


def _row_lines(batch_id: int, chunk):
    """The planned rows as lines of COPY text, in ``ROW_COLUMNS`` order."""
    dumps, json_text, text = bulk.dumps, bulk.json_text, bulk.text
    head = f"{batch_id}\t"
    for p in chunk:
        reasons, raw, data = p.stored()
        yield "\t".join(
            (
                head + str(p.index),
                text(p.sheet[:100]),
                str(p.line),
                str(p.table),
                p.outcome,
                "",
                json_text(dumps(reasons)) if reasons else "[]",
                json_text(dumps(raw)) if raw else "[]",
                json_text(dumps(data)),
                "\\N" if p.worker_id is None else str(p.worker_id),
                "\\N" if p.ref_index is None else str(p.ref_index),
                json_text(dumps(p.candidates)) if p.candidates else "[]",
                json_text(dumps(p.changes)) if p.changes else "{}",
                json_text(dumps(p.versions)) if p.versions else "{}",
                "{}",
            )
        )


def _counts(batch: ImportBatch) -> dict:
    counts = {o: 0 for o in Outcome.values}
    for row in ImportRow.objects.filter(batch_id=batch.pk).values("outcome").order_by().annotate(n=Count("id")):
        counts[row["outcome"]] = row["n"]
    counts["total"] = sum(counts[o] for o in Outcome.values)
    return counts


def _refresh_counts(batch: ImportBatch) -> None:
    batch.counts = _counts(batch)
    batch.save(update_fields=["counts"])


def _lock_planned(batch: ImportBatch) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status != BatchStatus.PLANNED:
        raise Conflict(_("This import is %(status)s; it cannot be changed.") % {"status": batch.get_status_display()})
    return batch


def _check_decided(batch: ImportBatch) -> None:
    waiting = ImportRow.objects.filter(batch=batch, outcome=Outcome.REVIEW).count()
    if waiting:
        raise Conflict(
            _("%(count)s rows are likely duplicates waiting for a decision; decide them (or skip them) first.")
            % {"count": waiting}
        )


APPLIED = (Outcome.CREATE, Outcome.UPDATE)
