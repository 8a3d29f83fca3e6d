"""Organisation scoping, in one place.

A user's *effective grants* are their active grants, narrowed to one when they picked a
scope with the scope switcher. Every ``for_user`` queryset, base view and API router asks
this module which materialised-path prefixes a set of roles covers.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

STEPLEN = 4  # treebeard's default; Organisation does not change it


def _all_grants(user) -> list:
    cached = getattr(user, "_nuanxin_grants", None)
    if cached is None:
        from nuanxin.orgs.models import Grant

        cached = list(
            Grant.objects.active()
            .filter(user=user)
            .select_related("organisation", "group")
            .prefetch_related("group__members")
            .order_by("id")
        )
        user._nuanxin_grants = cached
    return cached


def grants(user) -> list:
    """All active grants of the user (for the scope switcher)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if getattr(user, "pk", None) is None:  # the system actor (core.policy.SYSTEM) holds no grant
        return []
    return _all_grants(user)


def effective_grants(user) -> list:
    """The grants in force for this request: all of them, or the one the user switched to."""
    all_grants = grants(user)
    active_id = getattr(user, "nuanxin_active_grant_id", None)
    if active_id:
        chosen = [g for g in all_grants if g.pk == active_id]
        if chosen:
            return chosen
    return all_grants


def forget(user) -> None:
    """Drop the per-request grant cache (after a grant changes)."""
    if hasattr(user, "_nuanxin_grants"):
        del user._nuanxin_grants


def _grant_paths(grant) -> list[str]:
    if grant.organisation_id:
        return [grant.organisation.path]
    return [org.path for org in grant.group.members.all()]


def minimal_prefixes(paths: Iterable[str]) -> list[str]:
    """Drop every path that lies under another path in the set."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not result or not path.startswith(result[-1]):
            result.append(path)
    return result


def scope_paths(user, roles: Iterable[str]) -> list[str]:
    roles = set(roles)
    paths = [p for g in effective_grants(user) if g.role in roles for p in _grant_paths(g)]
    return minimal_prefixes(paths)


def scope_q(user, roles: Iterable[str], path_lookup: str) -> Q | None:
    """A filter keeping rows whose organisation path lies in the user's scope for ``roles``;
    ``None`` when the user has no such scope at all."""
    paths = scope_paths(user, roles)
    if not paths:
        return None
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_lookup}__startswith": path})
    return q


def has_role(user, roles: Iterable[str]) -> bool:
    roles = set(roles)
    return any(g.role in roles for g in effective_grants(user))


def roles_of(user) -> list[str]:
    seen: list[str] = []
    for g in effective_grants(user):
        if g.role not in seen:
            seen.append(g.role)
    return seen


def common_root(user, roles: Iterable[str]):
    """The organisation a page shows by default: the one the user's grants for ``roles`` cover,
    or, for several (e.g. a viewer on a group of hospitals), their nearest common ancestor
    (None without such a grant). Figures under it are still limited to the grants."""
    from nuanxin.orgs.models import Organisation

    paths = scope_paths(user, roles)
    if not paths:
        return None
    common = paths[0]
    for path in paths[1:]:
        i = 0
        while i < min(len(common), len(path)) and common[i] == path[i]:
            i += 1
        common = common[:i]
    common = common[: len(common) - len(common) % STEPLEN] or paths[0][:STEPLEN]
    return Organisation.objects.filter(path=common).first()


def covers(user, roles: Iterable[str], organisation) -> bool:
    """Whether the user's grants for ``roles`` include ``organisation``."""
    return any(organisation.path.startswith(p) for p in scope_paths(user, roles))


def covers_root(user, roles: Iterable[str]) -> bool:
    return any(len(p) == STEPLEN for p in scope_paths(user, roles))


def roles_at(user, organisation) -> set[str]:
    """The roles the user holds that cover ``organisation``."""
    return {
        g.role
        for g in effective_grants(user)
        if any(organisation.path.startswith(p) for p in _grant_paths(g))
    }


def ancestor_paths(path: str) -> list[str]:
    """``path`` and the path of every ancestor of its organisation, root first."""
    return [path[:i] for i in range(STEPLEN, len(path) + 1, STEPLEN)]


class GrantTree:
    """The tree protocol of ``core.policy`` (``Tree``), installed by ``OrgsConfig.ready``."""

    def paths(self, user, roles: frozenset[str]) -> list[str]:
        return scope_paths(user, roles)

    def is_root(self, path: str) -> bool:
        return len(path) == STEPLEN

    def holders(self, roles: frozenset[str], path: str | None):
        from nuanxin.accounts.models import User
        from nuanxin.orgs.models import Grant

        if path is None:
            where = Q(organisation__depth=1) | Q(group__members__depth=1)
        else:
            covering = ancestor_paths(path)
            where = Q(organisation__path__in=covering) | Q(group__members__path__in=covering)
        grants = Grant.objects.active().filter(role__in=roles).filter(where)
        return User.objects.filter(is_active=True, pk__in=grants.values("user_id")).order_by("pk")

    def holders_many(self, roles: frozenset[str], paths, *, below: bool = False) -> dict[str, list]:
        """``holders`` for many paths: the grants in one query (and their groups' members in a
        second), matched to each path here. Users by name, each once per path."""
        from nuanxin.orgs.models import Grant

        paths = sorted(set(paths))
        if not paths or not roles:
            return {path: [] for path in paths}
        covering = sorted({a for p in paths for a in ancestor_paths(p)})
        where = Q(organisation__path__in=covering) | Q(group__members__path__in=covering)
        if below:
            for prefix in minimal_prefixes(paths):
                where |= Q(organisation__path__startswith=prefix) | Q(group__members__path__startswith=prefix)
        grants = (
            Grant.objects.active()
            .filter(role__in=roles, user__is_active=True)
            .filter(where)
            .select_related("user", "organisation")
            .prefetch_related("group__members")
            .distinct()
            .order_by("user__full_name", "user__username", "user_id", "pk")
        )
        held = [(grant_path, grant.user) for grant in grants for grant_path in _grant_paths(grant)]
        result: dict[str, list] = {}
        for path in paths:
            users: dict = {}
            for grant_path, user in held:
                if path.startswith(grant_path) or (below and grant_path.startswith(path)):
                    users.setdefault(user.pk, user)
            result[path] = list(users.values())
        return result


TREE = GrantTree()
