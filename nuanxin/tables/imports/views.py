"""Pages of the importer: upload (a dry run by default), the outcome of every row, decisions
on likely duplicates, apply, undo, and the rejected rows as xlsx."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.core import access, idempotency
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.pages import run_service
from nuanxin.registry.import_models import BatchStatus, Decision, ImportBatch, ImportRow, Outcome
from nuanxin.tables.imports import display, services

PER_PAGE = 100
BADGES = {
    Outcome.CREATE: "text-bg-success",
    Outcome.UPDATE: "text-bg-primary",
    Outcome.UNCHANGED: "text-bg-secondary",
    Outcome.REJECT: "text-bg-danger",
    Outcome.REVIEW: "text-bg-warning",
}


def _batches(request):
    return ImportBatch.objects.select_related("organisation", "created_by", "applied_by", "undone_by")


# A batch's pages: 403 without a register-change role anywhere, 404 for a batch outside the scope.
batch_page = access.scoped(ImportBatch, "change", lookup="pk", queryset=_batches)


def _create(form, user) -> ImportBatch:
    """The upload's dry run; a refusal that names no field of the form is the file's."""
    upload = form.cleaned_data["file"]
    try:
        return services.create_batch(
            actor=user,
            organisation=form.cleaned_data["organisation"],
            upload=upload,
            filename=upload.name,
            default_team=form.cleaned_data["default_team"],
        )
    except NotAllowed:
        raise
    except ServiceError as exc:
        if exc.field not in form.fields:
            exc.field = "file"
        raise


@access.scoped(ImportBatch, "change")
@idempotency.form
def batch_list(request):
    """Upload a table file; the batches of the user's scope below."""
    from nuanxin.tables.imports.forms import UploadForm

    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            ok, batch = run_service(form, _create, form, request.user)
            if ok:
                return redirect("tables:imports:detail", pk=batch.pk)
    else:
        form = UploadForm(user=request.user)
    batches = ImportBatch.objects.for_user(request.user, "change").select_related("organisation", "created_by")
    page = Paginator(batches.order_by("-created_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(request, "tables/imports/list.html", {"form": form, "page": page})


@batch_page
def batch_detail(request, batch: ImportBatch):
    """Counts and every row's outcome (paginated), decisions, apply and undo."""
    batch = services.live_progress(batch)
    outcome = request.GET.get("outcome", "")
    rows = ImportRow.objects.filter(batch=batch).order_by("index")
    if outcome in Outcome.values:
        rows = rows.filter(outcome=outcome)
    page = Paginator(rows.defer("raw", "versions", "applied"), PER_PAGE).get_page(request.GET.get("page"))
    # A row about a worker registered outside this user's scope says only that (display.shown).
    items = [
        {**item, "badge": BADGES[item["row"].outcome], "assumed": display.unit_assumed(item)}
        for item in display.shown(request.user, page.object_list)
    ]
    tabs = [("", _("All"), batch.counts.get("total", 0))] + [
        (o.value, o.label, batch.counts.get(o.value, 0)) for o in Outcome
    ]
    return render(
        request,
        "tables/imports/detail.html",
        {
            "batch": batch,
            "page": page,
            "items": items,
            "outcome": outcome,
            "tabs": tabs,
            "assumed": display.assumed_count(batch),
            "statuses": BatchStatus,
            "decisions": Decision,
            "can_apply": batch.status == BatchStatus.PLANNED
            and batch.count(Outcome.REVIEW) == 0
            and (batch.count(Outcome.CREATE) + batch.count(Outcome.UPDATE)) > 0,
        },
    )


@batch_page
def batch_progress(request, batch: ImportBatch):
    """The progress bar, polled by htmx while the batch is being read or applied."""
    batch = services.live_progress(batch)
    response = render(request, "tables/imports/_progress.html", {"batch": batch, "poll": True})
    if not batch.is_busy and request.htmx:
        response["HX-Refresh"] = "true"
    return response


def _act(request, batch: ImportBatch, action, success):
    try:
        result = action(batch)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("tables:imports:detail", kwargs={"pk": batch.pk})
    return redirect(target)


@require_POST
@batch_page
def batch_apply(request, batch: ImportBatch):
    return _act(
        request,
        batch,
        lambda b: services.request_apply(actor=request.user, batch=b),
        lambda b: (
            _("The import is being applied in the background.")
            if b.status == BatchStatus.APPLYING
            else _("The import was applied.")
        ),
    )


@require_POST
@batch_page
def batch_undo(request, batch: ImportBatch):
    return _act(request, batch, lambda b: services.undo_batch(actor=request.user, batch=b), _("The import was undone."))


@require_POST
@batch_page
def batch_skip(request, batch: ImportBatch):
    return _act(
        request,
        batch,
        lambda b: services.skip_undecided(actor=request.user, batch=b),
        _("The rows waiting for a decision will not be imported."),
    )


@require_POST
@batch_page
def row_decide(request, batch: ImportBatch, row_pk: int):
    row = _row(batch, row_pk)

    def decide(b):
        services.decide_row(
            actor=request.user,
            batch=b,
            row=row,
            decision=request.POST.get("decision", ""),
            candidate=request.POST.get("candidate", 0),
        )

    return _act(request, batch, decide, _("Decision recorded."))


def _row(batch: ImportBatch, row_pk: int) -> ImportRow:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(ImportRow, batch=batch, pk=row_pk)


@batch_page
def batch_rejects(request, batch: ImportBatch):
    """The rejected rows as xlsx (the columns as written plus a reason column); audited."""
    from nuanxin.core.exports import file_response

    content = services.export_rejected_rows(actor=request.user, batch=batch)
    return file_response(content, f"rejected-{batch.pk}.xlsx")
