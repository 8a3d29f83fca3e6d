"""Writes of the importer: upload, dry run, decisions, apply and undo.

The dry run (``plan_batch``) stores every row's outcome and the exact changes; ``apply_batch``
writes that stored plan in one transaction after checking that nothing it relies on changed
since (otherwise it refuses, and the user runs the dry run again); ``undo_batch`` reverses
an applied batch while nothing has changed the records it wrote since.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import xlsxwriter
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.exports import XLSX_MAX_CELL, neutralise
from nuanxin.core.models import AuditOutcome
from nuanxin.orgs import scope
from nuanxin.registry import normalise
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, TeamType
from nuanxin.registry.import_models import BatchStatus, Decision, ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import bulk, display
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.messages import reason, render
from nuanxin.tables.imports.safety import FileRefused, check_file, check_size, kind_of
from nuanxin.tables.imports.timing import fewer_full_collections, phase

log = logging.getLogger(__name__)
ROW_CHUNK = 2000


def import_dir() -> Path:
    path = Path(getattr(settings, "NUANXIN_IMPORT_DIR", Path(settings.VAR_DIR) / "imports"))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def inline_bytes() -> int:
    return int(getattr(settings, "NUANXIN_IMPORT_INLINE_BYTES", 256 * 1024))


def inline_apply_rows() -> int:
    return int(getattr(settings, "NUANXIN_IMPORT_INLINE_APPLY_ROWS", 3000))


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def may_import(actor, organisation) -> bool:
    return actor is None or scope.covers(actor, REGISTER_CHANGE_ROLES, organisation)


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
    if not may_import(actor, organisation):
        raise NotAllowed(_("You may not import into %(org)s.") % {"org": organisation.name})
    if default_team and default_team not in TeamType.values:
        raise ServiceError(_("Unknown frontline team."), field="default_team")
    filename = os.path.basename(filename or "upload")[:200]
    kind = kind_of(filename)
    path, size = None, getattr(upload, "size", None)
    try:
        with phase("check"):
            # An upload over the limit arrives without its content (core.uploads): refused by
            # the size that arrived, before anything is stored.
            check_size(size)
            path, size, digest = _store_upload(upload, kind)
            check_file(path, kind)
    except FileRefused as exc:
        _remove(path)
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
        batch = ImportBatch.objects.create(
            organisation=organisation,
            filename=filename,
            file_kind=kind,
            file_size=size,
            sha256=digest,
            stored_path=str(path),
            default_team=default_team,
            auto_apply=auto_apply,
            created_by=_user(actor),
        )
        audit.record(
            actor,
            "import.upload",
            obj=batch,
            organisation=organisation,
            detail={"file": filename, "size": size, "sha256": digest, "auto_apply": auto_apply},
        )
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
    actor = batch.created_by
    try:
        with fewer_full_collections():
            counts, sheets = _plan(batch, actor)
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
                stored_path="",
            )
            audit.record(actor, "import.plan", obj=batch, organisation=batch.organisation, detail={"counts": counts})
    except FileRefused as exc:
        ImportRow.objects.filter(batch_id=batch.pk).delete()
        _set(batch.pk, status=BatchStatus.REFUSED, message=str(exc.message), stored_path="")
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
        _set(batch.pk, status=BatchStatus.FAILED, message=_("The file could not be processed."), stored_path="")
        return
    finally:
        _remove(batch.stored_path)
    if batch.auto_apply and counts.get(Outcome.REVIEW, 0) == 0:
        batch.refresh_from_db()
        apply_batch(actor=actor, batch=batch)


def _plan(batch: ImportBatch, actor) -> tuple[dict, list[dict]]:
    """Read, plan and store the rows of the batch's file: (counts, sheets described)."""
    sheets: list[dict] = []
    size = [0]

    def on_sheet(rows: int) -> None:
        size[0] += rows
        _set(batch.pk, progress_total=size[0])

    rows = pl.iter_file(
        batch.stored_path, batch.file_kind, default_team=batch.default_team, sheets=sheets, on_sheet=on_sheet
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


# --- decisions on likely duplicates ----------------------------------------------------------


def _lock_planned(batch: ImportBatch) -> ImportBatch:
    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status != BatchStatus.PLANNED:
        raise Conflict(_("This import is %(status)s; it cannot be changed.") % {"status": batch.get_status_display()})
    return batch


@transaction.atomic
def decide_row(*, actor, batch: ImportBatch, row: ImportRow, decision: str, candidate: int = 0) -> ImportRow:
    """A person decides a likely duplicate: the same person as candidate ``candidate`` (the
    row becomes an update of that worker, its phone replacing the old one), a new person (a
    create), or not to import the row."""
    batch = _lock_planned(batch)
    row = ImportRow.objects.select_for_update().get(pk=row.pk, batch=batch)
    if row.outcome != Outcome.REVIEW and not row.decision:
        raise Conflict(_("This row needs no decision."))
    if decision not in (Decision.SAME, Decision.NEW, Decision.SKIP):
        raise ServiceError(_("Unknown decision."), field="decision")
    data = dict(row.data)
    data["notes"] = [n for n in data.get("notes", []) if n.get("code") not in {"decided_same", "decided_new"}]
    row.changes, row.versions, row.worker_id, row.ref_index = {}, {}, None, None
    planner = pl.Planner(organisation=batch.organisation, actor=actor)
    if decision == Decision.SKIP:
        row.outcome = Outcome.REJECT
        row.reasons = [reason("skipped_by_user")]
    elif decision == Decision.NEW:
        twin = (
            ImportRow.objects.filter(batch=batch, outcome=Outcome.CREATE, data__key=data["key"])
            .exclude(pk=row.pk)
            .filter(data__mobile=data["mobile"])
            .first()
        )
        if twin is not None:
            raise Conflict(
                _("Row %(line)s of sheet “%(sheet)s” already creates this person.")
                % {"line": twin.line, "sheet": twin.sheet}
            )
        unit = planner.units.by_id[data["unit_id"]]
        planned = _as_planned(row, data)
        planner.plan_create(planned, unit, data)
        data["notes"].append(reason("decided_new"))
        row.outcome, row.changes = Outcome.CREATE, planned.changes
        row.reasons = data["notes"]
    else:
        try:
            chosen = row.candidates[int(candidate)]
        except (IndexError, ValueError, TypeError):
            raise ServiceError(_("Choose one of the listed records."), field="candidate") from None
        planned = _as_planned(row, data)
        if "worker" in chosen:
            states = [w for w in pl.existing_workers([data["key"]]) if w.worker_id == chosen["worker"]]
            if not states:
                raise Conflict(_("That record no longer exists; run the dry run again."))
            state = states[0]
            pl.load_related({state.worker_id: state}, planner.campaign_id)
            planned.worker_id = state.worker_id
            planner.diff_into(planned, state, data)
            planned.changes.setdefault("worker", {})["mobile"] = [state.mobile, data["mobile"]]
            planned.versions["worker"] = state.version
            row.worker_id = state.worker_id
        else:
            source = ImportRow.objects.get(batch=batch, index=chosen["row"])
            state = _state_of_created(source)
            planner.diff_into(planned, state, data)
            planned.changes.setdefault("worker", {})["mobile"] = [state.mobile, data["mobile"]]
            row.ref_index = source.index
        data["notes"].append(reason("decided_same"))
        row.outcome = Outcome.UPDATE if planned.changes else Outcome.UNCHANGED
        row.changes, row.versions = planned.changes, planned.versions
        row.reasons = data["notes"]
    row.decision = decision
    row.data = data
    row.save()
    _refresh_counts(batch)
    audit.record(
        actor,
        "import.decide",
        obj=batch,
        organisation=batch.organisation,
        detail={"row": row.index, "line": row.line, "sheet": row.sheet, "decision": decision, "outcome": row.outcome},
    )
    return row


def _state_of_created(source: ImportRow) -> pl.State:
    """The state of the worker a planned "create" row will write: its values, family members,
    assignment and difficulty as the row's changes hold them."""
    ch = source.changes or {}
    state = pl.State(
        worker_id=None,
        ref=source.index,
        org_id=source.data["unit_id"],
        name=source.data["name"],
        key=source.data["key"],
        mobile=source.data["mobile"],
        line=source.line,
        sheet=source.sheet,
        **{f: new for f, (_old, new) in (ch.get("worker") or {}).items() if f in pl.WORKER_FIELDS},
    )
    state.family = tuple(
        (m["key"], None, source.index, pos, m["mobile"], m["relation"], "")
        for pos, m in enumerate(ch.get("family_add", []))
    )
    state.has_primary = bool(state.family)
    if ch.get("difficulty"):
        text = normalise.text(ch["difficulty"])
        state.difficulties = frozenset({text})
        state.difficulty_rows = ((text, source.line, source.sheet),)
    if ch.get("assign"):
        state.assigned, state.assigned_name = ch["assign"]["user"], ch["assign"]["name"]
    return state


def _as_planned(row: ImportRow, data: dict) -> pl.Planned:
    return pl.Planned(
        index=row.index,
        sheet=row.sheet,
        line=row.line,
        table=row.table,
        outcome=Outcome.UNCHANGED,
        raw=row.raw,
        data=data,
        reasons=[],
    )


@transaction.atomic
def skip_undecided(*, actor, batch: ImportBatch) -> int:
    """Leave every row still waiting for a decision out of the import."""
    batch = _lock_planned(batch)
    rows = list(ImportRow.objects.filter(batch=batch, outcome=Outcome.REVIEW, decision=""))
    for row in rows:
        row.outcome = Outcome.REJECT
        row.decision = Decision.SKIP
        row.reasons = [reason("undecided")]
    ImportRow.objects.bulk_update(rows, ["outcome", "decision", "reasons"])
    _refresh_counts(batch)
    audit.record(actor, "import.skip_undecided", obj=batch, organisation=batch.organisation, detail={"rows": len(rows)})
    return len(rows)


# --- apply -----------------------------------------------------------------------------------


def request_apply(*, actor, batch: ImportBatch) -> ImportBatch:
    """Apply now (small batches) or in the background (large ones)."""
    total = batch.count(Outcome.CREATE) + batch.count(Outcome.UPDATE)
    if total <= inline_apply_rows():
        return apply_batch(actor=actor, batch=batch)
    with transaction.atomic():
        locked = _lock_planned(batch)
        _check_decided(locked)
        locked.status = BatchStatus.APPLYING
        locked.message = ""
        locked.progress_done, locked.progress_total = 0, APPLY_PROGRESS_SCALE
        locked.save(update_fields=["status", "message", "progress_done", "progress_total"])
        from nuanxin.tables.imports.tasks import apply_import

        batch_id, actor_id = locked.pk, getattr(_user(actor), "pk", None)
        transaction.on_commit(lambda: apply_import.enqueue(batch_id, actor_id))
    return locked


def _check_decided(batch: ImportBatch) -> None:
    waiting = ImportRow.objects.filter(batch=batch, outcome=Outcome.REVIEW).count()
    if waiting:
        raise Conflict(
            _("%(count)s rows are likely duplicates waiting for a decision; decide them (or skip them) first.")
            % {"count": waiting}
        )


def _check_scope(actor, batch: ImportBatch, outcomes) -> None:
    """Refuse when a row writes to a worker outside the acting user's scope: the dry run may be
    another user's with a wider scope (a city administrator's plan of a unit's file, updating a
    worker registered in another district), or the worker may have moved since."""
    user = _user(actor)
    if user is None:
        return
    rows = ImportRow.objects.filter(batch_id=batch.pk, outcome__in=outcomes, worker__isnull=False)
    q = scope.scope_q(user, REGISTER_CHANGE_ROLES, "worker__organisation__path")
    row = (rows if q is None else rows.exclude(q)).order_by("index").only("line", "sheet").first()
    if row is not None:
        # the row as the command lists it (sheet!row), and why
        raise NotAllowed(f"{row.sheet}!{row.line}: {render(reason('registered_elsewhere'))}")


def apply_batch(*, actor, batch: ImportBatch) -> ImportBatch:
    """Write the stored plan of a batch in one transaction. Refuses (and writes nothing) when a
    record the plan relies on changed since the dry run."""
    try:
        with fewer_full_collections(), phase("commit"), transaction.atomic():
            return _apply(actor, batch)
    except ServiceError as exc:
        if ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.APPLYING).exists():
            _set(batch.pk, status=BatchStatus.PLANNED, message=str(exc.message))
        raise
    except Exception:
        # Nothing was written (one transaction); the batch must not stay "applying" for ever
        # with the page polling: back to planned, with a message, to be applied again.
        log.exception("applying import batch %s failed", batch.pk)
        _set(
            batch.pk,
            status=BatchStatus.PLANNED,
            message=_("Applying the import failed and nothing was written; try again, or ask the administrator."),
        )
        raise
    finally:
        _remove(_progress_path(batch.pk))


# The apply writes in one transaction, so the batch row cannot show how far it got: the task
# notes its progress in a small file beside the uploads (the web process reads it), in points
# of APPLY_PROGRESS_SCALE: on PostgreSQL the database's own writing of the new records is the
# first half; the rows gone through in order the rest.
APPLY_PROGRESS_SCALE = 1000


def _progress_path(batch_id: int) -> Path:
    return import_dir() / f"progress-{int(batch_id)}.json"


def _note_progress(batch_id: int, done: int) -> None:
    path = _progress_path(batch_id)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(min(int(done), APPLY_PROGRESS_SCALE - 1)))
    os.replace(temporary, path)


def live_progress(batch: ImportBatch) -> ImportBatch:
    """The batch with its apply progress as the background task last noted it (in memory only;
    unchanged unless the batch is being applied)."""
    if batch.status == BatchStatus.APPLYING:
        try:
            done = int(json.loads(_progress_path(batch.pk).read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            return batch
        batch.progress_done, batch.progress_total = max(0, done), APPLY_PROGRESS_SCALE
    return batch


# An apply notes its progress at least every chunk (seconds apart); one whose note is this old
# was cut off with its worker (killed, machine restarted): its transaction left nothing.
STALE_APPLY_SECONDS = 15 * 60


def reset_interrupted_applies(*, actor=None) -> int:
    """Batches left "applying" by a worker that was killed mid-apply (its progress file stopped
    being updated) go back to planned with a message, so that the user can apply them again:
    the apply is one transaction, so nothing of it was written. A batch whose task has not
    started yet (no progress file) is left alone: the worker takes it when it runs. Returns
    how many were reset."""
    cutoff = time.time() - STALE_APPLY_SECONDS
    reset = 0
    for batch in ImportBatch.objects.filter(status=BatchStatus.APPLYING).select_related("organisation"):
        path = _progress_path(batch.pk)
        try:
            noted = path.stat().st_mtime
        except FileNotFoundError:
            continue
        if noted > cutoff:
            continue
        with transaction.atomic():
            changed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.APPLYING).update(
                status=BatchStatus.PLANNED,
                message=_("The import was interrupted (the task worker stopped) and nothing was written; "
                          "apply it again."),
            )
            if changed:
                audit.record(
                    actor,
                    "import.apply_interrupted",
                    obj=batch,
                    organisation=batch.organisation,
                    outcome=AuditOutcome.FAILURE,
                    detail={"last_progress": datetime.fromtimestamp(
                        noted, tz=timezone.get_current_timezone()
                    ).isoformat(timespec="seconds")},
                )
        _remove(path)
        reset += changed
    return reset


APPLY_CHUNK = 5000
APPLIED = (Outcome.CREATE, Outcome.UPDATE)
# The columns the apply writes of a new worker / family member (the others take their defaults).
WORKER_COLUMNS = (
    "organisation_id", "name", "name_key", "name_pinyin", "name_initials", "gender", "category", "post_title",
    "mobile", "mobile_tail", "team", "contact_name_hint", "created_by_id",
)
FAMILY_COLUMNS = ("worker_id", "name", "name_key", "relation", "mobile", "is_primary")


def worker_derived(name: str, mobile: str) -> tuple[str, str, str, str, str]:
    """(name, name_key, name_pinyin, name_initials, mobile_tail) as ``Worker.refresh_derived``
    computes them (a test holds the two equal)."""
    name = normalise.name(name)
    key = normalise.name_key(name)
    return name, key, *normalise.pinyin_of_key(key), normalise.tail(mobile)


def family_derived(name: str) -> tuple[str, str]:
    """(name, name_key) as ``FamilyMember.refresh_derived`` computes them."""
    name = normalise.name(name)
    return name, normalise.name_key(name)


def _plan_rows(batch: ImportBatch, fields: tuple, outcomes, where: str = ""):
    """The stored plan of ``batch`` in row order, a chunk (a list of tuples of ``fields``, the
    first of which must be "index") at a time; JSON columns decoded; ``where`` an SQL condition
    more. Read with a plain cursor: Django's row objects and converters cost more than the rows
    here."""
    from django.db import connection

    qn = connection.ops.quote_name
    table = ImportRow._meta.db_table
    columns = [ImportRow._meta.get_field(f[:-3] if f.endswith("_id") else f) for f in fields]
    decode = [i for i, f in enumerate(columns) if f.get_internal_type() == "JSONField"]
    outcome_marks = ", ".join(["%s"] * len(outcomes))
    # identifiers from the model's meta, quoted; the values are parameters
    sql = (
        f"SELECT {', '.join(qn(f.column) for f in columns)} FROM {qn(table)} "  # noqa: S608
        f"WHERE {qn('batch_id')} = %s AND {qn('outcome')} IN ({outcome_marks}) AND {qn('index')} > %s "
        f"{'AND (' + where + ') ' if where else ''}ORDER BY {qn('index')} LIMIT {int(APPLY_CHUNK)}"
    )
    loads = json.loads
    last = -1
    while True:
        with phase("load plan"), connection.cursor() as cursor:
            cursor.execute(sql, [batch.pk, *[str(o) for o in outcomes], last])
            chunk = cursor.fetchall()
            if decode:
                for n, values in enumerate(chunk):
                    values = list(values)
                    for i in decode:
                        if isinstance(values[i], str):
                            values[i] = loads(values[i])
                    chunk[n] = values
        if not chunk:
            return
        last = chunk[-1][0]
        yield chunk


# On PostgreSQL the new workers and family members are written by the database itself from the
# stored plan (INSERT ... SELECT), with their history rows: the values are the plan's, the
# derived columns (name_key, pinyin, initials) the ones the dry run computed with the models'
# rules, mobile_tail the mobile's last four digits (Worker.refresh_derived). Python then goes
# through the few rows that do anything else. The generic path (SQLite, or a plan stored before
# the dry run computed the search columns) does all of it in Python; the tests run both.
_WORKER_SQL = {
    "organisation_id": "(r.data ->> 'unit_id')::integer",
    "name": "r.data ->> 'name'",
    "name_key": "r.data ->> 'key'",
    "name_pinyin": "r.data ->> 'pinyin'",
    "name_initials": "r.data ->> 'initials'",
    "gender": "COALESCE(r.changes #>> '{worker,gender,1}', r.data ->> 'gender', '')",
    "category": "COALESCE(r.changes #>> '{worker,category,1}', r.data ->> 'category', '')",
    "post_title": "COALESCE(r.changes #>> '{worker,post_title,1}', r.data ->> 'post_title', '')",
    "mobile": "m.mobile",
    "mobile_tail": "right(m.mobile, 4)",
    "team": "COALESCE(r.changes #>> '{worker,team,1}', NULLIF(r.data ->> 'team', ''), %(other_team)s)",
    "contact_name_hint": "COALESCE(r.changes #>> '{worker,contact_name_hint,1}', '')",
    "created_at": "%(now)s",
    "updated_at": "%(now)s",
    "created_by_id": "%(user)s",
}
_FAMILY_SQL = {
    "worker_id": "f.worker_id",
    "name": "f.m ->> 'name'",
    "name_key": "f.m ->> 'key'",
    "relation": "f.m ->> 'relation'",
    "mobile": "f.m ->> 'mobile'",
    "is_primary": "(f.m ->> 'is_primary')::boolean",
    "created_at": "%(now)s",
    "updated_at": "%(now)s",
}
# the rows Python still goes through after the database wrote the created records
_REST_SQL = (
    "outcome = 'update' OR jsonb_exists_any(changes, ARRAY['assign', 'difficulty', 'deployment', 'family_update'])"
)


def _writes_in_database(batch: ImportBatch) -> bool:
    return bulk.is_postgres() and not (
        ImportRow.objects.filter(batch_id=batch.pk, outcome=Outcome.CREATE).exclude(data__has_key="pinyin").exists()
    )


def _select_list(model, mapping: dict, pk_sql: str, params: dict) -> tuple[list[str], list[str]]:
    """(columns, SQL values) for every concrete field of ``model``: the mapped ones, the primary
    key, the others their defaults (as parameters)."""
    from django.db import connection

    qn = connection.ops.quote_name
    columns, values = [], []
    for f in model._meta.concrete_fields:
        columns.append(qn(f.column))
        if f.primary_key:
            values.append(pk_sql)
        elif f.attname in mapping:
            values.append(mapping[f.attname])
        else:
            params[f"default_{f.attname}"] = f.get_default()
            values.append(f"%(default_{f.attname})s")
    return columns, values


def _create_in_database(batch: ImportBatch, user) -> Counter:
    """Write the workers the batch creates and every family member it adds, with their history
    rows, and record on each row its worker and what it created: all by PostgreSQL from the
    stored plan."""
    from django.db import connection

    from nuanxin.registry.models import FamilyMember, Worker

    qn = connection.ops.quote_name
    rows_table = qn(ImportRow._meta.db_table)
    now = timezone.now()
    params = {"batch": batch.pk, "now": now, "user": getattr(user, "pk", None), "other_team": TeamType.OTHER.value}
    totals = Counter()
    # identifiers from the models' meta, quoted; every value is a parameter
    with connection.cursor() as cursor:
        with phase("workers"):
            cursor.execute("DROP TABLE IF EXISTS nx_import_created")
            cursor.execute(
                "CREATE TEMPORARY TABLE nx_import_created AS "  # noqa: S608
                f"SELECT s.row_id, s.idx, nextval(pg_get_serial_sequence(%(table)s, %(pk)s)) AS worker_id FROM "
                f"(SELECT id AS row_id, {qn('index')} AS idx FROM {rows_table} "
                f"WHERE batch_id = %(batch)s AND outcome = 'create' ORDER BY {qn('index')}) AS s",
                {**params, "table": Worker._meta.db_table, "pk": Worker._meta.pk.column},
            )
            # every join below probes an index (never a nested loop over a whole table)
            cursor.execute("CREATE UNIQUE INDEX ON nx_import_created (idx)")
            cursor.execute("CREATE UNIQUE INDEX ON nx_import_created (row_id)")
            cursor.execute("ANALYZE nx_import_created")
            columns, values = _select_list(Worker, _WORKER_SQL, "c.worker_id", params)
            cursor.execute(
                f"INSERT INTO {qn(Worker._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(values)} FROM nx_import_created AS c JOIN {rows_table} AS r ON r.id = c.row_id "
                "CROSS JOIN LATERAL "
                "(SELECT COALESCE(r.changes #>> '{worker,mobile,1}', r.data ->> 'mobile') AS mobile) AS m",
                params,
            )
            totals["workers_created"] = cursor.rowcount
        with phase("worker history"):
            bulk.history_from_table(Worker, ids_from="SELECT worker_id FROM nx_import_created", user=user, when=now)
        with phase("family"):
            cursor.execute("DROP TABLE IF EXISTS nx_import_family")
            cursor.execute(
                "CREATE TEMPORARY TABLE nx_import_family AS "  # noqa: S608
                "SELECT s.row_id, s.idx, s.pos, nextval(pg_get_serial_sequence(%(table)s, %(pk)s)) AS member_id, "
                "s.worker_id, s.m FROM ("
                f"SELECT r.id AS row_id, r.{qn('index')} AS idx, (f.ord - 1)::integer AS pos, "
                "COALESCE(c.worker_id, rc.worker_id, r.worker_id) AS worker_id, f.value AS m "
                f"FROM {rows_table} AS r "
                "LEFT JOIN nx_import_created AS c ON c.row_id = r.id "
                "LEFT JOIN nx_import_created AS rc ON rc.idx = r.ref_index "
                "CROSS JOIN LATERAL jsonb_array_elements(r.changes -> 'family_add') WITH ORDINALITY AS f(value, ord) "
                "WHERE r.batch_id = %(batch)s AND r.outcome IN ('create', 'update') "
                f"AND jsonb_exists(r.changes, 'family_add') ORDER BY r.{qn('index')}, f.ord) AS s",
                {**params, "table": FamilyMember._meta.db_table, "pk": FamilyMember._meta.pk.column},
            )
            cursor.execute("CREATE INDEX ON nx_import_family (idx)")
            cursor.execute("ANALYZE nx_import_family")
            columns, values = _select_list(FamilyMember, _FAMILY_SQL, "f.member_id", params)
            cursor.execute(
                f"INSERT INTO {qn(FamilyMember._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(values)} FROM nx_import_family AS f",
                params,
            )
            totals["family_created"] = cursor.rowcount
        with phase("familymember history"):
            bulk.history_from_table(
                FamilyMember, ids_from="SELECT member_id FROM nx_import_family", user=user, when=now
            )
        with phase("plan rows"):
            # each row once: the created ones, the others adding family members, the others
            # naming a worker an earlier row created
            cursor.execute("DROP TABLE IF EXISTS nx_import_family_ids")
            cursor.execute(
                "CREATE TEMPORARY TABLE nx_import_family_ids AS SELECT row_id, "
                "jsonb_agg(member_id ORDER BY pos) AS ids FROM nx_import_family GROUP BY row_id"
            )
            cursor.execute("CREATE UNIQUE INDEX ON nx_import_family_ids (row_id)")
            cursor.execute("ANALYZE nx_import_family_ids")
            cursor.execute(
                f"UPDATE {rows_table} AS r SET worker_id = c.worker_id, "  # noqa: S608
                "applied = jsonb_strip_nulls(jsonb_build_object('created', true, 'family', fi.ids)) "
                "FROM nx_import_created AS c LEFT JOIN nx_import_family_ids AS fi ON fi.row_id = c.row_id "
                "WHERE r.id = c.row_id"
            )
            cursor.execute(
                f"UPDATE {rows_table} AS r SET worker_id = COALESCE(rc.worker_id, r.worker_id), "  # noqa: S608
                "applied = r.applied || jsonb_build_object('family', fi.ids) "
                "FROM nx_import_family_ids AS fi LEFT JOIN nx_import_created AS c ON c.row_id = fi.row_id "
                f"LEFT JOIN {rows_table} AS r2 ON r2.id = fi.row_id "
                "LEFT JOIN nx_import_created AS rc ON rc.idx = r2.ref_index "
                "WHERE r.id = fi.row_id AND c.row_id IS NULL"
            )
            cursor.execute(
                f"UPDATE {rows_table} AS r SET worker_id = rc.worker_id FROM nx_import_created AS rc "  # noqa: S608
                "WHERE r.batch_id = %(batch)s AND r.outcome = 'update' AND r.ref_index = rc.idx "
                "AND r.worker_id IS NULL",
                params,
            )
    return totals


def _family_created_in_database(pairs: set) -> dict[tuple[int, int], int]:
    """Ids of family members the database added, by (row index, position)."""
    from django.db import connection

    found = {}
    rows = sorted({i for i, _p in pairs})
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROW_CHUNK):
            cursor.execute(
                "SELECT idx, pos, member_id FROM nx_import_family WHERE idx = ANY(%s::integer[])",
                [bulk.int_array(rows[start : start + ROW_CHUNK])],
            )
            found.update({(i, p): m for i, p, m in cursor.fetchall() if (i, p) in pairs})
    return found


def _drop_temporary_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS nx_import_created")
        cursor.execute("DROP TABLE IF EXISTS nx_import_family")
        cursor.execute("DROP TABLE IF EXISTS nx_import_family_ids")


def _apply(actor, batch: ImportBatch) -> ImportBatch:
    """Stream the stored plan in row order, a chunk at a time (memory stays flat for 100,000
    rows): insert what the chunk creates as plain rows (COPY on PostgreSQL, with the history
    rows copied by the database), remember only the ids that later rows refer to, and apply
    the updates of existing records at the end, each once. What the dry run relies on is
    checked first, for the whole batch."""
    from nuanxin.care.models import CareAssignment
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status not in (BatchStatus.PLANNED, BatchStatus.APPLYING):
        raise Conflict(_("This import is %(status)s; it cannot be applied.") % {"status": batch.get_status_display()})
    if not may_import(actor, batch.organisation):
        raise NotAllowed(_("You may not import into %(org)s.") % {"org": batch.organisation.name})
    _check_decided(batch)
    _check_scope(actor, batch, [Outcome.UPDATE])
    user = _user(actor)
    user_id = getattr(user, "pk", None)
    started = timezone.now()
    with phase("revalidate"):
        _revalidate(batch)
    in_db = _writes_in_database(batch)
    referred, referred_family = set(), set()
    rows_in_batch = max(1, int(batch.counts.get("total", 0)))
    first, share = (APPLY_PROGRESS_SCALE // 2, APPLY_PROGRESS_SCALE // 2) if in_db else (0, APPLY_PROGRESS_SCALE)
    _note_progress(batch.pk, 0)
    if in_db:
        totals = _create_in_database(batch, user)
        _note_progress(batch.pk, first)
    else:
        totals = Counter()
        with phase("load plan"):
            # what rows refer to across chunks: the worker an earlier row creates, a family
            # member it adds (the rest is forgotten chunk by chunk)
            referred.update(
                ImportRow.objects.filter(batch_id=batch.pk, outcome__in=APPLIED, ref_index__isnull=False)
                .values_list("ref_index", flat=True)
            )
            for updates in ImportRow.objects.filter(
                batch_id=batch.pk, outcome__in=APPLIED, changes__has_key="family_update"
            ).values_list("changes__family_update", flat=True):
                referred_family.update((u["row"], u["pos"]) for u in updates or [] if "row" in u)
    created: dict[int, tuple[int, int]] = {}  # row index -> (worker id, unit id), for the rows referred to
    family_ids: dict[tuple[int, int], int] = {}  # (row index, position) -> family member id, same
    deployment_ids: dict[int, int] = {}  # row index -> id of the deployment it created
    later = {"worker": {}, "family": {}, "deployment": {}}  # id -> {field: value}, written at the end
    updated_created: set[int] = set()  # workers in later["worker"] that the batch itself creates
    fields = ("index", "id", "outcome", "data", "worker_id", "ref_index", "changes", "applied")
    for rows in _plan_rows(batch, fields, APPLIED, where=_REST_SQL if in_db else ""):
        targets: dict[int, int] = {}  # row index -> the worker the row writes to
        orgs: dict[int, int] = {}  # worker id -> unit id, where known without a query
        added: dict[int, list[int]] = {}  # row index -> family members it added
        if in_db:  # the database wrote the workers and family members, and each row's worker
            targets = {r[0]: r[4] for r in rows}
            wanted = {(u["row"], u["pos"]) for r in rows for u in r[6].get("family_update", ()) if "row" in u}
            if wanted:
                family_ids.update(_family_created_in_database(wanted))
        else:  # workers the chunk creates, family members it adds
            with phase("workers"):
                new_workers, new_index = [], []
                for index, _pk, outcome, d, _worker_id, _ref, ch, _applied in rows:
                    if outcome != Outcome.CREATE:
                        continue
                    v = {
                        "gender": d.get("gender", ""),
                        "category": d.get("category", ""),
                        "post_title": d.get("post_title", ""),
                        "team": d.get("team") or TeamType.OTHER,
                        "contact_name_hint": "",
                    }
                    for field, (_old, new) in (ch.get("worker") or {}).items():
                        v[field] = new
                    mobile = v.get("mobile", d["mobile"])
                    name, key, pinyin, initials, tail = worker_derived(d["name"], mobile)
                    new_workers.append(
                        (d["unit_id"], name, key, pinyin, initials, v["gender"], v["category"], v["post_title"], mobile,
                         tail, v["team"], v["contact_name_hint"], user_id)
                    )
                    new_index.append(index)
                ids = bulk.insert_rows(Worker, WORKER_COLUMNS, new_workers, history=True, user=user)
                for index, worker_id, values in zip(new_index, ids, new_workers, strict=True):
                    targets[index] = worker_id
                    orgs[worker_id] = values[0]
                    if index in referred:
                        created[index] = (worker_id, values[0])
                totals["workers_created"] += len(new_workers)
                del new_workers, new_index, ids
            with phase("family"):
                new_family, family_keys = [], []
                for index, _pk, outcome, _d, worker_id, ref_index, ch, _applied in rows:
                    if outcome != Outcome.CREATE:
                        if ref_index is not None:
                            worker_id, orgs_id = created[ref_index]
                            orgs[worker_id] = orgs_id
                        targets[index] = worker_id
                    target = targets[index]
                    for pos, add in enumerate(ch.get("family_add", ())):
                        name, key = family_derived(add["name"])
                        new_family.append((target, name, key, add["relation"], add["mobile"], add["is_primary"]))
                        family_keys.append((index, pos))
                ids = bulk.insert_rows(FamilyMember, FAMILY_COLUMNS, new_family, history=True, user=user)
                for key, member_id in zip(family_keys, ids, strict=True):
                    added.setdefault(key[0], []).append(member_id)
                    if key in referred_family:
                        family_ids[key] = member_id
                totals["family_created"] += len(new_family)
                del new_family, family_keys, ids
        # assignments, deployments, and what is updated at the end
        with phase("other records"):
            assignments, new_deployments = [], []
            pending_deployments: dict[int, Deployment] = {}  # row index -> the deployment it creates
            for index, _pk, outcome, _d, _worker_id, ref_index, ch, _applied in rows:
                target = targets[index]
                if outcome != Outcome.CREATE and ch.get("worker"):
                    values = later["worker"].setdefault(target, {})
                    for field, (_old, new) in ch["worker"].items():
                        values[field] = new
                    if ref_index is not None:
                        updated_created.add(target)
                for upd in ch.get("family_update", ()):
                    member_id = upd["id"] if "id" in upd else family_ids[(upd["row"], upd["pos"])]
                    later["family"].setdefault(member_id, {}).update(
                        {f: upd[f][1] for f in ("mobile", "relation") if f in upd}
                    )
                if ch.get("assign"):
                    a = ch["assign"]
                    assignments.append(
                        (index, CareAssignment(campaign_id=a["campaign"], worker_id=target, contact_id=a["user"],
                                               assigned_by=user))
                    )
                dep = ch.get("deployment")
                if dep:
                    values = {f: dep[f][1] for f in ("deployed_mobile", "carrier") if f in dep}
                    if dep.get("id"):
                        later["deployment"].setdefault(dep["id"], {}).update(values)
                    elif dep.get("row") is not None and dep["row"] in deployment_ids:
                        later["deployment"].setdefault(deployment_ids[dep["row"]], {}).update(values)
                    elif dep.get("row") is not None and dep["row"] in pending_deployments:
                        # created by an earlier row of this chunk, not inserted yet: one record
                        for f, value in values.items():
                            setattr(pending_deployments[dep["row"]], f, value)
                    else:
                        new_deployments.append((index, Deployment(worker_id=target, **values)))
                        pending_deployments[index] = new_deployments[-1][1]
            bulk.insert(CareAssignment, [a for _i, a in assignments], history=True, user=user)
            bulk.insert(Deployment, [d for _i, d in new_deployments], history=True, user=user)
            deployment_ids.update((i, d.pk) for i, d in new_deployments)
        # difficulties
        with phase("difficulties"):
            wanted = [targets[r[0]] for r in rows if r[6].get("difficulty") and targets[r[0]] not in orgs]
            if wanted:
                orgs.update(Worker.objects.filter(pk__in=wanted).values_list("pk", "organisation_id"))
            opened = [(r[0], targets[r[0]], r[6]["difficulty"]) for r in rows if r[6].get("difficulty")]
            difficulties = _open_difficulties(actor, [(i, w, orgs[w], text) for i, w, text in opened])
        # what each row wrote, for undo (and the worker of a row that names one written above)
        with phase("plan rows"):
            assigned = {i: a.pk for i, a in assignments}
            deployed = {i: d.pk for i, d in new_deployments}
            applied_rows = []
            for index, pk, outcome, _d, worker_id, _ref, _ch, before in rows:
                before = before or {}  # what the database wrote (in_db), else nothing yet
                applied = dict(before)
                if outcome == Outcome.CREATE:
                    applied["created"] = True
                if index in added:
                    applied["family"] = added[index]
                if index in assigned:
                    applied["assignment"] = assigned[index]
                if index in deployed:
                    applied["deployment"] = deployed[index]
                if index in difficulties:
                    applied["difficulty"] = difficulties[index]
                if applied != before or targets[index] != worker_id:
                    applied_rows.append([pk, targets[index], applied])
            bulk.update_rows(ImportRow, ["worker", "applied"], applied_rows)
        totals["assignments_created"] += len(assignments)
        totals["deployments_created"] += len(new_deployments)
        totals["difficulties_opened"] += len(difficulties)
        _note_progress(batch.pk, first + share * (rows[-1][0] + 1) // rows_in_batch)
        del rows, assignments, new_deployments, applied_rows, targets, orgs, added
    # updates of existing records (and of records created above by an earlier row), once each
    with phase("updates"):
        _update_later(Worker, later["worker"], user)
        _update_later(FamilyMember, later["family"], user)
        _update_later(Deployment, later["deployment"], user)
    totals["workers_updated"] = len(set(later["worker"]) - updated_created)
    if in_db:
        _drop_temporary_tables()
    with phase("care"):
        _sync_care(batch)
    with phase("finish"):
        batch.status = BatchStatus.APPLIED
        batch.message = ""
        batch.applied_at = started
        batch.applied_until = timezone.now()
        batch.applied_by = user
        batch.save(update_fields=["status", "message", "applied_at", "applied_until", "applied_by"])
        audit.record(
            actor, "import.apply", obj=batch, organisation=batch.organisation, detail={"counts": batch.counts, **totals}
        )
    return batch


def _sync_care(batch: ImportBatch) -> None:
    """The care campaigns' unassigned families, in step with the workers the batch wrote or
    restored and the assignments it made or removed (``care.services.sync_unassigned``)."""
    from nuanxin.care.services import sync_unassigned

    sync_unassigned(
        worker_ids=ImportRow.objects.filter(batch_id=batch.pk, worker__isnull=False).values_list("worker_id", flat=True)
    )


def _update_later(model, changes: dict, user, stamps: dict | None = None) -> None:
    """Write the final values of records updated by the batch, with one history row each.
    ``stamps``: the ``updated_at`` to give some records (an undo puts back the one they had
    before the batch) instead of now."""
    from simple_history.utils import bulk_update_with_history

    if not changes:
        return
    now = timezone.now()
    ids = sorted(changes)
    fields = sorted({f for values in changes.values() for f in values})
    derived = ["name", "name_key", "name_pinyin", "name_initials", "mobile_tail"] if hasattr(model, "mobile_tail") \
        else []
    if bulk.is_postgres() and len(ids) >= bulk.COPY_MIN_ROWS:
        _update_in_database(model, changes, ids, derived, user, now, stamps)
        return
    for start in range(0, len(ids), ROW_CHUNK):
        # Each record changed counts one more version (core/versioning.py): an edit page opened
        # before the import (or its undo) is refused instead of overwriting it.
        versioning.bump_rows(model.objects.filter(pk__in=ids[start : start + ROW_CHUNK]))
        objs = list(model.objects.filter(pk__in=ids[start : start + ROW_CHUNK]).order_by("pk"))
        for obj in objs:
            for field, value in changes[obj.pk].items():
                setattr(obj, field, value)
            if derived:
                obj.refresh_derived()
            obj.updated_at = stamps.get(obj.pk, now) if stamps else now
        bulk_update_with_history(objs, model, fields=[*fields, *derived, "updated_at"], batch_size=1000,
                                 default_user=user)


def _update_in_database(model, changes: dict, ids: list, derived: list, user, now, stamps=None) -> None:
    """``_update_later`` on PostgreSQL: what bulk_update_with_history writes (the new values,
    the worker's derived columns as refresh_derived computes them, updated_at, a "~" history
    row each by ``user``), with one UPDATE per set of changed fields (from a temporary table
    filled by COPY) and the history rows copied by the database. bulk_update's CASE WHEN per
    record and field took 1.1 ms per record (two minutes for 100,000)."""
    current: dict[int, tuple[str, str]] = {}
    if derived:
        for chunk in pl._chunks(ids):
            current.update(
                (pk, (name, mobile))
                for pk, name, mobile in model.objects.filter(pk__in=bulk.among(chunk, "integer")).values_list(
                    "pk", "name", "mobile"
                )
            )
    groups: dict[tuple, list[int]] = {}
    for pk in ids:
        groups.setdefault(tuple(sorted(changes[pk])), []).append(pk)
    for fields, pks in groups.items():
        rows = []
        for pk in pks:
            values = changes[pk]
            row = [pk, *[values[f] for f in fields]]
            if derived:
                name, mobile = current[pk]
                row.extend(worker_derived(name, values.get("mobile", mobile)))
            row.append(stamps.get(pk, now) if stamps else now)
            rows.append(row)
        bulk.update_rows(model, [*fields, *derived, "updated_at"], rows, bump_version=True)
    bulk.history_from_table(model, ids, user=user, when=now, history_type="~")


def _open_difficulties(actor, items: list) -> dict:
    """Open the 存在困难 of many rows exactly as ``care.services.open_difficulty`` opens one
    (source "import", category other, normal urgency, due date from the urgency, owner = the
    family's current care contact else the actor, an "opened" note, a "difficulty.open" audit
    row each), with a handful of queries instead of eight per difficulty. A test checks that
    both give the same records."""
    from datetime import timedelta

    from nuanxin.care.choices import (
        DUE_DAYS,
        DifficultyCategory,
        DifficultyNoteKind,
        DifficultySource,
        DifficultyStatus,
        Urgency,
    )
    from nuanxin.care.models import CareAssignment, Difficulty, DifficultyNote
    from nuanxin.core import context
    from nuanxin.core.models import AuditLog

    if not items:
        return {}
    user = _user(actor)
    worker_ids = sorted({w for _i, w, _o, _t in items})
    owners: dict = {}
    for start in range(0, len(worker_ids), ROW_CHUNK):
        current = (
            CareAssignment.objects.current()
            .filter(worker_id__in=worker_ids[start : start + ROW_CHUNK])
            .order_by("worker_id", "-started_at")
            .values_list("worker_id", "contact_id")
        )
        for worker_id, contact_id in current:
            owners.setdefault(worker_id, contact_id)
    today = timezone.localdate()
    objs = {}
    orgs = {}
    for index, worker_id, org_id, text in items:
        orgs[index] = org_id
        objs[index] = Difficulty(
            worker_id=worker_id,
            organisation_id=org_id,
            campaign=None,
            category=DifficultyCategory.OTHER,
            urgency=Urgency.NORMAL,
            description=text.strip(),
            status=DifficultyStatus.OPEN,
            source=DifficultySource.IMPORT,
            owner_id=owners.get(worker_id, getattr(user, "pk", None)),
            due_on=today + timedelta(days=DUE_DAYS[Urgency.NORMAL]),
            created_by=user,
        )
    bulk.insert(Difficulty, list(objs.values()), history=True, user=user)
    notes = [
        DifficultyNote(difficulty=d, kind=DifficultyNoteKind.OPENED, author=user, to_status=DifficultyStatus.OPEN)
        for d in objs.values()
    ]
    bulk.insert(DifficultyNote, notes, with_ids=False)
    ctx = context.current()
    actor_name = user.get_username() if user is not None else f"system:{ctx.channel}"
    AuditLog.objects.bulk_create(
        [
            AuditLog(
                actor=user,
                actor_name=actor_name[:150],
                action="difficulty.open",
                object_type=Difficulty._meta.label_lower,
                object_id=str(d.pk),
                object_repr=str(d)[:200],
                organisation_id=orgs[index],
                ip=ctx.ip,
                channel=ctx.channel,
                detail={
                    "worker": d.worker_id,
                    "category": d.category,
                    "urgency": d.urgency,
                    "source": d.source,
                },
            )
            for index, d in objs.items()
        ],
        batch_size=1000,
    )
    return {index: d.pk for index, d in objs.items()}


def _changed_since(label: str, row) -> Conflict:
    return Conflict(
        _(
            "%(what)s of row %(line)s (sheet “%(sheet)s”) changed after the dry run; nothing was applied. "
            "Upload the file again for a new dry run."
        )
        % {"what": label, "line": row.line, "sheet": row.sheet}
    )


class _Seen(NamedTuple):
    index: int
    line: int
    sheet: str
    worker_id: int | None
    ref_index: int | None
    versions: dict
    changes: dict


def _revalidate(batch: ImportBatch) -> None:
    """Refuse when what the dry run saw has changed: a worker, family member or deployment it
    updates, a person it creates who now exists, an assignment or difficulty now present."""
    from django.db.models import Exists, OuterRef
    from django.db.models.fields.json import KT

    from nuanxin.care.choices import DifficultyStatus
    from nuanxin.care.models import CareAssignment, Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    def check(model, expected: dict, label: str):
        ids = sorted(expected)
        for start in range(0, len(ids), ROW_CHUNK):
            chunk = ids[start : start + ROW_CHUNK]
            seen = dict(
                model.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", "updated_at")
            )
            for pk in chunk:
                version, row = expected[pk]
                if pk not in seen or pl._iso(seen[pk]) != version:
                    raise _changed_since(label, row)

    # Only updates rely on records as the dry run saw them (a "create" row has no worker yet).
    for chunk in _plan_rows(batch, _Seen._fields, [Outcome.UPDATE]):
        rows = [_Seen(*values) for values in chunk]
        workers, family, deployments = {}, {}, {}
        for row in rows:
            if row.versions.get("worker") and row.worker_id:
                workers.setdefault(row.worker_id, (row.versions["worker"], row))
            for pk, version in row.versions.get("family", {}).items():
                family.setdefault(int(pk), (version, row))
            for pk, version in row.versions.get("deployment", {}).items():
                deployments.setdefault(int(pk), (version, row))
        check(Worker, workers, _("The worker"))
        check(FamilyMember, family, _("A family member"))
        check(Deployment, deployments, _("The deployment"))
        assigns = {r.worker_id: r for r in rows if r.changes.get("assign") and r.worker_id and r.ref_index is None}
        if assigns:
            campaign_ids = {r.changes["assign"]["campaign"] for r in assigns.values()}
            taken = CareAssignment.objects.current().filter(worker_id__in=list(assigns), campaign_id__in=campaign_ids)
            for worker_id in taken.values_list("worker_id", flat=True)[:1]:
                raise _changed_since(_("The care contact"), assigns[worker_id])
        opened = [r for r in rows if r.changes.get("difficulty") and r.worker_id and r.ref_index is None]
        if opened:
            present = set(
                Difficulty.objects.filter(
                    worker_id__in=[r.worker_id for r in opened],
                    status__in=[DifficultyStatus.OPEN, DifficultyStatus.IN_PROGRESS],
                ).values_list("worker_id", "description")
            )
            present = {(w, normalise.text(t)) for w, t in present}
            for r in opened:
                if (r.worker_id, normalise.text(r.changes["difficulty"])) in present:
                    raise _changed_since(_("A difficulty"), r)
        # A family member the row adds and someone added since (on the page): not twice. The
        # worker's row is locked above, as add_family_member locks it.
        adding = [r for r in rows if r.changes.get("family_add") and r.worker_id and r.ref_index is None]
        if adding:
            present = set(
                FamilyMember.objects.filter(
                    worker_id__in=[r.worker_id for r in adding],
                    name_key__in=[m["key"] for r in adding for m in r.changes["family_add"]],
                ).values_list("worker_id", "name_key")
            )
            for r in adding:
                if any((r.worker_id, m["key"]) in present for m in r.changes["family_add"]):
                    raise _changed_since(_("A family member"), r)
    # The people it creates: still nobody in the register with the same name and mobile (one
    # query; on PostgreSQL an index probe of worker_identity_idx per row).
    clash = (
        ImportRow.objects.filter(batch_id=batch.pk, outcome=Outcome.CREATE)
        .annotate(new_key=KT("data__key"), new_mobile=KT("data__mobile"))
        .filter(Exists(Worker.objects.filter(name_key=OuterRef("new_key"), mobile=OuterRef("new_mobile"))))
        .order_by("index")
        .only("line", "sheet")
        .first()
    )
    if clash is not None:
        raise _changed_since(_("The person"), clash)


# --- undo ------------------------------------------------------------------------------------


@transaction.atomic
def undo_batch(*, actor, batch: ImportBatch) -> ImportBatch:
    """Reverse an applied batch as a whole: remove what it created, restore what it updated.
    Refused while any of those records changed since, or gained other records."""

    from nuanxin.care.models import CareAssignment, Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status != BatchStatus.APPLIED:
        raise Conflict(_("Only an applied import can be undone."))
    if not may_import(actor, batch.organisation):
        raise NotAllowed(_("You may not undo imports of %(org)s.") % {"org": batch.organisation.name})
    _check_scope(actor, batch, APPLIED)
    user = _user(actor)
    created = {"worker": set(), "family": set(), "assignment": set(), "deployment": set(), "difficulty": set()}
    restore: dict[str, dict[int, dict]] = {"worker": {}, "family": {}, "deployment": {}}
    # what updated_at the restored records had before the apply (the dry run's versions; the apply
    # wrote only if they were still those): restored, a record is as it was, and an import
    # applied before this one can be undone in its turn
    stamps: dict[str, dict[int, str]] = {"worker": {}, "family": {}, "deployment": {}}
    fields = ("index", "worker_id", "ref_index", "applied", "changes", "versions")
    for rows in _plan_rows(batch, fields, APPLIED):
        for _index, worker_id, ref_index, a, changes, versions in rows:
            a = a or {}
            versions = versions or {}
            if a.get("created"):
                created["worker"].add(worker_id)
            created["family"].update(a.get("family", []))
            for key in ("assignment", "deployment", "difficulty"):
                if a.get(key):
                    created[key].add(a[key])
            if worker_id not in created["worker"] and ref_index is None:
                for field, (old, _new) in changes.get("worker", {}).items():
                    restore["worker"].setdefault(worker_id, {}).setdefault(field, old)
                if changes.get("worker") and versions.get("worker"):
                    stamps["worker"].setdefault(worker_id, versions["worker"])
            for upd in changes.get("family_update", []):
                if "id" in upd:
                    for f in ("mobile", "relation"):
                        if f in upd:
                            restore["family"].setdefault(upd["id"], {}).setdefault(f, upd[f][0])
                    if versions.get("family", {}).get(str(upd["id"])):
                        stamps["family"].setdefault(upd["id"], versions["family"][str(upd["id"])])
            dep = changes.get("deployment") or {}
            if dep.get("id"):
                for f in ("deployed_mobile", "carrier"):
                    if f in dep:
                        restore["deployment"].setdefault(dep["id"], {}).setdefault(f, dep[f][0])
                if versions.get("deployment", {}).get(str(dep["id"])):
                    stamps["deployment"].setdefault(dep["id"], versions["deployment"][str(dep["id"])])
    until = batch.applied_until
    with phase("check"):
        blocker = _undo_blocker(created, restore, until)
    if blocker is not None:
        raise Conflict(_undo_refusal(batch, *blocker))
    now = timezone.now()
    with phase("restore"):
        for model, key in ((Worker, "worker"), (FamilyMember, "family"), (Deployment, "deployment")):
            _update_later(
                model, restore[key], user, {pk: datetime.fromisoformat(v) for pk, v in stamps[key].items()}
            )
    with phase("delete"):
        for model, key in (
            (Difficulty, "difficulty"), (CareAssignment, "assignment"), (Deployment, "deployment"),
            (FamilyMember, "family"), (Worker, "worker"),
        ):
            bulk.delete_records(model, sorted(created[key]), user=user, when=now)
    with phase("care"):
        _sync_care(batch)
    batch.status = BatchStatus.UNDONE
    batch.undone_at = now
    batch.undone_by = user
    batch.save(update_fields=["status", "undone_at", "undone_by"])
    audit.record(
        actor,
        "import.undo",
        obj=batch,
        organisation=batch.organisation,
        detail={
            "workers_removed": len(created["worker"]),
            "workers_restored": len(restore["worker"]),
            "family_removed": len(created["family"]),
            "deployments_removed": len(created["deployment"]),
            "difficulties_removed": len(created["difficulty"]),
            "assignments_removed": len(created["assignment"]),
        },
    )
    return batch


def _undo_blocker(created: dict, restore: dict, until):
    """What stops the undo of a batch that created ``created`` and updated ``restore`` (ids by
    kind), applied until ``until``: (what happened, the model of the record, the id of its
    worker, when) for the first record found changed, deleted, ended or with records added
    since; None when nothing does."""
    from nuanxin.care.models import CareAssignment, Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    touched = [
        (Worker, created["worker"] | set(restore["worker"])),
        (FamilyMember, created["family"] | set(restore["family"])),
        (Deployment, created["deployment"] | set(restore["deployment"])),
        (Difficulty, created["difficulty"]),
    ]
    for model, ids in touched:
        owner = "pk" if model is Worker else "worker_id"
        for chunk in pl._chunks(sorted(ids)):
            among = bulk.among(chunk, "integer")
            changed = (
                model.objects.filter(pk__in=among, updated_at__gt=until)
                .order_by("updated_at", "pk")
                .values_list(owner, "updated_at")
                .first()
            )
            if changed is not None:
                return ("changed", model, *changed)
            present = set(model.objects.filter(pk__in=among).values_list("pk", flat=True))
            if len(present) != len(chunk):
                pk = min(set(chunk) - present)
                if model is not Worker:  # the record is gone: its worker from its history
                    pk = model.history.filter(id=pk).order_by("-history_id").values_list("worker_id", flat=True).first()
                return ("deleted", model, pk, None)
    ended = (
        CareAssignment.objects.filter(pk__in=created["assignment"], ended_at__isnull=False)
        .order_by("ended_at", "pk")
        .values_list("worker_id", "ended_at")
        .first()
    )
    if ended is not None:
        return ("ended", CareAssignment, *ended)
    # Nothing but this batch's own records may hang off the workers it created.
    mine = {
        FamilyMember: created["family"],
        Deployment: created["deployment"],
        Difficulty: created["difficulty"],
        CareAssignment: created["assignment"],
        Worker: created["worker"],
    }
    for chunk in pl._chunks(sorted(created["worker"])):
        if not _only_ours_depend_on(Worker, chunk, mine, until):
            while len(chunk) > 1:  # halve the chunk down to one worker with records added since
                half = len(chunk) // 2
                chunk = chunk[:half] if not _only_ours_depend_on(Worker, chunk[:half], mine, until) else chunk[half:]
            return ("added", Worker, chunk[0], None)
    return None


def _undo_refusal(batch: ImportBatch, what: str, model, worker_id: int | None, when) -> str:
    """Why the undo is refused, naming what to undo or check first: the later import that wrote
    to the same worker, else the record changed, deleted or added to since."""
    from nuanxin.care.models import Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    base = _(
        "Records written by this import have changed since it was applied; it can no longer be undone as a whole."
    )
    name = Worker.objects.filter(pk=worker_id).values_list("name", flat=True).first() if worker_id else None
    if name is None:
        name = ImportRow.objects.filter(batch=batch, worker_id=worker_id).values_list("data__name", flat=True).first()
    name = name or "?"
    later = (
        ImportBatch.objects.filter(
            status=BatchStatus.APPLIED,
            applied_at__gt=batch.applied_at,
            rows__worker_id=worker_id,
            rows__outcome__in=APPLIED,
        )
        .exclude(pk=batch.pk)
        .order_by("-applied_at", "-pk")
        .first()
        if worker_id
        else None
    )
    if later is not None:
        detail = _(
            "Import %(batch)s (“%(file)s”, applied %(when)s) wrote to worker “%(name)s” since; undo that import first."
        ) % {"batch": later.pk, "file": later.filename, "when": _when(later.applied_at), "name": name}
        return join_messages([base, detail])
    label = {
        FamilyMember: _("A family member"),
        Deployment: _("The deployment"),
        Difficulty: _("A difficulty"),
    }.get(model)
    params = {"name": name, "when": _when(when), "what": label}
    if what == "changed" and label:
        detail = _("%(what)s of worker “%(name)s” was changed at %(when)s.") % params
    elif what == "changed":
        detail = _("Worker “%(name)s” was changed at %(when)s.") % params
    elif what == "deleted" and label:
        detail = _("%(what)s of worker “%(name)s” has been deleted since.") % params
    elif what == "deleted":
        detail = _("Worker “%(name)s” has been deleted since.") % params
    elif what == "ended":
        detail = _("The care assignment of worker “%(name)s” ended at %(when)s.") % params
    else:
        detail = _(
            "Records have been added to worker “%(name)s” since (family members, visits, notes or others)."
        ) % params
    return join_messages([base, detail])


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _only_ours_depend_on(model, ids: list[int], mine: dict, until) -> bool:
    """Whether deleting the records ``ids`` of ``model`` would delete nothing but the batch's
    own records (``mine``) and records of other apps its apply wrote (the note the care service
    writes when it opens a difficulty): what ``Collector.collect`` would cascade to, asked with
    a query per relation instead of loading every record (relations that set NULL or do nothing
    delete nothing; protecting ones refuse)."""
    from django.db.models import CASCADE, DO_NOTHING, SET_DEFAULT, SET_NULL
    from django.db.models.deletion import get_candidate_relations_to_delete

    if not ids:
        return True
    among = bulk.among(ids, "integer")
    for rel in get_candidate_relations_to_delete(model._meta):
        if rel.on_delete in (DO_NOTHING, SET_NULL, SET_DEFAULT):
            continue
        related = rel.related_model
        if getattr(related, "is_derived", False) and rel.on_delete is CASCADE:
            continue  # derived from the records themselves (care's unassigned families)
        dependents = related._base_manager.filter(**{f"{rel.field.name}__in": among})
        if rel.on_delete is not CASCADE:  # PROTECT, RESTRICT or SET(...): refuse if anything is there
            if dependents.exists():
                return False
            continue
        pks = list(dependents.values_list("pk", flat=True))
        if not pks:
            continue
        if related in mine:
            if not set(pks) <= mine[related]:
                return False
        elif not _written_by_apply(related, related._base_manager.filter(pk__in=bulk.among(pks, "integer")), until):
            return False
        if not _only_ours_depend_on(related, pks, mine, until):
            return False
    return True


def _written_by_apply(model, qs, until) -> bool:
    """Records of other apps hanging off what the batch created (e.g. the note the care service
    writes when it opens a difficulty) may go with it only if they were written by the apply."""
    names = {f.name for f in model._meta.concrete_fields}
    stamp = "created_at" if "created_at" in names else ("at" if "at" in names else None)
    if stamp is None:
        return not qs.exists()
    return not qs.filter(**{f"{stamp}__gt": until}).exists()


def outcome_counts(rows) -> Counter:
    return Counter(r.outcome for r in rows)


def export_rejected_rows(*, actor, batch: ImportBatch) -> bytes:
    """The rejected rows of a batch as xlsx, ready to be corrected and imported again as they
    are: one sheet for each sheet of the file that had rejected rows, laid out as the official
    table it was read as (its title; table 2's team subtitle, the sheet's or else the upload's
    default team; the 填报单位 row; the header as written), each row a 行 column (the row in the
    file), the cells as written (full phone numbers included) and a 原因 column, which the
    importer ignores. Every cell is neutralised against formulas. The download is audited like
    any export, with its row count."""
    from nuanxin.registry.exports import TITLES

    def text(value) -> str:
        value = str(neutralise("" if value is None else str(value)))
        return value if len(value) <= XLSX_MAX_CELL else value[: XLSX_MAX_CELL - 1] + "…"

    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    bold = book.add_format({"bold": True})
    names: set[str] = set()
    written = 0
    for info in batch.sheets:
        if not info.get("table"):
            continue
        rows = ImportRow.objects.filter(batch=batch, outcome=Outcome.REJECT, sheet=info["name"][:100]).order_by("index")
        headers = info.get("headers") or []
        ws = None
        line = 0
        for r in rows.iterator(chunk_size=2000):
            if ws is None:
                ws = book.add_worksheet(_sheet_name(info["name"], names))
                top = [TITLES[info["table"]]]
                # the team the sheet named, else the default team chosen for the upload
                team = (info.get("team") or batch.default_team) if info["table"] == 2 else ""
                if team and team != TeamType.OTHER:  # 其他一线团队 is what a sheet naming none gets
                    top.append(f"（{_team_words(team)}）")
                if info.get("unit"):
                    top.append(f"填报单位：{info['unit']}")
                for line, title in enumerate(top):
                    ws.write_string(line, 0, text(title), bold)
                line = len(top)
                for col, header in enumerate([_("Row"), *headers, _("Reason")]):
                    ws.write_string(line, col, text(header), bold)
                ws.freeze_panes(line + 1, 0)
            line += 1
            written += 1
            cells = list(r.raw)[: len(headers)]
            ws.write_number(line, 0, r.line)
            for col, value in enumerate(cells, start=1):
                if value:
                    ws.write_string(line, col, text(value))
            ws.write_string(line, len(headers) + 1, text(join_messages(display.messages_of(r))))
    if not written:
        ws = book.add_worksheet(_sheet_name(_("Rejected rows"), names))
        ws.write_string(0, 0, text(_("Row")), bold)
        ws.write_string(0, 1, text(_("Reason")), bold)
    book.close()
    audit.record(
        actor,
        "import.export_rejected",
        obj=batch,
        organisation=batch.organisation,
        detail={"rows": written},
    )
    return output.getvalue()


def _sheet_name(name: str, taken: set[str]) -> str:
    """``name`` as a worksheet name (31 characters, none of []:*?/\\), not one of ``taken``."""
    base = "".join("_" if c in "[]:*?/\\" else c for c in name).strip("'")[:31] or "Sheet"
    found, n = base, 1
    while found.lower() in taken:
        n += 1
        found = f"{base[: 31 - len(str(n)) - 1]}_{n}"
    taken.add(found.lower())
    return found


def _team_words(team: str) -> str:
    """The team's name as table 2 subtitles write it (疾控检测流调团队), which the header reader
    recognises again."""
    from nuanxin.registry.choices import TEAM_ALIASES

    return max((alias for alias, value in TEAM_ALIASES.items() if value == team), key=len, default=team)


def join_messages(messages: list[str]) -> str:
    """Several reasons in one cell: each a sentence of its own ("…号码。…女。", "... number. Gender ...")."""
    joined = ""
    for message in messages:
        message = message.strip()
        if not message:
            continue
        if joined and not joined.endswith(("。", "！", "？", "；")):
            joined += " "
        joined += message
    return joined
