"""The apply: the stored plan of a batch written in one transaction, a chunk of rows at a time.

The reference path is Python over the ORM-level bulk helpers (``bulk``, any database); on
PostgreSQL the new workers and family members are written by the database itself from the
stored plan (``applysql``, the one module with the fast path's SQL) and Python goes through the
few rows that do anything else. A test applies the same plan along both and compares the records."""

from __future__ import annotations

import logging
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, versioning
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.registry import normalise
from nuanxin.registry.choices import TeamType
from nuanxin.registry.import_models import BatchStatus, ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import applysql, bulk, progress
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.applysql import plan_rows
from nuanxin.tables.imports.batches import (
    APPLIED,
    ROW_CHUNK,
    _check_decided,
    _lock_planned,
    _set,
    _user,
    inline_apply_rows,
)
from nuanxin.tables.imports.checks import _check_scope, _revalidate
from nuanxin.tables.imports.timing import fewer_full_collections, phase

log = logging.getLogger(__name__)


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
        locked.progress_done, locked.progress_total = 0, progress.SCALE
        locked.save(update_fields=["status", "message", "progress_done", "progress_total"])
        from nuanxin.tables.imports.tasks import apply_import

        batch_id, actor_id = locked.pk, getattr(_user(actor), "pk", None)
        transaction.on_commit(lambda: apply_import.enqueue(batch_id, actor_id))
    return locked


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
        progress.clear(batch.pk)


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


def _apply(actor, batch: ImportBatch) -> ImportBatch:
    """Stream the stored plan in row order, a chunk at a time (memory stays flat for 100,000
    rows): insert what the chunk creates as plain rows (COPY on PostgreSQL, with the history
    rows copied by the database), remember only the ids that later rows refer to, and apply
    the updates of existing records at the end, each once. What the dry run relies on is
    checked first, for the whole batch."""
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status not in (BatchStatus.PLANNED, BatchStatus.APPLYING):
        raise Conflict(_("This import is %(status)s; it cannot be applied.") % {"status": batch.get_status_display()})
    ImportBatch.policy.require(
        actor, "change", batch, _("You may not import into %(org)s.") % {"org": batch.organisation.name}
    )
    _check_decided(batch)
    _check_scope(actor, batch, [Outcome.UPDATE])
    user = _user(actor)
    user_id = getattr(user, "pk", None)
    started = timezone.now()
    with phase("revalidate"):
        _revalidate(batch)
    in_db = applysql.writes_in_database(batch)
    referred, referred_family = set(), set()
    rows_in_batch = max(1, int(batch.counts.get("total", 0)))
    first, share = (progress.SCALE // 2, progress.SCALE // 2) if in_db else (0, progress.SCALE)
    progress.note(batch.pk, 0)
    if in_db:
        totals = applysql.create_in_database(batch, user)
        progress.note(batch.pk, first)
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
    for rows in plan_rows(batch, fields, APPLIED, where=applysql.REST_SQL if in_db else ""):
        targets: dict[int, int] = {}  # row index -> the worker the row writes to
        orgs: dict[int, int] = {}  # worker id -> unit id, where known without a query
        added: dict[int, list[int]] = {}  # row index -> family members it added
        if in_db:  # the database wrote the workers and family members, and each row's worker
            targets = {r[0]: r[4] for r in rows}
            wanted = {(u["row"], u["pos"]) for r in rows for u in r[6].get("family_update", ()) if "row" in u}
            if wanted:
                family_ids.update(applysql.family_created_in_database(wanted))
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
                    assignments.append((index, ch["assign"]["campaign"], target, ch["assign"]["user"]))
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
            assigned = _assign_contacts(actor, assignments)
            bulk.insert(Deployment, [d for _i, d in new_deployments], history=True, user=user)
            deployment_ids.update((i, d.pk) for i, d in new_deployments)
        # difficulties
        with phase("difficulties"):
            wanted = [targets[r[0]] for r in rows if r[6].get("difficulty") and targets[r[0]] not in orgs]
            if wanted:
                orgs.update(Worker.objects.filter(pk__in=wanted).values_list("pk", "organisation_id"))
            opened = [(r[0], targets[r[0]], r[6]["difficulty"]) for r in rows if r[6].get("difficulty")]
            difficulties = open_difficulties(actor, [(i, w, orgs[w], text) for i, w, text in opened])
        # what each row wrote, for undo (and the worker of a row that names one written above)
        with phase("plan rows"):
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
        progress.note(batch.pk, first + share * (rows[-1][0] + 1) // rows_in_batch)
        del rows, assignments, new_deployments, applied_rows, targets, orgs, added
    # updates of existing records (and of records created above by an earlier row), once each
    with phase("updates"):
        _update_later(Worker, later["worker"], user)
        _update_later(FamilyMember, later["family"], user)
        _update_later(Deployment, later["deployment"], user)
    totals["workers_updated"] = len(set(later["worker"]) - updated_created)
    if in_db:
        applysql.drop_temporary_tables()
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


def _assign_contacts(actor, assignments: list[tuple[int, int, int, int]]) -> dict[int, int]:
    """The care contacts of the 工会联系人 column, through care's bulk assignment (audited, this
    week's duties opened at once): ``assignments`` of (row index, campaign id, worker id,
    contact id); returns the id of the assignment each row made, by row index."""
    from nuanxin.care.models import Campaign
    from nuanxin.care.services import assign_many

    by_campaign: dict[int, list[tuple[int, int, int]]] = {}
    for index, campaign_id, worker_id, contact_id in assignments:
        by_campaign.setdefault(campaign_id, []).append((index, worker_id, contact_id))
    made: dict[int, int] = {}
    for campaign in Campaign.objects.filter(pk__in=list(by_campaign)).order_by("pk"):
        rows = by_campaign[campaign.pk]
        created = assign_many(actor=actor, campaign=campaign, pairs=[(w, c) for _i, w, c in rows])
        made.update((index, created[w].pk) for index, w, _c in rows if w in created)
    return made


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


def open_difficulties(actor, items: list) -> dict[int, int]:
    """The 存在困难 of many rows, through care's bulk service (``care.services.open_difficulties``:
    each exactly as ``open_difficulty`` opens one, audited with ``audit.record_many``), written
    with the importer's COPY writers (history rows for the difficulties). ``items`` of (row
    index, worker id, unit id, text); returns the new difficulty's id by row index."""
    from nuanxin.care.services import NewDifficulty
    from nuanxin.care.services import open_difficulties as care_open_difficulties

    if not items:
        return {}
    user = _user(actor)
    opened = care_open_difficulties(
        actor=actor,
        items=[
            NewDifficulty(key=index, worker_id=worker_id, organisation_id=org_id, description=text)
            for index, worker_id, org_id, text in items
        ],
        insert=lambda model, objs: bulk.insert(model, objs, history=True, user=user),
        insert_notes=lambda model, objs: bulk.insert(model, objs, with_ids=False),
    )
    return {index: d.pk for index, d in opened.items()}
