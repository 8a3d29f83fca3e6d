"""The scheme's member list: upload (checked, nothing enrolled), the checked rows (matched,
enrolled already, not matched and why), apply or discard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.core import access, idempotency
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.pages import run_service
from nuanxin.welfare import forms
from nuanxin.welfare.choices import ImportStatus
from nuanxin.welfare.models import EnrolmentImport, Scheme
from nuanxin.welfare.services import imports as services
from nuanxin.welfare.views.common import organisations, posted, top_organisation


def import_url(imp: EnrolmentImport) -> str:
    return reverse("welfare:import_detail", kwargs={"pk": imp.pk})


@access.scoped(EnrolmentImport, "enrol")
@require_http_methods(["GET", "POST"])
@idempotency.form
def import_create(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = access.get_scoped_or_404(Scheme, request.user, "view", pk=pk)
    assert isinstance(scheme, Scheme)
    orgs = organisations(request.user, "enrol")
    form = forms.ImportForm(posted(request), request.FILES if request.method == "POST" else None,
                            organisations=orgs, initial={"organisation": top_organisation(request.user, "enrol")})
    if form.is_bound and form.is_valid():
        ok, imp = run_service(form, services.check_list, actor=request.user, scheme=scheme,
                              organisation=form.cleaned_data["organisation"], uploaded_file=form.cleaned_data["file"])
        if ok:
            messages.success(request, _(
                "List checked: %(matched)d matched, %(already)d enrolled already, %(unmatched)d not matched. "
                "Nothing is enrolled until you apply it."
            ) % {"matched": imp.matched, "already": imp.already, "unmatched": imp.unmatched})
            return redirect(import_url(imp))
    return render(request, "welfare/import_form.html", {"scheme": scheme, "form": form})


@access.scoped(EnrolmentImport, "view", lookup="pk")
def import_detail(request: HttpRequest, imp: EnrolmentImport) -> HttpResponse:
    rows = [{**r, "label": services.problem_label(r.get("problem", "")),
             "note_label": services.note_label(r["note"]) if r.get("note") else ""} for r in imp.rows]
    # The rows to look at first: not matched, or matched with a note.
    rows.sort(key=lambda r: (r["problem"] in ("", "already") and not r["note_label"], r["line"]))
    return render(request, "welfare/import_detail.html", {
        "imp": imp, "scheme": imp.scheme, "rows": rows,
        "may_apply": imp.status == ImportStatus.PREVIEW and EnrolmentImport.policy.allows(request.user, "enrol", imp),
    })


def _act(request: HttpRequest, imp: EnrolmentImport, service, done: str) -> HttpResponse:
    try:
        service(imp, actor=request.user)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(import_url(imp))


@access.scoped(EnrolmentImport, "enrol", lookup="pk")
@require_POST
def import_apply(request: HttpRequest, imp: EnrolmentImport) -> HttpResponse:
    return _act(request, imp, services.apply_list,
                _("List applied: the matched workers are enrolled as members already."))


@access.scoped(EnrolmentImport, "enrol", lookup="pk")
@require_POST
def import_discard(request: HttpRequest, imp: EnrolmentImport) -> HttpResponse:
    return _act(request, imp, services.discard_list, _("List discarded: nobody was enrolled from it."))


MENU: list = []
COUNTERS: list = []
HOME_PANELS: list = []

urlpatterns = [
    path("schemes/<int:pk>/import/", import_create, name="import_create"),
    path("imports/<int:pk>/", import_detail, name="import_detail"),
    path("imports/<int:pk>/apply/", import_apply, name="import_apply"),
    path("imports/<int:pk>/discard/", import_discard, name="import_discard"),
]
