"""Undo of an applied batch as a whole: what it created removed, what it updated restored, refused
while any of those records changed or gained other records since."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import Conflict
from nuanxin.registry.import_models import BatchStatus, ImportBatch, ImportRow
from nuanxin.tables.imports import bulk
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.apply import _sync_care, _update_later
from nuanxin.tables.imports.applysql import plan_rows
from nuanxin.tables.imports.batches import APPLIED, _user
from nuanxin.tables.imports.checks import _check_scope
from nuanxin.tables.imports.messages import join_messages
from nuanxin.tables.imports.timing import phase

log = logging.getLogger(__name__)


@transaction.atomic
def undo_batch(*, actor, batch: ImportBatch) -> ImportBatch:
    """Reverse an applied batch as a whole: remove what it created, restore what it updated.
    Refused while any of those records changed since, or gained other records."""

    from nuanxin.care.models import CareAssignment, Difficulty
    from nuanxin.registry.models import Deployment, FamilyMember, Worker

    batch = ImportBatch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
    if batch.status != BatchStatus.APPLIED:
        raise Conflict(_("Only an applied import can be undone."))
    ImportBatch.policy.require(
        actor, "change", batch, _("You may not undo imports of %(org)s.") % {"org": batch.organisation.name}
    )
    _check_scope(actor, batch, APPLIED)
    user = _user(actor)
    created = {"worker": set(), "family": set(), "assignment": set(), "deployment": set(), "difficulty": set()}
    restore: dict[str, dict[int, dict]] = {"worker": {}, "family": {}, "deployment": {}}
    # what updated_at the restored records had before the apply (the dry run's versions; the apply
    # wrote only if they were still those): restored, a record is as it was, and an import
    # applied before this one can be undone in its turn
    stamps: dict[str, dict[int, str]] = {"worker": {}, "family": {}, "deployment": {}}
    fields = ("index", "worker_id", "ref_index", "applied", "changes", "versions")
    for rows in plan_rows(batch, fields, APPLIED):
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
    with phase("care"):
        _record_unassigned(actor, created["assignment"])
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


def _record_unassigned(actor, assignment_ids: set[int]) -> None:
    """The assignments the apply made end with the undo: one ``care.unassign`` audit row per
    family, the row the assignment page writes when it ends one (campaign, no contact, the
    previous contact), written in one insert (``audit.record_many``)."""
    from nuanxin.care.models import CareAssignment

    rows = []
    for chunk in pl._chunks(sorted(assignment_ids)):
        for a in (
            CareAssignment.objects.filter(pk__in=bulk.among(chunk, "integer"))
            .select_related("worker__organisation")
            .order_by("worker_id", "pk")
        ):
            detail = {"campaign": a.campaign_id, "contact": None, "previous": a.contact_id}
            rows.append((a.worker, a.worker.organisation, detail))
    audit.record_many(actor, "care.unassign", rows)


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
