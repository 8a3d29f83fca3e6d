"""Decisions on likely duplicates: the same person, a new one, or not to import the row."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.registry import normalise
from nuanxin.registry.import_models import Decision, ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.batches import _lock_planned, _refresh_counts
from nuanxin.tables.imports.messages import reason

log = logging.getLogger(__name__)


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
