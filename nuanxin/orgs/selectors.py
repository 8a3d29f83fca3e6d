"""Reads of the organisation tree and of accounts, shaped for pages and commands."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from nuanxin.accounts.models import User
from nuanxin.orgs.models import Grant, Organisation


@dataclass
class TreeNode:
    """One organisation as rendered in a tree: ``opens`` when its children follow it,
    ``closes`` how many open levels end after it (so a flat loop renders nested lists)."""

    org: Organisation
    level: int
    opens: bool = False
    closes: range = field(default_factory=lambda: range(0))


def nest(orgs: list[Organisation]) -> list[TreeNode]:
    """Turn organisations sorted by path into tree nodes for a flat template loop."""
    nodes: list[TreeNode] = []
    stack: list[str] = []
    for i, org in enumerate(orgs):
        while stack and not org.path.startswith(stack[-1]):
            stack.pop()
        node = TreeNode(org=org, level=len(stack))
        following = orgs[i + 1].path if i + 1 < len(orgs) else ""
        if following.startswith(org.path):
            node.opens = True
            stack.append(org.path)
        else:
            closed = 0
            while stack and not following.startswith(stack[-1]):
                stack.pop()
                closed += 1
            node.closes = range(closed)
        nodes.append(node)
    return nodes


def managed_organisations(user):
    """Organisations the user may change (as city or organisation administrator)."""
    return Organisation.objects.for_user(user, "change")


def tree_with_user_counts(user, under: Organisation | None = None) -> list[TreeNode]:
    """The user's manageable subtree (or the part of it under ``under``) in one query,
    each organisation annotated with ``user_count`` (accounts whose home it is)."""
    qs = managed_organisations(user)
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    qs = qs.annotate(user_count=Count("members", distinct=True)).order_by("path")
    return nest(list(qs))


def active_grants_prefetch() -> Prefetch:
    return Prefetch(
        "grants",
        queryset=Grant.objects.active().select_related("organisation", "group").order_by("id"),
        to_attr="active_grants",
    )


def visible_users(user, *, search: str = "", organisation: Organisation | None = None, role: str = ""):
    """Accounts whose home organisation lies in the user's scope, filtered for the list page."""
    qs = User.objects.for_user(user).select_related("organisation")
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    if organisation is not None:
        qs = qs.filter(organisation__path__startswith=organisation.path)
    if role:
        qs = qs.filter(pk__in=Grant.objects.active().filter(role=role).values("user_id"))
    return qs.prefetch_related(active_grants_prefetch()).order_by("username")


def org_subtree(under: Organisation | None = None) -> list[Organisation]:
    """Every organisation (or those under ``under``, inclusive) in tree order."""
    qs = Organisation.objects.all()
    if under is not None:
        qs = qs.filter(path__startswith=under.path)
    return list(qs.order_by("path"))


def is_manager(user) -> bool:
    """Whether the user administers accounts somewhere (the managers' menu)."""
    return User.policy.may(user, "view")
