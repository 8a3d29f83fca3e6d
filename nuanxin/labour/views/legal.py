"""The labour-protection green channel: the legal pages.

- the lawyer team (``lawyer_list`` with each lawyer's open cases and capacity, ``lawyer_create``,
  ``lawyer_edit``): labour-rights officers and administrators keep it, auditors read it;
- legal-aid cases (``legal_list`` with the arbitration time limit of each, ``legal_create`` —
  opened from a family's care page, a visit or a difficulty: ``?worker=&visit=&difficulty=`` —,
  ``legal_detail`` with its steps, lawyer, documents and timeline, ``legal_transition``,
  ``legal_note``, ``legal_edit``, ``legal_lawyer``, ``legal_owner``, ``legal_documents``).

Thin: forms check shapes, ``services.legal`` / ``services.lawyers`` decide and write (through
``core.pages.run_service``), every lookup goes through the policy (out of scope = 404)."""

from __future__ import annotations

from typing import Any

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
from nuanxin.care.pages import parse_id
from nuanxin.cases import services as cases
from nuanxin.core import access, idempotency
from nuanxin.core.manifest import Counter
from nuanxin.core.pages import posted, run_service, submit
from nuanxin.labour.choices import DisputeKind, LegalStatus
from nuanxin.labour.forms import legal as forms
from nuanxin.labour.models import Lawyer, LegalCase
from nuanxin.labour.selectors import legal as selectors
from nuanxin.labour.selectors import workers as find_workers
from nuanxin.labour.services import lawyers as lawyer_services
from nuanxin.labour.services import legal as services
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.registry import normalise
from nuanxin.registry.models import FamilyMember, Worker

PER_PAGE = 50


# --- the lawyer team ---------------------------------------------------------------------------


def _lawyers(request):
    return Lawyer.objects.select_related("organisation")


@access.scoped(Lawyer, "view")
def lawyer_list(request):
    """The lawyers of the user's organisations and below, with their open cases / capacity; the
    mobile masked as in the register's lists."""
    rows = selectors.lawyers(request.user)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for lawyer in page.object_list:
        lawyer.nx_mobile = normalise.mask(lawyer.mobile)
        lawyer.nx_full = lawyer.load >= lawyer.capacity
        lawyer.nx_may_change = Lawyer.policy.allows(request.user, "change", lawyer)
        lawyer.nx_specialties = specialty_labels(lawyer)
    return render(
        request,
        "labour/lawyer_list.html",
        {"page": page, "may_add": Lawyer.policy.may(request.user, "change")},
    )


def specialty_labels(lawyer: Lawyer) -> list[str]:
    return [str(DisputeKind(s).label) for s in lawyer.specialties or [] if s in DisputeKind.values]


def _lawyer_orgs(user):
    q = scope.scope_q(user, Lawyer.policy.roles("change"), "path")
    return Organisation.objects.none() if q is None else Organisation.objects.filter(q).order_by("path")


@access.scoped(Lawyer, "change")
@require_http_methods(["GET", "POST"])
@idempotency.form
def lawyer_create(request):
    form = forms.LawyerCreateForm(posted(request), organisations=_lawyer_orgs(request.user))
    return submit(
        request,
        form,
        lawyer_services.create_lawyer,
        form.cleaned_data if form.is_bound and form.is_valid() else {},
        done=lambda lw: _("%(name)s added to the lawyer team.") % {"name": lw.name},
        to=lambda _lw: reverse("labour:lawyer_list"),
    ) or render(request, "labour/lawyer_form.html", {"form": form, "lawyer": None})


@access.scoped(Lawyer, "change", lookup="pk", queryset=_lawyers)
@require_http_methods(["GET", "POST"])
def lawyer_edit(request, lawyer: Lawyer):
    initial = {
        "name": lawyer.name,
        "firm": lawyer.firm,
        "mobile": normalise.national(lawyer.mobile),
        "specialties": lawyer.specialties,
        "capacity": lawyer.capacity,
        "notes": lawyer.notes,
        "active": lawyer.active,
    }
    form = forms.LawyerEditForm(posted(request), initial=initial, version=lawyer.version)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        ok, _saved = run_service(
            form, lawyer_services.update_lawyer, actor=request.user, lawyer=lawyer, version=version, **data
        )
        if ok:
            messages.success(request, _("Lawyer saved."))
            return redirect(reverse("labour:lawyer_list"))
    load = lawyer_services.load_of(lawyer)
    return render(request, "labour/lawyer_form.html", {"form": form, "lawyer": lawyer, "load": load})


# --- legal-aid cases ---------------------------------------------------------------------------


def _cases(request):
    return LegalCase.objects.select_related(
        "worker__organisation", "owner", "lawyer__organisation", "family_member", "visit", "difficulty", "created_by"
    )


def _case_url(case) -> str:
    return reverse("labour:legal_detail", kwargs={"pk": case.pk})


@access.scoped(LegalCase, "view")
def legal_list(request):
    """The cases in scope: open ones first, the nearest arbitration time limit first; each with
    its step, lawyer and days left to the limit (highlighted when near or passed)."""
    form = forms.LegalFilter(request.GET or None)
    values = form.values()
    rows = selectors.legal_cases(
        request.user,
        status=values.get("status") or None,
        kind=values.get("kind") or None,
        near_limit=bool(values.get("near_limit")),
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    selectors.with_limits(list(page.object_list))
    return render(
        request,
        "labour/legal_list.html",
        {
            "form": form,
            "page": page,
            "today": timezone.localdate(),
            "may_see_lawyers": Lawyer.policy.may(request.user, "view"),
        },
    )


def _source(request, model, worker, key):
    """The visit or difficulty named in the query (of this family, in the user's scope)."""
    value = request.GET.get(key) or request.POST.get(key)
    pk = parse_id(value)
    if pk is None:
        return None
    return model.objects.filter(worker=worker, pk=pk).first()  # the worker is checked: its own only


def _find_worker(request):
    """No ``?worker=``: a search of the families in scope by name, each linking here."""
    q = (request.GET.get("q") or "").strip()[:50]
    return render(
        request,
        "labour/find_worker.html",
        {
            "q": q,
            "found": find_workers.find(request.user, LegalCase, q),
            "title": _("New legal-aid case"),
            "create_url": reverse("labour:legal_create"),
        },
    )


@access.scoped(LegalCase, "refer")
@require_http_methods(["GET", "POST"])
@idempotency.form
def legal_create(request):
    """Open a legal-aid case for the family of ``?worker=`` (from a visit or difficulty when
    ``&visit=`` / ``&difficulty=`` say so). A care contact refers it (no lawyer); officers and
    administrators may give it a lawyer at once."""
    worker_id = request.GET.get("worker") or request.POST.get("worker") or ""
    if not worker_id:
        return _find_worker(request)
    if parse_id(worker_id) is None:
        raise Http404
    # Scoped by the case's policy (a labour-rights officer opens cases of families whose register
    # entry they do not read): a worker the user may open no case for is the same 404 as none.
    worker = find_workers.openable(request.user, LegalCase, worker_id)
    if worker is None:
        raise Http404
    visit = _source(request, Visit, worker, "visit")
    difficulty = _source(request, Difficulty, worker, "difficulty")
    members = list(FamilyMember.objects.filter(worker=worker).order_by("-is_primary", "id"))
    may_assign = services._may_change_new(request.user, worker)
    data = posted(request)
    kind = (data.get("kind") if data is not None else "") or ""
    lawyers = lawyer_services.candidates(worker.organisation, kind) if may_assign else None
    form = forms.LegalCreateForm(data, members=members, lawyers=lawyers)
    if form.is_bound and form.is_valid():
        ok, case = run_service(
            form,
            services.open_legal_case,
            actor=request.user,
            worker=worker,
            visit=visit,
            difficulty=difficulty,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Legal-aid case opened for %(name)s's family.") % {"name": worker.name})
            if LegalCase.policy.allows(request.user, "view", case):
                return redirect(_case_url(case))
            return redirect(reverse("care:family", kwargs={"pk": worker.pk}))
    return render(
        request,
        "labour/legal_form.html",
        {"form": form, "worker": worker, "visit": visit, "difficulty": difficulty, "may_assign": may_assign},
    )


def _detail_page(request, case: LegalCase, **bound):
    user = request.user
    may_change = LegalCase.policy.allows(user, "change", case)
    transitions = cases.allowed_targets(user, case)
    is_manager = LegalCase.policy.allows(user, "manage", case)
    owner_form = None
    if is_manager:
        owner_form = bound.get("owner_form") or forms.OwnerForm(
            candidates=cases.owner_candidates(LegalCase, case.organisation),
            initial={"owner": str(case.owner_id or "")},
            version=case.version,
        )
    lawyer_form = None
    if may_change:
        lawyer_form = bound.get("lawyer_form") or forms.LawyerAssignForm(
            lawyers=lawyer_services.candidates(case.worker.organisation, case.kind),
            initial={"lawyer": str(case.lawyer_id or "")},
            version=case.version,
        )
    edit_form = None
    if may_change:
        edit_form = bound.get("edit_form") or forms.LegalEditForm(
            initial={
                "kind": case.kind,
                "other_party": case.other_party,
                "facts": case.facts,
                "infringed_on": case.infringed_on,
                "urgency": case.urgency,
            },
            version=case.version,
        )
    load = lawyer_services.load_of(case.lawyer) if case.lawyer is not None else None
    return render(
        request,
        "labour/legal_detail.html",
        {
            "case": case,
            "limit": services.limit_of(case),
            "lawyer_load": load,
            "lawyer_mobile": normalise.national(case.lawyer.mobile) if case.lawyer is not None and may_change else "",
            "transitions": [(s, LegalStatus(s).label) for s in transitions],
            "reason_required": bool(LegalCase.lifecycle.reason_targets(case.status, transitions)),
            "transition_form": bound.get("transition_form") or forms.TransitionForm(version=case.version),
            "note_form": bound.get("note_form") or forms.NoteForm(),
            "owner_form": owner_form,
            "lawyer_form": lawyer_form,
            "edit_form": edit_form,
            "documents_form": bound.get("documents_form") or (forms.DocumentsForm() if may_change else None),
            # The papers: officers, administrators and auditors (not the family's care contact).
            "may_see_documents": LegalCase.policy.allows(user, "documents", case),
            "documents": services.documents_of(case) if LegalCase.policy.allows(user, "documents", case) else [],
            "timeline": list(selectors.case_timeline(user, case)),
            "may_change": may_change,
            "steps": _steps(case),
            # An officer may move the case without reading the register or the care pages.
            "may_see_family": Worker.policy.allows(user, "view", case.worker),
            "may_see_difficulty": case.difficulty is not None
            and Difficulty.policy.allows(user, "view", case.difficulty),
        },
    )


def _steps(case: LegalCase) -> list[tuple[str, Any, object]]:
    """The steps with their dates (the stamps), for the page's step list."""
    return [
        (LegalStatus.CONSULTATION.value, LegalStatus.CONSULTATION.label, case.created_at),
        (LegalStatus.MEDIATION.value, LegalStatus.MEDIATION.label, case.mediation_at),
        (LegalStatus.ARBITRATION.value, LegalStatus.ARBITRATION.label, case.arbitration_at),
        (LegalStatus.LITIGATION.value, LegalStatus.LITIGATION.label, case.litigation_at),
        (LegalStatus.CLOSED.value, LegalStatus.CLOSED.label, case.closed_at),
    ]


@access.scoped(LegalCase, "view", lookup="pk", queryset=_cases)
def legal_detail(request, case: LegalCase):
    """A legal-aid case: the dispute, the arbitration time limit, the steps with their dates, the
    lawyer, the documents and the timeline; for officers and administrators the forms that move it."""
    return _detail_page(request, case)


@access.scoped(LegalCase, "change", lookup="pk", queryset=_cases)
@require_POST
def legal_transition(request, case: LegalCase):
    return _transition(request, case, forms.TransitionForm(request.POST))


def _transition(request, case: LegalCase, form):
    if form.is_valid():
        data = form.cleaned_data
        ok, changed = run_service(
            form,
            services.change_legal_status,
            actor=request.user,
            case=case,
            to=data["to"],
            note=data["note"],
            version=data["version"],
            outcome=data["outcome"] or None,
            amount_recovered=data["amount_recovered"],
        )
        if ok:
            messages.success(request, _("The case is now at “%(status)s”.") % {"status": changed.get_status_display()})
            return redirect(_case_url(case))
    return _detail_page(request, case, transition_form=form)


@access.scoped(LegalCase, "change", lookup="pk", queryset=_cases)
@require_POST
@idempotency.form
def legal_note(request, case: LegalCase):
    form = forms.NoteForm(request.POST)
    return submit(
        request,
        form,
        services.add_legal_note,
        {"case": case, "text": form.cleaned_data.get("text", "")} if form.is_valid() else {},
        done=lambda _n: _("Note added."),
        to=lambda _n: _case_url(case),
    ) or _detail_page(request, case, note_form=form)


@access.scoped(LegalCase, "change", lookup="pk", queryset=_cases)
@require_POST
def legal_edit(request, case: LegalCase):
    form = forms.LegalEditForm(request.POST)
    return submit(
        request,
        form,
        services.update_legal_case,
        {"case": case, **form.cleaned_data} if form.is_valid() else {},
        done=lambda _c: _("Case details saved."),
        to=lambda _c: _case_url(case),
    ) or _detail_page(request, case, edit_form=form)


@access.scoped(LegalCase, "change", lookup="pk", queryset=_cases)
@require_POST
def legal_lawyer(request, case: LegalCase):
    form = forms.LawyerAssignForm(request.POST, lawyers=lawyer_services.candidates(case.worker.organisation, case.kind))
    return submit(
        request,
        form,
        services.assign_lawyer,
        {"case": case, "lawyer": form.cleaned_data["lawyer"], "version": form.cleaned_data["version"]}
        if form.is_valid()
        else {},
        done=lambda c: (
            _("%(name)s now helps with this case.") % {"name": c.lawyer.name}
            if c.lawyer_id
            else _("The case has no lawyer now.")
        ),
        to=lambda _c: _case_url(case),
    ) or _detail_page(request, case, lawyer_form=form)


@access.scoped(LegalCase, "manage", lookup="pk", queryset=_cases)
@require_POST
def legal_owner(request, case: LegalCase):
    form = forms.OwnerForm(request.POST, candidates=cases.owner_candidates(LegalCase, case.organisation))
    return submit(
        request,
        form,
        services.update_legal_case,
        {"case": case, "owner": form.cleaned_data["owner"], "version": form.cleaned_data["version"]}
        if form.is_valid()
        else {},
        done=lambda _c: _("%(user)s now owns this case.") % {"user": form.cleaned_data["owner"]},
        to=lambda _c: _case_url(case),
    ) or _detail_page(request, case, owner_form=form)


@access.scoped(LegalCase, "change", lookup="pk", queryset=_cases)
@require_POST
@idempotency.form
def legal_documents(request, case: LegalCase):
    form = forms.DocumentsForm(request.POST, request.FILES)
    return submit(
        request,
        form,
        services.add_documents,
        {"case": case, "files": form.cleaned_data["documents"]} if form.is_valid() else {},
        done=lambda stored: _("Documents attached: %(n)d.") % {"n": len(stored)},
        to=lambda _s: _case_url(case),
    ) or _detail_page(request, case, documents_form=form)


def _near_limit(user) -> int | None:
    if not LegalCase.policy.may(user, "view"):
        return None
    return selectors.legal_cases(user, near_limit=True).count()


urlpatterns: list = [
    path("lawyers/", lawyer_list, name="lawyer_list"),
    path("lawyers/new/", lawyer_create, name="lawyer_create"),
    path("lawyers/<int:pk>/edit/", lawyer_edit, name="lawyer_edit"),
    path("legal/", legal_list, name="legal_list"),
    path("legal/new/", legal_create, name="legal_create"),
    path("legal/<int:pk>/", legal_detail, name="legal_detail"),
    path("legal/<int:pk>/status/", legal_transition, name="legal_transition"),
    path("legal/<int:pk>/note/", legal_note, name="legal_note"),
    path("legal/<int:pk>/edit/", legal_edit, name="legal_edit"),
    path("legal/<int:pk>/lawyer/", legal_lawyer, name="legal_lawyer"),
    path("legal/<int:pk>/owner/", legal_owner, name="legal_owner"),
    path("legal/<int:pk>/documents/", legal_documents, name="legal_documents"),
]
MENU: list = []
COUNTERS: list = [
    Counter(
        key="labour_legal_near_limit",
        label=gettext_lazy("Legal-aid cases near their arbitration time limit"),
        count=_near_limit,
        url_name="labour:legal_list",
        order=615,
    )
]
HOME_PANELS: list = []
