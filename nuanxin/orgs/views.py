"""Pages for administrators: the organisation tree, accounts and their grants, groups, and
the scope switcher. Thin: forms check shapes, services decide and write."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from nuanxin.accounts import services as account_services
from nuanxin.accounts.models import ApiToken, TOTPDevice, User
from nuanxin.core import access, idempotency
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.pages import run_service
from nuanxin.orgs import forms, scope, selectors, services
from nuanxin.orgs.middleware import SESSION_KEY
from nuanxin.orgs.models import Grant, Organisation, OrganisationGroup

USERS_PER_PAGE = 25


def _users(request):
    return User.objects.select_related("organisation")


def _data(request):
    """The submitted data on a POST (even an empty one, so it is validated), else None."""
    return request.POST if request.method == "POST" else None


def _refused(request, exc: ServiceError) -> None:
    messages.error(request, exc.message)


def _shown_once(request, template: str, context: dict):
    """A page carrying a secret (a password): never cached, never shown again."""
    response = render(request, template, context)
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


# --- the tree and organisations ------------------------------------------------------------


@access.scoped(Organisation, "change")
def tree(request):
    """The organisations the user manages, nested, with how many accounts each is home to."""
    nodes = selectors.tree_with_user_counts(request.user)
    return render(request, "orgs/tree.html", {"nodes": nodes})


@access.scoped(Organisation, "change", lookup="pk")
def org_detail(request, org: Organisation):
    visible = selectors.managed_organisations(request.user)
    prefixes = [org.path[:i] for i in range(scope.STEPLEN, len(org.path), scope.STEPLEN)]
    ancestors = list(visible.filter(path__in=prefixes).order_by("path"))
    children = list(
        Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .annotate(user_count=Count("members", distinct=True))
        .order_by("path")
    )
    users = list(
        User.objects.filter(organisation=org).prefetch_related(selectors.active_grants_prefetch()).order_by("username")
    )
    history = list(
        AuditLog.objects.filter(object_type="orgs.organisation", object_id=str(org.pk),
                                action__in=["org.create", "org.update", "org.move"]).order_by("-at", "-id")[:20]
    )
    return render(
        request,
        "orgs/org_detail.html",
        {
            "org": org,
            "ancestors": ancestors,
            "children": children,
            "users": users,
            "groups": list(org.groups.all()),
            "history": history,
            "may_change": Organisation.policy.allows(request.user, org.change_action, org),
            "may_move": not org.is_root() and Organisation.policy.allows(request.user, "change", org),
        },
    )


@access.scoped(Organisation, "change", lookup="pk")
@require_http_methods(["GET", "POST"])
@idempotency.form
def org_create(request, parent: Organisation):
    """Add a child organisation under ``pk``."""
    form = forms.OrganisationCreateForm(_data(request))
    if request.method == "POST" and form.is_valid():
        ok, org = run_service(form, services.create_organisation, actor=request.user, parent=parent,
                              **form.cleaned_data)
        if ok:
            messages.success(request, _("Organisation “%(name)s” created.") % {"name": org.name})
            return redirect("orgs:org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {
        "form": form, "org": parent, "title": _("New organisation under %(name)s") % {"name": parent.name},
        "submit": _("Create"),
    })


@access.scoped(Organisation, "change", lookup="pk")
@require_http_methods(["GET", "POST"])
def org_edit(request, org: Organisation):
    form = forms.OrganisationEditForm(_data(request), initial={"name": org.name, "kind": org.kind}, version=org.version)
    if request.method == "POST" and form.is_valid():
        ok, _org = run_service(form, services.update_organisation, actor=request.user, org=org, **form.cleaned_data)
        if ok:
            messages.success(request, _("Organisation saved."))
            return redirect("orgs:org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {
        "form": form, "org": org, "title": _("Edit %(name)s") % {"name": org.name}, "submit": _("Save"),
    })


@access.scoped(Organisation, "change", lookup="pk")
@require_http_methods(["GET", "POST"])
def org_move(request, org: Organisation):
    """Move an organisation, with everything under it, to another parent the user manages."""
    if org.is_root():
        messages.error(request, _("The root organisation cannot be moved."))
        return redirect("orgs:org_detail", pk=org.pk)
    form = forms.OrganisationMoveForm(_data(request), user=request.user, org=org, version=org.version)
    if request.method == "POST" and form.is_valid():
        ok, _org = run_service(
            form, services.move_organisation, actor=request.user, org=org,
            new_parent=form.cleaned_data["new_parent"], version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("Organisation moved."))
            return redirect("orgs:org_detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {
        "form": form, "org": org, "title": _("Move %(name)s") % {"name": org.name}, "submit": _("Move"),
        "help": _("The organisation moves with everything under it: its users, records and their scope."),
    })


# --- users ---------------------------------------------------------------------------------


@access.scoped(User, "view")
def user_list(request):
    """Accounts whose home organisation lies in the user's scope: search, filter, pages."""
    form = forms.UserFilterForm(request.GET or None, user=request.user)
    filters = {}
    if form.is_valid():
        filters = {
            "search": form.cleaned_data["q"].strip(),
            "organisation": form.cleaned_data["org"],
            "role": form.cleaned_data["role"],
        }
    users = selectors.visible_users(request.user, **filters)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "orgs/user_list.html", {"form": form, "page": page})


@access.scoped(User, "change")
@require_http_methods(["GET", "POST"])
@idempotency.form
def user_create(request):
    initial = {}
    if request.GET.get("org", "").isdigit():
        initial["organisation"] = request.GET["org"]
    form = forms.UserCreateForm(_data(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, created = run_service(
            form,
            services.create_user,
            actor=request.user,
            username=data["username"],
            organisation=data["organisation"],
            role=data["role"],
            password=data["password"] or None,
            full_name=data["full_name"],
            email=data["email"],
            mobile=data["mobile"],
        )
        if ok:
            user, generated = created
            if generated:
                return idempotency.created(
                    _shown_once(request, "orgs/password_once.html",
                                {"subject": user, "password": generated, "created": True}),
                    reverse("orgs:user_detail", args=[user.pk]),
                )
            messages.success(request, _("Account “%(username)s” created.") % {"username": user.username})
            return redirect("orgs:user_detail", pk=user.pk)
    return render(request, "orgs/user_form.html", {"form": form, "title": _("New user"), "submit": _("Create")})


@access.scoped(User, "view", lookup="pk", queryset=_users)
def user_detail(request, subject: User):
    actor = request.user
    grants = list(Grant.objects.filter(user=subject).select_related("organisation", "group").order_by("id"))
    for grant in grants:
        grant.may_revoke = (
            grant.revoked_at is None and grant.role in services.grantable_roles(actor, grant.organisation)
        )
    tokens = list(ApiToken.objects.filter(user=subject).order_by("-created_at"))
    may_manage = User.policy.allows(actor, "change", subject)
    return render(
        request,
        "orgs/user_detail.html",
        {
            "subject": subject,
            "grants": [g for g in grants if g.revoked_at is None],
            "revoked_grants": [g for g in grants if g.revoked_at is not None],
            "tokens": tokens,
            "may_manage": may_manage,
            "grant_form": forms.GrantForm(user=actor) if may_manage else None,
            "has_totp": TOTPDevice.objects.filter(user=subject).exists(),
            "is_self": subject.pk == actor.pk,
        },
    )


@access.scoped(User, "view", lookup="pk", queryset=_users)
@require_http_methods(["GET", "POST"])
def user_edit(request, subject: User):
    form = forms.UserEditForm(
        request.POST or None,
        initial={"full_name": subject.full_name, "email": subject.email, "mobile": subject.mobile},
        version=subject.version,
    )
    if request.method == "POST" and form.is_valid():
        ok, _user = run_service(form, services.update_user, actor=request.user, user=subject, **form.cleaned_data)
        if ok:
            messages.success(request, _("Account saved."))
            return redirect("orgs:user_detail", pk=subject.pk)
    return render(request, "orgs/user_form.html", {
        "form": form, "subject": subject, "title": _("Edit %(name)s") % {"name": subject.display_name},
        "submit": _("Save"),
    })


@access.scoped(User, "view", lookup="pk", queryset=_users)
@require_http_methods(["GET", "POST"])
@idempotency.form
def grant_create(request, subject: User):
    """Give an account a further role, on an organisation the actor manages or (city
    administrators) on a group."""
    form = forms.GrantForm(_data(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, _grant = run_service(form, services.grant_role, actor=request.user, user=subject, role=data["role"],
                                 organisation=data.get("organisation"), group=data.get("group"))
        if ok:
            messages.success(request, _("Role granted."))
            return redirect("orgs:user_detail", pk=subject.pk)
    return render(request, "orgs/grant_form.html", {"form": form, "subject": subject})


@access.scoped(Grant, "view", lookup="pk", queryset=lambda r: Grant.objects.select_related("user", "organisation"))
@require_POST
def grant_revoke(request, grant: Grant):
    try:
        services.revoke_grant(actor=request.user, grant=grant)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Role revoked."))
    return redirect("orgs:user_detail", pk=grant.user_id)


@access.scoped(User, "view", lookup="pk", queryset=_users)
@require_POST
def user_toggle_active(request, subject: User):
    """Enable (``active=1``) or disable (``active=0``) an account."""
    if request.POST.get("active") not in {"0", "1"}:
        return HttpResponseBadRequest()
    active = request.POST["active"] == "1"
    try:
        services.set_user_active(actor=request.user, user=subject, active=active)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Account enabled.") if active else _("Account disabled."))
    return redirect("orgs:user_detail", pk=subject.pk)


@access.scoped(User, "view", lookup="pk", queryset=_users)
@require_POST
def user_reset_password(request, subject: User):
    """Give the account a new random password and show it once."""
    password = services.generate_password(user=subject)
    try:
        services.set_password(actor=request.user, user=subject, password=password)
    except ServiceError as exc:
        _refused(request, exc)
        return redirect("orgs:user_detail", pk=subject.pk)
    return _shown_once(request, "orgs/password_once.html", {"subject": subject, "password": password})


@access.scoped(User, "view", lookup="pk", queryset=_users)
@require_POST
def user_reset_totp(request, subject: User):
    """Remove the account's authenticator so its owner can enrol a new one."""
    try:
        removed = account_services.reset_totp(actor=request.user, user=subject)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        if removed:
            messages.success(request, _("Two-factor authentication reset: the user sets up a new authenticator."))
        else:
            messages.info(request, _("This account had no authenticator."))
    return redirect("orgs:user_detail", pk=subject.pk)


@access.scoped(ApiToken, "view", lookup="pk")
@require_POST
def token_revoke(request, token: ApiToken):
    try:
        account_services.revoke_api_token(actor=request.user, token=token)
    except ServiceError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Token revoked."))
    return redirect("orgs:user_detail", pk=token.user_id)


# --- the scope switcher --------------------------------------------------------------------


@access.authenticated
@require_POST
def switch_scope(request):
    """Narrow every page to one of the user's own grants (``grant`` empty = all of them)."""
    value = request.POST.get("grant", "")
    if value == "":
        request.session.pop(SESSION_KEY, None)
    else:
        chosen = next((g for g in scope.grants(request.user) if str(g.pk) == value), None)
        if chosen is None:
            messages.error(request, _("That scope is not one of yours."))
        else:
            request.session[SESSION_KEY] = chosen.pk
    # Home, not the page the user came from: that page may lie outside the new scope.
    return redirect("home")


# --- groups (city administrators) ----------------------------------------------------------


@access.scoped(OrganisationGroup, "manage")
def group_list(request):
    groups = OrganisationGroup.objects.annotate(
        member_count=Count("members", distinct=True),
        grant_count=Count("grants", filter=Q(grants__revoked_at__isnull=True), distinct=True),
    ).order_by("code")
    return render(request, "orgs/group_list.html", {"groups": groups})


@access.scoped(OrganisationGroup, "manage")
@require_http_methods(["GET", "POST"])
@idempotency.form
def group_create(request):
    form = forms.GroupForm(_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ok, group = run_service(form, services.create_group, actor=request.user, code=data["code"], name=data["name"],
                                members=list(data["members"]))
        if ok:
            messages.success(request, _("Group “%(name)s” created.") % {"name": group.name})
            return redirect("orgs:group_list")
    return render(request, "orgs/group_form.html", {"form": form, "title": _("New group"), "submit": _("Create")})


@access.scoped(OrganisationGroup, "manage", lookup="pk")
@require_http_methods(["GET", "POST"])
def group_edit(request, group: OrganisationGroup):
    form = forms.GroupEditForm(_data(request), initial={"members": list(group.members.all())}, version=group.version)
    if request.method == "POST" and form.is_valid():
        ok, _group = run_service(
            form, services.set_group_members, actor=request.user, group=group,
            members=list(form.cleaned_data["members"]), version=form.cleaned_data["version"],
        )
        if ok:
            messages.success(request, _("Group saved."))
            return redirect("orgs:group_list")
    return render(request, "orgs/group_form.html", {
        "form": form, "group": group, "title": _("Members of %(name)s") % {"name": group.name}, "submit": _("Save"),
        "cancel_url": reverse("orgs:group_list"),
    })
