"""Recuperation's batch pages: a new batch of a programme, a batch's page (its candidates in
ranked order with their positions and reasons, the offers awaiting an answer with accept and
decline, attendance, the free places offered), a city administrator's edit, open, close, held,
the roster for the base (xlsx, audited), charging the cost to a fund (a finance clerk), and a
unit administrator's nomination of eligible workers of their units. The candidate and offer
pages are in ``candidates.py`` (their URLs are joined here)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nuanxin.core import access, idempotency
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.exports import file_response
from nuanxin.core.manifest import Counter
from nuanxin.core.pages import run_service
from nuanxin.funds.templatetags.funds_money import yuan_text
from nuanxin.recuperation.choices import HOLDING, BatchStatus, CandidateStatus, OfferStatus, ProgrammeStatus
from nuanxin.recuperation.forms import catalogue as forms
from nuanxin.recuperation.models import Base, Batch, Candidate, Offer, Programme
from nuanxin.recuperation.services import catalogue as services
from nuanxin.recuperation.services import costs, rosters
from nuanxin.recuperation.views import candidates as candidate_pages
from nuanxin.recuperation.views.catalogue import programme_or_404, ranking_labels
from nuanxin.recuperation.views.common import posted, status_change, submit
from nuanxin.registry.choices import TeamType, WorkerStatus
from nuanxin.registry.models import Worker

MENU: list = []
HOME_PANELS: list = []


def _count_open_offers(user: Any) -> int | None:
    """Places offered to workers in the user's reach that await an answer (leave to arrange)."""
    if not Offer.policy.may(user, "respond"):
        return None
    return Offer.objects.for_user(user, "respond").filter(status=OfferStatus.OPEN).count()


COUNTERS = [
    Counter("recuperation_offers", gettext_lazy("Recuperation places awaiting an answer"), _count_open_offers,
            "recuperation:programme_list", order=640),
]

# How many workers the nomination form lists at once (a search narrows them).
NOMINATE_LIMIT = 200


def batch_url(batch: Batch) -> str:
    return reverse("recuperation:batch_detail", kwargs={"pk": batch.pk})


def batch_or_404(user: Any, pk: int) -> Batch:
    batch = access.get_scoped_or_404(
        Batch.objects.select_related("programme", "base"), user, "view", pk=pk
    )
    assert isinstance(batch, Batch)
    programme_or_404(user, batch.programme_id)  # a draft programme's batch: managers only
    return batch


def _bases(batch: Batch | None = None) -> Any:
    q = Q(active=True)
    if batch is not None:
        q |= Q(pk=batch.base_id)
    return Base.objects.filter(q).order_by("name", "id")


def team_labels(teams: list[str]) -> list[str]:
    return [str(TeamType(t).label) for t in teams if t in TeamType.values]


# --- a new batch, edit, status ------------------------------------------------------------------


@access.scoped(Batch, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def batch_create(request: HttpRequest, pk: int) -> HttpResponse:
    programme = programme_or_404(request.user, pk)
    form = forms.BatchCreateForm(posted(request), bases=_bases())
    response = submit(
        request, form, services.create_batch,
        {"programme": programme, **(form.service_values() if form.is_bound and form.is_valid() else {})},
        done=lambda b: _("Batch “%(name)s” created: it takes nominations now.") % {"name": b.name},
        to=batch_url,
    )
    return response or render(request, "recuperation/form.html", {
        "form": form, "title": _("New batch of %(programme)s") % {"programme": programme.name}, "create": True,
        "programme": programme, "form_id": "nx-batch-form",
    })


@access.scoped(Batch, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def batch_edit(request: HttpRequest, batch: Batch) -> HttpResponse:
    initial = {"name": batch.name, "base": batch.base_id, "starts_on": batch.starts_on, "ends_on": batch.ends_on,
               "places": batch.places, "teams": list(batch.teams),
               "nominations_close_at": batch.nominations_close_at}
    form = forms.BatchEditForm(posted(request), initial=initial, version=batch.version, bases=_bases(batch))
    response = submit(
        request, form, services.update_batch, form.service_values() if form.is_bound and form.is_valid() else {},
        obj=batch, done=lambda b: _("Batch “%(name)s” saved.") % {"name": b.name}, to=batch_url,
    )
    return response or render(request, "recuperation/form.html", {
        "form": form, "title": f"{batch.programme.name} · {batch.name}", "programme": batch.programme,
        "batch": batch, "form_id": "nx-batch-form",
    })


@access.scoped(Batch, "manage", lookup="pk")
@require_POST
def batch_close(request: HttpRequest, batch: Batch) -> HttpResponse:
    return status_change(request, batch, services.close_batch,
                         _("Batch “%(name)s” takes no more nominations.") % {"name": batch.name}, batch_url(batch))


@access.scoped(Batch, "manage", lookup="pk")
@require_POST
def batch_open(request: HttpRequest, batch: Batch) -> HttpResponse:
    return status_change(request, batch, services.open_batch,
                         _("Batch “%(name)s” takes nominations again.") % {"name": batch.name}, batch_url(batch))


@access.scoped(Batch, "manage", lookup="pk")
@require_POST
def batch_finish(request: HttpRequest, batch: Batch) -> HttpResponse:
    return status_change(request, batch, services.finish_batch,
                         _("Batch “%(name)s” is marked as held.") % {"name": batch.name}, batch_url(batch))


@access.scoped(Batch, "manage", lookup="pk")
@require_POST
def batch_fill(request: HttpRequest, batch: Batch) -> HttpResponse:
    """Offer the free places to the best-ranked waiting candidates now (the periodic job does
    the same every few minutes)."""
    from nuanxin.recuperation.services import candidates

    try:
        offers = candidates.fill(actor=request.user, batch=batch)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if offers:
            messages.success(request, _("%(count)d places offered.") % {"count": len(offers)})
        else:
            messages.info(
                request, _("No place to offer: every place is offered or taken, or nobody eligible is waiting.")
            )
    return redirect(batch_url(batch))


# --- the batch's page ---------------------------------------------------------------------------


def ranked_rows(user: Any, batch: Batch) -> list[Any]:
    """The batch's candidates in ranked order (R1's ``ranked``), those ``user`` may see: a unit's
    administrator their own unit's workers, the positions still the batch's."""
    from nuanxin.recuperation.selectors.ranking import ranked

    visible = set(Candidate.objects.for_user(user, "view").filter(batch=batch).values_list("pk", flat=True))
    if not visible:
        return []
    rows = [r for r in ranked(batch) if r.candidate.pk in visible]
    open_offers = {
        o.candidate_id: o for o in Offer.objects.filter(batch=batch, status=OfferStatus.OPEN, candidate_id__in=visible)
    }
    respond = set(Candidate.objects.for_user(user, "respond").filter(batch=batch).values_list("pk", flat=True))
    nominate = set(Candidate.objects.for_user(user, "nominate").filter(batch=batch).values_list("pk", flat=True))
    return [
        {"r": r, "c": r.candidate, "offer": open_offers.get(r.candidate.pk), "respond": r.candidate.pk in respond,
         "withdraw": r.candidate.pk in nominate
         and r.candidate.status in (CandidateStatus.WAITING, CandidateStatus.OFFERED, CandidateStatus.ACCEPTED),
         "attendance": r.candidate.status in candidate_pages.ATTENDANCE}
        for r in rows
    ]


@access.scoped(Batch, "view", lookup="pk", queryset=lambda r: Batch.objects.select_related("programme", "base"))
def batch_detail(request: HttpRequest, batch: Batch) -> HttpResponse:
    from nuanxin.recuperation.selectors.figures import batch_row

    user = request.user
    programme = batch.programme
    if programme.status == ProgrammeStatus.DRAFT and not Programme.policy.may(user, "manage"):
        raise Http404
    manage = Batch.policy.allows(user, "manage", batch)
    started = timezone.localdate() >= batch.starts_on
    filling = batch.status in (BatchStatus.OPEN, BatchStatus.CLOSED)
    return render(request, "recuperation/batch_detail.html", {
        "batch": batch,
        "programme": programme,
        "ranking": ranking_labels(programme),
        "teams": team_labels(list(batch.teams)),
        "row": batch_row(user, batch) if Candidate.policy.may(user, "report") else None,
        "rows": ranked_rows(user, batch) if Candidate.policy.may(user, "view") else None,
        "manage": manage,
        "may_nominate": Candidate.policy.may(user, "nominate") and batch.status == BatchStatus.OPEN,
        # The cost is charged once the batch is held (those who attended).
        "may_charge": costs.may_charge(user) and batch.status == BatchStatus.FINISHED,
        "cost": costs.cost_of(batch),
        "statuses": BatchStatus,
        "attendance_open": manage and batch.status in (BatchStatus.OPEN, BatchStatus.CLOSED, BatchStatus.FINISHED),
        # "Attended" from the first day; "held" from the start; the free places offered while filling.
        "started": started,
        "may_fill": manage and filling,
        "may_finish": manage and filling and started,
        "held": batch.status == BatchStatus.FINISHED,
    })


# --- roster, cost -------------------------------------------------------------------------------


@access.scoped(Batch, "manage", lookup="pk", queryset=lambda r: Batch.objects.select_related("programme", "base"))
@require_GET
def batch_roster(request: HttpRequest, batch: Batch) -> HttpResponse:
    try:
        roster = rosters.export_roster(actor=request.user, batch=batch)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    return file_response(roster.content, roster.filename)


@access.scoped(Batch, "view", lookup="pk", queryset=lambda r: Batch.objects.select_related("programme", "base"))
@require_http_methods(["GET", "POST"])
def batch_charge(request: HttpRequest, batch: Batch) -> HttpResponse:
    """A finance clerk charges the places taken × the cost of a place to one of their funds."""
    user = request.user
    if not costs.may_charge(user):
        raise PermissionDenied(_("Only a finance clerk records the cost in a fund."))
    programme_or_404(user, batch.programme_id)  # a draft programme's batch: managers only
    funds = costs.funds_for(user)
    cost = costs.cost_of(batch)
    form = forms.ChargeForm(posted(request), funds=funds)
    if form.is_bound and form.is_valid():
        ok, entry = run_service(form, costs.charge_cost, actor=user, batch=batch, fund=form.cleaned_data["fund"],
                                on=form.cleaned_data["on"])
        if ok:
            messages.success(request, _("%(amount)s charged to “%(fund)s”: the entry awaits approval.")
                             % {"amount": yuan_text(entry.amount), "fund": form.cleaned_data["fund"].name})
            return redirect(batch_url(batch))
    return render(request, "recuperation/batch_charge.html", {
        "batch": batch, "programme": batch.programme, "form": form, "cost": cost, "funds": funds,
        "held": batch.status == BatchStatus.FINISHED,
    })


# --- nominate -----------------------------------------------------------------------------------


def _holding_elsewhere(batch: Batch) -> Any:
    return Candidate.objects.filter(programme_id=batch.programme_id, status__in=[s.value for s in HOLDING]).exclude(
        batch=batch
    )


def eligible_workers(user: Any, batch: Batch, query: str = "", *, held_elsewhere: bool = False) -> Any:
    """The workers ``user`` may nominate for ``batch``: in their "nominate" scope, of a team the
    batch admits, neither removed nor deceased, not already its candidates, not holding a place
    in another batch of the programme; aid-team members first, then by name. With
    ``held_elsewhere`` the other way round: those left out only because they hold a place in
    another batch of the programme (the page lists them with that reason)."""
    workers = Worker.objects.for_user(user, "view").exclude(
        status__in=[WorkerStatus.ARCHIVED, WorkerStatus.DECEASED]
    ).exclude(recuperation_candidacies__batch=batch)
    # Nobody gets two places in a programme: those holding one in another batch are not offered.
    holders = _holding_elsewhere(batch).values("worker_id")
    workers = workers.filter(pk__in=holders) if held_elsewhere else workers.exclude(pk__in=holders)
    if batch.teams:
        workers = workers.filter(team__in=list(batch.teams))
    orgs = set(workers.values_list("organisation_id", flat=True).distinct())
    from nuanxin.orgs.models import Organisation

    allowed = [o.pk for o in Organisation.objects.filter(pk__in=orgs)
               if Candidate.policy.allows_in(user, "nominate", o)]
    workers = workers.filter(organisation_id__in=allowed)
    query = (query or "").strip()
    if query:
        workers = workers.filter(
            Q(name__icontains=query) | Q(name_pinyin__icontains=query.lower())
            | Q(name_initials__icontains=query.lower())
        )
    from django.db.models import Case, IntegerField, Value, When

    return workers.select_related("organisation").annotate(
        aid_first=Case(When(team=TeamType.HUBEI_AID, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("aid_first", "name_pinyin", "id")


@access.scoped(Candidate, "nominate")
@require_http_methods(["GET", "POST"])
@idempotency.form
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    from nuanxin.recuperation.services import candidates

    user = request.user
    batch = batch_or_404(user, pk)
    query = request.GET.get("q", "")[:50]
    workers = eligible_workers(user, batch, query)
    shown = workers[:NOMINATE_LIMIT]
    if batch.status != BatchStatus.OPEN:
        messages.error(request, _("This batch takes no nominations now."))
        return redirect(batch_url(batch))
    form = forms.NominateForm(posted(request), workers=workers)
    if form.is_bound and form.is_valid():
        ok, candidate = run_service(form, candidates.nominate, actor=user, batch=batch,
                                    worker=form.cleaned_data["worker"], note=form.cleaned_data.get("note") or "")
        if ok:
            messages.success(request, _("%(name)s nominated for %(batch)s.")
                             % {"name": candidate.worker.name, "batch": batch.name})
            return redirect(reverse("recuperation:candidate_detail", kwargs={"pk": candidate.pk}))
    form.fields["worker"].queryset = shown  # type: ignore[attr-defined]
    held = list(eligible_workers(user, batch, query, held_elsewhere=True)[:NOMINATE_LIMIT])
    places = dict(
        _holding_elsewhere(batch).filter(worker_id__in=[w.pk for w in held]).order_by("batch__starts_on", "batch_id")
        .values_list("worker_id", "batch__name")
    )
    return render(request, "recuperation/nominate.html", {
        "batch": batch, "programme": batch.programme, "form": form, "query": query,
        "count": workers.count(), "limit": NOMINATE_LIMIT, "teams": team_labels(list(batch.teams)),
        "still_deployed": still_deployed(list(shown)),
        "held_elsewhere": [(w, places.get(w.pk, "")) for w in held],
    })


def still_deployed(workers: list[Worker]) -> list[Worker]:
    """Those of ``workers`` whom the register shows still deployed (status deployed, or a
    deployment with no return date): a warning, not a refusal (the register may be stale). One
    query."""
    from nuanxin.registry.models import Deployment

    open_ids = set(
        Deployment.objects.filter(worker_id__in=[w.pk for w in workers], departed_on__isnull=False,
                                  returned_on__isnull=True).values_list("worker_id", flat=True)
    )
    return [w for w in workers if w.pk in open_ids or w.status == WorkerStatus.DEPLOYED]


urlpatterns = [
    path("programmes/<int:pk>/batches/new/", batch_create, name="batch_create"),
    path("batches/<int:pk>/", batch_detail, name="batch_detail"),
    path("batches/<int:pk>/edit/", batch_edit, name="batch_edit"),
    path("batches/<int:pk>/close/", batch_close, name="batch_close"),
    path("batches/<int:pk>/open/", batch_open, name="batch_open"),
    path("batches/<int:pk>/finish/", batch_finish, name="batch_finish"),
    path("batches/<int:pk>/fill/", batch_fill, name="batch_fill"),
    path("batches/<int:pk>/roster/", batch_roster, name="batch_roster"),
    path("batches/<int:pk>/charge/", batch_charge, name="batch_charge"),
    path("batches/<int:pk>/nominate/", nominate, name="nominate"),
    *candidate_pages.urlpatterns,
]
