"""Writes of the importer: upload, dry run, decisions, apply and undo.

The dry run (``plan_batch``) stores every row's outcome and the exact changes; ``apply_batch``
writes that stored plan in one transaction after checking that nothing it relies on changed
since (otherwise it refuses, and the user runs the dry run again); ``undo_batch`` reverses
an applied batch while nothing has changed the records it wrote since.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditOutcome
from nuanxin.orgs import scope
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, TeamType
from nuanxin.registry.import_models import BatchStatus, Decision, ImportBatch, ImportRow, Outcome
from nuanxin.registry.imports import bulk
from nuanxin.registry.imports import planner as pl
from nuanxin.registry.imports.messages import reason
from nuanxin.registry.imports.safety import FileRefused, check_file, kind_of

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
    path, size, digest = _store_upload(upload, kind)
    try:
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
            from nuanxin.registry.imports.tasks import plan_import

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
        keys, estimate = pl.scan_keys(batch.stored_path, batch.file_kind)
        _set(batch.pk, progress_total=estimate)
        sheets: list[dict] = []
        rows = pl.iter_file(batch.stored_path, batch.file_kind, default_team=batch.default_team, sheets=sheets)
        planned = pl.Planner(organisation=batch.organisation, actor=actor).iter_plan(keys, rows)
        del keys
        total = _write_rows(batch, planned)
        if not any(s.get("table") for s in sheets):
            raise pl._no_table()
        ImportBatch.objects.filter(pk=batch.pk).update(sheets=sheets)
        counts = _counts(batch)
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk).update(
                status=BatchStatus.PLANNED,
                counts=counts,
                planned_at=timezone.now(),
                progress_done=total,
                progress_total=total,
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


ROW_COLUMNS = [
    "batch", "index", "sheet", "line", "table", "outcome", "decision", "reasons", "raw", "data", "worker",
    "ref_index", "candidates", "changes", "versions", "applied",
]


def _write_rows(batch: ImportBatch, planned) -> int:
    """Store the planned rows in chunks as they come (the page's progress counts them). The
    cells as written (``raw``) are kept only for rows that may end up in the rejects file.
    Returns the number of rows."""
    keep_raw = {Outcome.REJECT, Outcome.REVIEW}
    columns = [f"{c}_id" if c in ("batch", "worker") else c for c in ROW_COLUMNS]
    chunk: list[list] = []
    done = 0
    for p in planned:
        chunk.append(
            [
                batch.pk, p.index, p.sheet[:100], p.line, p.table, p.outcome, "",
                p.reasons if p.outcome == Outcome.REJECT else p.data.get("notes", []),
                p.raw if p.outcome in keep_raw else [], p.data, p.worker_id, p.ref_index, p.candidates,
                p.changes, p.versions, {},
            ]
        )
        if len(chunk) >= ROW_CHUNK * 5:
            bulk.insert_dicts(ImportRow, columns, chunk)
            done += len(chunk)
            chunk = []
            _set(batch.pk, progress_done=done)
    bulk.insert_dicts(ImportRow, columns, chunk)
    return done + len(chunk)


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
            workers = [w for w in pl.existing_workers([data["key"]]) if w["id"] == chosen["worker"]]
            if not workers:
                raise Conflict(_("That record no longer exists; run the dry run again."))
            state = pl.state_from_worker(workers[0])
            pl.load_related({state.worker_id: state}, planner.campaign_id)
            planned.worker_id = state.worker_id
            planner.diff_into(planned, state, data)
            planned.changes.setdefault("worker", {})["mobile"] = [state.mobile, data["mobile"]]
            planned.versions["worker"] = state.version
            row.worker_id = state.worker_id
        else:
            source = ImportRow.objects.get(batch=batch, index=chosen["row"])
            state = pl.State(
                worker_id=None,
                ref=source.index,
                org_id=source.data["unit_id"],
                org_path=planner.units.by_id[source.data["unit_id"]].path,
                org_name=planner.units.by_id[source.data["unit_id"]].name,
                name=source.data["name"],
                key=source.data["key"],
                mobile=source.data["mobile"],
                fields={f: source.data.get(f, "") for f in pl.WORKER_FIELDS},
            )
            for pos, member in enumerate(source.data.get("family", [])):
                state.family[member["key"]] = {"row": source.index, "pos": pos, **member}
            state.has_primary = bool(state.family)
            if source.changes.get("difficulty"):
                state.difficulties = {source.changes["difficulty"]}
            planner.diff_into(planned, state, data)
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
        locked.save(update_fields=["status", "message"])
        from nuanxin.registry.imports.tasks import apply_import

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


def apply_batch(*, actor, batch: ImportBatch) -> ImportBatch:
    """Write the stored plan of a batch in one transaction. Refuses (and writes nothing) when a
    record the plan relies on changed since the dry run."""
    try:
        with transaction.atomic():
            return _apply(actor, batch)
    except ServiceError as exc:
        if ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.APPLYING).exists():
            _set(batch.pk, status=BatchStatus.PLANNED, message=str(exc.message))
        raise


APPLY_CHUNK = 5000


def _apply(actor, batch: ImportBatch) -> ImportBatch:
    """Stream the stored plan in row order, a chunk at a time (memory stays flat for 100,000
    rows): check what the chunk relies on, insert what it creates, remember the ids that later
    rows refer to, and apply the updates of existing records at the end, each once."""
    from nuanxin.care.models import CareAssignment
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status not in (BatchStatus.PLANNED, BatchStatus.APPLYING):
        raise Conflict(_("This import is %(status)s; it cannot be applied.") % {"status": batch.get_status_display()})
    if not may_import(actor, batch.organisation):
        raise NotAllowed(_("You may not import into %(org)s.") % {"org": batch.organisation.name})
    _check_decided(batch)
    user = _user(actor)
    started = timezone.now()
    org_ids: dict[int, int] = {}  # worker id -> organisation id, for the difficulties' audit rows
    created: dict[int, int] = {}  # row index -> id of the worker it created
    family_ids: dict[tuple[int, int], int] = {}  # (row index, position) -> family member id
    deployment_ids: dict[int, int] = {}  # row index -> id of the deployment it created
    later = {"worker": {}, "family": {}, "deployment": {}}  # id -> {field: value}, written at the end
    applied_rows: list[list] = []
    totals = Counter()
    ids = (
        ImportRow.objects.filter(batch=batch, outcome__in=[Outcome.CREATE, Outcome.UPDATE])
        .order_by("index")
        .values_list("index", flat=True)
    )
    indexes = list(ids)
    for start in range(0, len(indexes), APPLY_CHUNK):
        low, high = indexes[start], indexes[min(start + APPLY_CHUNK, len(indexes)) - 1]
        rows = list(
            ImportRow.objects.filter(
                batch=batch, outcome__in=[Outcome.CREATE, Outcome.UPDATE], index__gte=low, index__lte=high
            )
            .only("id", "index", "sheet", "line", "outcome", "data", "worker_id", "ref_index", "changes", "versions")
            .order_by("index")
        )
        _revalidate(batch, rows)

        def target(row) -> int:
            if row.outcome == Outcome.CREATE:
                return created[row.index]
            if row.ref_index is not None:
                return created[row.ref_index]
            return row.worker_id

        # workers the chunk creates
        new_workers = []
        for row in rows:
            if row.outcome != Outcome.CREATE:
                continue
            d = row.data
            w = Worker(
                organisation_id=d["unit_id"],
                name=d["name"],
                mobile=d["mobile"],
                gender=d.get("gender", ""),
                category=d.get("category", ""),
                post_title=d.get("post_title", ""),
                team=d.get("team") or TeamType.OTHER,
                created_by=user,
            )
            for field, (_old, new) in row.changes.get("worker", {}).items():
                setattr(w, field, new)
            w.refresh_derived()
            new_workers.append((row.index, w))
        bulk.insert(Worker, [w for _i, w in new_workers], history=True, user=user)
        for index, w in new_workers:
            created[index] = w.pk
            org_ids[w.pk] = w.organisation_id
        totals["workers_created"] += len(new_workers)
        del new_workers
        for row in rows:
            if row.outcome != Outcome.CREATE and row.changes.get("worker"):
                values = later["worker"].setdefault(target(row), {})
                for field, (_old, new) in row.changes["worker"].items():
                    values[field] = new
        # family members, assignments, deployments
        new_family, assignments, new_deployments = [], [], []
        for row in rows:
            ch = row.changes
            worker_id = target(row)
            for pos, add in enumerate(ch.get("family_add", [])):
                m = FamilyMember(
                    worker_id=worker_id,
                    name=add["name"],
                    relation=add["relation"],
                    mobile=add["mobile"],
                    is_primary=add["is_primary"],
                )
                m.refresh_derived()
                new_family.append(((row.index, pos), m))
            if ch.get("assign"):
                a = ch["assign"]
                assignments.append(
                    (row.index, CareAssignment(campaign_id=a["campaign"], worker_id=worker_id, contact_id=a["user"],
                                               assigned_by=user))
                )
            dep = ch.get("deployment")
            if dep:
                values = {f: dep[f][1] for f in ("deployed_mobile", "carrier") if f in dep}
                if dep.get("id"):
                    later["deployment"].setdefault(dep["id"], {}).update(values)
                elif dep.get("row") is not None and dep["row"] in deployment_ids:
                    later["deployment"].setdefault(deployment_ids[dep["row"]], {}).update(values)
                else:
                    new_deployments.append((row.index, Deployment(worker_id=worker_id, **values)))
        bulk.insert(FamilyMember, [m for _k, m in new_family], history=True, user=user)
        family_ids.update((k, m.pk) for k, m in new_family)
        bulk.insert(CareAssignment, [a for _i, a in assignments], history=True, user=user)
        bulk.insert(Deployment, [d for _i, d in new_deployments], history=True, user=user)
        deployment_ids.update((i, d.pk) for i, d in new_deployments)
        for row in rows:
            for upd in row.changes.get("family_update", []):
                member_id = upd["id"] if "id" in upd else family_ids[(upd["row"], upd["pos"])]
                later["family"].setdefault(member_id, {}).update(
                    {f: upd[f][1] for f in ("mobile", "relation") if f in upd}
                )
        # difficulties
        need_org = [target(r) for r in rows if r.changes.get("difficulty") and target(r) not in org_ids]
        if need_org:
            org_ids.update(Worker.objects.filter(pk__in=need_org).values_list("pk", "organisation_id"))
        difficulties = _open_difficulties(
            actor,
            [(r.index, target(r), org_ids[target(r)], r.changes["difficulty"]) for r in rows
             if r.changes.get("difficulty")],
        )
        # what each row wrote, for undo
        assigned = dict((i, a.pk) for i, a in assignments)
        deployed = dict((i, d.pk) for i, d in new_deployments)
        for row in rows:
            applied = {}
            if row.outcome == Outcome.CREATE:
                applied["created"] = True
            if row.changes.get("family_add"):
                applied["family"] = [family_ids[(row.index, p)] for p in range(len(row.changes["family_add"]))]
            if row.index in assigned:
                applied["assignment"] = assigned[row.index]
            if row.index in deployed:
                applied["deployment"] = deployed[row.index]
            if row.index in difficulties:
                applied["difficulty"] = difficulties[row.index]
            applied_rows.append([row.pk, target(row), applied])
        totals["family_created"] += len(new_family)
        totals["assignments_created"] += len(assignments)
        totals["deployments_created"] += len(new_deployments)
        totals["difficulties_opened"] += len(difficulties)
        del rows, new_family, assignments, new_deployments
    # updates of existing records (and of records created above by an earlier row), once each
    _update_later(Worker, later["worker"], user)
    _update_later(FamilyMember, later["family"], user)
    _update_later(Deployment, later["deployment"], user)
    totals["workers_updated"] = len([w for w in later["worker"] if w not in set(created.values())])
    bulk.update_rows(ImportRow, ["worker", "applied"], applied_rows)
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


def _update_later(model, changes: dict, user) -> None:
    """Write the final values of records updated by the batch, with one history row each."""
    from simple_history.utils import bulk_update_with_history

    if not changes:
        return
    now = timezone.now()
    ids = sorted(changes)
    fields = sorted({f for values in changes.values() for f in values})
    derived = ["name", "name_key", "name_pinyin", "name_initials", "mobile_tail"] if hasattr(model, "mobile_tail") \
        else []
    for start in range(0, len(ids), ROW_CHUNK):
        objs = list(model.objects.filter(pk__in=ids[start : start + ROW_CHUNK]).order_by("pk"))
        for obj in objs:
            for field, value in changes[obj.pk].items():
                setattr(obj, field, value)
            if derived:
                obj.refresh_derived()
            obj.updated_at = now
        bulk_update_with_history(objs, model, fields=[*fields, *derived, "updated_at"], batch_size=1000,
                                 default_user=user)


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


def _revalidate(batch: ImportBatch, rows: list[ImportRow]) -> None:
    """Refuse when what the dry run saw has changed: a worker, family member or deployment it
    updates, a person it creates who now exists, an assignment or difficulty now present."""
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
    creates = [r for r in rows if r.outcome == Outcome.CREATE]
    for start in range(0, len(creates), ROW_CHUNK):
        chunk = creates[start : start + ROW_CHUNK]
        wanted = {(r.data["key"], r.data["mobile"]): r for r in chunk}
        for key, mobile in Worker.objects.filter(name_key__in=[k for k, _m in wanted]).values_list(
            "name_key", "mobile"
        ):
            if (key, mobile) in wanted:
                raise _changed_since(_("The person"), wanted[(key, mobile)])
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
        from nuanxin.registry import normalise

        present = {(w, normalise.text(t)) for w, t in present}
        for r in opened:
            if (r.worker_id, r.changes["difficulty"]) in present:
                raise _changed_since(_("A difficulty"), r)


# --- undo ------------------------------------------------------------------------------------


@transaction.atomic
def undo_batch(*, actor, batch: ImportBatch) -> ImportBatch:
    """Reverse an applied batch as a whole: remove what it created, restore what it updated.
    Refused while any of those records changed since, or gained other records."""
    from simple_history.utils import bulk_update_with_history

    from nuanxin.care.models import CareAssignment, Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status != BatchStatus.APPLIED:
        raise Conflict(_("Only an applied import can be undone."))
    if not may_import(actor, batch.organisation):
        raise NotAllowed(_("You may not undo imports of %(org)s.") % {"org": batch.organisation.name})
    user = _user(actor)
    rows = list(ImportRow.objects.filter(batch=batch, outcome__in=[Outcome.CREATE, Outcome.UPDATE]).order_by("index"))
    created = {"worker": set(), "family": set(), "assignment": set(), "deployment": set(), "difficulty": set()}
    restore: dict[str, dict[int, dict]] = {"worker": {}, "family": {}, "deployment": {}}
    for row in rows:
        a = row.applied or {}
        if a.get("created"):
            created["worker"].add(row.worker_id)
        created["family"].update(a.get("family", []))
        for key in ("assignment", "deployment", "difficulty"):
            if a.get(key):
                created[key].add(a[key])
        if row.worker_id not in created["worker"] and row.ref_index is None:
            for field, (old, _new) in row.changes.get("worker", {}).items():
                restore["worker"].setdefault(row.worker_id, {}).setdefault(field, old)
        for upd in row.changes.get("family_update", []):
            if "id" in upd:
                for f in ("mobile", "relation"):
                    if f in upd:
                        restore["family"].setdefault(upd["id"], {}).setdefault(f, upd[f][0])
        dep = row.changes.get("deployment") or {}
        if dep.get("id"):
            for f in ("deployed_mobile", "carrier"):
                if f in dep:
                    restore["deployment"].setdefault(dep["id"], {}).setdefault(f, dep[f][0])
    until = batch.applied_until
    refusal = Conflict(
        _("Records written by this import have changed since it was applied; it can no longer be undone as a whole.")
    )
    touched = [
        (Worker, created["worker"] | set(restore["worker"])),
        (FamilyMember, created["family"] | set(restore["family"])),
        (Deployment, created["deployment"] | set(restore["deployment"])),
        (Difficulty, created["difficulty"]),
    ]
    for model, ids in touched:
        ids = sorted(ids)
        for start in range(0, len(ids), ROW_CHUNK):
            chunk = ids[start : start + ROW_CHUNK]
            if model.objects.filter(pk__in=chunk, updated_at__gt=until).exists():
                raise refusal
            if len(chunk) != model.objects.filter(pk__in=chunk).count():
                raise refusal
    if CareAssignment.objects.filter(pk__in=created["assignment"], ended_at__isnull=False).exists():
        raise refusal
    # Nothing but this batch's own records may hang off the workers it created.
    mine = {
        FamilyMember: created["family"],
        Deployment: created["deployment"],
        Difficulty: created["difficulty"],
        CareAssignment: created["assignment"],
        Worker: created["worker"],
    }
    worker_ids = sorted(created["worker"])
    for start in range(0, len(worker_ids), ROW_CHUNK):
        collector = Collector(using="default")
        try:
            collector.collect(Worker.objects.filter(pk__in=worker_ids[start : start + ROW_CHUNK]))
        except (ProtectedError, RestrictedError):
            raise refusal from None
        for model, instances in collector.data.items():
            if model in mine:
                if any(i.pk not in mine[model] for i in instances):
                    raise refusal
            elif not _written_by_apply(model, model.objects.filter(pk__in=[i.pk for i in instances]), until):
                raise refusal
        for qs in collector.fast_deletes:
            if qs.model is not ImportRow and qs.model not in mine and not _written_by_apply(qs.model, qs, until):
                raise refusal
    now = timezone.now()
    for model, key in ((Worker, "worker"), (FamilyMember, "family"), (Deployment, "deployment")):
        if not restore[key]:
            continue
        objs = model.objects.in_bulk(sorted(restore[key]))
        changed_fields = sorted({f for v in restore[key].values() for f in v})
        for pk, values in restore[key].items():
            obj = objs[pk]
            for f, v in values.items():
                setattr(obj, f, v)
            if model is Worker:
                obj.refresh_derived()
            obj.updated_at = now
        bulk_update_with_history(list(objs.values()), model, fields=[*changed_fields, "updated_at"], default_user=user)
    Difficulty.objects.filter(pk__in=created["difficulty"]).delete()
    CareAssignment.objects.filter(pk__in=created["assignment"]).delete()
    Deployment.objects.filter(pk__in=created["deployment"]).delete()
    FamilyMember.objects.filter(pk__in=created["family"]).delete()
    for start in range(0, len(worker_ids), ROW_CHUNK):
        Worker.objects.filter(pk__in=worker_ids[start : start + ROW_CHUNK]).delete()
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
