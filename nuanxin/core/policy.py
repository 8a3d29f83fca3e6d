"""Who may do what to which rows: one ``Policy`` per model, declared once.

A model declares its policy as a class attribute::

    class Worker(models.Model):
        organisation = models.ForeignKey("orgs.Organisation", ...)
        objects = ScopedQuerySet.as_manager()
        policy = Policy(
            path="organisation__path",            # lookup to the owning organisation's path
            actions={"view": roles.REGISTER_VIEW, "change": roles.REGISTER_CHANGE},
            related={Role.CARE_CONTACT: "assigned"},  # this role sees only related rows
        )

Everything else is derived from it: ``Worker.objects.for_user(user, "view")`` (the scoped
queryset), ``Worker.policy.allows(user, "change", worker)`` / ``require(...)`` (one object),
``Worker.policy.may(user, "view")`` (menus and the 403 gate of a view), and
``Worker.policy.holders("change", organisation)`` (who may act there: escalation, reminders).

A role's grant on an organisation covers its whole subtree. The tree itself (grants, paths)
belongs to the ``orgs`` app, which installs it with ``install_tree`` when it is ready: core
imports no app. A *relation* narrows a role to some rows (a care contact sees only the
families assigned to them); the app that knows the relation adds it with ``relate``.

``SYSTEM`` is the system acting without a user (the command line, periodic jobs, the demo,
the importer's own writes): every policy allows it everything, and the audit trail records
it as "system".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Protocol

from django.db.models import Model, Q, QuerySet

from nuanxin.core.errors import NotAllowed


class _System:
    """The system actor: no user, every policy allows it everything."""

    is_authenticated = True
    is_active = True
    pk = None

    def __repr__(self) -> str:
        return "SYSTEM"

    def __bool__(self) -> bool:  # ``actor if actor else None`` keeps writing None
        return False

    def get_username(self) -> str:
        return "system"


SYSTEM: Final[Any] = _System()


def user_of(actor: Any) -> Any:
    """The user to name as the author of a row: ``None`` for the system (or nobody)."""
    if actor is SYSTEM or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def is_system(actor: object) -> bool:
    """Whether ``actor`` is the system (``SYSTEM``). ``None`` is nobody: an anonymous caller,
    whom every policy refuses."""
    return actor is SYSTEM


class Tree(Protocol):
    """What a policy needs to know about grants (implemented by ``orgs.scope``)."""

    def paths(self, user: Any, roles: frozenset[str]) -> list[str]:
        """The organisation paths the user's grants (in force) for ``roles`` cover, minimal."""
        ...

    def is_root(self, path: str) -> bool:
        """Whether ``path`` is the path of a root of the tree."""
        ...

    def holders(self, roles: frozenset[str], path: str | None) -> QuerySet[Any]:
        """Active users with an active grant for one of ``roles`` covering the organisation at
        ``path`` (``None``: grants covering a root)."""
        ...

    def holders_many(self, roles: frozenset[str], paths: Iterable[str], *, below: bool = False) -> dict[str, list[Any]]:
        """``holders`` for many paths at once (a fixed number of queries): path -> active users
        by name, with an active grant for one of ``roles`` covering it (with ``below``, also
        the grants that lie under it)."""
        ...


_tree: Tree | None = None


def install_tree(tree: Tree) -> None:
    """Called once by the app that owns the grants (``orgs.apps.OrgsConfig.ready``)."""
    global _tree
    _tree = tree


def _the_tree() -> Tree:
    if _tree is None:
        raise RuntimeError("No organisation tree installed: is nuanxin.orgs in INSTALLED_APPS?")
    return _tree


@dataclass(frozen=True)
class Relation:
    """A narrowing of a role to the rows related to the user: ``q(user)`` filters the model's
    rows, ``test(user, obj)`` answers for one object (by default: ``obj`` passes ``q``)."""

    name: str
    q: Callable[[Any], Q]
    test: Callable[[Any, Any], bool] | None = None


class Policy:
    """The access rule of one model.

    - ``path``: the lookup from the model to its owning organisation's materialised path
      (``"organisation__path"``, ``"worker__organisation__path"``, ``"path"`` for the
      organisation itself); ``None`` for a model that belongs to no organisation (a holder of
      the role anywhere reaches every row, see ``root_only``).
    - ``actions``: action name -> the roles (``core.roles``) that may do it.
    - ``related``: role -> relation name; that role reaches only the related rows inside its
      grants (the relation is added with ``relate`` by the app that knows it; until then the
      role reaches nothing).
    - ``root_only``: actions only a grant covering the root of the tree allows (a city
      administrator over the whole city: campaigns, groups); such an action reaches every row.
    - ``ownerless_at_root``: rows without an organisation (``path`` is null) belong to the root,
      so only grants covering the root reach them (the audit trail's failed sign-ins).
    """

    def __init__(
        self,
        *,
        path: str | None,
        actions: Mapping[str, Iterable[str]],
        related: Mapping[str, str] | None = None,
        root_only: Iterable[str] = (),
        ownerless_at_root: bool = False,
    ) -> None:
        self.path = path
        self.actions: dict[str, frozenset[str]] = {a: frozenset(r) for a, r in actions.items()}
        self.related: dict[str, str] = dict(related or {})
        self.root_only: frozenset[str] = frozenset(root_only)
        self.ownerless_at_root = ownerless_at_root
        self.relations: dict[str, Relation] = {}
        self.refinements: dict[str, list[Callable[[Any, Any], bool]]] = {}
        unknown = self.root_only - set(self.actions)
        if unknown:
            raise ValueError(f"root_only names actions the policy does not declare: {sorted(unknown)}")

    def __repr__(self) -> str:
        return f"Policy(path={self.path!r}, actions={sorted(self.actions)})"

    # --- declaring ------------------------------------------------------------------------

    def relate(
        self,
        name: str,
        *,
        q: Callable[[Any], Q],
        test: Callable[[Any, Any], bool] | None = None,
    ) -> None:
        """Add the relation ``name`` (declared in ``related``) from another app, e.g. care's
        "assigned" for the care contacts: ``q(user)`` keeps the related rows, ``test(user,
        obj)`` answers for one row (default: the row passes ``q``)."""
        if name not in self.related.values():
            raise ValueError(f"No role of {self!r} is narrowed by a relation named {name!r}.")
        self.relations[name] = Relation(name, q, test)

    def refine(self, action: str, test: Callable[[Any, Any], bool]) -> None:
        """Add a rule about one object that ``action`` must pass too, on top of the tree (e.g.
        an administrator manages an account only when every grant of it is one they could
        give: nobody disables a superior). ``allows``/``require`` apply it; ``for_user`` does
        not (a list shows the rows in scope; the refinement decides what may be done to each)."""
        if action not in self.actions:
            raise ValueError(f"{self!r} declares no action {action!r}.")
        self.refinements.setdefault(action, []).append(test)

    # --- asking ---------------------------------------------------------------------------

    def roles(self, action: str) -> frozenset[str]:
        """The roles that may do ``action`` (none for an unknown action)."""
        return self.actions.get(action, frozenset())

    def for_user(self, qs: QuerySet[Any], user: Any, action: str = "view") -> QuerySet[Any]:
        """``qs`` narrowed to the rows ``user`` may do ``action`` to."""
        if is_system(user):
            return qs
        q = self._q(user, action)
        return qs.none() if q is None else qs.filter(q)

    def allows(self, user: Any, action: str, obj: Any) -> bool:
        """Whether ``user`` may do ``action`` to ``obj`` (one row of the model)."""
        if is_system(user):
            return True
        return self._allows(user, action, obj) and all(test(user, obj) for test in self.refinements.get(action, ()))

    def _allows(self, user: Any, action: str, obj: Any) -> bool:
        roles = self.roles(action)
        if not roles or not _signed_in(user):
            return False
        tree = _the_tree()
        if action in self.root_only:
            return self._covers_root(user, roles)
        path = self._path_of(obj)
        if path is None and self.path is not None:
            return self.ownerless_at_root and self._covers_root(user, self._plain(roles))
        plain = self._plain(roles)
        if plain and self._inside(path, tree.paths(user, plain)):
            return True
        for name, narrowed in self._narrowed(roles).items():
            relation = self.relations.get(name)
            if relation is None or not self._inside(path, tree.paths(user, narrowed)):
                continue
            if relation.test is not None:
                if relation.test(user, obj):
                    return True
            elif isinstance(obj, Model):
                if type(obj)._default_manager.filter(pk=obj.pk).filter(relation.q(user)).exists():
                    return True
        return False

    def allows_in(self, user: Any, action: str, organisation: Any) -> bool:
        """Whether ``user`` may do ``action`` to rows of ``organisation`` in general (a new row
        there: a create). Roles narrowed by a relation do not count: no row to relate to yet."""
        if is_system(user):
            return True
        roles = self.roles(action)
        if not roles or not _signed_in(user):
            return False
        if action in self.root_only:
            return self._covers_root(user, roles)
        plain = self._plain(roles)
        return bool(plain) and self._inside(organisation.path, _the_tree().paths(user, plain))

    def require(self, user: Any, action: str, obj: Any, message: str | None = None) -> None:
        """``NotAllowed`` (with ``message``) unless ``allows(user, action, obj)``."""
        if not self.allows(user, action, obj):
            raise NotAllowed(message or _default_refusal())

    def require_in(self, user: Any, action: str, organisation: Any, message: str | None = None) -> None:
        """``NotAllowed`` (with ``message``) unless ``allows_in(user, action, organisation)``."""
        if not self.allows_in(user, action, organisation):
            raise NotAllowed(message or _default_refusal())

    def reach_q(self, user: Any, action: str, path: str) -> Q | None:
        """The rule of ``action`` for ``user``'s plain grants (relations left out) read over
        ``path`` of *another* model: e.g. the workers whose family a labour-rights officer may
        open a case for (``LegalCase.policy.reach_q(user, "refer", "organisation__path")`` on
        ``Worker``), though the register's own policy shows them none. ``None``: nowhere."""
        roles = self._plain(self.roles(action))
        if not roles or not _signed_in(user):
            return None
        paths = _the_tree().paths(user, roles)
        if not paths:
            return None
        q = Q()
        for prefix in paths:
            q |= Q(**{f"{path}__startswith": prefix})
        return q

    def may(self, user: Any, action: str) -> bool:
        """Whether ``user`` holds a role for ``action`` anywhere (menus; the 403 of a view
        before its object is looked up). A root-only action needs a grant covering the root."""
        if is_system(user):
            return True
        roles = self.roles(action)
        if not roles or not _signed_in(user):
            return False
        if action in self.root_only:
            return self._covers_root(user, roles)
        return bool(_the_tree().paths(user, roles))

    def holders(self, action: str, organisation: Any) -> QuerySet[Any]:
        """Active users whose active grants for ``action`` cover ``organisation`` (whatever scope
        they switched to): who may act on its rows. Roles narrowed by a relation are included
        (a care contact may act on the rows related to them). For a root-only action: the
        holders of a grant covering the root."""
        roles = self.roles(action)
        path = None if action in self.root_only or organisation is None else organisation.path
        return _the_tree().holders(roles, path)

    def holders_by_unit(
        self, action: str, organisations: Iterable[Any], *, below: bool = False
    ) -> dict[Any, list[Any]]:
        """``holders`` for many organisations in a fixed number of queries (a page of families,
        a reminder to every unit): organisation id -> active users by name whose active grants
        for ``action`` cover it. With ``below``, also those whose grants lie under it (the care
        contacts an administrator of it may assign). A root-only action: the root's holders."""
        organisations = list(organisations)
        if action in self.root_only:
            users = list(self.holders(action, None))
            return {o.pk: list(users) for o in organisations}
        found = _the_tree().holders_many(self.roles(action), {o.path for o in organisations}, below=below)
        return {o.pk: list(found.get(o.path, [])) for o in organisations}

    # --- the rule -------------------------------------------------------------------------

    def _plain(self, roles: frozenset[str]) -> frozenset[str]:
        return frozenset(r for r in roles if r not in self.related)

    def _narrowed(self, roles: frozenset[str]) -> dict[str, frozenset[str]]:
        by_relation: dict[str, set[str]] = {}
        for role in roles:
            if role in self.related:
                by_relation.setdefault(self.related[role], set()).add(role)
        return {name: frozenset(rs) for name, rs in by_relation.items()}

    def _covers_root(self, user: Any, roles: frozenset[str]) -> bool:
        tree = _the_tree()
        return bool(roles) and any(tree.is_root(p) for p in tree.paths(user, roles))

    def _q(self, user: Any, action: str) -> Q | None:
        roles = self.roles(action)
        if not roles or not _signed_in(user):
            return None
        if action in self.root_only:
            return Q() if self._covers_root(user, roles) else None
        tree = _the_tree()
        parts: list[Q] = []
        plain = self._plain(roles)
        if plain:
            paths = tree.paths(user, plain)
            if paths:
                parts.append(self._paths_q(paths))
                if self.ownerless_at_root and self.path and any(tree.is_root(p) for p in paths):
                    parts.append(Q(**{f"{self.path}__isnull": True}))
        for name, narrowed in self._narrowed(roles).items():
            relation = self.relations.get(name)
            paths = tree.paths(user, narrowed)
            if relation is None or not paths:
                continue
            parts.append(self._paths_q(paths) & relation.q(user))
        if not parts:
            return None
        q = parts[0]
        for part in parts[1:]:
            q |= part
        return q

    def _paths_q(self, paths: list[str]) -> Q:
        if self.path is None:  # rows of no organisation: a holder anywhere reaches them all
            return Q()
        q = Q()
        for path in paths:
            q |= Q(**{f"{self.path}__startswith": path})
        return q

    def _inside(self, path: str | None, paths: list[str]) -> bool:
        if self.path is None:
            return bool(paths)
        return path is not None and any(path.startswith(p) for p in paths)

    def _path_of(self, obj: Any) -> str | None:
        if self.path is None:
            return None
        value = obj
        for attr in self.path.split("__"):
            value = getattr(value, attr, None)
            if value is None:
                return None
        return str(value)


def _signed_in(user: Any) -> bool:
    return (
        user is not None and bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))
    )


def _default_refusal() -> str:
    from django.utils.translation import gettext

    return gettext("You may not do this.")
