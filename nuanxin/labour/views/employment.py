"""The labour-protection green channel: the employment pages.

- partner employers (``employer_list``, ``employer_create``, ``employer_detail`` with its job
  leads, ``employer_edit``, ``lead_create``): labour-rights officers and administrators keep them,
  auditors read them;
- employment cases (``employment_list``, ``employment_create`` — opened from a family's care
  page, a visit or a difficulty: ``?worker=&visit=&difficulty=`` —, ``employment_detail`` with its
  referrals, ``employment_refer``, ``referral_outcome``, ``employment_transition``,
  ``employment_note``).

Thin: forms check shapes, ``services.employment`` decides and writes (through
``core.pages.run_service``), every lookup goes through the policy (out of scope = 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.care.models import Difficulty, Visit
from nuanxin.cases import services as cases
from nuanxin.core import access, idempotency
from nuanxin.core.manifest import Counter
from nuanxin.core.pages import posted, run_service
from nuanxin.labour.choices import EmploymentStatus, ReferralOutcome
from nuanxin.labour.forms import employment as forms
from nuanxin.labour.models import EmploymentCase, JobLead, PartnerEmployer, Referral
from nuanxin.labour.selectors import employment as selectors
from nuanxin.labour.selectors import workers as find_workers
from nuanxin.labour.services import employment as services
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import FamilyMember

PER_PAGE = 50


# --- partner employers and leads ------------------------------------------------------------


def _employer_url(employer) -> str:
    return reverse("labour:employer_detail", kwargs={"pk": employer.pk})


def _employers(request):
    return PartnerEmployer.objects.select_related("organisation")


@access.scoped(PartnerEmployer, "view")
def employer_list(request):
    """The partner employers in scope, active first, with their open leads."""
    page = Paginator(selectors.employers(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "labour/employer_list.html",
        {"page": page, "may_add": PartnerEmployer.policy.may(request.user, "change")},
    )


@access.scoped(PartnerEmployer, "change")
@require_http_methods(["GET", "POST"])
@idempotency.form
def employer_create(request):
    q = scope.scope_q(request.user, PartnerEmployer.policy.roles("change"), "path")
    organisations = Organisation.objects.none() if q is None else Organisation.objects.filter(q).order_by("path")
    form = forms.EmployerCreateForm(posted(request), organisations=organisations)
    if form.is_bound and form.is_valid():
        ok, employer = run_service(form, services.create_employer, actor=request.user, **form.cleaned_data)
        if ok:
            messages.success(request, _("Partner employer “%(name)s” added.") % {"name": employer.name})
            return redirect(_employer_url(employer))
    return render(request, "labour/employer_form.html", {"form": form})


def _employer_page(request, employer: PartnerEmployer, **bound):
    may_change = PartnerEmployer.policy.allows(request.user, "change", employer)
    leads = list(selectors.leads_of(employer))
    edit_forms = {}
    if may_change:
        for lead in leads:
            edit_forms[lead.pk] = (
                bound["lead_edit_form"]
                if bound.get("lead_edited") == lead.pk
                else forms.LeadEditForm(
                    version=lead.version,
                    auto_id=f"id_lead{lead.pk}_%s",
                    initial={
                        "title": lead.title,
                        "area": lead.area,
                        "requirements": lead.requirements,
                        "pay": lead.pay,
                        "openings": lead.openings,
                        "open_until": lead.open_until,
                    },
                )
            )
    return render(
        request,
        "labour/employer_detail.html",
        {
            "employer": employer,
            "leads": [(lead, edit_forms.get(lead.pk)) for lead in leads],
            "may_change": may_change,
            "edit_form": bound.get("edit_form")
            or forms.EmployerEditForm(
                version=employer.version,
                initial={
                    "name": employer.name,
                    "contact_name": employer.contact_name,
                    "contact_mobile": employer.contact_mobile,
                    "area": employer.area,
                    "active": employer.active,
                },
            ),
            "lead_form": bound.get("lead_form") or forms.LeadForm(initial={"area": employer.area}),
            "today": timezone.localdate(),
        },
    )


@access.scoped(PartnerEmployer, "view", lookup="pk", queryset=_employers)
def employer_detail(request, employer: PartnerEmployer):
    """A partner employer, its leads and (officers) the forms to change it and add a lead."""
    return _employer_page(request, employer)


@access.scoped(PartnerEmployer, "change", lookup="pk", queryset=_employers)
@require_POST
def employer_edit(request, employer: PartnerEmployer):
    form = forms.EmployerEditForm(request.POST)
    if form.is_valid():
        ok, _result = run_service(
            form, services.update_employer, actor=request.user, employer=employer, **form.cleaned_data
        )
        if ok:
            messages.success(request, _("Partner employer saved."))
            return redirect(_employer_url(employer))
    return _employer_page(request, employer, edit_form=form)


@access.scoped(PartnerEmployer, "change", lookup="pk", queryset=_employers)
@require_POST
@idempotency.form
def lead_create(request, employer: PartnerEmployer):
    form = forms.LeadForm(request.POST)
    if form.is_valid():
        ok, lead = run_service(form, services.add_lead, actor=request.user, employer=employer, **form.cleaned_data)
        if ok:
            messages.success(request, _("Job lead “%(job)s” added.") % {"job": lead.title})
            return redirect(_employer_url(employer))
    return _employer_page(request, employer, lead_form=form)


def _leads(request):
    return JobLead.objects.select_related("employer__organisation")


@access.scoped(JobLead, "change", lookup="pk", queryset=_leads)
@require_POST
def lead_edit(request, lead: JobLead):
    """Change a job lead (fewer openings, a closing date: today closes it tonight)."""
    form = forms.LeadEditForm(request.POST, auto_id=f"id_lead{lead.pk}_%s")
    if form.is_valid():
        ok, _result = run_service(form, services.update_lead, actor=request.user, lead=lead, **form.cleaned_data)
        if ok:
            messages.success(request, _("Job lead “%(job)s” saved.") % {"job": form.cleaned_data["title"]})
            return redirect(_employer_url(lead.employer))
    return _employer_page(request, lead.employer, lead_edit_form=form, lead_edited=lead.pk)


# --- employment cases ----------------------------------------------------------------------


def _cases(request):
    return EmploymentCase.objects.select_related(
        "worker__organisation", "owner", "family_member", "visit", "difficulty", "created_by"
    )


def _case_url(case) -> str:
    return reverse("labour:employment_detail", kwargs={"pk": case.pk})


@access.scoped(EmploymentCase, "view")
def employment_list(request):
    """The employment cases in scope: active first, oldest due first."""
    form = forms.CaseFilter(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    page = Paginator(selectors.cases_for(request.user, status=status), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "labour/employment_list.html",
        {
            "form": form,
            "page": page,
            "may_see_employers": PartnerEmployer.policy.may(request.user, "view"),
        },
    )


def _source(request, model, worker, key):
    """The visit or difficulty named in the query (of this family, in the user's scope)."""
    value = request.GET.get(key) or request.POST.get(key)
    if not value or not str(value).isdigit():
        return None
    return model.objects.for_user(request.user, "view").filter(worker=worker, pk=int(value)).first()


@access.scoped(EmploymentCase, "refer")
@require_http_methods(["GET", "POST"])
@idempotency.form
def employment_create(request):
    """Open employment help for a family member of ``?worker=`` (from a visit or difficulty when
    ``&visit=`` / ``&difficulty=`` say so)."""
    worker_id = request.GET.get("worker") or request.POST.get("worker") or ""
    if not worker_id:
        q = (request.GET.get("q") or "").strip()[:50]
        return render(
            request,
            "labour/find_worker.html",
            {
                "q": q,
                "found": find_workers.find(request.user, EmploymentCase, q),
                "title": _("New employment help"),
                "create_url": reverse("labour:employment_create"),
            },
        )
    worker = find_workers.openable(request.user, EmploymentCase, worker_id)
    if worker is None:
        raise Http404
    visit = _source(request, Visit, worker, "visit")
    difficulty = _source(request, Difficulty, worker, "difficulty")
    members = list(FamilyMember.objects.filter(worker=worker).order_by("-is_primary", "id"))
    form = forms.EmploymentCreateForm(posted(request), members=members)
    if form.is_bound and form.is_valid():
        ok, case = run_service(
            form,
            services.open_employment,
            actor=request.user,
            worker=worker,
            visit=visit,
            difficulty=difficulty,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Employment help opened for %(name)s.") % {"name": case.seeker_name})
            if EmploymentCase.policy.allows(request.user, "view", case):
                return redirect(_case_url(case))
            return redirect(reverse("care:family", kwargs={"pk": worker.pk}))
    return render(
        request,
        "labour/employment_form.html",
        {"form": form, "worker": worker, "visit": visit, "difficulty": difficulty},
    )


def _detail_page(request, case: EmploymentCase, **bound):
    user = request.user
    may_change = EmploymentCase.policy.allows(user, "change", case)
    transitions = [t for t in cases.allowed_targets(user, case) if t != EmploymentStatus.EMPLOYED]
    referrals = list(selectors.referrals_of(case))
    outcome_forms = {}
    if may_change:
        for r in referrals:
            outcome_forms[r.pk] = (
                bound.get("outcome_form")
                if bound.get("outcome_referral") == r.pk
                else forms.OutcomeForm(version=r.version, initial={"outcome": _next_outcome(r.outcome)})
            )
    leads = list(selectors.leads_to_offer(case)) if may_change and case.is_active else []
    return render(
        request,
        "labour/employment_detail.html",
        {
            "case": case,
            "referrals": [(r, outcome_forms.get(r.pk)) for r in referrals],
            "leads": leads,
            "refer_form": bound.get("refer_form") or forms.ReferForm(leads=leads),
            "transitions": [(s, EmploymentStatus(s).label) for s in transitions],
            "reason_required": bool(EmploymentCase.lifecycle.reason_targets(case.status, transitions)),
            "status_form": bound.get("status_form") or forms.StatusForm(version=case.version),
            "note_form": bound.get("note_form") or forms.NoteForm(),
            "edit_form": bound.get("edit_form")
            or forms.EmploymentEditForm(
                version=case.version, initial={"skills": case.skills, "wishes": case.wishes, "area": case.area}
            ),
            "timeline": list(selectors.timeline(user, case)),
            "may_change": may_change,
            "today": timezone.localdate(),
        },
    )


def _next_outcome(outcome: str) -> str:
    return {
        ReferralOutcome.PENDING: ReferralOutcome.INTERVIEW,
        ReferralOutcome.INTERVIEW: ReferralOutcome.EMPLOYED,
    }.get(ReferralOutcome(outcome), outcome)


@access.scoped(EmploymentCase, "view", lookup="pk", queryset=_cases)
def employment_detail(request, case: EmploymentCase):
    """An employment case: the seeker, the referrals and their outcomes, the leads to offer,
    the status and the timeline."""
    return _detail_page(request, case)


@access.scoped(EmploymentCase, "change", lookup="pk", queryset=_cases)
@require_POST
@idempotency.form
def employment_refer(request, case: EmploymentCase):
    leads = list(selectors.leads_to_offer(case))
    form = forms.ReferForm(request.POST, leads=leads)
    if form.is_valid():
        ok, referral = run_service(form, services.refer, actor=request.user, case=case, **form.cleaned_data)
        if ok:
            messages.success(
                request,
                _("%(name)s referred to %(job)s at %(employer)s.")
                % {"name": case.seeker_name, "job": referral.lead.title, "employer": referral.lead.employer.name},
            )
            return redirect(_case_url(case))
    case.refresh_from_db()
    return _detail_page(request, case, refer_form=form)


def _referrals(request):
    return Referral.objects.select_related("case__worker__organisation", "lead__employer")


@access.scoped(Referral, "change", lookup="pk", queryset=_referrals)
@require_POST
def referral_outcome(request, referral: Referral):
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        ok, _result = run_service(
            form,
            services.record_outcome,
            actor=request.user,
            referral=referral,
            outcome=form.cleaned_data["outcome"],
            outcome_on=form.cleaned_data["outcome_on"],
            version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(
                request,
                _("Outcome recorded: %(outcome)s.") % {"outcome": ReferralOutcome(form.cleaned_data["outcome"]).label},
            )
            return redirect(_case_url(referral.case))
    case = _cases(request).get(pk=referral.case_id)
    return _detail_page(request, case, outcome_form=form, outcome_referral=referral.pk)


@access.scoped(EmploymentCase, "change", lookup="pk", queryset=_cases)
@require_POST
def employment_transition(request, case: EmploymentCase):
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        ok, _result = run_service(
            form,
            services.change_employment_status,
            actor=request.user,
            case=case,
            to=data["to"],
            note=data["note"],
            version=data["version"],
        )
        if ok:
            messages.success(
                request, _("The case is now “%(status)s”.") % {"status": EmploymentStatus(data["to"]).label}
            )
            return redirect(_case_url(case))
    return _detail_page(request, case, status_form=form)


@access.scoped(EmploymentCase, "change", lookup="pk", queryset=_cases)
@require_POST
def employment_edit(request, case: EmploymentCase):
    """Change the seeker's skills, wishes or area (the leads offered follow them)."""
    form = forms.EmploymentEditForm(request.POST)
    if form.is_valid():
        ok, _result = run_service(form, services.update_employment, actor=request.user, case=case, **form.cleaned_data)
        if ok:
            messages.success(request, _("Saved."))
            return redirect(_case_url(case))
    return _detail_page(request, case, edit_form=form)


@access.scoped(EmploymentCase, "change", lookup="pk", queryset=_cases)
@require_POST
@idempotency.form
def employment_note(request, case: EmploymentCase):
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        ok, _result = run_service(
            form, services.add_employment_note, actor=request.user, case=case, text=form.cleaned_data["text"]
        )
        if ok:
            messages.success(request, _("Note added."))
            return redirect(_case_url(case))
    return _detail_page(request, case, note_form=form)


def _active_cases(user) -> int | None:
    if not EmploymentCase.policy.may(user, "view"):
        return None
    return (
        EmploymentCase.objects.for_user(user, "view")
        .filter(status__in=[EmploymentStatus.SEEKING, EmploymentStatus.REFERRED])
        .count()
    )


urlpatterns: list = [
    path("employers/", employer_list, name="employer_list"),
    path("employers/new/", employer_create, name="employer_create"),
    path("employers/<int:pk>/", employer_detail, name="employer_detail"),
    path("employers/<int:pk>/edit/", employer_edit, name="employer_edit"),
    path("employers/<int:pk>/leads/new/", lead_create, name="lead_create"),
    path("leads/<int:pk>/edit/", lead_edit, name="lead_edit"),
    path("employment/", employment_list, name="employment_list"),
    path("employment/new/", employment_create, name="employment_create"),
    path("employment/<int:pk>/", employment_detail, name="employment_detail"),
    path("employment/<int:pk>/refer/", employment_refer, name="employment_refer"),
    path("employment/<int:pk>/status/", employment_transition, name="employment_transition"),
    path("employment/<int:pk>/note/", employment_note, name="employment_note"),
    path("employment/<int:pk>/edit/", employment_edit, name="employment_edit"),
    path("referrals/<int:pk>/outcome/", referral_outcome, name="referral_outcome"),
]
MENU: list = []
COUNTERS: list = [
    Counter(
        key="labour_employment_active",
        label=gettext_lazy("Family members seeking work"),
        count=_active_cases,
        url_name="labour:employment_list",
        order=620,
    )
]
HOME_PANELS: list = []
