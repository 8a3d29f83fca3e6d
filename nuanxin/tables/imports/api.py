"""REST operations of the importer: upload (a dry run unless ``dry_run`` is false), the batch
with its row outcomes, apply, undo. Errors are the platform's JSON ``{code, message}``."""

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import File, Form, Query, Schema, Status
from ninja.files import UploadedFile

from nuanxin.core import apiutils, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.orgs.models import Organisation
from nuanxin.registry.import_models import BatchStatus, ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import display, services

router = apiutils.ScopedRouter(tags=["imports"])
MAX_ROWS_PER_ANSWER = 5000


class RowOut(Schema):
    index: int
    sheet: str
    line: int
    table: int
    outcome: str
    decision: str
    name: str
    worker: int | None
    messages: list[str]
    changes: list[str]


class BatchOut(Schema):
    id: int
    organisation: str
    filename: str
    status: str
    message: str
    counts: dict
    progress_done: int
    progress_total: int
    sheets: list
    created_at: datetime
    planned_at: datetime | None
    applied_at: datetime | None
    undone_at: datetime | None
    rows: list[RowOut]
    rows_count: int


class ApplyIn(Schema):
    undecided: Literal["refuse", "skip"] = "refuse"


def _out(batch: ImportBatch, user, *, outcome: str = "", offset: int = 0, limit: int = 500) -> dict:
    rows = ImportRow.objects.filter(batch=batch).order_by("index").defer("raw", "versions", "applied")
    if outcome:
        rows = rows.filter(outcome=outcome)
    count = rows.count()
    page = display.shown(user, list(rows[offset : offset + max(0, min(limit, MAX_ROWS_PER_ANSWER))]))
    return {
        "id": batch.pk,
        "organisation": batch.organisation.code,
        "filename": batch.filename,
        "status": batch.status,
        "message": batch.message,
        "counts": batch.counts,
        "progress_done": batch.progress_done,
        "progress_total": batch.progress_total,
        "sheets": [{k: s.get(k) for k in ("name", "table", "rows", "unit", "team")} for s in batch.sheets],
        "created_at": batch.created_at,
        "planned_at": batch.planned_at,
        "applied_at": batch.applied_at,
        "undone_at": batch.undone_at,
        "rows_count": count,
        "rows": [
            {
                "index": r.index,
                "sheet": r.sheet,
                "line": r.line,
                "table": r.table,
                "outcome": r.outcome,
                "decision": r.decision,
                "name": r.data.get("name", ""),
                "worker": item["worker"],
                "messages": item["messages"],
                "changes": item["changes"],
            }
            for item in page
            for r in [item["row"]]
        ],
    }


def _batch(request, import_id: int) -> ImportBatch:
    return apiutils.get_scoped_or_404(
        ImportBatch.objects.select_related("organisation"), request, "change", pk=import_id
    )


@router.post(
    "/imports",
    response={201: BatchOut},
    operation_id="create_import",
    model=ImportBatch,
    action="change",
    summary="Upload a table file: a dry run, or applied at once with dry_run=false",
)
@idempotency.api
def create_import(
    request,
    file: File[UploadedFile] = None,
    org: Form[str] = "",
    dry_run: Form[bool] = True,
    default_team: Form[str] = "",
):
    """Multipart form: ``file`` (.xlsx, .xls, .ods or .csv), ``org`` (organisation code, also
    accepted as a query parameter), ``dry_run`` (default true: plan only, apply later with
    ``POST /imports/{id}/apply``), ``default_team`` (team of table 2 rows when the sheet does
    not say). A large file is read in the background: poll ``GET /imports/{id}`` until
    ``status`` is ``planned`` (or ``refused``)."""
    code = org or request.GET.get("org", "")
    if not code and file is None:
        # Neither field arrived: most likely not a multipart form at all (e.g. a JSON body).
        raise ServiceError(
            _("Send a multipart form: the table file in the field “file” and the organisation code in “org”."),
            field="file",
        )
    if not code:
        raise ServiceError(_("Unknown organisation code, or outside your scope."), field="org")
    organisation = apiutils.get_scoped_or_404(Organisation, request, "change", code=code)
    if file is None:
        raise ServiceError(_("Send the table file in the multipart field “file”."), field="file")
    batch = services.create_batch(
        actor=request.user,
        organisation=organisation,
        upload=file,
        filename=file.name,
        default_team=default_team,
        auto_apply=not dry_run,
    )
    batch.refresh_from_db()
    return Status(201, _out(batch, request.user))


@router.get(
    "/imports/{import_id}",
    response=BatchOut,
    operation_id="get_import",
    summary="A batch and its rows",
    model=ImportBatch,
    action="change",
)
def get_import(
    request,
    import_id: int,
    outcome: str = "",
    offset: int = Query(0, ge=0, le=apiutils.MAX_OFFSET, description="Rows to skip (0–1000000000)."),
    limit: int = 500,
):
    """Status, counts and the outcome of every row (``offset`` / ``limit`` page through the rows,
    at most 5000 per answer; ``outcome`` filters: create, update, unchanged, reject, review).
    While the batch is being read or applied, ``progress_done`` of ``progress_total`` tells how
    far the background task got."""
    batch = services.live_progress(_batch(request, import_id))
    if outcome and outcome not in Outcome.values:
        raise ServiceError(_("Unknown outcome."), field="outcome")
    return _out(batch, request.user, outcome=outcome, offset=max(0, offset), limit=limit)


@router.post("/imports/{import_id}/apply", response=BatchOut, operation_id="apply_import",
             summary="Apply the dry run as shown", model=ImportBatch, action="change")
def apply_import(request, import_id: int, payload: ApplyIn | None = None):
    """Writes exactly the stored plan, in one transaction; refuses with 409 when rows still wait
    for a decision (send ``{"undecided": "skip"}`` to leave them out) or when the register
    changed since the dry run. A large batch is applied in the background (status
    ``applying``)."""
    batch = _batch(request, import_id)
    if payload is not None and payload.undecided == "skip" and batch.status == BatchStatus.PLANNED:
        services.skip_undecided(actor=request.user, batch=batch)
        batch.refresh_from_db()
    batch = services.request_apply(actor=request.user, batch=batch)
    batch.refresh_from_db()
    return _out(batch, request.user)


@router.post("/imports/{import_id}/undo", response=BatchOut, operation_id="undo_import",
             summary="Undo an applied import as a whole", model=ImportBatch, action="change")
def undo_import(request, import_id: int):
    """Removes what the batch created and restores what it updated; 409 when those records
    changed since."""
    batch = _batch(request, import_id)
    batch = services.undo_batch(actor=request.user, batch=batch)
    batch.refresh_from_db()
    return _out(batch, request.user)
