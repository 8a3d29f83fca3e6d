"""Pages of the register (信息登记簿): the list, a worker's page with family, deployments,
difficulties and history, the forms and audited reveals (the official tables' import and export
are ``nuanxin.tables``).
Thin: forms check shapes, services decide and write, ``for_user`` scopes every lookup."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.core import access, idempotency
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.orgs.forms import add_service_error
from nuanxin.registry import forms, hooks, normalise, selectors, services
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, REGISTER_VIEW_ROLES, SENSITIVE_ROLES
from nuanxin.registry.filters import WorkerFilter
from nuanxin.registry.models import Deployment, FamilyMember, Worker

PER_PAGE = 50
HISTORY_ROWS = 30
HISTORY_HIDDEN = {"name_key", "name_pinyin", "name_initials", "mobile_tail", "updated_at", "created_at"}


def _data(request):
    return request.POST if request.method == "POST" else None


def _worker(request, pk: int, action: str = "view") -> Worker:
    return access.get_scoped_or_404(Worker.objects.select_related("organisation"), request.user, action, pk=pk)


def _member(request, pk: int, action: str = "change") -> FamilyMember:
    return access.get_scoped_or_404(
        FamilyMember.objects.select_related("worker__organisation"), request.user, action, pk=pk
    )


def _deployment(request, pk: int, action: str = "change") -> Deployment:
    return access.get_scoped_or_404(
        Deployment.objects.select_related("worker__organisation"), request.user, action, pk=pk
    )


# --- the list -------------------------------------------------------------------------------


@access.scoped(*REGISTER_VIEW_ROLES)
def worker_list(request):
    """The register, filtered and paginated on the server; mobiles masked."""
    form = WorkerFilter(request.GET or None, user=request.user)
    qs = form.filter_queryset(selectors.visible_workers(request.user)).only(
        "id",
        "name",
        "gender",
        "category",
        "post_title",
        "mobile",
        "team",
        "status",
        "organisation__id",
        "organisation__name",
        "organisation__code",
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/worker_list.html",
        {
            "form": form,
            "page": page,
            "can_create": selectors.register_organisations(request.user, REGISTER_CHANGE_ROLES).exists(),
        },
    )


# --- a worker's page ------------------------------------------------------------------------


def _history(worker: Worker) -> list[dict]:
    """The worker's field changes, newest first: who, when, field, old → new (mobiles masked)."""
    records = list(
        worker.history.select_related("history_user").order_by("-history_date", "-history_id")[: HISTORY_ROWS + 1]
    )
    fields = {f.name: f for f in Worker._meta.fields}
    result = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if older is None:
            if len(records) > HISTORY_ROWS:
                break
            changes = [{"name": "", "field": _("Added to the register"), "old": "", "new": ""}]
        else:
            delta = newer.diff_against(older)
            changes = []
            for change in delta.changes:
                if change.field in HISTORY_HIDDEN:
                    continue
                field = fields.get(change.field)
                changes.append(
                    {
                        "name": change.field,
                        "field": field.verbose_name if field else change.field,
                        "old": _shown(field, change.old, worker),
                        "new": _shown(field, change.new, worker),
                    }
                )
            if not changes:
                continue
        result.append({"when": newer.history_date, "who": newer.history_user, "changes": changes})
    return result


def _shown(field, value, worker):
    if field is None:
        return value
    if field.name == "mobile":
        return normalise.mask(value or "")
    if field.name == "organisation":
        from nuanxin.orgs.models import Organisation

        org = Organisation.objects.filter(pk=value).only("name").first()
        return org.name if org else value
    if field.choices:
        return dict(field.choices).get(value, value)
    return value


@access.scoped(*REGISTER_VIEW_ROLES)
def worker_detail(request, pk: int):
    worker = _worker(request, pk)
    family = list(worker.family.order_by("-is_primary", "id"))
    deployments = list(worker.deployments.order_by("-departed_on", "id"))
    return render(
        request,
        "registry/worker_detail.html",
        {
            "worker": worker,
            "family": family,
            "deployments": deployments,
            # What the apps above add (care: its timeline, contacts and difficulties).
            "panels": hooks.worker_panels(request, worker),
            "history": _history(worker),
            "can_change": services.may_change(request.user, worker.organisation),
            "can_see_sensitive": selectors.may_see_sensitive(request.user, worker),
        },
    )


@access.scoped(*REGISTER_VIEW_ROLES)
@require_POST
def worker_reveal(request, pk: int):
    return _reveal(request, _worker(request, pk))


@access.scoped(*REGISTER_VIEW_ROLES)
@require_POST
def family_reveal(request, pk: int):
    return _reveal(request, _member(request, pk, "view"))


@access.scoped(*REGISTER_VIEW_ROLES)
@require_POST
def deployment_reveal(request, pk: int):
    return _reveal(request, _deployment(request, pk, "view"))


def _reveal(request, target):
    """The full number (audited), as a tel: link in place of the button (htmx), or a page."""
    try:
        number = services.reveal_mobile(actor=request.user, target=target)
    except NotAllowed as exc:
        raise PermissionDenied from exc
    worker = target if isinstance(target, Worker) else target.worker
    context = {"number": number, "target": target, "worker": worker}
    template = "registry/_revealed.html" if request.htmx else "registry/revealed.html"
    return render(request, template, context)


@access.scoped(*SENSITIVE_ROLES)
@require_POST
def worker_sensitive(request, pk: int):
    """The sensitive panel, loaded on demand: every load is an audited read."""
    worker = _worker(request, pk, "sensitive")
    row = selectors.sensitive_for(request.user, worker)
    context = {"worker": worker, "sensitive": row, "can_change": True}
    template = "registry/_sensitive.html" if request.htmx else "registry/sensitive.html"
    return render(request, template, context)


# --- forms ----------------------------------------------------------------------------------


def _form_page(request, template: str, form, **context):
    # Invalid forms come back with 200 like the other pages (browsers log a 4xx as an error).
    return render(request, template, {"form": form, **context})


def _shown_for_editing(request, target, number: str) -> None:
    """An edit form opened with a stored mobile shows it in full: recorded like a reveal."""
    if request.method == "GET" and number:
        services.reveal_mobile(actor=request.user, target=target, purpose="edit")


def _service_call(form, call):
    """Run a service with the form's data; its refusal lands on the form. Returns the result
    or None."""
    try:
        return call()
    except Conflict as exc:
        if exc.code == "likely_duplicate" and "allow_duplicate" in form.fields:
            form.offer_duplicate_confirmation()
        add_service_error(form, exc)
    except ServiceError as exc:
        add_service_error(form, exc)
    return None


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_http_methods(["GET", "POST"])
@idempotency.form
def worker_create(request):
    initial = {}
    if request.GET.get("org"):
        initial["organisation"] = request.GET["org"]
    form = forms.WorkerForm(_data(request), user=request.user, initial=initial)
    del form.fields["status"]
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        worker = _service_call(form, lambda: services.create_worker(actor=request.user, **data))
        if worker is not None:
            messages.success(request, _("%(name)s was added to the register.") % {"name": worker.name})
            return redirect("registry:worker_detail", pk=worker.pk)
    return _form_page(request, "registry/worker_form.html", form, title=_("New worker"), submit=_("Add"))


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_http_methods(["GET", "POST"])
def worker_update(request, pk: int):
    worker = _worker(request, pk, "change")
    initial = {
        "organisation": worker.organisation.code,
        "name": worker.name,
        "gender": worker.gender,
        "team": worker.team,
        "category": worker.category,
        "post_title": worker.post_title,
        "mobile": worker.mobile_national,
        "status": worker.status,
        "contact_name_hint": worker.contact_name_hint,
        "notes": worker.notes,
    }
    form = forms.WorkerEditForm(_data(request), user=request.user, initial=initial, version=worker.version)
    if worker.organisation.code not in form.units:  # pragma: no cover - scoped above
        raise PermissionDenied
    _shown_for_editing(request, worker, worker.mobile)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        allow = data.pop("allow_duplicate", False)
        if (
            _service_call(
                form, lambda: services.update_worker(actor=request.user, worker=worker, allow_duplicate=allow, **data)
            )
            is not None
        ):
            messages.success(request, _("Saved."))
            return redirect("registry:worker_detail", pk=worker.pk)
    return _form_page(
        request,
        "registry/worker_form.html",
        form,
        worker=worker,
        title=_("Edit %(name)s") % {"name": worker.name},
        submit=_("Save"),
    )


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_http_methods(["GET", "POST"])
def sensitive_update(request, pk: int):
    worker = _worker(request, pk, "sensitive")
    initial = {}
    version = 1  # no row yet: the first save creates it at version 1
    if request.method == "GET":
        row = selectors.sensitive_for(request.user, worker)  # the form shows the values: a read
        if row is not None:
            initial = {f: getattr(row, f) for f in services.SENSITIVE_FIELDS}
            version = row.version
    form = forms.SensitiveEditForm(_data(request), initial=initial, version=version)
    if form.is_bound and form.is_valid():
        if (
            _service_call(
                form, lambda: services.update_sensitive(actor=request.user, worker=worker, **form.cleaned_data)
            )
            is not None
        ):
            messages.success(request, _("Saved."))
            return redirect("registry:worker_detail", pk=worker.pk)
    return _form_page(
        request,
        "registry/child_form.html",
        form,
        worker=worker,
        title=_("Sensitive data"),
        submit=_("Save"),
        sensitive=True,
    )


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_http_methods(["GET", "POST"])
@idempotency.form
def family_create(request, pk: int):
    worker = _worker(request, pk, "change")
    form = forms.FamilyMemberForm(_data(request), initial={"is_primary": not worker.family.exists()})
    if form.is_bound and form.is_valid():
        if (
            _service_call(
                form, lambda: services.add_family_member(actor=request.user, worker=worker, **form.cleaned_data)
            )
            is not None
        ):
            messages.success(request, _("Family member added."))
            return redirect("registry:worker_detail", pk=worker.pk)
    return _form_page(
        request, "registry/child_form.html", form, worker=worker, title=_("New family member"), submit=_("Add")
    )


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_http_methods(["GET", "POST"])
def family_update(request, pk: int):
    member = _member(request, pk)
    initial = {
        "name": member.name,
        "relation": member.relation,
        "mobile": member.mobile_national,
        "address": member.address,
        "notes": member.notes,
        "is_primary": member.is_primary,
    }
    form = forms.FamilyMemberEditForm(_data(request), initial=initial, version=member.version)
    _shown_for_editing(request, member, member.mobile)
    if member.is_primary:
        form.fields["is_primary"].disabled = True
        form.fields["is_primary"].help_text = _("To change the primary contact, make another member primary.")
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        if member.is_primary:
            data.pop("is_primary", None)
        if (
            _service_call(form, lambda: services.update_family_member(actor=request.user, member=member, **data))
            is not None
        ):
            messages.success(request, _("Saved."))
            return redirect("registry:worker_detail", pk=member.worker_id)
    return _form_page(
        request,
        "registry/child_form.html",
        form,
        worker=member.worker,
        title=_("Edit %(name)s") % {"name": member.name},
        submit=_("Save"),
    )


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_POST
def family_remove(request, pk: int):
    member = _member(request, pk)
    services.remove_family_member(actor=request.user, member=member)
    messages.success(request, _("%(name)s was removed from the family list.") % {"name": member.name})
    return redirect("registry:worker_detail", pk=member.worker_id)


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_POST
def family_primary(request, pk: int):
    member = _member(request, pk)
    services.set_primary_family_member(actor=request.user, member=member)
    messages.success(request, _("%(name)s is now the primary contact.") % {"name": member.name})
    return redirect("registry:worker_detail", pk=member.worker_id)


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_http_methods(["GET", "POST"])
@idempotency.form
def deployment_create(request, pk: int):
    worker = _worker(request, pk, "change")
    form = forms.DeploymentForm(_data(request))
    if form.is_bound and form.is_valid():
        if (
            _service_call(
                form, lambda: services.save_deployment(actor=request.user, worker=worker, **form.cleaned_data)
            )
            is not None
        ):
            messages.success(request, _("Deployment saved."))
            return redirect("registry:worker_detail", pk=worker.pk)
    return _form_page(
        request, "registry/child_form.html", form, worker=worker, title=_("New deployment"), submit=_("Add")
    )


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_http_methods(["GET", "POST"])
def deployment_update(request, pk: int):
    deployment = _deployment(request, pk)
    initial = {f: getattr(deployment, f) for f in services.DEPLOYMENT_FIELDS}
    initial["deployed_mobile"] = deployment.deployed_mobile_national
    form = forms.DeploymentEditForm(_data(request), initial=initial, version=deployment.version)
    _shown_for_editing(request, deployment, deployment.deployed_mobile)
    if form.is_bound and form.is_valid():
        data = dict(form.cleaned_data)
        if "carrier" not in form.changed_data and "deployed_mobile" in form.changed_data:
            data["carrier"] = ""  # a new number: suggest again unless the user picked one
        if (
            _service_call(
                form,
                lambda: services.save_deployment(
                    actor=request.user, worker=deployment.worker, deployment=deployment, **data
                ),
            )
            is not None
        ):
            messages.success(request, _("Deployment saved."))
            return redirect("registry:worker_detail", pk=deployment.worker_id)
    return _form_page(
        request,
        "registry/child_form.html",
        form,
        worker=deployment.worker,
        title=_("Edit deployment"),
        submit=_("Save"),
    )


@access.scoped(*REGISTER_CHANGE_ROLES)
@require_POST
def deployment_remove(request, pk: int):
    deployment = _deployment(request, pk)
    services.remove_deployment(actor=request.user, deployment=deployment)
    messages.success(request, _("Deployment removed."))
    return redirect("registry:worker_detail", pk=deployment.worker_id)
