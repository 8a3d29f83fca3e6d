"""Enrolling a unit's team in one action, the enrolments of a scheme (with the roster export
in the scheme's layout) and a finance clerk's charge of the contributions to a fund."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from nuanxin.core import access, exports, idempotency
from nuanxin.core.pages import run_service
from nuanxin.funds.templatetags.funds_money import yuan_text
from nuanxin.orgs.models import Organisation
from nuanxin.welfare import forms
from nuanxin.welfare.models import Enrolment, Scheme
from nuanxin.welfare.selectors.eligibility import eligible_workers, own_team_names
from nuanxin.welfare.services import charges, roster
from nuanxin.welfare.services import enrolments as services
from nuanxin.welfare.views.common import organisation_or_404, organisations, posted, top_organisation
from nuanxin.welfare.views.schemes import scheme_url


def _scheme(user: Any, pk: int) -> Scheme:
    scheme = access.get_scoped_or_404(Scheme, user, "view", pk=pk)
    assert isinstance(scheme, Scheme)
    return scheme


@access.scoped(Enrolment, "enrol")
@require_http_methods(["GET", "POST"])
@idempotency.form
def unit_enrol(request: HttpRequest, pk: int, org: int) -> HttpResponse:
    """The unit's eligible workers, all ticked, and the team's name. Deployed with one batch:
    its team name, filled in. With more than one: the field starts empty, the page lists the
    batches, and each person is enrolled under their own batch's team name unless a name is
    typed (which then applies to everyone ticked)."""
    scheme = _scheme(request.user, pk)
    unit = organisation_or_404(request.user, "enrol", org)
    workers = list(eligible_workers(scheme, unit))
    own = own_team_names(scheme, workers) if workers else {}
    batches = sorted(Counter(own.values()).items())
    default_team = batches[0][0] if len(batches) == 1 else ""
    form = forms.EnrolForm(posted(request), workers=workers, initial={"team_name": default_team},
                           teams=own if len(batches) > 1 else None)
    if form.is_bound and form.is_valid():
        chosen = [w for w in workers if str(w.pk) in set(form.cleaned_data["workers"])]
        ok, result = run_service(
            form, services.enrol_unit, actor=request.user, scheme=scheme, organisation=unit,
            team_name=form.cleaned_data.get("team_name") or "", workers=chosen,
        )
        if ok:
            messages.success(request, _enrolled_message(result.enrolments))
            if result.skipped:
                messages.info(request, _("Enrolled already, left as they were: %(names)s.")
                              % {"names": "、".join(w.name for w in result.skipped)})
            return redirect(scheme_url(scheme))
    return render(request, "welfare/unit_enrol.html", {
        "scheme": scheme, "unit": unit, "form": form, "workers": workers,
        "default_team": default_team, "batches": batches if len(batches) > 1 else [],
    })


def _enrolled_message(enrolments: list[Enrolment]) -> str:
    count = len(enrolments)
    teams = sorted({e.team_name for e in enrolments})
    if len(teams) > 1:
        return ngettext(
            "%(count)d worker enrolled, each under the team name of their own batch: %(teams)s.",
            "%(count)d workers enrolled, each under the team name of their own batch: %(teams)s.", count,
        ) % {"count": count, "teams": "、".join(teams)}
    return ngettext(
        "%(count)d worker enrolled under the team's name “%(team)s”.",
        "%(count)d workers enrolled under the team's name “%(team)s”.", count,
    ) % {"count": count, "team": teams[0] if teams else ""}


def _org_filter(request: HttpRequest, action: str = "view") -> Organisation | None:
    code = request.GET.get("org")
    if code:
        return organisation_or_404(request.user, action, code) if code.isdigit() else None
    return top_organisation(request.user, action)


@access.scoped(Enrolment, "view")
def enrolment_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    scheme = _scheme(user, pk)
    org = _org_filter(request)
    qs = roster.roster_enrolments(user, scheme, org) if org is not None else Enrolment.objects.none()
    page = Paginator(qs.select_related("expenditure"), 50).get_page(request.GET.get("page"))
    return render(request, "welfare/enrolment_list.html", {
        "scheme": scheme, "org": org, "page": page, "orgs": organisations(user, "view"),
    })


@access.scoped(Enrolment, "view")
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster of the organisation chosen (``?org=<id>``; the user's whole reach by default),
    in the scheme's layout; audited."""
    scheme = _scheme(request.user, pk)
    org = _org_filter(request)
    if org is None:
        raise Http404
    out = roster.export_roster(actor=request.user, scheme=scheme, organisation=org)
    return exports.file_response(out.content, out.filename)


@access.scoped(Scheme, "view")
@require_http_methods(["GET", "POST"])
@idempotency.form
def charge(request: HttpRequest, pk: int) -> HttpResponse:
    """A finance clerk charges the contributions not yet paid (in the fund's organisations) as
    one expenditure of the fund chosen; it then awaits approval like any other."""
    scheme = _scheme(request.user, pk)
    funds = charges.chargeable_funds(request.user)
    if not funds:
        raise PermissionDenied(
            _("Only a finance clerk of a fund that allows mutual-aid insurance charges the contributions.")
        )
    form = forms.ChargeForm(posted(request), funds=funds, initial={"on": timezone.localdate()})
    if form.is_bound and form.is_valid():
        fund = form.funds[form.cleaned_data["fund"]]
        ok, entry = run_service(
            form, charges.charge_contributions, actor=request.user, scheme=scheme, fund=fund,
            on=form.cleaned_data["on"], payee=form.cleaned_data.get("payee") or "",
        )
        if ok:
            messages.success(request, _(
                "Contributions of %(amount)s recorded as an expenditure of “%(fund)s”; it awaits approval."
            ) % {"amount": yuan_text(entry.amount), "fund": fund.name})
            return redirect("funds:entry_detail", pk=entry.pk)
    pending = [(f, charges.pending(scheme, f.organisation)) for f in funds]
    return render(request, "welfare/charge_form.html", {"scheme": scheme, "form": form, "pending": pending})


MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []

urlpatterns = [
    path("schemes/<int:pk>/units/<int:org>/enrol/", unit_enrol, name="unit_enrol"),
    path("schemes/<int:pk>/enrolments/", enrolment_list, name="enrolment_list"),
    path("schemes/<int:pk>/roster/", roster_export, name="roster_export"),
    path("schemes/<int:pk>/charge/", charge, name="charge"),
]
