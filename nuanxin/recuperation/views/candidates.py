"""A candidate's page (where they stand in the batch and why: the programme's criteria one by
one, their offers with the time each is held until and whom an offer replaced), and the
buttons: accept or decline an open offer (the unit's administrators, for the person), withdraw
(who nominated), attendance (a city administrator: attended or did not come; a no-show before
the batch starts frees the place for the next waiting). Their URLs are joined to
``batches.urlpatterns``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nuanxin.core import access
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.recuperation.choices import BatchStatus, CandidateStatus, OfferStatus, ProgrammeStatus
from nuanxin.recuperation.forms import catalogue as forms
from nuanxin.recuperation.models import Batch, Candidate, Offer, Programme
from nuanxin.recuperation.views.catalogue import ranking_labels

WITHDRAWABLE = (CandidateStatus.WAITING, CandidateStatus.OFFERED, CandidateStatus.ACCEPTED)
ATTENDANCE = (CandidateStatus.ACCEPTED, CandidateStatus.ATTENDED, CandidateStatus.NO_SHOW)


def candidate_url(candidate: Candidate) -> str:
    return reverse("recuperation:candidate_detail", kwargs={"pk": candidate.pk})


def _back(request: HttpRequest, default: str) -> str:
    """Back to the batch's page when the button was pressed there, else ``default``."""
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


def _run(request: HttpRequest, call: Any, done: str) -> bool:
    try:
        call()
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True


def _form_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


def _candidates() -> Any:
    return Candidate.objects.select_related("batch__programme", "batch__base", "worker__organisation", "organisation")


@access.scoped(Candidate, "view", lookup="pk", queryset=lambda r: _candidates())
def candidate_detail(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    from nuanxin.recuperation.selectors.ranking import explain

    user = request.user
    batch = candidate.batch
    if batch.programme.status == ProgrammeStatus.DRAFT and not Programme.policy.may(user, "manage"):
        raise Http404
    offers = list(Offer.objects.filter(candidate=candidate).select_related("replaces__worker", "responded_by")
                  .order_by("offered_at", "id"))
    replaced_by = list(Offer.objects.filter(replaces=candidate).select_related("candidate__worker"))
    open_offer = next((o for o in offers if o.status == OfferStatus.OPEN), None)
    manage = Batch.policy.allows(user, "manage", batch)
    return render(request, "recuperation/candidate_detail.html", {
        "candidate": candidate,
        "batch": batch,
        "programme": batch.programme,
        "worker": candidate.worker,
        "explained": explain(candidate),
        "ranking": ranking_labels(batch.programme),
        "offers": offers,
        "replaced_by": replaced_by,
        "open_offer": open_offer,
        "may_respond": open_offer is not None and Candidate.policy.allows(user, "respond", candidate),
        "may_withdraw": candidate.status in WITHDRAWABLE and Candidate.policy.allows(user, "nominate", candidate),
        "may_attendance": manage and candidate.status in ATTENDANCE and batch.status != BatchStatus.CANCELLED,
        # "Attended" from the first day; a waiting candidate of a held batch got no place.
        "started": timezone.localdate() >= batch.starts_on,
        "held": batch.status == BatchStatus.FINISHED,
    })


@access.scoped(Candidate, "nominate", lookup="pk", queryset=lambda r: _candidates())
@require_POST
def candidate_withdraw(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    from nuanxin.recuperation.services import candidates

    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(candidate_url(candidate))
    reason = form.cleaned_data.get("reason") or ""
    _run(request, lambda: candidates.withdraw(actor=request.user, candidate=candidate, reason=reason),
         _("%(name)s withdrawn from %(batch)s.") % {"name": candidate.worker.name, "batch": candidate.batch.name})
    return redirect(_back(request, candidate_url(candidate)))


def _offers() -> Any:
    return Offer.objects.select_related("candidate__worker", "batch")


@access.scoped(Offer, "respond", lookup="pk", queryset=lambda r: _offers())
@require_POST
def offer_accept(request: HttpRequest, offer: Offer) -> HttpResponse:
    from nuanxin.recuperation.services import candidates

    _run(request, lambda: candidates.accept(actor=request.user, offer=offer),
         _("%(name)s accepted the place in %(batch)s.") % {"name": offer.candidate.worker.name,
                                                          "batch": offer.batch.name})
    return redirect(_back(request, candidate_url(offer.candidate)))


@access.scoped(Offer, "respond", lookup="pk", queryset=lambda r: _offers())
@require_POST
def offer_decline(request: HttpRequest, offer: Offer) -> HttpResponse:
    from nuanxin.recuperation.services import candidates

    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(candidate_url(offer.candidate))
    _run(request,
         lambda: candidates.decline(actor=request.user, offer=offer, reason=form.cleaned_data.get("reason") or ""),
         _("%(name)s declined the place: it passes to the next on the waiting list.")
         % {"name": offer.candidate.worker.name})
    return redirect(_back(request, candidate_url(offer.candidate)))


@access.scoped(Batch, "manage")
@require_POST
def candidate_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """Attended or did not come (a city administrator, who manages the batch)."""
    from nuanxin.recuperation.services import candidates

    candidate = access.get_scoped_or_404(_candidates(), request.user, "view", pk=pk)
    assert isinstance(candidate, Candidate)
    if not Batch.policy.allows(request.user, "manage", candidate.batch):
        raise PermissionDenied
    form = forms.AttendanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the person attended."))
        return redirect(candidate_url(candidate))
    attended = form.cleaned_data["attended"]
    done = (_("%(name)s attended.") if attended else _("%(name)s did not come.")) % {"name": candidate.worker.name}
    _run(request, lambda: candidates.record_attendance(actor=request.user, candidate=candidate, attended=attended),
         done)
    return redirect(_back(request, candidate_url(candidate)))


urlpatterns = [
    path("candidates/<int:pk>/", candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/withdraw/", candidate_withdraw, name="candidate_withdraw"),
    path("candidates/<int:pk>/attendance/", candidate_attendance, name="candidate_attendance"),
    path("offers/<int:pk>/accept/", offer_accept, name="offer_accept"),
    path("offers/<int:pk>/decline/", offer_decline, name="offer_decline"),
]
