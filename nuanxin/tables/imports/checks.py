"""What an apply (and an undo) checks before writing: the acting user's scope over every worker
it writes to, and that nothing the dry run relied on changed since."""

from __future__ import annotations

import logging
from typing import NamedTuple

from django.utils.translation import gettext as _

from nuanxin.core.errors import Conflict, NotAllowed
from nuanxin.orgs import scope
from nuanxin.registry import normalise
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES
from nuanxin.registry.import_models import ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.applysql import plan_rows
from nuanxin.tables.imports.batches import ROW_CHUNK, _user
from nuanxin.tables.imports.messages import reason, render

log = logging.getLogger(__name__)


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
    for chunk in plan_rows(batch, _Seen._fields, [Outcome.UPDATE]):
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
