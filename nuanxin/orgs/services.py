"""Writes to the organisation tree, groups, users and grants.

Every function takes a keyword-only ``actor``: a user whose grants are checked, or ``SYSTEM``
(core/policy.py) for the system operator (the ``nuanxin`` command run with shell access on the
server). Who may do what is the models' policies: ``Organisation.policy`` (``change``; the root
itself ``change_root``), ``OrganisationGroup.policy`` (``manage``) and ``User.policy``
(``change``, refined by ``grants_within_reach`` so that nobody manages a superior).
Each runs in one transaction and writes its audit row inside it.
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.accounts.models import User
from nuanxin.core import audit, locks, plaintext, roles, versioning
from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.policy import is_system
from nuanxin.core.roles import GRANTABLE_BY, Role
from nuanxin.orgs import hooks, scope
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Grant, Organisation, OrganisationGroup

# --- the rules of grants -------------------------------------------------------------------


def grantable_roles(actor, org: Organisation | None = None) -> set[str]:
    """Roles ``actor`` may grant on ``org`` (or on a group when ``org`` is None)."""
    if is_system(actor):
        return set(Role.values)
    if org is None:
        # Groups cut across subtrees: only who manages groups may grant on them.
        return set(Role.values) if OrganisationGroup.policy.may(actor, "manage") else set()
    held = scope.roles_at(actor, org) & roles.MANAGERS
    result: set[str] = set()
    for role in held:
        result |= GRANTABLE_BY[role]
    if org.is_root() and Role.CITY_ADMIN not in held:
        return set()
    return result


def grants_within_reach(actor, user: User) -> bool:
    """``User.policy``'s refinement of ``change`` (installed by ``OrgsConfig.ready``): an
    administrator manages an account only when every active grant of it is one they could
    give (so nobody can disable a superior)."""
    for grant in user.grants.active().select_related("organisation"):
        if grant.organisation is None:
            if not OrganisationGroup.policy.may(actor, "manage"):
                return False
        elif grant.role not in grantable_roles(actor, grant.organisation):
            return False
    return True


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _sees_account(actor, user: User) -> bool:
    """Whether the account is one the actor's user pages show (its home organisation lies in
    the actor's managing scope): only such accounts get or lose grants from them."""
    return User.policy.allows(actor, "view", user)


def _org_snapshot(org: Organisation) -> dict:
    return {"code": org.code, "name": org.name, "kind": org.kind, "parent_code": org.parent_code}


# --- doing one thing at a time -------------------------------------------------------------


def lock_tree() -> None:
    """Changes to the tree's shape (adding and moving organisations) run one at a time; call it
    inside the transaction before reading the nodes a change starts from.

    One lock for the whole tree rather than row locks: a move rewrites the paths of the moved
    subtree, renumbers the siblings it is sorted between (and their subtrees) and counts the
    children of both parents, and an addition can renumber its new siblings in the same way,
    so the rows a change touches are known only once it runs. Two moves crossing each other
    (A under B and B under A) took those row locks in opposite orders and deadlocked; an
    addition under a node whose path a parallel addition was renumbering left the new child
    under the old path. Changes of the shape are rare (administrators), so waiting costs
    nothing; renames, grants and every other write do not take this lock."""
    locks.hold("nuanxin.orgs.tree")


# --- organisations -------------------------------------------------------------------------


def _line(value, field: str, label: str) -> str:
    """One line of text as stored: control and direction characters refused, zero-width ones
    removed, trimmed (the shared rule of core/plaintext.py)."""
    return plaintext.line(value, field=field, label=label)


def _validate_org_fields(code: str, name: str, kind: str) -> None:
    if not code or len(code) > 64 or any(ch.isspace() for ch in code):
        raise ServiceError(_("The code must be 1–64 characters without spaces."), field="code")
    if not name or len(name) > 200:
        raise ServiceError(_("The name must be 1–200 characters."), field="name")
    if kind not in OrgKind.values:
        raise ServiceError(_("Unknown organisation kind “%(kind)s”.") % {"kind": kind}, field="kind")


@transaction.atomic
def create_organisation(*, actor, code: str, name: str, kind: str, parent: Organisation | None) -> Organisation:
    """Add an organisation under ``parent`` (or the root when ``parent`` is None)."""
    code, name = _line(code, "code", _("Code")), _line(name, "name", _("Name"))
    _validate_org_fields(code, name, kind)
    lock_tree()  # a parallel create of the same code waits here, then sees it and is refused
    if Organisation.objects.filter(code=code).exists():
        raise Conflict(_("An organisation with code “%(code)s” already exists.") % {"code": code}, field="code")
    if parent is None:
        _require(is_system(actor), _("Only the system operator can create the root organisation."))
        if Organisation.objects.get_root_nodes().exists():
            raise Conflict(_("The tree already has a root organisation."))
        org = Organisation.objects.add_root({"code": code, "name": name, "kind": kind})
    else:
        parent = Organisation.objects.get(pk=parent.pk)  # fresh path/numchild
        Organisation.policy.require(actor, parent.change_action, parent, _("You may not add organisations here."))
        org = Organisation.objects.add_child(parent, {"code": code, "name": name, "kind": kind})
    audit.record(actor, "org.create", obj=org, organisation=org, detail=_org_snapshot(org))
    return org


@transaction.atomic
def update_organisation(*, actor, org: Organisation, name: str, kind: str, version: int | None = None) -> Organisation:
    """Rename an organisation or change its kind. ``version``: the version the edit started
    from (``Conflict`` if it was changed or moved since; core/versioning.py)."""
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    Organisation.policy.require(actor, org.change_action, org, _("You may not change this organisation."))
    versioning.check_version(org, version)
    name = _line(name, "name", _("Name"))
    _validate_org_fields(org.code, name, kind)
    before = _org_snapshot(org)
    changed = [f for f, v in (("name", name), ("kind", kind)) if getattr(org, f) != v]
    if not changed:
        return org
    org.name, org.kind = name, kind
    org.save(update_fields=[*changed, versioning.bump(org)])
    audit.record(actor, "org.update", obj=org, organisation=org, detail={"before": before, "after": _org_snapshot(org)})
    return org


@transaction.atomic
def move_organisation(
    *, actor, org: Organisation, new_parent: Organisation, version: int | None = None
) -> Organisation:
    """Move ``org`` with its whole subtree under ``new_parent``; its data scope moves with it.
    ``version``: the version the move started from (``Conflict`` if it was changed since).
    A move made meanwhile (e.g. ``new_parent`` under ``org``, crossing this one) is waited for
    and then seen: both nodes are read again after ``lock_tree``."""
    lock_tree()
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    new_parent = Organisation.objects.get(pk=new_parent.pk)
    if org.is_root():
        raise ServiceError(_("The root organisation cannot be moved."))
    Organisation.policy.require(actor, "change", org, _("You may not move this organisation."))
    versioning.check_version(org, version)
    Organisation.policy.require(actor, "change", new_parent, _("You may not move organisations there."))
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ServiceError(_("An organisation cannot be moved under itself or its own descendants."))
    old_parent = Organisation.objects.get_parent(org)
    if old_parent and old_parent.pk == new_parent.pk:
        return org
    Organisation.objects.move(org, new_parent, pos="sorted-child")
    versioning.bump_rows(Organisation.objects.filter(pk=org.pk))
    org = Organisation.objects.get(pk=org.pk)
    audit.record(
        actor,
        "org.move",
        obj=org,
        organisation=org,
        detail={"from": old_parent.code if old_parent else "", "to": new_parent.code},
    )
    hooks.unit_moved.fire(actor=actor, organisation=org, previous_parent=old_parent)
    return org


@transaction.atomic
def create_group(*, actor, code: str, name: str, members: list[Organisation]) -> OrganisationGroup:
    """Create an organisation group (city admins only: groups cut across subtrees)."""
    OrganisationGroup.policy.require(actor, "manage", None, _("Only city administrators manage groups."))
    code, name = _line(code, "code", _("Code")), _line(name, "name", _("Name"))
    if not code or not name:
        raise ServiceError(_("A group needs a code and a name."))
    taken = Conflict(_("A group with code “%(code)s” already exists.") % {"code": code}, field="code")
    if OrganisationGroup.objects.filter(code=code).exists():
        raise taken
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            group = OrganisationGroup.objects.create(code=code, name=name)
    except IntegrityError:
        # A parallel create of the same code committed first (on PostgreSQL this insert
        # waited for it): the same refusal as when it came before.
        if OrganisationGroup.objects.filter(code=code).exists():
            raise taken from None
        raise
    group.members.set(members)
    audit.record(actor, "group.create", obj=group, detail={"members": sorted(o.code for o in members)})
    return group


@transaction.atomic
def set_group_members(
    *, actor, group: OrganisationGroup, members: list[Organisation], version: int | None = None
) -> OrganisationGroup:
    """Set a group's members. ``version``: the version the edit started from (``Conflict`` if
    the members were changed since)."""
    OrganisationGroup.policy.require(actor, "manage", None, _("Only city administrators manage groups."))
    group = OrganisationGroup.objects.select_for_update().get(pk=group.pk)
    versioning.check_version(group, version)
    before = sorted(group.members.values_list("code", flat=True))
    after = sorted(o.code for o in members)
    if before != after:
        group.members.set(members)
        group.save(update_fields=[versioning.bump(group)])
        audit.record(actor, "group.members", obj=group, detail={"before": before, "after": after})
        holders = User.objects.filter(grants__group=group).distinct()
        hooks.grants_narrowed.fire(actor=actor, users=list(holders), reason="group_members")
    return group


# --- users and grants ----------------------------------------------------------------------

PASSWORD_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int = 16, user: User | None = None) -> str:
    """A random password that satisfies the password policy, for ``user`` when given (the
    similarity check compares it with the username and names: a random string can, rarely, be
    judged too similar, and the account would then fail to be created)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
        if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
            continue
        try:
            password_validation.validate_password(password, user)
        except ValidationError:
            continue
        return password


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    organisation: Organisation,
    role: str,
    password: str | None = None,
    full_name: str = "",
    email: str = "",
    mobile: str = "",
) -> tuple[User, str | None]:
    """Create an account with a first grant of ``role`` on ``organisation``.

    Returns the user and the generated password when none was given (shown once)."""
    username = _line(username, "username", _("Username"))
    full_name = _line(full_name, "full_name", _("Full name"))
    email, mobile = _line(email, "email", _("Email")), _line(mobile, "mobile", _("Mobile"))
    if not username or len(username) > 150:
        raise ServiceError(_("The username must be 1–150 characters."), field="username")
    if role not in Role.values:
        raise ServiceError(_("Unknown role “%(role)s”.") % {"role": role}, field="role")
    _require(role in grantable_roles(actor, organisation), _("You may not grant this role on this organisation."))
    # Usernames are unique whatever their case (sign-in finds them so), which the database's
    # unique index does not see: a parallel create of "Wang" and "wang" waits here for the
    # first and then sees it.
    locks.hold("nuanxin.accounts.username:" + username.casefold())
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("The username “%(username)s” is taken.") % {"username": username}, field="username")
    generated = None
    user = User(username=username, full_name=full_name, email=email, mobile=mobile, organisation=organisation)
    if password is None:
        generated = password = generate_password(user=user)
    _check_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            user.save()
    except IntegrityError as exc:  # a concurrent create of the same name
        raise Conflict(
            _("The username “%(username)s” is taken.") % {"username": username}, field="username"
        ) from exc
    audit.record(actor, "user.create", obj=user, organisation=organisation, detail={"role": role})
    grant_role(actor=actor, user=user, role=role, organisation=organisation)
    return user, generated


@transaction.atomic
def grant_role(
    *, actor, user: User, role: str, organisation: Organisation | None = None, group: OrganisationGroup | None = None
) -> Grant:
    """Give ``user`` the ``role`` on an organisation subtree or a group."""
    if (organisation is None) == (group is None):
        raise ServiceError(_("A grant is on exactly one organisation or one group."))
    if role not in Role.values:
        raise ServiceError(_("Unknown role “%(role)s”.") % {"role": role}, field="role")
    _require(role in grantable_roles(actor, organisation), _("You may not grant this role here."))
    _require(_sees_account(actor, user), _("You may not manage this account."))
    if organisation is not None and organisation.is_root() and role == Role.ORG_ADMIN:
        raise ServiceError(_("Administrators of the root organisation are city administrators."), field="role")
    existing = Grant.objects.active().filter(user=user, role=role, organisation=organisation, group=group)
    held = Conflict(_("The user already holds this role there."))
    if existing.exists():
        raise held
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction stays usable
            grant = Grant.objects.create(
                user=user, role=role, organisation=organisation, group=group, created_by=actor if actor else None
            )
    except IntegrityError:
        # The same grant made in parallel committed first (grant_unique_active_org/_group;
        # on PostgreSQL this insert waited for it): the same refusal as when it came before.
        if existing.exists():
            raise held from None
        raise
    audit.record(
        actor,
        "grant.create",
        obj=grant,
        organisation=organisation,
        detail={"user": user.username, "role": role, "organisation": organisation.code if organisation else "",
                "group": group.code if group else ""},
    )
    scope.forget(user)
    return grant


@transaction.atomic
def revoke_grant(*, actor, grant: Grant) -> Grant:
    """End a grant; the row stays for the record."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        return grant
    _require(grant.role in grantable_roles(actor, grant.organisation), _("You may not revoke this grant."))
    _require(_sees_account(actor, grant.user), _("You may not manage this account."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = actor if actor else None
    grant.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor,
        "grant.revoke",
        obj=grant,
        organisation=grant.organisation,
        detail={"user": grant.user.username, "role": grant.role},
    )
    scope.forget(grant.user)
    hooks.grants_narrowed.fire(actor=actor, users=[grant.user], reason="grant_revoked")
    return grant


@transaction.atomic
def set_user_active(*, actor, user: User, active: bool) -> User:
    """Enable or disable an account. Disabling ends its sessions and revokes its API tokens
    for good (enabling it again revives neither); the disable's audit row counts both."""
    from nuanxin.accounts.services import end_sessions_and_tokens

    user = User.objects.select_for_update().get(pk=user.pk)
    User.policy.require(actor, "change", user, _("You may not manage this account."))
    if not is_system(actor) and actor.pk == user.pk and not active:
        raise ServiceError(_("You cannot disable your own account."))
    if user.is_active == active:
        return user
    detail = {} if active else end_sessions_and_tokens(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(actor, "user.enable" if active else "user.disable", obj=user, organisation=user.organisation,
                 detail=detail)
    if not active:
        hooks.grants_narrowed.fire(actor=actor, users=[user], reason="user_disabled")
    return user


@transaction.atomic
def update_user(
    *, actor, user: User, full_name: str, email: str, mobile: str, version: int | None = None
) -> User:
    """Change an account's name, e-mail and mobile. ``version``: the version the edit started
    from (``Conflict`` if the account was changed since; core/versioning.py)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    User.policy.require(actor, "change", user, _("You may not manage this account."))
    versioning.check_version(user, version)
    changes = {}
    for field, value in (
        ("full_name", _line(full_name, "full_name", _("Full name"))),
        ("email", _line(email, "email", _("Email"))),
        ("mobile", _line(mobile, "mobile", _("Mobile"))),
    ):
        if getattr(user, field) != value:
            changes[field] = [getattr(user, field), value]
            setattr(user, field, value)
    if changes:
        user.save(update_fields=[*changes, versioning.bump(user)])
        audit.record(actor, "user.update", obj=user, organisation=user.organisation, detail=changes)
    return user


@transaction.atomic
def set_password(*, actor, user: User, password: str, current_password: str | None = None) -> User:
    """Set a user's password: by an admin who manages the account (or the operator), or by
    the user themselves proving ``current_password``. An admin's powers over accounts do not
    cover their own: a session left open must not be a way to take the account over (the
    account page, ``accounts.services.change_own_password``, also counts wrong guesses)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not is_system(actor) and actor.pk == user.pk:
        _require(
            current_password is not None and user.check_password(current_password),
            _("Change your own password on your account page, with your current password."),
        )
    else:
        User.policy.require(actor, "change", user, _("You may not manage this account."))
    _check_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit.record(actor, "user.password", obj=user, organisation=user.organisation)
    return user
