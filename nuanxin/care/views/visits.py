"""Logging and editing a visit: one form with its rows of necessities (and, for a new visit,
new difficulties), saved in one request. An edit carries the version it was opened at: a
visit saved by someone else since is shown beside the user's input."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from nuanxin.care import forms, services
from nuanxin.care.choices import VisitMode
from nuanxin.care.models import Visit
from nuanxin.care.views.common import next_url, posted, workers
from nuanxin.care.views.week import may_care_for
from nuanxin.core import access, idempotency
from nuanxin.core.errors import Conflict
from nuanxin.core.pages import run_service
from nuanxin.registry.models import Worker

VISIT_FIELDS = ("on", "mode", "visitors", "state_of_mind", "opinions", "notes")


def _add_row(request, formsets: dict) -> bool:
    """Without JavaScript the "add a row" buttons post the form: give the formset one more
    row and show the form again (nothing saved). Returns whether that happened."""
    prefix = request.POST.get("add_row")
    if request.method != "POST" or prefix not in formsets:
        return False
    data = request.POST.copy()
    key = f"{prefix}-TOTAL_FORMS"
    value = data.get(key) or ""
    total = int(value) if value.isascii() and value.isdigit() else 0
    formset = formsets[prefix]
    data[key] = str(min(total + 1, formset.max_num))
    formsets[prefix] = type(formset)(data, prefix=prefix, initial=formset.initial)
    return True


def _formsets(data, *, items_initial=None, with_difficulties=True) -> dict:
    formsets = {"items": forms.ItemFormSet(data, prefix="items", initial=items_initial)}
    if with_difficulties:
        formsets["diffs"] = forms.DifficultyFormSet(data, prefix="diffs")
    return formsets


def _valid(form, formsets: dict) -> bool:
    return form.is_bound and form.is_valid() and all(fs.is_valid() for fs in formsets.values())


def _run(form, formsets: dict, call, **kwargs):
    """``run_service`` with a refusal on ``items.2.value`` placed on that row's field."""
    return run_service(
        form, call, on_error=lambda exc: forms.add_formset_error(form, formsets, exc), **kwargs
    )


def _page(request, worker, form, formsets, **extra):
    return render(
        request,
        "care/visit_form.html",
        {
            "worker": worker,
            "form": form,
            "items": formsets["items"],
            "diffs": formsets.get("diffs"),
            "next": next_url(request, ""),
            **extra,
        },
    )


def _back(request, worker):
    return redirect(next_url(request, reverse("care:family", args=[worker.pk])))


@access.scoped(Worker, "view", lookup="pk", queryset=workers)
@require_http_methods(["GET", "POST"])
@idempotency.form
def visit_create(request, worker: Worker):
    """Log a visit: date (today), mode, visitors, necessities, state of mind, opinions, notes
    and new difficulties, in one form and one request."""
    user = request.user
    if not may_care_for(user, worker):
        raise PermissionDenied
    data = posted(request)
    form = forms.VisitForm(
        data, initial={"on": timezone.localdate(), "mode": VisitMode.HOME, "visitors": user.display_name}
    )
    formsets = _formsets(data)
    if _add_row(request, formsets):
        return _page(request, worker, form, formsets)
    if _valid(form, formsets):
        ok, _visit = _run(
            form,
            formsets,
            services.record_visit,
            actor=user,
            worker=worker,
            **form.service_values(),
            items=forms.item_rows(formsets["items"]),
            difficulties=formsets["diffs"].rows(),
        )
        if ok:
            messages.success(request, _("Visit to %(name)s's family recorded.") % {"name": worker.name})
            recent = services.visits.recent_visits(worker)
            if len(recent) > 1:
                messages.warning(request, _(
                    "%(count)s visits to this family were logged in the last %(minutes)s minutes. If one was "
                    "logged twice by mistake, delete it on the family's page."
                ) % {"count": len(recent), "minutes": services.visits.RECENT_MINUTES})
            return _back(request, worker)
    return _page(request, worker, form, formsets, recent_visits=services.visits.recent_visits(worker))


@access.scoped(
    Visit,
    "change",
    lookup="pk",
    queryset=lambda request: Visit.objects.select_related("worker__organisation", "recorded_by"),
)
@require_http_methods(["GET", "POST"])
def visit_update(request, visit: Visit):
    """Edit a visit. The form carries the version it was opened at: if someone saved the
    visit since, nothing is saved, their version is shown beside the user's input (which is
    kept), and saving again replaces theirs deliberately."""
    worker = visit.worker
    initial = {f: getattr(visit, f) for f in VISIT_FIELDS} | {"version": visit.version}
    items_initial = [
        {"item": i.item, "quantity": i.quantity, "unit": i.unit, "value": i.value} for i in visit.items.all()
    ]
    data = posted(request)
    form = forms.VisitForm(data, initial=initial)
    formsets = _formsets(data, items_initial=items_initial, with_difficulties=False)
    context: dict = {"visit": visit}
    if _add_row(request, formsets):
        return _page(request, worker, form, formsets, **context)
    if _valid(form, formsets):
        ok, result = _run(
            form,
            formsets,
            services.update_visit,
            actor=request.user,
            visit=visit,
            version=form.cleaned_data["version"] or 0,
            items=forms.item_rows(formsets["items"]),
            **form.service_values(),
        )
        if ok:
            messages.success(request, _("Visit saved."))
            return _back(request, worker)
        if isinstance(result, Conflict):
            # Keep the user's input; show theirs; the next save starts from their version.
            current = Visit.objects.select_related("recorded_by").get(pk=visit.pk)
            data = data.copy()
            data["version"] = str(current.version)
            form = forms.VisitForm(data, initial=initial)
            form.is_valid()
            form.add_error(None, result.message)
            formsets = _formsets(data, items_initial=items_initial, with_difficulties=False)
            context.update(conflict=current, conflict_items=list(current.items.all()))
    return _page(request, worker, form, formsets, **context)
