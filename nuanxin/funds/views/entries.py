"""The entries' pages: the approval queue, an entry's page (every field, who recorded,
approved or rejected it and when, its reversal), approving, rejecting with a reason, and
recording a reversal of an approved entry.

Maker-checker: the queue offers an entry to the approvers who may approve it now
(``ledger.may_approve``); its recorder sees it as waiting for another approver; above the
threshold the second step is the parent organisation's approver's."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from nuanxin.core import access, idempotency, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.core.manifest import Counter, MenuEntry
from nuanxin.core.pages import run_service
from nuanxin.funds.choices import Category, EntryKind, EntryStatus
from nuanxin.funds.forms import entries as forms
from nuanxin.funds.models import Entry
from nuanxin.funds.selectors import entries as selectors
from nuanxin.funds.services import ledger

SPENDING_TEMPLATE = "funds/_entry_spending.html"


def _entries(request: HttpRequest) -> Any:
    return Entry.objects.select_related(
        "fund__organisation", "to_fund__organisation", "organisation", "recorded_by", "approved_by",
        "parent_approved_by", "rejected_by", "reverses", "round",
    )


def entry_url(entry: Entry) -> str:
    return reverse("funds:entry_detail", kwargs={"pk": entry.pk})


@access.scoped(Entry, "detail")
@require_safe
def approval_queue(request: HttpRequest) -> HttpResponse:
    """The open entries in the user's reach: those the user may approve now first, then their
    own (waiting for another approver), then the others waiting."""
    return render(request, "funds/approval_queue.html", {"queue": selectors.queue(request.user)})


def _spending_template() -> str | None:
    try:
        get_template(SPENDING_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return SPENDING_TEMPLATE


@access.scoped(Entry, "detail", lookup="pk", queryset=_entries)
@require_safe
def entry_detail(request: HttpRequest, entry: Entry) -> HttpResponse:
    user = request.user
    reversal = selectors.reversal_of(entry)
    may_reverse = (
        entry.status == EntryStatus.APPROVED and entry.kind != EntryKind.REVERSAL and reversal is None
        and Entry.policy.allows(user, "record", entry)
    )
    return render(
        request,
        "funds/entry_detail.html",
        {
            "entry": entry,
            "category_label": Category(entry.category).label if entry.category in Category.values else "",
            "may_approve": ledger.may_approve(user, entry),
            "mine": entry.recorded_by_id == user.pk,
            "may_reverse": may_reverse,
            "reversal": reversal,
            "spending_template": _spending_template(),
            "reject_form": forms.RejectForm(version=entry.version),
        },
    )


@access.scoped(Entry, "approve", lookup="pk", queryset=_entries)
@require_POST
def entry_approve(request: HttpRequest, entry: Entry) -> HttpResponse:
    try:
        version = versioning.parse(request.POST.get("version"))
        approved = ledger.approve(actor=request.user, entry=entry, version=version)
    except ServiceError as exc:  # NotAllowed and Conflict too
        # An approver in reach who may not approve this one (its recorder, or the first step's
        # approver at the parent's step) is told why on the entry's page, not a bare 403.
        messages.error(request, exc.message)
        return redirect(entry_url(entry))
    if approved.status == EntryStatus.PARENT:
        messages.success(request, _("Approved. It is above the threshold: the parent organisation's approver "
                                    "approves it now."))
    else:
        messages.success(request, _("Approved: the money has moved."))
    return redirect((request.POST.get("next") == "queue" and reverse("funds:approval_queue")) or entry_url(entry))


@access.scoped(Entry, "approve", lookup="pk", queryset=_entries)
@require_POST
def batch_approve(request: HttpRequest, entry: Entry) -> HttpResponse:
    """Approve the whole batch ``entry`` belongs to (an allocation to several funds at once):
    each entry by the service, in one transaction, all or nothing."""
    try:
        approved = ledger.approve_batch(actor=request.user, entry=entry)
    except ServiceError as exc:  # NotAllowed and Conflict too: nothing of the batch moved
        messages.error(request, _("Nothing of the batch was approved: %(reason)s") % {"reason": exc.message})
        return redirect(reverse("funds:approval_queue"))
    messages.success(
        request,
        ngettext("Batch approved: %(n)d entry.", "Batch approved: %(n)d entries.", len(approved))
        % {"n": len(approved)},
    )
    return redirect(reverse("funds:approval_queue"))


@access.scoped(Entry, "approve", lookup="pk", queryset=_entries)
@require_http_methods(["GET", "POST"])
def entry_reject(request: HttpRequest, entry: Entry) -> HttpResponse:
    form = forms.RejectForm(request.POST if request.method == "POST" else None, version=entry.version)
    if form.is_bound and form.is_valid():
        ok, _rejected = run_service(
            form, ledger.reject, actor=request.user, entry=entry, reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("Rejected: it moves no money."))
            return redirect(entry_url(entry))
    return render(request, "funds/entry_reject.html", {"form": form, "entry": entry})


@access.scoped(Entry, "record", lookup="pk", queryset=_entries)
@require_http_methods(["GET", "POST"])
@idempotency.form
def reversal_create(request: HttpRequest, entry: Entry) -> HttpResponse:
    form = forms.ReversalForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        ok, reversal = run_service(
            form, ledger.record_reversal, actor=request.user, entry=entry, reason=form.cleaned_data["reason"],
            on=form.cleaned_data["on"],
        )
        if ok:
            messages.success(request, _("Reversal recorded: it cancels the entry once another approver approves it."))
            return redirect(entry_url(reversal))
    return render(request, "funds/reversal_form.html", {"form": form, "entry": entry})


def _count_to_approve(user: Any) -> int | None:
    if not Entry.policy.may(user, "approve"):
        return None
    return selectors.to_approve_count(user)


urlpatterns = [
    path("approvals/", approval_queue, name="approval_queue"),
    path("entries/<int:pk>/", entry_detail, name="entry_detail"),
    path("entries/<int:pk>/approve/", entry_approve, name="entry_approve"),
    path("entries/<int:pk>/reject/", entry_reject, name="entry_reject"),
    path("entries/<int:pk>/approve-batch/", batch_approve, name="batch_approve"),
    path("entries/<int:pk>/reverse/", reversal_create, name="reversal_create"),
]
MENU = [
    MenuEntry(
        gettext_lazy("Approvals"),
        "funds:approval_queue",
        order=282,
        element_id="nx-nav-fund-approvals",
        visible=lambda user: Entry.policy.may(user, "record") or Entry.policy.may(user, "approve"),
    ),
]
COUNTERS = [
    Counter("funds_to_approve", gettext_lazy("Fund entries to approve"), _count_to_approve,
            "funds:approval_queue", order=700),
]
HOME_PANELS: list = []
