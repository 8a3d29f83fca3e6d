"""Pages of the register (信息登记簿): the list, a worker's page with family, deployments,
difficulties and history, the forms and audited reveals (the official tables' import and export
are ``nuanxin.tables``).

Thin: every view declares the model and action it works on (``access.scoped``: the object named
by the URL is looked up through the model's policy, 404 outside the user's scope), forms check
shapes, services decide and write; every form page runs its service through ``pages.run_service``
(``_form_page``): a refusal is the 403 page, a service error or an edit conflict the form's error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.core import access, idempotency, pages
from nuanxin.core.errors import Conflict, NotAllowed
from nuanxin.registry import forms, hooks, normalise, selectors, services
from nuanxin.registry.filters import WorkerFilter
from nuanxin.registry.models import Deployment, FamilyMember, Worker

PER_PAGE = 50
COUNT_CAP = 1000  # the list counts its rows up to this many (more: "more than 1,000")
HISTORY_ROWS = 30
HISTORY_HIDDEN = {"name_key", "name_pinyin", "name_initials", "mobile_tail", "updated_at", "created_at"}


def _data(request):
    return request.POST if request.method == "POST" else None


def _with_worker(model):
    """The rows of ``model`` with their worker's unit joined (for the page's breadcrumbs)."""
    return lambda request: model.objects.select_related("worker__organisation")


def _with_unit(request):
    return Worker.objects.select_related("organisation")


def _worker_view(action: str):
    """A view of one worker (``<int:pk>``) for ``action``."""
    return access.scoped(Worker, action, lookup="pk", queryset=_with_unit)


def _child_view(model, action: str):
    """A view of one family member or deployment (``<int:pk>``) for ``action``."""
    return access.scoped(model, action, lookup="pk", queryset=_with_worker(model))


def _or_403(call: Callable[..., Any], **kwargs: Any) -> Any:
    """Run a service that has no form: its refusal is the 403 page."""
    try:
        return call(**kwargs)
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc


# --- the list -------------------------------------------------------------------------------


class CappedPaginator(Paginator):
    """Counts the rows only up to ``COUNT_CAP`` (one more is read to know there are more):
    a city's register, or a search for a common surname (``zhang``: one worker in 14), would
    otherwise count hundreds of thousands of rows on every page. ``capped`` says the count
    stopped there; the pages go up to the cap (narrow the search to see the others)."""

    @cached_property
    def count(self) -> int:
        counted = self.object_list.order_by()[: COUNT_CAP + 1].count()  # type: ignore[attr-defined]
        self.capped = counted > COUNT_CAP
        return min(counted, COUNT_CAP)

    capped = False


def list_page(user, params):
    """The list's reads for ``params`` (the query string: filters, search, page): the filter
    form and the page of workers, counted up to ``COUNT_CAP`` (bench/care_scale.py times it)."""
    form = WorkerFilter(params or None, user=user)
    qs = form.filter_queryset(selectors.visible_workers(user)).only(
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
    return form, CappedPaginator(qs, PER_PAGE).get_page(params.get("page"))


@access.scoped(Worker, "view")
def worker_list(request):
    """The register, filtered and paginated on the server; mobiles masked."""
    form, page = list_page(request.user, request.GET)
    return render(
        request,
        "registry/worker_list.html",
        {
            "form": form,
            "page": page,
            "count_cap": COUNT_CAP,
            "can_create": selectors.register_organisations(request.user, "change").exists(),
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
        changes: list[dict[str, Any]]
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


@_worker_view("view")
def worker_detail(request, worker: Worker):
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
            "can_change": Worker.policy.allows(request.user, "change", worker),
            "can_see_sensitive": Worker.policy.allows(request.user, "sensitive", worker),
        },
    )


@_worker_view("view")
@require_POST
def worker_reveal(request, worker: Worker):
    return _reveal(request, worker)


@_child_view(FamilyMember, "view")
@require_POST
def family_reveal(request, member: FamilyMember):
    return _reveal(request, member)


@_child_view(Deployment, "view")
@require_POST
def deployment_reveal(request, deployment: Deployment):
    return _reveal(request, deployment)


def _reveal(request, target):
    """The full number (audited), as a tel: link in place of the button (htmx), or a page."""
    number = _or_403(services.reveal_mobile, actor=request.user, target=target)
    worker = target if isinstance(target, Worker) else target.worker
    context = {"number": number, "target": target, "worker": worker}
    template = "registry/_revealed.html" if request.htmx else "registry/revealed.html"
    return render(request, template, context)


@_worker_view("sensitive")
@require_POST
def worker_sensitive(request, worker: Worker):
    """The sensitive panel, loaded on demand: every load is an audited read."""
    row = _or_403(selectors.sensitive_for, actor=request.user, worker=worker)
    context = {"worker": worker, "sensitive": row, "can_change": True}
    template = "registry/_sensitive.html" if request.htmx else "registry/sensitive.html"
    return render(request, template, context)


# --- forms ----------------------------------------------------------------------------------


def _form_page(
    request,
    form,
    save: Callable[[dict], Any],
    *,
    done: str | Callable[[Any], str],
    template: str = "registry/child_form.html",
    **context,
):
    """The flow of every form page of the register. A valid POST calls ``save`` with the
    form's data, through ``pages.run_service``; when the service succeeds, the message ``done``
    (or ``done(result)``) and the worker's page. Otherwise the form again, with the service's
    refusal on it (a user it does not allow gets the 403 page), rendered with ``template``.
    Invalid forms come back with 200 like the other pages (browsers log a 4xx as an error)."""
    if form.is_bound and form.is_valid():
        ok, result = pages.run_service(form, save, dict(form.cleaned_data))
        if ok:
            messages.success(request, done(result) if callable(done) else done)
            worker_pk = result.pk if isinstance(result, Worker) else result.worker_id
            return redirect("registry:worker_detail", pk=worker_pk)
    return render(request, template, {"form": form, **context})


def _shown_for_editing(request, target, number: str) -> None:
    """An edit form opened with a stored mobile shows it in full: recorded like a reveal."""
    if request.method == "GET" and number:
        services.reveal_mobile(actor=request.user, target=target, purpose="edit")


def _offering_duplicate(form: forms.WorkerForm, call: Callable[..., Worker]) -> Callable[..., Worker]:
    """``call``, after which a refusal for a likely duplicate (another worker of that name in
    the unit) offers the form's confirmation that the name is shared."""

    def save(**kwargs):
        try:
            return call(**kwargs)
        except Conflict as exc:
            if exc.code == "likely_duplicate":
                form.offer_duplicate_confirmation()
            raise

    return save


@access.scoped(Worker, "change")
@require_http_methods(["GET", "POST"])
@idempotency.form
def worker_create(request):
    initial = {"organisation": request.GET["org"]} if request.GET.get("org") else {}
    form = forms.WorkerForm(_data(request), user=request.user, initial=initial)
    del form.fields["status"]
    create = _offering_duplicate(form, services.create_worker)
    added = _("%(name)s was added to the register.")
    return _form_page(
        request, form, lambda data: create(actor=request.user, **data), done=lambda w: added % {"name": w.name},
        template="registry/worker_form.html", title=_("New worker"), submit=_("Add"),
    )  # fmt: skip


@_worker_view("change")
@require_http_methods(["GET", "POST"])
def worker_update(request, worker: Worker):
    initial = {field: getattr(worker, field) for field in services.WORKER_FIELDS}
    initial["mobile"] = worker.mobile_national
    form = forms.WorkerEditForm(_data(request), user=request.user, initial=initial, version=worker.version)
    _shown_for_editing(request, worker, worker.mobile)
    update = _offering_duplicate(form, services.update_worker)
    return _form_page(
        request, form, lambda data: update(actor=request.user, worker=worker, **data), done=_("Saved."),
        template="registry/worker_form.html", worker=worker, title=_("Edit %(name)s") % {"name": worker.name},
        submit=_("Save"),
    )  # fmt: skip


@_worker_view("sensitive")
@require_http_methods(["GET", "POST"])
def sensitive_update(request, worker: Worker):
    initial = {}
    version = 1  # no row yet: the first save creates it at version 1
    if request.method == "GET":
        row = _or_403(selectors.sensitive_for, actor=request.user, worker=worker)  # the form shows the values: a read
        if row is not None:
            initial = {f: getattr(row, f) for f in services.SENSITIVE_FIELDS}
            version = row.version
    form = forms.SensitiveEditForm(_data(request), initial=initial, version=version)
    return _form_page(
        request, form, lambda data: services.update_sensitive(actor=request.user, worker=worker, **data),
        done=_("Saved."), worker=worker, title=_("Sensitive data"), submit=_("Save"), sensitive=True,
    )  # fmt: skip


@_worker_view("change")
@require_http_methods(["GET", "POST"])
@idempotency.form
def family_create(request, worker: Worker):
    form = forms.FamilyMemberForm(_data(request), initial={"is_primary": not worker.family.exists()})
    return _form_page(
        request, form, lambda data: services.add_family_member(actor=request.user, worker=worker, **data),
        done=_("Family member added."), worker=worker, title=_("New family member"), submit=_("Add"),
    )  # fmt: skip


@_child_view(FamilyMember, "change")
@require_http_methods(["GET", "POST"])
def family_update(request, member: FamilyMember):
    initial = {field: getattr(member, field) for field in (*services.FAMILY_FIELDS, "is_primary")}
    initial["mobile"] = member.mobile_national
    form = forms.FamilyMemberEditForm(_data(request), initial=initial, version=member.version)
    _shown_for_editing(request, member, member.mobile)
    if member.is_primary:
        form.fields["is_primary"].disabled = True
        form.fields["is_primary"].help_text = _("To change the primary contact, make another member primary.")

    def save(data):
        if member.is_primary:
            data.pop("is_primary", None)
        return services.update_family_member(actor=request.user, member=member, **data)

    return _form_page(
        request, form, save, done=_("Saved."), worker=member.worker,
        title=_("Edit %(name)s") % {"name": member.name}, submit=_("Save"),
    )  # fmt: skip


@_child_view(FamilyMember, "change")
@require_POST
def family_remove(request, member: FamilyMember):
    _or_403(services.remove_family_member, actor=request.user, member=member)
    messages.success(request, _("%(name)s was removed from the family list.") % {"name": member.name})
    return redirect("registry:worker_detail", pk=member.worker_id)


@_child_view(FamilyMember, "change")
@require_POST
def family_primary(request, member: FamilyMember):
    _or_403(services.set_primary_family_member, actor=request.user, member=member)
    messages.success(request, _("%(name)s is now the primary contact.") % {"name": member.name})
    return redirect("registry:worker_detail", pk=member.worker_id)


@_worker_view("change")
@require_http_methods(["GET", "POST"])
@idempotency.form
def deployment_create(request, worker: Worker):
    form = forms.DeploymentForm(_data(request))
    return _form_page(
        request, form, lambda data: services.save_deployment(actor=request.user, worker=worker, **data),
        done=_("Deployment saved."), worker=worker, title=_("New deployment"), submit=_("Add"),
    )  # fmt: skip


@_child_view(Deployment, "change")
@require_http_methods(["GET", "POST"])
def deployment_update(request, deployment: Deployment):
    initial = {f: getattr(deployment, f) for f in services.DEPLOYMENT_FIELDS}
    initial["deployed_mobile"] = deployment.deployed_mobile_national
    form = forms.DeploymentEditForm(_data(request), initial=initial, version=deployment.version)
    _shown_for_editing(request, deployment, deployment.deployed_mobile)

    def save(data):
        if "carrier" not in form.changed_data and "deployed_mobile" in form.changed_data:
            data["carrier"] = ""  # a new number: suggest again unless the user picked one
        return services.save_deployment(actor=request.user, worker=deployment.worker, deployment=deployment, **data)

    return _form_page(
        request, form, save, done=_("Deployment saved."), worker=deployment.worker,
        title=_("Edit deployment"), submit=_("Save"),
    )  # fmt: skip


@_child_view(Deployment, "change")
@require_POST
def deployment_remove(request, deployment: Deployment):
    _or_403(services.remove_deployment, actor=request.user, deployment=deployment)
    messages.success(request, _("Deployment removed."))
    return redirect("registry:worker_detail", pk=deployment.worker_id)
