"""Decisions on likely duplicates: the same person, a new one, or not to import the row."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.registry import normalise
from nuanxin.registry.import_models import Decision, ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import planner as pl
from nuanxin.tables.imports.batches import _lock_planned, _refresh_counts
from nuanxin.tables.imports.messages import reason

log = logging.getLogger(__name__)

# The decision on a row whose unit only came close to organisations: which one it is. Posted by
# the page, never stored in ``ImportRow.decision`` (the row then has the outcome its unit gives
# it, a likely duplicate again waiting for its own decision, or a rejection).
UNIT = "unit"


@transaction.atomic
def decide_row(*, actor, batch: ImportBatch, row: ImportRow, decision: str, candidate: int = 0) -> ImportRow:
    """A person decides a likely duplicate: the same person as candidate ``candidate`` (the
    row becomes an update of that worker, its phone replacing the old one), a new person (a
    create), or not to import the row."""
    batch = _lock_planned(batch)
    row = ImportRow.objects.select_for_update().get(pk=row.pk, batch=batch)
    if unit_offered(row) and (row.outcome == Outcome.REVIEW or decision in (UNIT, Decision.SKIP)):
        return _decide_unit(actor=actor, batch=batch, row=row, decision=decision, candidate=candidate)
    if decision == UNIT:
        raise Conflict(_("This row's unit needs no confirmation."))
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
        if unit_offered(row):
            row.reasons = [reason("unit_undecided", value=row.data.get("unit", ""))]
        else:
            row.reasons = [reason("undecided")]
    ImportRow.objects.bulk_update(rows, ["outcome", "decision", "reasons"])
    _refresh_counts(batch)
    audit.record(actor, "import.skip_undecided", obj=batch, organisation=batch.organisation, detail={"rows": len(rows)})
    return len(rows)


# --- the unit of a row, confirmed ------------------------------------------------------------


def unit_offered(row: ImportRow) -> bool:
    """Whether the row's candidates are organisations offered for its unit (not workers)."""
    return bool(row.candidates) and all("org" in c for c in row.candidates)


def _decide_unit(*, actor, batch: ImportBatch, row: ImportRow, decision: str, candidate) -> ImportRow:
    """A person says which of the organisations offered is the row's unit (the row is planned
    again with it, as the dry run plans a row whose unit was written exactly), or that none is
    (the row is not imported)."""
    if row.outcome != Outcome.REVIEW:
        _refuse_if_relied_on(batch, row)
    data = dict(row.data)
    text = data.get("unit", "")
    notes = [n for n in data.get("notes", []) if n.get("code") not in {"unit_close", "unit_confirmed"}]
    data.pop("unit_chosen", None)
    if decision == Decision.SKIP:
        data["notes"] = notes
        row.outcome, row.decision, row.reasons = Outcome.REJECT, Decision.SKIP, [reason("unit_skipped")]
        row.changes, row.versions, row.worker_id, row.ref_index = {}, {}, None, None
        return _save_decided(actor, batch, row, data, decision)
    if decision != UNIT:
        raise ServiceError(_("Choose one of the organisations offered, or do not import the row."), field="decision")
    offer = data.get("unit_offer") or row.candidates
    try:
        chosen = offer[int(candidate)]
    except (IndexError, ValueError, TypeError):
        raise ServiceError(_("Choose one of the organisations offered."), field="candidate") from None
    planner = pl.Planner(organisation=batch.organisation, actor=actor)
    org = planner.units.by_id.get(chosen.get("org"))
    if org is None or not org.path.startswith(batch.organisation.path):
        raise Conflict(
            _("That organisation is no longer under %(org)s; run the dry run again.") % {"org": batch.organisation.name}
        )
    data["unit_offer"] = offer
    data["notes"] = notes
    data["unit_chosen"] = org.pk
    planned = _as_planned(row, data)
    planned.outcome, planned.reasons = Outcome.REJECT, []
    parsed = pl.Parsed(sheet=row.sheet, line=row.line, table=row.table, raw=row.raw, data=data, reasons=[])
    _load_states(planner, batch, row, data)
    if row.table == 3:
        planner.plan_deployment(planned, parsed)
    else:
        planner.plan_person(planned, parsed)
    if planned.reasons:
        planned.outcome = Outcome.REJECT
    _refuse_twins(batch, row, planned, data)
    confirmed = reason("unit_confirmed", value=text, unit=org.name)
    data["notes"].append(confirmed)
    row.outcome = planned.outcome
    row.decision = Decision.NONE
    row.reasons = [*planned.reasons, confirmed] if planned.reasons else data["notes"]
    row.candidates = planned.candidates if planned.outcome == Outcome.REVIEW else offer
    row.changes, row.versions = planned.changes, planned.versions
    row.worker_id, row.ref_index = planned.worker_id, planned.ref_index
    return _save_decided(actor, batch, row, data, UNIT, unit=org)


def _refuse_if_relied_on(batch: ImportBatch, row: ImportRow) -> None:
    """A row decided already may be decided again, unless a later decision built on it (another
    row is now the same person as the one it creates, or changes the deployment it creates)."""
    later = (
        ImportRow.objects.filter(batch=batch)
        .exclude(pk=row.pk)
        .filter(Q(ref_index=row.index) | Q(changes__deployment__row=row.index))
        .first()
    )
    if later is not None:
        raise Conflict(
            _("Row %(line)s of sheet “%(sheet)s” relies on this row as it is decided; it cannot be changed.")
            % {"line": later.line, "sheet": later.sheet}
        )


def _save_decided(actor, batch: ImportBatch, row: ImportRow, data: dict, decision: str, unit=None) -> ImportRow:
    row.data = data
    row.save()
    _refresh_counts(batch)
    detail = {"row": row.index, "line": row.line, "sheet": row.sheet, "outcome": row.outcome}
    if unit is not None:
        detail["organisation"] = unit.name  # the unit confirmed: no decision of the register's kinds
    else:
        detail["decision"] = decision
    audit.record(actor, "import.decide", obj=batch, organisation=batch.organisation, detail=detail)
    return row


def _earlier_rows(batch: ImportBatch, row: ImportRow, **filters):
    return (
        ImportRow.objects.filter(batch=batch, index__lt=row.index, **filters)
        .filter(outcome__in=[Outcome.CREATE, Outcome.UPDATE, Outcome.UNCHANGED])
        .order_by("index")
        .only("index", "line", "sheet", "table", "outcome", "data", "changes", "worker_id", "ref_index")
    )


def _replay(state: pl.State, source: ImportRow) -> None:
    """What an earlier row of the file does to a worker, on the worker's state."""
    ch = source.changes or {}
    if source.table != 3 and state.line is None:
        state.line, state.sheet = source.line, source.sheet
    for f, (_old, new) in (ch.get("worker") or {}).items():
        if f in pl.WORKER_FIELDS:
            setattr(state, f, new)
    for pos, m in enumerate(ch.get("family_add", [])):
        if state.member(m["key"]) is None:
            state.family = (*state.family, (m["key"], None, source.index, pos, m["mobile"], m["relation"], ""))
            state.has_primary = True
    if ch.get("difficulty"):
        text = normalise.text(ch["difficulty"])
        state.difficulties = state.difficulties | {text}
        state.difficulty_rows = (*state.difficulty_rows, (text, source.line, source.sheet))
    dep = ch.get("deployment")
    if dep:
        current = dict(state.deployment or {"id": None, "deployed_mobile": "", "carrier": ""})
        for f in ("deployed_mobile", "carrier"):
            if f in dep:
                current[f] = dep[f][1]
        if current.get("id") is None:
            current["row"] = dep["row"] if dep.get("row") is not None else source.index
        state.deployment = current


def _load_states(planner: pl.Planner, batch: ImportBatch, row: ImportRow, data: dict) -> None:
    """The states the dry run had for the row's name when it came to the row: the register's
    workers of that name, and what the rows before it in the file create and change."""
    key = data.get("key", "")
    if not key:
        return
    planner.search({key})
    registered = {s.worker_id: s for s in planner.states_named(key) if s.worker_id}
    created: dict[int, pl.State] = {}
    for source in _earlier_rows(batch, row, data__key=key).exclude(table=3):
        if source.outcome == Outcome.CREATE and source.ref_index is None and source.worker_id is None:
            state = _state_of_created(source)
            planner.add_state(state)
            created[source.index] = state
        elif source.worker_id in registered:
            _replay(registered[source.worker_id], source)
        elif source.ref_index in created:
            _replay(created[source.ref_index], source)
    if row.table == 3 and (registered or created):
        for source in _earlier_rows(batch, row, table=3).filter(
            Q(worker_id__in=list(registered)) | Q(ref_index__in=list(created))
        ):
            if source.worker_id in registered:
                _replay(registered[source.worker_id], source)
            elif source.ref_index in created:
                _replay(created[source.ref_index], source)


def _refuse_twins(batch: ImportBatch, row: ImportRow, planned: pl.Planned, data: dict) -> None:
    """A row later in the file (or, for a person created, anywhere else in it) that already
    stands for the same person: the dry run planned it without this row, so confirming this
    row's unit would write the person twice. Said, and nothing changed."""
    others = ImportRow.objects.filter(batch=batch).exclude(pk=row.pk)
    twin = None
    if planned.outcome == Outcome.CREATE:
        twin = others.filter(outcome=Outcome.CREATE, data__key=data["key"], data__mobile=data["mobile"]).first()
    elif planned.worker_id or planned.ref_index is not None:
        later = others.filter(index__gt=row.index, outcome__in=[Outcome.CREATE, Outcome.UPDATE, Outcome.UNCHANGED])
        if planned.worker_id:
            twin = later.filter(worker_id=planned.worker_id).first()
        else:
            twin = later.filter(ref_index=planned.ref_index).first()
    if twin is not None:
        raise Conflict(
            _(
                "Row %(line)s of sheet “%(sheet)s” already stands for this person; write the unit of both rows "
                "the same way and import the file again."
            )
            % {"line": twin.line, "sheet": twin.sheet}
        )
