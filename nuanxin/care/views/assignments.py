"""The assignments: families an admin may assign, with their care contact and the suggestion
from the imported 工会联系人 name, and the bulk action (assign, reassign, remove, apply the
suggestions)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from nuanxin.care import forms, pages, services
from nuanxin.care.models import Campaign, CareAssignment
from nuanxin.care.views.common import PER_PAGE, next_url
from nuanxin.core import access
from nuanxin.core.pages import run_service
from nuanxin.registry.filters import WorkerFilter
from nuanxin.registry.models import Worker


@access.scoped(CareAssignment, "change")
def assignments(request):
    """Families an admin may assign, filtered like the register, with their care contact
    and the suggestion from the imported 工会联系人 name; checkboxes for the bulk action;
    unassigned families counted per unit."""
    user = request.user
    all_campaigns = pages.campaigns()
    campaign = pages.pick_campaign(all_campaigns, request.GET.get("campaign"))
    form = WorkerFilter(request.GET or None, user=user)
    unassigned = request.GET.get("unassigned") == "1"
    qs = form.filter_queryset(pages.assignment_workers(user, campaign, unassigned=unassigned)).order_by(
        "organisation__path", "name_pinyin", "pk"
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    workers = list(page.object_list)
    hints = pages.suggestions([w for w in workers if not w.current_assignments])
    for w in workers:
        w.suggested = hints.get(w.pk, [])
    counts = pages.unassigned_counts(user, campaign)
    return render(
        request,
        "care/assignments.html",
        {
            "form": form,
            "campaigns": all_campaigns,
            "campaign": campaign,
            "unassigned": unassigned,
            "page": page,
            "workers": workers,
            "contacts": pages.assignable_contacts(user),
            "counts": counts,
            "unassigned_total": sum(r["count"] for r in counts),
            "here": request.get_full_path(),
        },
    )


def _from_hints(request, *, campaign, workers) -> None:
    result = services.assign_from_hints(actor=request.user, campaign=campaign, workers=workers)
    messages.success(
        request,
        ngettext(
            "%(n)d family assigned from the suggestions.",
            "%(n)d families assigned from the suggestions.",
            result["assigned"],
        )
        % {"n": result["assigned"]},
    )
    left = len(result["ambiguous"]) + len(result["unmatched"])
    if left:
        messages.warning(
            request,
            ngettext(
                "%(n)d family has no single matching care contact: assign it by hand.",
                "%(n)d families have no single matching care contact: assign them by hand.",
                left,
            )
            % {"n": left},
        )


def _to_contact(request, *, campaign, workers, contact) -> None:
    result = services.bulk_assign(actor=request.user, campaign=campaign, workers=workers, contact=contact)
    if contact is not None:
        n = len(result["assigned"])
        messages.success(
            request,
            ngettext("%(n)d family assigned to %(contact)s.", "%(n)d families assigned to %(contact)s.", n)
            % {"n": n, "contact": contact.display_name},
        )
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d family has no care contact now.",
                "%(n)d families have no care contact now.",
                result["ended"],
            )
            % {"n": result["ended"]},
        )


@access.scoped(CareAssignment, "change")
@require_POST
def assign(request):
    """The bulk action: assign or reassign the checked families to a care contact, remove
    their care contact, or apply the suggestions. All or nothing (the service); what the form
    or the service refuses is an error message above the list."""
    user = request.user
    campaign_id = pages.parse_id(request.POST.get("campaign"))
    campaign = get_object_or_404(Campaign, pk=campaign_id) if campaign_id is not None else None
    if campaign is None:
        raise Http404
    # A value that is no id (too large, "²", "-1") matches no family: 404 like one out of scope.
    ids = {pages.parse_id(v) for v in request.POST.getlist("workers")}
    workers = list(Worker.objects.for_user(user, "change").filter(pk__in=ids).select_related("organisation"))
    if len(workers) != len(ids):
        raise Http404  # a family outside the scope is the same as a missing one
    form = forms.AssignForm(request.POST, worker_ids=sorted(ids), contacts=pages.assignable_contacts(user))
    if form.is_valid():
        action = form.cleaned_data["action"]
        if action == "suggest":
            run_service(form, _from_hints, request, campaign=campaign, workers=workers)
        else:
            contact = form.contact_user if action == "assign" else None
            run_service(form, _to_contact, request, campaign=campaign, workers=workers, contact=contact)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(next_url(request, reverse("care:assignments") + f"?campaign={campaign.pk}"))
